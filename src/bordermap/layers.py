"""Layers: GeoJSON FeatureCollections derived from the facts, and their files.

:func:`build_layers` turns :class:`~bordermap.facts.Facts` into one RFC 7946 collection
per layer; :func:`write_layers` writes them reproducibly; :func:`read_layers` reads them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bordermap import _types, settings
from bordermap._geojson import dumps_geojson, dumps_geojson_all
from bordermap._io import read_json, recover, write_all
from bordermap._layercheck import collection_problems, missing_words
from bordermap.errors import CoordinatePrecisionWarning, FactsError, LayerError
from bordermap.facts import Event, Facts, FeatureFacts, Figure, GeometrySpec
from bordermap.geometry import Coordinate, Line, distance_m, line_across, round_coordinates
from bordermap.gis import from_gdal, to_geodataframe
from bordermap.mapspec import MapSpec, activated, layers_in, spec_of
from bordermap.schema import identifier_problem

__all__ = [
    "CoordinatePrecisionWarning",
    "Layers",
    "build_layers",
    "edited_layers",
    "layer_path",
    "read_layers",
    "render_layers",
    "to_geodataframe",
    "write_layers",
]

#: Layer name -> GeoJSON FeatureCollection (a plain ``dict``).
Layers = _types.Layers


class _Drawing:
    """Drawn coordinates, measured at most once however many features share them."""

    def __init__(self, coords: ArrayLike) -> None:
        # (lon, lat) rows; a river in full detail has a million of them.
        self.coords: NDArray[np.float64] = np.asarray(coords, dtype=float).reshape(-1, 2)

    @cached_property
    def line(self) -> Line:
        """The geometry as a line, measured once however often it is asked about."""
        return Line(self.coords)

    @cached_property
    def rounded(self) -> NDArray[np.float64]:
        """The coordinates at GeoJSON precision, as the layer writes them."""
        return round_coordinates(self.coords)

    @cached_property
    def positions(self) -> list[list[float]]:
        """The rounded coordinates as GeoJSON positions: one list for every feature drawn so."""
        positions: list[list[float]] = self.rounded.tolist()
        return positions

    @cached_property
    def rounded_line(self) -> Line:
        """The line as the layer writes it: ``line`` itself when rounding changes nothing."""
        return self.line if np.array_equal(self.rounded, self.coords) else Line(self.rounded)


class _Resolved:
    """A feature's drawn geometry and what was learnt while drawing it."""

    def __init__(self, drawing: _Drawing | ArrayLike, *, along_m: float | None = None) -> None:
        self.drawing = drawing if isinstance(drawing, _Drawing) else _Drawing(drawing)
        self.along_m = along_m  # for a crossing: where it crosses, metres along its river
        self.accuracy_m: float | None = None
        self.accuracy_note: str | None = None

    @property
    def coords(self) -> NDArray[np.float64]:
        return self.drawing.coords


def build_layers(facts: Facts) -> Layers:
    """Derive every layer's FeatureCollection from the facts.

    Parameters
    ----------
    facts : Facts
        Checked facts, from :func:`bordermap.load_facts`.

    Returns
    -------
    dict of str to dict
        Layer name to FeatureCollection, in the order of ``[map] layers``, then any
        other layer named in the facts. Features keep the facts file's order. A
        line drawn the same as another (``same_as``: the border on the river) shares
        its coordinates list, written and measured once: copy a geometry before
        changing it in place.

    Raises
    ------
    FactsError
        If a feature's geometry cannot be drawn from the facts.

    Warns
    -----
    CoordinatePrecisionWarning
        If rounding a given line to ``settings.coordinate_decimals`` lengthens it by
        more than ``settings.length_tolerance_m``.
    """
    spec = facts.spec or MapSpec(id=facts.id, output=f"{facts.id}_border_map")
    with activated(spec):
        return _build_layers(facts, spec)


def _build_layers(facts: Facts, spec: MapSpec) -> Layers:
    """Build the layers of :func:`build_layers` with the map's projection active."""
    resolved: dict[str, _Resolved] = {}
    for feature in facts.features:
        _resolve(feature, facts, resolved, ())
        if feature.geometry.method == "line":
            _warn_if_rounding_lengthens(feature, facts, resolved[feature.id].drawing)
    names = list(spec.layers)
    names += sorted({feature.layer for feature in facts.features} - set(names))
    layers: Layers = {}
    for name in names:
        features = [
            _feature_record(feature, facts, resolved[feature.id])
            for feature in facts.features
            if feature.layer == name and feature.status_on(facts.as_of_date) is not None
        ]
        layers[name] = {
            "type": "FeatureCollection",
            "name": name,
            "bordermap": {
                "map": facts.id,
                "title": facts.title,
                "subject": facts.subject,
                **facts.translations,
                "as_of": facts.as_of,
                "facts": facts.path.name,
                **({"region": list(facts.region)} if facts.region else {}),
                **_notes(facts, name),
                "spec": spec.as_metadata(),
            },
            "features": features,
        }
    return layers


