"""Reading how a feature is drawn: a point, a line (written or from a file), a path, a crossing.

Positions are checked by the rules of :mod:`bordermap._rules`: WGS 84, inside the
map's region, with the usual mistakes (latitude and longitude swapped, metres for
degrees) named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bordermap._facts_fields import Problems, Unlisted, read_ids, read_list, read_number, read_text
from bordermap._facts_records import GEOMETRY_METHODS, GeometrySpec, Position
from bordermap._io import read_json
from bordermap._layercheck import crs_problem
from bordermap._rules import (
    is_finite,
    position_problem,
    position_table,
    region_box,
    region_problem,
)
from bordermap.schema import brief


def read_geometry(raw: object, where: str, problems: Problems) -> GeometrySpec | None:
    """Read a feature's ``[features.geometry]`` table: how the feature is drawn."""
    where = f"{where}, geometry"
    if not isinstance(raw, dict):
        problems.add(where, "geometry", "missing table [features.geometry]")
        return None
    method = raw.get("method")
    if method not in GEOMETRY_METHODS:
        problems.add(where, "method", f"expected one of {GEOMETRY_METHODS}, got {brief(method)}")
        return None
    note = read_text(raw, "note", where, problems, required=False) or None
    if method == "same_as":
        feature = read_text(raw, "feature", where, problems)
        return GeometrySpec(method, note, feature=feature)
    readers = {"line": _line, "point": _point, "path": _path, "crossing": _crossing}
    return readers[method](raw, where, problems, note)


def _line(
    raw: dict[str, object], where: str, problems: Problems, note: str | None
) -> GeometrySpec | None:
    """Read a line through vertices written in the facts file, or read from a GeoJSON file."""
    if ("lat_lon" in raw) == ("file" in raw):
        problems.add(
            where,
            "lat_lon",
            "give the line's vertices either as lat_lon = [[lat, lon], ...] or as "
            'file = "<GeoJSON file>", not both',
        )
        return None
    if "file" in raw:
        path, positions = _line_file(raw["file"], where, problems)
        vertices = read_vertices(positions, "file", f"{where}, {path}", problems.unchecked)
    else:
        vertices = read_vertices(raw["lat_lon"], "lat_lon", where, problems)
    return None if vertices is None else GeometrySpec("line", note, vertices=vertices)


def _point(
    raw: dict[str, object], where: str, problems: Problems, note: str | None
) -> GeometrySpec:
    """Read a point at a sourced position, with the positions other sources give."""
    point = _position(raw, where, problems)
    alternatives = []
    for position, alternative in enumerate(read_list(raw, "alternatives", where, problems)):
        alternative_where = f"{where}, alternative #{position + 1}"
        if not isinstance(alternative, dict):
            problems.add(alternative_where, "alternatives", "expected a table")
            continue
        checked_alternative = _position(alternative, alternative_where, problems)
        if checked_alternative is not None:
            if not checked_alternative.sources:
                problems.add(alternative_where, "sources", "every position needs a source")
            alternatives.append(checked_alternative)
    if point is not None and not point.sources:
        problems.add(where, "sources", "every published position needs a source")
    return GeometrySpec("point", note, point=point, alternatives=tuple(alternatives))


def _path(
    raw: dict[str, object], where: str, problems: Problems, note: str | None
) -> GeometrySpec | None:
    """Read a schematic path through other features, and how far off it may be."""
    through = raw.get("through")
    if (
        not isinstance(through, list)
        or len(through) < 2
        or not all(isinstance(item, str) for item in through)
    ):
        problems.add(where, "through", "a path goes through at least two feature ids")
        return None
    accuracy = read_number(raw, "accuracy_m", where, problems)
    if accuracy is None:
        problems.add(where, "accuracy_m", "a schematic path must say how far off it may be")
    return GeometrySpec("path", note, through=tuple(through), accuracy_m=accuracy)


def _crossing(
    raw: dict[str, object], where: str, problems: Problems, note: str | None
) -> GeometrySpec:
    """Read a bridge drawn across a river: at a centre, or a distance downstream of another."""
    river = read_text(raw, "river", where, problems)
    length = read_number(raw, "length_m", where, problems, minimum=1.0)
    if length is None:
        problems.add(where, "length_m", "a crossing needs the drawn length in metres")
    centre = None
    has_centre = "lat" in raw or "lon" in raw
    if has_centre:
        sources = read_ids(raw, "centre_sources", where, problems)
        centre = _checked_position(raw.get("lat"), raw.get("lon"), sources, where, problems)
    downstream_of = read_text(raw, "downstream_of", where, problems, required=False) or None
    downstream_m = read_number(raw, "downstream_m", where, problems)
    if has_centre == (downstream_of is not None):
        problems.add(where, "lat", "give either the centre (lat, lon) or downstream_of")
    if downstream_of is not None and downstream_m is None:
        problems.add(where, "downstream_m", "downstream_of needs the distance in metres")
    uncertainty = read_number(
        raw, "centre_uncertainty_m", where, problems, maximum=_MAX_UNCERTAINTY_M
    )
    bearing = read_number(raw, "bearing_uncertainty_deg", where, problems, maximum=90.0)
    return GeometrySpec(
        "crossing",
        note,
        point=centre,
        river=river,
        downstream_of=downstream_of,
        downstream_m=downstream_m,
        length_m=length,
        centre_uncertainty_m=uncertainty or 0.0,
        bearing_uncertainty_deg=bearing or 0.0,
    )


