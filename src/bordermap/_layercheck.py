"""What is wrong with a GeoJSON layer: problems found in values read from a file.

Shared by :func:`bordermap.layers.read_layers`, which refuses a layer file with any
problem before anything is drawn or written, and :mod:`bordermap.validate`, whose
checks measure the same things on layers passed in from Python. Every function here
reads defensively: a hand-edited file may hold anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely import linestrings
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

from bordermap import settings
from bordermap._rules import (
    EVENT_FIELDS,
    SOURCE_FIELDS,
    Field,
    any_text_problem,
    flag_problem,
    ids_problem,
    is_finite,
    lonlat_problem,
    name_fields,
    number_problem,
    position_table,
    record_problems,
    text_problem,
    value_problem,
)
from bordermap.geometry import Line
from bordermap.schema import (
    GEOMETRY_TYPES,
    STATUSES,
    brief,
    identifier_problem,
    is_identifier,
)

#: How many coordinate levels each GeoJSON geometry type nests below its positions.
NESTING = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def features_of(layer: object) -> list[tuple[int, dict[str, object]]]:
    """Return a layer's features that are JSON objects, each with its position."""
    features = layer.get("features") if isinstance(layer, dict) else None
    if not isinstance(features, list):
        return []
    return [
        (index, feature) for index, feature in enumerate(features) if isinstance(feature, dict)
    ]


def label_of(feature: dict[str, object], index: int) -> str:
    """Name a feature by its id, or by its position when it has no usable id."""
    feature_id = feature.get("id")
    if isinstance(feature_id, str) and feature_id.strip():
        return f"feature '{id_of(feature, index)}'"
    return f"feature #{index + 1}"


def id_of(feature: dict[str, object], index: int) -> str:
    """Return a feature's id, or ``#<position>`` when it has no usable id."""
    feature_id = feature.get("id")
    if not isinstance(feature_id, str) or not feature_id.strip():
        return f"#{index + 1}"
    # Keep messages on one line whatever a hand edit put in the id.
    return feature_id if feature_id.isprintable() else repr(feature_id)[1:-1]


def properties_of(feature: dict[str, object]) -> dict[str, object]:
    """Return a feature's properties, or an empty dict if they are not an object."""
    properties = feature.get("properties")
    return properties if isinstance(properties, dict) else {}


def kind_of(feature: dict[str, object]) -> object:
    """Return a feature's ``kind`` property, whatever it is."""
    return properties_of(feature).get("kind")


def counted(number: int, noun: str) -> str:
    """Return e.g. ``"1 feature"`` or ``"3 features"``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def line_of(positions: Sequence[Sequence[float]]) -> Line:
    """Return checked LineString positions as a Line, made at once when they are uniform."""
    table = position_table(positions)
    return Line(table if table is not None else [(float(p[0]), float(p[1])) for p in positions])


def flatten_positions(coordinates: object, depth: int) -> list[object] | None:
    """Flatten ``depth`` levels of nested lists into positions; ``None`` if not lists."""
    level: list[object] = [coordinates]
    for _ in range(depth):
        nested = [item for item in level if isinstance(item, list | tuple)]
        if len(nested) < len(level):
            return None
        level = [item for items in nested for item in items]
    return level


def geometry_problem(feature: dict[str, object], region: object = None) -> str | None:
    """Say what is wrong with a feature's geometry for its kind, or return ``None``."""
    kind = kind_of(feature)
    if not isinstance(kind, str) or kind not in GEOMETRY_TYPES:
        return f"unknown kind {brief(kind)} (expected one of {', '.join(GEOMETRY_TYPES)})"
    expected = GEOMETRY_TYPES[kind]
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        return f"no geometry (a {kind} needs a {expected})"
    geometry_type = geometry.get("type")
    if geometry_type != expected:
        shown = geometry_type if geometry_type in tuple(NESTING) else brief(geometry_type)
        return f"has a {shown} geometry, but a {kind} needs a {expected}"
    positions = flatten_positions(geometry.get("coordinates"), NESTING.get(expected, 0))
    if not positions:
        return f"{expected} 'coordinates' are missing or not nested lists of positions"
    if expected == "LineString" and len(positions) < 2:
        return f"a LineString needs at least two positions, got {len(positions)}"
    return drawn_problem(geometry, positions, region)