def _warn_if_rounding_lengthens(feature: FeatureFacts, facts: Facts, drawing: _Drawing) -> None:
    """Warn when rounding a given line's vertices makes it measurably longer."""
    if len(drawing.coords) < 2 or drawing.rounded_line is drawing.line:
        return  # given at the layers' precision: nothing changes when it is written
    given, written = drawing.line.length_m, drawing.rounded_line.length_m
    if written - given <= settings.length_tolerance_m:
        return
    warnings.warn(
        CoordinatePrecisionWarning(
            f"{facts.path}: feature '{feature.id}', field 'geometry': its "
            f"{len(drawing.coords):,} vertices lie closer together (median "
            f"{float(np.median(drawing.line.segments_m)):.2f} m apart) than "
            f"{settings.coordinate_decimals} decimals can write them: the layer's line "
            f"measures {written:,.1f} m, {written - given:,.1f} m more than the line given "
            f"({given:,.1f} m). Thin the line to vertices a metre or more apart."
        ),
        stacklevel=4,  # the line calling build_layers (through _build_layers)
    )


def _notes(facts: Facts, layer: str) -> dict[str, list[_types.NoteRecord]]:
    """Return the layer's notes with their sources, as a metadata member (or nothing)."""
    notes: list[_types.NoteRecord] = [
        {
            "date": note.date,
            "text": note.text,
            "sources": [facts.sources[source].as_properties() for source in note.sources],
        }
        for note in facts.notes
        if note.layer == layer
    ]
    return {"notes": notes} if notes else {}


def _resolve(
    feature: FeatureFacts, facts: Facts, resolved: dict[str, _Resolved], chain: tuple[str, ...]
) -> _Resolved:
    """Draw one feature's geometry, drawing what it depends on first."""
    if feature.id in resolved:
        return resolved[feature.id]
    if feature.id in chain:
        cycle = " -> ".join((*chain, feature.id))
        raise FactsError(f"{facts.path}: feature '{feature.id}', field 'geometry': cycle {cycle}")
    chain = (*chain, feature.id)
    spec = feature.geometry
    if spec.method == "line":
        result = _Resolved(np.asarray(spec.vertices, dtype=float).reshape(-1, 2)[:, ::-1])
    elif spec.method == "point":
        assert spec.point is not None
        result = _Resolved([(spec.point.lon, spec.point.lat)])
        spread = [
            distance_m((spec.point.lon, spec.point.lat), (other.lon, other.lat))
            for other in spec.alternatives
        ]
        if spread:
            result.accuracy_m = _round_up(max(spread))
            result.accuracy_note = (
                "sources disagree on the position; the farthest other is this far"
            )
    elif spec.method == "same_as":
        assert spec.feature is not None
        target = _resolve(facts.feature(spec.feature), facts, resolved, chain)
        result = _Resolved(target.drawing)  # shared: measured once for both
        result.accuracy_m, result.accuracy_note = target.accuracy_m, target.accuracy_note
    elif spec.method == "path":
        result = _Resolved(_path(spec, facts, resolved, chain))
        result.accuracy_m = spec.accuracy_m
        result.accuracy_note = "schematic: straight lines between the features it joins"
    else:
        result = _crossing(feature, facts, resolved, chain)
    resolved[feature.id] = result
    return result


def _path(
    spec: GeometrySpec, facts: Facts, resolved: dict[str, _Resolved], chain: tuple[str, ...]
) -> NDArray[np.float64]:
    """Join the features ``spec.through`` names, each line turned to continue the path."""
    parts: list[NDArray[np.float64]] = []
    for feature_id in spec.through:
        part = _resolve(facts.feature(feature_id), facts, resolved, chain).coords
        if parts and len(part) > 1:
            last = _coordinate(parts[-1][-1])
            if distance_m(last, _coordinate(part[-1])) < distance_m(last, _coordinate(part[0])):
                part = part[::-1]
        parts.append(part)
    joined = np.concatenate(parts)
    # A vertex that repeats the one before it (where parts meet) is dropped.
    keep = np.concatenate([[True], np.any(joined[1:] != joined[:-1], axis=1)])
    path: NDArray[np.float64] = joined[keep]
    return path


