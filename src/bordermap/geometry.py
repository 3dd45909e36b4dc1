"""Geodesic measures and constructions on ``(lon, lat)`` coordinates.

Lengths and positions along lines are geodesic on the WGS 84 ellipsoid (pyproj's
``Geod``). Nearest-point questions (where on the river is this bridge? which bank is
this point on?) are answered in the projected CRS of :mod:`bordermap.settings`
(UTM 52N here), where planar geometry is accurate to centimetres at this scale.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from functools import cache

from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point

from bordermap import settings

__all__ = [
    "Coordinate",
    "azimuth_along",
    "buffer_polygon",
    "distance_along",
    "distance_m",
    "geodesic_length",
    "line_across",
    "point_along",
    "round_coordinate",
    "side_of_line",
]

#: A position as GeoJSON writes it: ``(lon, lat)`` in degrees.
Coordinate = tuple[float, float]


@cache
def _geod() -> Geod:
    return Geod(ellps=settings.ellipsoid)


@cache
def _to_projected() -> Transformer:
    return Transformer.from_crs("EPSG:4326", settings.projected_crs, always_xy=True)


@cache
def _from_projected() -> Transformer:
    return Transformer.from_crs(settings.projected_crs, "EPSG:4326", always_xy=True)


def _projected(coords: Sequence[Coordinate]) -> list[tuple[float, float]]:
    """Project ``(lon, lat)`` coordinates to planar ``(x, y)`` metres."""
    xs, ys = _to_projected().transform([c[0] for c in coords], [c[1] for c in coords])
    return list(zip(xs, ys, strict=True))


def round_coordinate(coord: Sequence[float], decimals: int | None = None) -> Coordinate:
    """Round a ``(lon, lat)`` coordinate to GeoJSON precision.

    Parameters
    ----------
    coord : sequence of float
        ``(lon, lat)`` in degrees.
    decimals : int, optional
        Decimal places; defaults to ``settings.coordinate_decimals``.

    Returns
    -------
    tuple of float
        The rounded coordinate; ``-0.0`` is written as ``0.0``.
    """
    places = settings.coordinate_decimals if decimals is None else decimals
    return (round(coord[0], places) + 0.0, round(coord[1], places) + 0.0)


def distance_m(a: Coordinate, b: Coordinate) -> float:
    """Return the geodesic distance between two ``(lon, lat)`` points, in metres."""
    _, _, distance = _geod().inv(a[0], a[1], b[0], b[1])
    return float(distance)


def geodesic_length(coords: Sequence[Coordinate]) -> float:
    """Return the geodesic length of a line of ``(lon, lat)`` vertices, in metres.

    Parameters
    ----------
    coords : sequence of (lon, lat)
        The line's vertices.

    Returns
    -------
    float
        The sum of the geodesic lengths of its segments.
    """
    if len(coords) < 2:
        return 0.0
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return float(_geod().line_length(lons, lats))


def point_along(coords: Sequence[Coordinate], distance: float) -> Coordinate:
    """Return the point ``distance`` metres along a line, following its geodesics.

    Parameters
    ----------
    coords : sequence of (lon, lat)
        The line's vertices.
    distance : float
        Metres from the first vertex; clamped to the line's ends.

    Returns
    -------
    tuple of float
        ``(lon, lat)`` of the point.
    """
    geod = _geod()
    remaining = max(distance, 0.0)
    for start, end in itertools.pairwise(coords):
        azimuth, _, segment = geod.inv(start[0], start[1], end[0], end[1])
        if remaining <= segment:
            lon, lat, _ = geod.fwd(start[0], start[1], azimuth, remaining)
            return (float(lon), float(lat))
        remaining -= segment
    return (float(coords[-1][0]), float(coords[-1][1]))


def distance_along(coords: Sequence[Coordinate], point: Coordinate) -> float:
    """Return how far along a line the point nearest to ``point`` lies, in metres.

    Parameters
    ----------
    coords : sequence of (lon, lat)
        The line's vertices.
    point : (lon, lat)
        Any point; it is projected onto the line.

    Returns
    -------
    float
        Geodesic distance from the first vertex, along the line, to the projection.
    """
    line = LineString(_projected(coords))
    (projected_point,) = _projected([point])
    along_planar = line.project(Point(projected_point))
    # Find the segment the projection falls on, then measure geodesically up to it.
    walked = 0.0
    vertices = list(line.coords)
    for index in range(len(vertices) - 1):
        segment = math.dist(vertices[index], vertices[index + 1])
        if walked + segment >= along_planar or index == len(vertices) - 2:
            fraction = 0.0 if segment == 0 else (along_planar - walked) / segment
            head = geodesic_length(coords[: index + 1])
            return head + fraction * distance_m(coords[index], coords[index + 1])
        walked += segment
    return 0.0


def azimuth_along(coords: Sequence[Coordinate], distance: float, span: float) -> float:
    """Return the line's general direction at ``distance`` metres along it.

    The direction is the azimuth of the chord from ``span`` metres before to
    ``span`` metres after the point, which smooths out short bends.

    Parameters
    ----------
    coords : sequence of (lon, lat)
        The line's vertices.
    distance : float
        Metres from the first vertex.
    span : float
        Half-length of the chord, in metres.

    Returns
    -------
    float
        Azimuth in degrees clockwise from north, in (-180, 180].
    """
    before = point_along(coords, distance - span)
    after = point_along(coords, distance + span)
    azimuth, _, _ = _geod().inv(before[0], before[1], after[0], after[1])
    return float(azimuth)


def line_across(centre: Coordinate, azimuth: float, length: float) -> list[Coordinate]:
    """Return a straight line of ``length`` metres centred on ``centre``, square to ``azimuth``.

    Parameters
    ----------
    centre : (lon, lat)
        The line's midpoint.
    azimuth : float
        Direction of what the line crosses (a river's downstream azimuth), degrees.
    length : float
        Geodesic length of the line, in metres.

    Returns
    -------
    list of (lon, lat)
        Two ends: first on the right of ``azimuth`` (the right bank of a river
        facing downstream), then on the left.
    """
    geod = _geod()
    ends = []
    for bearing in (azimuth + 90.0, azimuth - 90.0):
        lon, lat, _ = geod.fwd(centre[0], centre[1], bearing, length / 2.0)
        ends.append((float(lon), float(lat)))
    return ends


def side_of_line(coords: Sequence[Coordinate], point: Coordinate) -> int:
    """Tell on which side of a directed line a point lies.

    Parameters
    ----------
    coords : sequence of (lon, lat)
        The line's vertices, in its direction (downstream for a river).
    point : (lon, lat)
        The point.

    Returns
    -------
    int
        ``1`` on the left, ``-1`` on the right, ``0`` on the line; judged against
        the segment nearest to the point.
    """
    vertices = _projected(coords)
    (target,) = _projected([point])
    nearest = min(
        range(len(vertices) - 1),
        key=lambda i: LineString(vertices[i : i + 2]).distance(Point(target)),
    )
    (x1, y1), (x2, y2) = vertices[nearest], vertices[nearest + 1]
    cross = (x2 - x1) * (target[1] - y1) - (y2 - y1) * (target[0] - x1)
    return (cross > 0) - (cross < 0)


def buffer_polygon(coords: Sequence[Coordinate], metres: float) -> list[Coordinate]:
    """Return the ring of the area within ``metres`` of a point or line.

    Parameters
    ----------
    coords : sequence of (lon, lat)
        One point, or a line's vertices.
    metres : float
        Buffer distance, measured in the projected CRS.

    Returns
    -------
    list of (lon, lat)
        The exterior ring, closed, counter-clockwise (as RFC 7946 asks), rounded
        to GeoJSON precision.
    """
    from shapely.geometry.polygon import orient

    planar = _projected(coords)
    shape = Point(planar[0]) if len(planar) == 1 else LineString(planar)
    ring = orient(shape.buffer(metres, quad_segs=16), sign=1.0).exterior.coords
    xs, ys = _from_projected().transform([c[0] for c in ring], [c[1] for c in ring])
    return [round_coordinate((x, y)) for x, y in zip(xs, ys, strict=True)]