def drawn_problem(
    geometry: dict[str, object], positions: list[object], region: object = None
) -> str | None:
    """Say what is wrong with a geometry's positions or its shape, or return ``None``.

    Each position must be a finite WGS 84 ``[lon, lat]`` (inside ``region`` if given);
    then the geometry must read as a non-empty, valid shape.
    """
    kind = geometry.get("type")
    table = position_table(positions, region)
    if table is None:
        for index, position in enumerate(positions):
            problem = lonlat_problem(position, region)
            if problem is not None:
                return f"position #{index + 1} {problem}"
    try:
        # A sound line or polygon is made from its array at once; shape() reads lists
        # one by one (and says what is wrong with the rest).
        sound_line = kind == "LineString" and table is not None
        drawn = linestrings(table) if sound_line else _polygonal(geometry, table)
        if drawn is None:
            drawn = shape(geometry)
    except (ShapelyError, ValueError, TypeError, IndexError, KeyError) as error:
        return f"{kind} cannot be read: {' '.join(str(error).split())}"
    if drawn.is_empty:
        return f"{kind} is empty"
    if not drawn.is_valid:
        return f"{kind} is not valid: {explain_validity(drawn)}"
    return None


def _polygonal(
    geometry: dict[str, Any], table: NDArray[np.float64] | None
) -> Polygon | MultiPolygon | None:
    """Return a (Multi)Polygon made from the rows of its sound positions, else ``None``.

    The shape :func:`shape` reads, ring by ring from ``table`` (its positions in
    order); ``None`` for other geometries and for a ring too short to be one, which
    :func:`shape` reads (or refuses) itself.
    """
    kind = geometry.get("type")
    if table is None or kind not in ("Polygon", "MultiPolygon"):
        return None
    coordinates = geometry["coordinates"]
    built: list[Polygon] = []
    start = 0
    for polygon in [coordinates] if kind == "Polygon" else coordinates:
        rings = []
        for ring in polygon:
            if len(ring) < 4:
                return None
            rings.append(table[start : start + len(ring)])
            start += len(ring)
        if not rings:
            return None
        built.append(Polygon(rings[0], rings[1:]))
    return built[0] if kind == "Polygon" else MultiPolygon(built)


#: A source as a layer records it: the fields of every source, and its id.
_LAYER_SOURCE_FIELDS = (*SOURCE_FIELDS, Field("id", text_problem))


def source_problem(source: object, *, required: tuple[str, ...] = ()) -> str | None:
    """Say what is wrong with one source record (the first problem), or return ``None``.

    ``required`` names fields needed beyond the publisher and URL.
    """
    if not isinstance(source, dict):
        return f"expected an object with 'publisher' and 'url', got {brief(source)}"
    found = record_problems(source, _LAYER_SOURCE_FIELDS, required=required)
    return None if not found else f"'{found[0][0]}': {found[0][1]}"


# ---------------------------------------------------------------------------
# A whole layer file, as read
# ---------------------------------------------------------------------------

#: ``crs`` names that mean WGS 84 longitude/latitude (RFC 7946 drops the member).
_WGS84_NAMES = {
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "urn:ogc:def:crs:ogc::crs84",
    "ogc:crs84",
    "crs84",
    "epsg:4326",
    "urn:ogc:def:crs:epsg::4326",
}


def crs_problem(crs: object) -> str | None:
    """Say why a GeoJSON ``crs`` member is not WGS 84, or return ``None`` (also for none)."""
    if crs is None:
        return None
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if isinstance(name, str) and name.lower() in _WGS84_NAMES:
        return None
    return (
        f"the file declares {brief(name or crs)}; it must be WGS 84 [lon, lat] in degrees "
        "(RFC 7946): reproject it to EPSG:4326"
    )


def collection_problems(layer: object, where: str, seen_ids: dict[str, str]) -> list[str]:
    """Return every problem with a layer read from a file, one line each.

    Parameters
    ----------
    layer : object
        The parsed JSON.
    where : str
        The file, to begin each line with.
    seen_ids : dict of str to str
        Feature ids met so far (in other files too) and where; updated.

    Returns
    -------
    list of str
        ``"<file>: feature '<id>', field '<field>': <what is wrong>"`` lines.
    """
    if not isinstance(layer, dict) or layer.get("type") != "FeatureCollection":
        got = layer.get("type") if isinstance(layer, dict) else type(layer).__name__
        return [f"{where}: field 'type': expected a GeoJSON FeatureCollection, got {brief(got)}"]
    problems: list[str] = []
    crs = crs_problem(layer.get("crs"))
    if crs is not None:
        problems.append(f"{where}: field 'crs': {crs}")
    features = layer.get("features")
    if not isinstance(features, list):
        return [*problems, f"{where}: field 'features': expected a list of features"]
    if not features:
        return [*problems, f"{where}: field 'features': the FeatureCollection has no features"]
    meta = layer.get("bordermap")
    region = meta.get("region") if isinstance(meta, dict) else None
    languages = _languages(meta)
    for index, feature in enumerate(features):
        problems += [
            f"{where}: {place}, field '{field}': {message}"
            for place, field, message in _feature_problems(
                feature, index, region, seen_ids, where, languages
            )
            # A layer in another CRS has every position wrong: its 'crs' says it once.
            if crs is None or field != "geometry"
        ]
    return problems