def _coordinate(row: NDArray[np.float64]) -> Coordinate:
    return (float(row[0]), float(row[1]))


def _crossing(
    feature: FeatureFacts, facts: Facts, resolved: dict[str, _Resolved], chain: tuple[str, ...]
) -> _Resolved:
    """Draw a bridge across its river, square to the river's general direction."""
    spec = feature.geometry
    assert spec.river is not None and spec.length_m is not None
    river = _resolve(facts.feature(spec.river), facts, resolved, chain).drawing.line
    if spec.point is not None:
        centre = (spec.point.lon, spec.point.lat)
        along = river.distance_to(centre)
        position_error = spec.centre_uncertainty_m
    else:
        assert spec.downstream_of is not None and spec.downstream_m is not None
        upstream = _resolve(facts.feature(spec.downstream_of), facts, resolved, chain)
        if upstream.along_m is None:
            raise FactsError(
                f"{facts.path}: feature '{feature.id}', geometry, field 'downstream_of': "
                f"'{spec.downstream_of}' is not a crossing"
            )
        along = upstream.along_m + spec.downstream_m
        if along > river.length_m:
            raise FactsError(
                f"{facts.path}: feature '{feature.id}', geometry, field 'downstream_m': "
                f"{spec.downstream_m:g} m downstream is past the river's end"
            )
        centre = river.point_at(along)
        position_error = _spread(feature, "downstream distance", spec.downstream_m)
    azimuth = river.azimuth_at(along, settings.river_direction_span_m)
    result = _Resolved(line_across(centre, azimuth, spec.length_m), along_m=along)
    bearing_error = spec.length_m / 2.0 * math.sin(math.radians(spec.bearing_uncertainty_deg))
    # A shorter bridge on the same centre lies within the drawn one: only sourced
    # lengths beyond the drawn length put an end where nothing is drawn.
    length_error = _spread(feature, "length", spec.length_m, longer_only=True) / 2.0
    total = position_error + bearing_error + length_error
    if total > 0:
        result.accuracy_m = _round_up(total)
        result.accuracy_note = _accuracy_note(spec, position_error, bearing_error, length_error)
    return result


def _spread(
    feature: FeatureFacts, figure_name: str, drawn: float, *, longer_only: bool = False
) -> float:
    """Return how far the sourced values of a figure lie from the drawn value.

    With ``longer_only``, only values above the drawn one count.
    """
    figure: Figure | None = next(
        (figure for figure in feature.figures if figure.name.startswith(figure_name)), None
    )
    if figure is None:
        return 0.0
    numbers = [float(value.value) for value in figure.values if not isinstance(value.value, str)]
    gaps = [number - drawn if longer_only else abs(number - drawn) for number in numbers]
    return max((gap for gap in gaps if gap > 0), default=0.0)


def _accuracy_note(
    spec: GeometrySpec, position_error: float, bearing_error: float, length_error: float
) -> str:
    parts = []
    if position_error:
        what = "published centre" if spec.point is not None else "sources' distances downstream"
        parts.append(f"{position_error:.0f} m from the {what}")
    if bearing_error:
        parts.append(
            f"{bearing_error:.0f} m at the ends from ±{spec.bearing_uncertainty_deg:g}° of bearing"
        )
    if length_error:
        parts.append(f"{length_error:.0f} m at each end from the sources' lengths")
    return "sum of " + ", ".join(parts)


def _round_up(metres: float) -> float:
    """Round an uncertainty up to the next 10 m: never claim more precision than there is."""
    return float(math.ceil(metres / 10.0) * 10)


