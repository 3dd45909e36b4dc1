"""What is wrong with a GeoJSON layer: problems found in values read from a file.

Shared by :func:`bordermap.layers.read_layers`, which refuses a layer file with any
problem before anything is drawn or written, and :mod:`bordermap.validate`, whose
checks measure the same things on layers passed in from Python. Every function here
reads defensively: a hand-edited file may hold anything.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any, TypeGuard
from urllib.parse import urlsplit

import numpy as np
from numpy.typing import NDArray
from shapely import linestrings
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.validation import explain_validity

from bordermap import settings
from bordermap.geometry import Line
from bordermap.schema import (
    GEOMETRY_TYPES,
    STATUSES,
    brief,
    identifier_problem,
    is_identifier,
    parse_date,
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


def features_of(layer: Any) -> list[tuple[int, dict[str, Any]]]:
    """Return a layer's features that are JSON objects, each with its position."""
    features = layer.get("features") if isinstance(layer, dict) else None
    if not isinstance(features, list):
        return []
    return [
        (index, feature) for index, feature in enumerate(features) if isinstance(feature, dict)
    ]


def label_of(feature: dict[str, Any], index: int) -> str:
    """Name a feature by its id, or by its position when it has no usable id."""
    feature_id = feature.get("id")
    if isinstance(feature_id, str) and feature_id.strip():
        return f"feature '{id_of(feature, index)}'"
    return f"feature #{index + 1}"


def id_of(feature: dict[str, Any], index: int) -> str:
    """Return a feature's id, or ``#<position>`` when it has no usable id."""
    feature_id = feature.get("id")
    if not isinstance(feature_id, str) or not feature_id.strip():
        return f"#{index + 1}"
    # Keep messages on one line whatever a hand edit put in the id.
    return feature_id if feature_id.isprintable() else repr(feature_id)[1:-1]


def properties_of(feature: dict[str, Any]) -> dict[str, Any]:
    """Return a feature's properties, or an empty dict if they are not an object."""
    properties = feature.get("properties")
    return properties if isinstance(properties, dict) else {}


def kind_of(feature: dict[str, Any]) -> Any:
    """Return a feature's ``kind`` property, whatever it is."""
    return properties_of(feature).get("kind")


def is_finite(value: Any) -> TypeGuard[float]:
    """Whether ``value`` is a finite JSON number (``bool`` is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float, e.g. 1e400 written in full
        return False


def counted(number: int, noun: str) -> str:
    """Return e.g. ``"1 feature"`` or ``"3 features"``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def position_problem(position: Any, region: Any = None) -> str | None:
    """Say what is wrong with a GeoJSON ``[lon, lat]`` position, or return ``None``.

    Positions that are out of range, or outside the map's ``region``
    (``[west, south, east, north]``), are examined for the two usual mistakes:
    latitude and longitude swapped, and projected metres instead of degrees.
    """
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        return f"is not a [lon, lat] position: {brief(position)}"
    if not all(is_finite(number) for number in position):
        return f"has a coordinate that is not a finite number: {brief(list(position))}"
    lon, lat = position[0], position[1]
    if abs(lon) > 360 or abs(lat) > 360:
        return (
            f"{[lon, lat]!r} looks like projected metres (UTM?), not WGS 84 degrees: "
            "GeoJSON layers are [lon, lat] in degrees (RFC 7946)"
        )
    if not -90.0 <= lat <= 90.0 and -90.0 <= lon <= 90.0 and abs(lat) <= 180.0:
        return (
            f"latitude {lat!r} is outside ±90 and {[lon, lat]!r} looks swapped: "
            "GeoJSON wants [lon, lat]"
        )
    if not -180.0 <= lon <= 180.0:
        return f"longitude {lon!r} is outside WGS 84 range ±180"
    if not -90.0 <= lat <= 90.0:
        return f"latitude {lat!r} is outside WGS 84 range ±90"
    box = region_box(region)
    if box is not None and not in_box(box, lon, lat):
        if in_box(box, lat, lon):
            return f"{[lon, lat]!r} looks swapped: GeoJSON wants [lon, lat]"
        return f"{[lon, lat]!r} is far outside the map's region {list(box)!r}"
    return None