def _languages(meta: object) -> tuple[str, ...]:
    """Return the languages the layer's map names every feature in (English alone if unsaid)."""
    spec = meta.get("spec") if isinstance(meta, dict) else None
    languages = spec.get("languages") if isinstance(spec, dict) else None
    if isinstance(languages, list) and languages and all(isinstance(x, str) for x in languages):
        return tuple(languages)
    return ("en",)


def _feature_problems(
    feature: object,
    index: int,
    region: object,
    seen_ids: dict[str, str],
    where: str,
    languages: tuple[str, ...] = ("en",),
) -> list[tuple[str, str, str]]:
    """Return (feature, field, problem) triples for one feature."""
    if not isinstance(feature, dict):
        return [
            (
                f"feature #{index + 1}",
                "features",
                f"expected a Feature object, got {brief(feature)}",
            )
        ]
    place = label_of(feature, index)
    found: list[tuple[str, str, str]] = []
    if feature.get("type") != "Feature":
        found.append((place, "type", f"expected 'Feature', got {brief(feature.get('type'))}"))
    identifier = feature.get("id")
    if not is_identifier(identifier):
        found.append((place, "id", str(identifier_problem(identifier))))
    elif identifier in seen_ids:
        found.append((place, "id", f"duplicate id (also in {seen_ids[identifier]})"))
    else:
        seen_ids[identifier] = where
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        return [*found, (place, "properties", "expected an object of properties")]
    found += [
        (place, key, problem)
        for key, problem in record_problems(properties, name_fields(languages))
    ]
    kind = properties.get("kind")
    if not isinstance(kind, str) or kind not in GEOMETRY_TYPES:
        found.append(
            (place, "kind", f"unknown kind {brief(kind)} (one of {', '.join(GEOMETRY_TYPES)})")
        )
        kind = None
    status = properties.get("status")
    if not isinstance(status, str) or status not in STATUSES:
        found.append(
            (place, "status", f"unknown status {brief(status)} (one of {', '.join(STATUSES)})")
        )
    if feature.get("geometry") is None:
        found.append((place, "geometry", "null geometry: every feature must be drawn"))
    elif kind is not None:
        problem = geometry_problem(feature, region)
        if problem is not None:
            found.append((place, "geometry", problem))
        else:
            found += _length_problems(feature, place, properties)
    found += _event_problems(place, properties.get("events", []))
    found += _property_problems(place, properties)
    sources = properties.get("sources")
    if not isinstance(sources, list) or not sources:
        found.append((place, "sources", "every feature must name at least one source"))
    else:
        for position, source in enumerate(sources):
            problem = source_problem(source)
            if problem is not None:
                found.append((place, f"sources[{position}]", problem))
    accuracy = properties.get("accuracy_m")
    if properties.get("approximate") is True and not (is_finite(accuracy) and accuracy >= 0):
        found.append(
            (
                place,
                "accuracy_m",
                f"an approximate feature says by how much, got {brief(accuracy)}",
            )
        )
    return found


def _length_problems(
    feature: dict[str, Any], place: str, properties: Mapping[str, object]
) -> list[tuple[str, str, str]]:
    if feature["geometry"]["type"] != "LineString":
        return []
    measured = line_of(feature["geometry"]["coordinates"]).length_m
    stated = properties.get("length_m")
    if not is_finite(stated):
        return [(place, "length_m", f"missing: the line measures {measured:.1f} m")]
    if abs(stated - measured) > settings.length_tolerance_m:
        return [
            (
                place,
                "length_m",
                f"says {stated:g} m but the geometry measures {measured:.1f} m "
                "(run 'bordermap layers', or correct length_m after a hand edit)",
            )
        ]
    return []


def _event_problems(place: str, events: object) -> list[tuple[str, str, str]]:
    if not isinstance(events, list):
        return [(place, "events", f"expected a list of events, got {brief(events)}")]
    found = []
    for position, event in enumerate(events):
        if not isinstance(event, dict):
            found.append((place, f"events[{position}]", f"expected an object, got {brief(event)}"))
            continue
        found += [
            (place, f"events[{position}].{key}", problem)
            for key, problem in record_problems(event, EVENT_FIELDS)
        ]
    return found