def _feature_record(feature: FeatureFacts, facts: Facts, drawn: _Resolved) -> _types.Feature:
    """Return the GeoJSON Feature for one feature, properties in a fixed order."""
    coords = drawn.drawing.rounded
    is_point = len(coords) == 1
    properties: _types.Properties = {
        f"name_{language}": text for language, text in feature.name.items()
    }
    if feature.name_note:
        properties["name_note"] = feature.name_note
    if feature.label:
        for language, text in feature.label.items():
            properties[f"label_{language}"] = text
    properties["kind"] = feature.kind
    properties["status"] = feature.status_on(facts.as_of_date)
    properties["description"] = feature.description
    properties["events"] = [_event_record(event) for event in feature.events]
    properties["figures"] = [_figure_record(figure) for figure in feature.figures]
    if not is_point:
        properties["length_m"] = round(
            drawn.drawing.rounded_line.length_m, settings.length_decimals
        )
    properties["approximate"] = drawn.accuracy_m is not None
    if drawn.accuracy_m is not None:
        properties["accuracy_m"] = drawn.accuracy_m
        properties["accuracy_note"] = drawn.accuracy_note
    spec = feature.geometry
    if spec.note:
        properties["geometry_note"] = spec.note
    if spec.alternatives:
        properties["position_alternatives"] = [
            {
                "lat": alternative.lat,
                "lon": alternative.lon,
                "distance_m": round(
                    distance_m(_coordinate(coords[0]), (alternative.lon, alternative.lat)),
                    settings.length_decimals,
                ),
                "sources": list(alternative.sources),
            }
            for alternative in spec.alternatives
        ]
    if spec.point is not None and spec.point.sources:
        properties["position_sources"] = list(spec.point.sources)
    properties["sources"] = [
        facts.sources[source_id].as_properties() for source_id in feature.cited_sources()
    ]
    geometry: _types.Geometry = (
        {"type": "Point", "coordinates": coords[0].tolist()}
        if is_point
        else {"type": "LineString", "coordinates": drawn.drawing.positions}
    )
    return {"type": "Feature", "id": feature.id, "properties": properties, "geometry": geometry}


def _event_record(event: Event) -> _types.EventRecord:
    record: dict[str, object] = {"date": event.date, "what": event.what}
    if event.status:
        record["status"] = event.status
    if event.expected:
        record["expected"] = True
    record["sources"] = list(event.sources)
    return cast(_types.EventRecord, record)  # built key by key, in the order it is written


def _figure_record(figure: Figure) -> _types.FigureRecord:
    record: dict[str, object] = {"name": figure.name}
    if figure.unit:
        record["unit"] = figure.unit
    if figure.drawn is not None:
        record["drawn"] = figure.drawn
    record["disputed"] = figure.disputed
    values: list[_types.FigureValueRecord] = []
    for value in figure.values:
        entry: dict[str, object] = {"value": value.value}
        if value.note:
            entry["note"] = value.note
        entry["sources"] = list(value.sources)
        values.append(cast(_types.FigureValueRecord, entry))
    record["values"] = values
    return cast(_types.FigureRecord, record)


def layer_path(directory: str | Path, name: str) -> Path:
    """Return the path of layer ``name`` in ``directory``.

    Raises
    ------
    LayerError
        If ``name`` is not an identifier (``[a-z][a-z0-9_-]{0,63}``): a name such as
        ``../x`` or ``base/local`` would write outside the layers' place.
    """
    problem = identifier_problem(name)
    if problem is not None:
        raise LayerError(f"{directory}: layer name: {problem}")
    return Path(directory) / f"{name}.geojson"


def write_layers(layers: Layers, directory: str | Path) -> list[Path]:
    """Write each layer to ``<directory>/<name>.geojson``.

    All files are rendered and written to temporary files before the first is
    renamed into place, so a failure leaves the old files intact.

    Parameters
    ----------
    layers : mapping of str to FeatureCollection
        From :func:`build_layers`.
    directory : str or pathlib.Path
        Where to write them.

    Returns
    -------
    list of pathlib.Path
        The files written, in layer order.
    """
    rendered = render_layers(layers, directory)
    write_all(rendered)
    return list(rendered)


#: The member of a layer's "bordermap" record holding its file's SHA-256 (zeros while hashed).
_STAMP = "written_sha256"
_UNSTAMPED = "0" * 64
_STAMPED = re.compile(rf'"{_STAMP}": "([0-9a-f]{{64}})"')


def render_layers(layers: Layers, directory: str | Path) -> dict[Path, str]:
    """Return each layer's file path and text, as :func:`write_layers` writes them.

    Each file records its own SHA-256 (``bordermap.written_sha256``), so that
    :func:`edited_layers` can tell a file edited since it was written.
    """
    unstamped = {
        layer_path(directory, name): {
            **layer,
            "bordermap": {**layer.get("bordermap", {}), _STAMP: _UNSTAMPED},
        }
        for name, layer in layers.items()
    }
    return {path: _stamped(text) for path, text in dumps_geojson_all(unstamped).items()}