def region_box(region: Any) -> tuple[float, float, float, float] | None:
    """Return a valid ``[west, south, east, north]`` region as a tuple, else ``None``."""
    if (
        isinstance(region, list | tuple)
        and len(region) == 4
        and all(is_finite(value) for value in region)
        and region[0] < region[2]
        and region[1] < region[3]
    ):
        return (float(region[0]), float(region[1]), float(region[2]), float(region[3]))
    return None


def in_box(box: tuple[float, float, float, float], lon: float, lat: float) -> bool:
    """Whether ``(lon, lat)`` lies inside ``(west, south, east, north)``."""
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def position_table(
    positions: Any, region: Any = None, *, lon_first: bool = True, sizes: tuple[int, ...] = (2, 3)
) -> NDArray[np.float64] | None:
    """Return the positions as an ``(n, 2)`` array of ``[lon, lat]`` if all are sound.

    Checks a whole line at once (a river in full detail has a million positions):
    each is a list of ``sizes`` numbers (``int`` or ``float``: not ``bool``, not
    text), finite, in WGS 84 range and inside ``region`` (``[west, south, east,
    north]``) when that is a valid box. ``lon_first=False`` reads ``[lat, lon]``.
    An altitude is dropped.

    Returns ``None`` when any position is not sound, and for valid but unusual
    input (positions of mixed sizes): look at them one by one to say what is wrong.
    """
    if not isinstance(positions, list) or not positions:
        return None
    if not set(map(type, positions)) <= {list, tuple}:
        return None
    lengths = set(map(len, positions))
    if len(lengths) != 1 or not lengths <= set(sizes):
        return None
    if not set(map(type, itertools.chain.from_iterable(positions))) <= {int, float}:
        return None
    try:
        table = np.asarray(positions, dtype=float)[:, :2]
    except (OverflowError, ValueError):  # an int too large for a float
        return None
    if not lon_first:
        table = table[:, ::-1]
    lon, lat = table[:, 0], table[:, 1]
    west, south, east, north = region_box(region) or (-180.0, -90.0, 180.0, 90.0)
    sound = (
        np.isfinite(table).all(axis=1)
        & (np.abs(lon) <= 180.0)
        & (np.abs(lat) <= 90.0)
        & (lon >= west)
        & (lon <= east)
        & (lat >= south)
        & (lat <= north)
    )
    return table if bool(sound.all()) else None


def line_of(positions: Any) -> Line:
    """Return checked LineString positions as a Line, made at once when they are uniform."""
    table = position_table(positions)
    return Line(table if table is not None else [(float(p[0]), float(p[1])) for p in positions])


def flatten_positions(coordinates: Any, depth: int) -> list[Any] | None:
    """Flatten ``depth`` levels of nested lists into positions; ``None`` if not lists."""
    level = [coordinates]
    for _ in range(depth):
        if not all(isinstance(item, list | tuple) for item in level):
            return None
        level = [item for items in level for item in items]
    return level


def geometry_problem(feature: dict[str, Any], region: Any = None) -> str | None:
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
    geometry: dict[str, Any], positions: list[Any], region: Any = None
) -> str | None:
    """Say what is wrong with a geometry's positions or its shape, or return ``None``.

    Each position must be a finite WGS 84 ``[lon, lat]`` (inside ``region`` if given);
    then the geometry must read as a non-empty, valid shape.
    """
    kind = geometry.get("type")
    table = position_table(positions, region)
    if table is None:
        for index, position in enumerate(positions):
            problem = position_problem(position, region)
            if problem is not None:
                return f"position #{index + 1} {problem}"
    try:
        # A sound line is made from its array at once; shape() reads lists one by one.
        sound_line = kind == "LineString" and table is not None
        drawn = linestrings(table) if sound_line else shape(geometry)
    except (ShapelyError, ValueError, TypeError, IndexError, KeyError) as error:
        return f"{kind} cannot be read: {' '.join(str(error).split())}"
    if drawn.is_empty:
        return f"{kind} is empty"
    if not drawn.is_valid:
        return f"{kind} is not valid: {explain_validity(drawn)}"
    return None