def _position(raw: dict[str, object], where: str, problems: Problems) -> Position | None:
    """Read a table's ``lat`` and ``lon`` as a sourced position."""
    lat, lon = raw.get("lat"), raw.get("lon")
    if lat is None or lon is None:
        problems.add(where, "lat" if lat is None else "lon", "missing")
        return None
    return _checked_position(lat, lon, read_ids(raw, "sources", where, problems), where, problems)


def read_region(
    table: dict[str, object], problems: Problems
) -> tuple[float, float, float, float] | None:
    """Read ``[map] region``: the box positions must lie in, if given."""
    region = table.get("region")
    if region is None:
        return None
    problem = region_problem(region)
    if problem is not None:
        problems.add("[map]", "region", problem)
        return None
    return region_box(region)


def _checked_position(
    lat: object, lon: object, sources: tuple[str, ...], where: str, problems: Problems
) -> Position | None:
    """Return the position if it keeps the position rule, else say why."""
    problem = position_problem(lat, lon, problems.region)
    if problem is not None:
        problems.add(where, *problem)
        return None
    assert is_finite(lat) and is_finite(lon)  # position_problem said so; this tells mypy
    return Position(float(lat), float(lon), sources)


#: The most a crossing's centre may be uncertain by, in metres: more is not a position.
_MAX_UNCERTAINTY_M = 100_000.0

#: How many bad vertices of one line are reported one by one; the rest are counted.
_VERTEX_PROBLEMS_SHOWN = 5


def read_vertices(
    positions: object, field_name: str, where: str, problems: Problems
) -> tuple[tuple[float, float], ...] | None:
    """Check a line's positions and return them as ``(lat, lon)`` pairs.

    ``field_name`` is ``"lat_lon"`` for ``[lat, lon]`` pairs written in the facts
    file, ``"file"`` for the ``[lon, lat]`` positions of a GeoJSON file (RFC 7946
    order; an altitude is dropped), which ``where`` then names.
    """
    if positions is None:  # the file could not be read: already said why
        return None
    order = "[lat, lon]" if field_name == "lat_lon" else "[lon, lat]"
    if not isinstance(positions, list) or len(positions) < 2:
        problems.add(where, field_name, f"a line needs at least two {order} vertices")
        return None
    sizes = (2, 3) if field_name == "file" else (2,)
    table = position_table(positions, problems.region, lon_first=field_name == "file", sizes=sizes)
    if table is not None:
        return tuple(zip(table[:, 1].tolist(), table[:, 0].tolist(), strict=True))
    # Something is wrong: look at the positions one by one to say what and where.
    # After the first few bad vertices the rest are only counted.
    unshown = Unlisted(problems.path)
    unshown.region = problems.region
    checked = []
    bad = 0
    for index, position in enumerate(positions):
        vertex_where = f"{where}, vertex #{index + 1}"
        said = problems if bad < _VERTEX_PROBLEMS_SHOWN else unshown
        if not isinstance(position, list) or len(position) not in sizes:
            bad += 1
            said.add(vertex_where, field_name, f"expected {order}, got {brief(position)}")
            continue
        lat, lon = position[:2] if field_name == "lat_lon" else position[1::-1]
        point = _checked_position(lat, lon, (), vertex_where, said)
        if point is None:
            bad += 1
            continue
        checked.append((point.lat, point.lon))
    if bad > _VERTEX_PROBLEMS_SHOWN:
        problems.add(
            where,
            field_name,
            f"and {bad - _VERTEX_PROBLEMS_SHOWN:,} more of its {len(positions):,} vertices "
            "have problems like these",
        )
    return tuple(checked)


def _line_file(value: object, where: str, problems: Problems) -> tuple[Path | None, Any]:
    """Read the positions of a line from a GeoJSON file named in the facts file.

    The file holds one LineString: as a geometry, a Feature, or a FeatureCollection
    of one feature, in WGS 84 ``[lon, lat]`` (as OpenStreetMap extracts come). Its
    path is relative to the facts file. Returns the path and the LineString's
    coordinates, unchecked (``None`` when they cannot be had: the problem is added).
    """
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        problems.add(where, "file", f"expected the path of a GeoJSON file, got {brief(value)}")
        return None, None
    folder = problems.path.parent
    path = folder / value
    if not inside(folder, path):
        problems.add(
            where,
            "file",
            f"{brief(value)} is outside the facts file's folder {folder}: "
            "give a path inside it, relative to the facts file",
        )
        return None, None
    # The schema checked the path; what the file holds only reading it tells.
    unread: list[str] = []
    data = read_json(path, unread, "geometry file not found")
    for line in unread:
        problems.unchecked.add(where, "file", line)
    if data is None:
        return path, None
    crs = crs_problem(data.get("crs") if isinstance(data, dict) else None)
    if crs is not None:
        problems.unchecked.add(where, "file", f"{path}: {crs}")
        return path, None
    geometry = data
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            count = len(features) if isinstance(features, list) else 0
            problems.unchecked.add(
                where, "file", f"{path}: expected one feature, a LineString; found {count}"
            )
            return path, None
        geometry = features[0]
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
    if kind != "LineString" or not isinstance(geometry, dict):
        problems.unchecked.add(
            where,
            "file",
            f"{path}: expected a GeoJSON LineString (a geometry, a Feature or a "
            f"FeatureCollection of one), got {brief(kind)}",
        )
        return path, None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list):
        problems.unchecked.add(where, "file", f"{path}: the LineString has no coordinates")
        return path, None
    return path, coordinates


def inside(folder: Path, path: Path) -> bool:
    """Whether ``path`` (symbolic links followed) lies inside ``folder``."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long
        return False