#: The longest length or accuracy a layer may state, in metres.
_MAX_LAYER_METRES = 1e7

#: Properties that are text when present (besides the names and labels).
_TEXT_PROPERTIES = ("name_note", "description", "geometry_note", "accuracy_note")


def _property_fields(properties: dict[str, object]) -> tuple[Field, ...]:
    """Return the properties a feature may hold beside its names, each with its rule.

    Names and labels in any language are text: a layer may hold more languages than
    its map requires.
    """
    texts = (
        *_TEXT_PROPERTIES,
        *sorted(
            key
            for key in properties
            if key.startswith(("name_", "label_")) and key not in _TEXT_PROPERTIES
        ),
    )
    return (
        *(Field(key, any_text_problem) for key in texts),
        Field("length_m", _metres_problem),
        Field("accuracy_m", _metres_problem),
        Field("approximate", flag_problem),
        Field("position_sources", ids_problem),
    )


def _metres_problem(value: object) -> str | None:
    return number_problem(value, 0, _MAX_LAYER_METRES)


def _property_problems(place: str, properties: dict[str, object]) -> list[tuple[str, str, str]]:
    """Check the types of the properties the map and exports draw from.

    A layer edited by hand may hold any JSON value anywhere; each is checked here so
    that drawing never meets a value of the wrong type.
    """
    found = [
        (place, key, problem)
        for key, problem in record_problems(properties, _property_fields(properties))
    ]
    found += _figure_problems(place, properties.get("figures", []))
    alternatives = properties.get("position_alternatives", [])
    if not isinstance(alternatives, list):
        alternatives = [alternatives]
    for position, alternative in enumerate(alternatives):
        field = f"position_alternatives[{position}]"
        if not isinstance(alternative, dict) or not all(
            is_finite(alternative.get(key)) for key in ("lat", "lon", "distance_m")
        ):
            found.append((place, field, "expected an object with lat, lon and distance_m"))
        elif not _ids_ok(alternative.get("sources", [])):
            found.append((place, f"{field}.sources", "expected a list of source ids"))
    return found


def _ids_ok(value: object) -> bool:
    return ids_problem(value) is None


def _value_ok(value: object) -> bool:
    """Whether ``value`` is a figure's value: a finite number or non-empty text."""
    return value_problem(value) is None


def _figure_problems(place: str, figures: object) -> list[tuple[str, str, str]]:
    if not isinstance(figures, list):
        return [(place, "figures", f"expected a list of figures, got {brief(figures)}")]
    found: list[tuple[str, str, str]] = []
    for position, figure in enumerate(figures):
        field = f"figures[{position}]"
        if not isinstance(figure, dict):
            found.append((place, field, f"expected an object, got {brief(figure)}"))
            continue
        if not isinstance(figure.get("name"), str) or not figure["name"].strip():
            found.append(
                (place, f"{field}.name", f"expected text, got {brief(figure.get('name'))}")
            )
        if not isinstance(figure.get("unit", ""), str):
            found.append((place, f"{field}.unit", f"expected text, got {brief(figure['unit'])}"))
        if figure.get("drawn") is not None and not _value_ok(figure["drawn"]):
            found.append(
                (
                    place,
                    f"{field}.drawn",
                    f"expected a number or text, got {brief(figure['drawn'])}",
                )
            )
        if not isinstance(figure.get("disputed", False), bool):
            found.append((place, f"{field}.disputed", "expected true or false"))
        values = figure.get("values")
        if not isinstance(values, list) or not values:
            found.append((place, f"{field}.values", f"expected a list, got {brief(values)}"))
            continue
        for index, value in enumerate(values):
            where = f"{field}.values[{index}]"
            if not isinstance(value, dict) or not _value_ok(value.get("value")):
                found.append((place, where, f"expected {{value, sources}}, got {brief(value)}"))
            elif not isinstance(value.get("note", ""), str) or not _ids_ok(
                value.get("sources", [])
            ):
                found.append((place, where, "expected text 'note' and a list of source ids"))
    return found


def missing_words(layers: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Return one line per word a language of the layers' map lacks (see ``i18n``)."""
    from bordermap.i18n import missing_translations
    from bordermap.mapspec import spec_of

    figures = (
        str(figure.get("name") or "")
        for layer in layers.values()
        for feature in layer.get("features") or []
        if isinstance(feature, Mapping)
        for figure in (feature.get("properties") or {}).get("figures") or []
        if isinstance(figure, Mapping)
    )
    return missing_translations(spec_of(layers), figures)