def source_problem(source: Any) -> str | None:
    """Say what is wrong with one source record, or return ``None``."""
    if not isinstance(source, dict):
        return f"expected an object with 'publisher' and 'url', got {brief(source)}"
    publisher = source.get("publisher")
    if not isinstance(publisher, str) or not publisher.strip():
        return f"'publisher' must be non-empty text, got {brief(publisher)}"
    url = source.get("url")
    if not isinstance(url, str):
        return f"'url' must be an http(s) link, got {brief(url)}"
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ in the host
        return f"'url' must be an http(s) link, got {brief(url)}"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"'url' must be an http(s) link, got {brief(url)}"
    for key in ("title", "about", "licence", "credit", "credit_ko", "credit_ru", "id"):
        value = source.get(key)
        if value is not None and not isinstance(value, str):
            return f"'{key}' must be text, got {brief(value)}"
    if source.get("date") is not None:
        try:
            parse_date(source.get("date"))
        except ValueError as error:
            return f"'date': {error}"
    return None


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


def crs_problem(crs: Any) -> str | None:
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


def collection_problems(layer: Any, where: str, seen_ids: dict[str, str]) -> list[str]:
    """Return every problem with a layer read from a file, one line each.

    Parameters
    ----------
    layer : Any
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


def _languages(meta: Any) -> tuple[str, ...]:
    """Return the languages the layer's map names every feature in (English alone if unsaid)."""
    spec = meta.get("spec") if isinstance(meta, dict) else None
    languages = spec.get("languages") if isinstance(spec, dict) else None
    if isinstance(languages, list) and languages and all(isinstance(x, str) for x in languages):
        return tuple(languages)
    return ("en",)


def _feature_problems(
    feature: Any,
    index: int,
    region: Any,
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
    for language in languages:
        name = properties.get(f"name_{language}")
        if not isinstance(name, str) or not name.strip():
            found.append((place, f"name_{language}", f"missing (got {brief(name)})"))
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
    feature: dict[str, Any], place: str, properties: Mapping[str, Any]
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


def _event_problems(place: str, events: Any) -> list[tuple[str, str, str]]:
    if not isinstance(events, list):
        return [(place, "events", f"expected a list of events, got {brief(events)}")]
    found = []
    for position, event in enumerate(events):
        if not isinstance(event, dict):
            found.append((place, f"events[{position}]", f"expected an object, got {brief(event)}"))
            continue
        try:
            parse_date(event.get("date"))
        except ValueError as error:
            found.append((place, f"events[{position}].date", str(error)))
        if not isinstance(event.get("what", ""), str):
            found.append((place, f"events[{position}].what", "expected text"))
        if not isinstance(event.get("expected", False), bool):
            found.append((place, f"events[{position}].expected", "expected true or false"))
        if not _ids_ok(event.get("sources", [])):
            found.append((place, f"events[{position}].sources", "expected a list of source ids"))
        status = event.get("status")
        if status is not None and (not isinstance(status, str) or status not in STATUSES):
            found.append((place, f"events[{position}].status", f"unknown status {brief(status)}"))
    return found


#: Properties that are text when present (besides the names, checked above).
_TEXT_PROPERTIES = (
    "name_note",
    "description",
    "geometry_note",
    "accuracy_note",
)


def _property_problems(place: str, properties: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Check the types of the properties the map and exports draw from.

    A layer edited by hand may hold any JSON value anywhere; each is checked here so
    that drawing never meets a value of the wrong type.
    """
    found: list[tuple[str, str, str]] = []
    labels = sorted(
        key
        for key in properties
        if key.startswith(("name_", "label_")) and key not in _TEXT_PROPERTIES
    )
    for key in (*_TEXT_PROPERTIES, *labels):
        value = properties.get(key)
        if value is not None and not isinstance(value, str):
            found.append((place, key, f"expected text, got {brief(value)}"))
    for key in ("length_m", "accuracy_m"):
        value = properties.get(key)
        if value is not None and not (is_finite(value) and 0 <= value <= 1e7):
            found.append((place, key, f"expected metres from 0 to 1e7, got {brief(value)}"))
    if not isinstance(properties.get("approximate", False), bool):
        found.append((place, "approximate", "expected true or false"))
    if not _ids_ok(properties.get("position_sources", [])):
        found.append((place, "position_sources", "expected a list of source ids"))
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


def _ids_ok(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _value_ok(value: Any) -> bool:
    """Whether ``value`` is a figure's value: a finite number or non-empty text."""
    if isinstance(value, str):
        return bool(value.strip())
    return is_finite(value) and abs(value) <= 1e15


def _figure_problems(place: str, figures: Any) -> list[tuple[str, str, str]]:
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