def _stamped(text: str) -> str:
    """Return a layer's text with its SHA-256 in place of the zeros."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text.replace(f'"{_STAMP}": "{_UNSTAMPED}"', f'"{_STAMP}": "{digest}"', 1)


def _formatted_by_bordermap(text: str) -> bool:
    """Whether unstamped text is laid out as bordermap writes (one from before the stamp)."""
    try:
        return dumps_geojson(json.loads(text)) == text
    except (ValueError, TypeError, RecursionError):
        return False


def edited_layers(directory: str | Path, names: Iterable[str] | None = None) -> list[str]:
    """Say which layer files were changed since ``bordermap`` wrote them, one line each.

    A file is edited when its text no longer has the SHA-256 it recorded when it
    was written (a hand edit, or a save from QGIS, which drops the record). Missing
    files are not edited, nor are files without the record laid out exactly as
    ``bordermap`` lays them out (written before it kept the record).

    Parameters
    ----------
    directory : str or pathlib.Path
        The geodata directory.
    names : iterable of str, optional
        The layers to look at; defaults to the map's (:func:`bordermap.mapspec.layers_in`).

    Returns
    -------
    list of str
        ``"<file>: <how it differs>"`` for each edited file.
    """
    recover(directory)  # a set a killed run left half written is completed first
    edited = []
    for name in layers_in(directory) if names is None else names:
        path = layer_path(directory, name)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError):
            edited.append(f"{path}: cannot be read as bordermap wrote it")
            continue
        found = _STAMPED.search(text)
        if found is None:
            if not _formatted_by_bordermap(text):
                edited.append(f"{path}: not as bordermap wrote it (saved by another tool?)")
            continue
        unstamped = text[: found.start(1)] + _UNSTAMPED + text[found.end(1) :]
        if hashlib.sha256(unstamped.encode("utf-8")).hexdigest() != found[1]:
            edited.append(f"{path}: edited since bordermap wrote it")
    return edited


_LAYER_MISSING = "layer file not found (run 'bordermap layers' to make it)"


def read_layers(directory: str | Path, names: tuple[str, ...] | None = None) -> Layers:
    """Read layers from GeoJSON files, refusing any file with a problem.

    Parameters
    ----------
    directory : str or pathlib.Path
        The geodata directory.
    names : tuple of str, optional
        Layers to read; defaults to the map's (:func:`bordermap.mapspec.layers_in`).

    Returns
    -------
    dict of str to dict
        Layer name to FeatureCollection. A layer saved through GDAL (QGIS,
        geopandas, ogr2ogr) is read as ``bordermap`` wrote it: see
        :func:`bordermap.gis.from_gdal`.

    Raises
    ------
    LayerError
        Listing every problem in every file, each naming the file, the feature and
        the field: a missing, empty, oversized, non-UTF-8 or malformed file; a bad
        geometry (null, wrong type, too short, coordinates not finite WGS 84 degrees
        inside the map's region); a non-WGS 84 ``crs``; missing or duplicate ids,
        names, kinds or sources; unknown statuses; bad dates; non-http(s) links; a
        ``length_m`` its geometry contradicts; a word a language of the map lacks.
    """
    problems: list[str] = []
    layers: Layers = {}
    seen_ids: dict[str, str] = {}
    recover(directory)  # a set of layers a killed run left half renamed is completed
    asked = bool(names)
    names = names or layers_in(directory)
    if not names:
        raise LayerError(
            f"{directory}: no layers: no facts file naming them ({settings.facts_file}) "
            "and no .geojson files (run 'bordermap layers' to make them)"
        )
    for name in names:
        path = layer_path(directory, name)
        data = read_json(
            path, problems, "layer file not found (run 'bordermap layers' to make it)"
        )
        if data is None:
            continue
        data = from_gdal(data)  # a layer saved by QGIS, geopandas or ogr2ogr
        if isinstance(data, dict) and isinstance(data.get("bordermap"), dict):
            data["bordermap"].pop(_STAMP, None)  # about the file, not the layer
        found = collection_problems(data, str(path), seen_ids)
        if found:
            problems += found
            continue
        layers[name] = data
    if layers:  # the map's layers say which layers it has, and which words it needs
        problems += [
            f"{layer_path(directory, name)}: {_LAYER_MISSING}"
            for name in spec_of(layers).layers
            if not asked and name not in names
        ]
        problems += [f"{directory}: {line}" for line in missing_words(layers)]
    if problems:
        raise LayerError(problems)
    return layers
