"""Geodesic measures and constructions on ``(lon, lat)`` coordinates.

Lengths and positions along lines are geodesic on the WGS 84 ellipsoid (pyproj's
``Geod``). Nearest-point questions (where on the river is this bridge? which bank is
this point on?) are answered in a projected CRS (:func:`bordermap.mapspec.planar_crs`:
``settings.projected_crs`` if set, else the map's, the UTM zone of its region),
where planar geometry is accurate to centimetres at a crossing's scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, cached_property

import numpy as np
from numpy.typing import NDArray
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point

from bordermap import settings
from bordermap.mapspec import planar_crs

__all__ = [
    "Coordinate",
    "Line",
    "azimuth_along",
    "buffer_polygon",
    "distance_along",
    "distance_m",
    "geodesic_length",
    "line_across",
    "point_along",
    "round_coordinate",
    "round_coordinates",
    "side_of_line",
]

#: A position as GeoJSON writes it: ``(lon, lat)`` in degrees.
Coordinate = tuple[float, float]


@cache
def transformer(source: str, target: str) -> Transformer:
    """Return the ``always_xy`` transformer from CRS ``source`` to ``target``, made once.

    The one cache of transformers, keyed by the pair of CRSs, so that a setting
    changed after first use (``settings.projected_crs``) takes effect.
    """
    return Transformer.from_crs(source, target, always_xy=True)


@cache
def geod(ellipsoid: str) -> Geod:
    """Return the geodesic calculator of ``ellipsoid`` ("WGS84", ...), made once."""
    return Geod(ellps=ellipsoid)


# Settings are read at each call, not copied on first use.
def _geod() -> Geod:
    return geod(settings.ellipsoid)


def _crs_near(coords: Sequence[Sequence[float]] | NDArray[np.float64]) -> str:
    """Return the CRS of planar work on ``coords`` (the map's, else their first's UTM zone)."""
    first = coords[0]
    return planar_crs((float(first[0]), float(first[1])))


def _projected(coords: Sequence[Coordinate], crs: str | None = None) -> list[tuple[float, float]]:
    """Project ``(lon, lat)`` coordinates to planar ``(x, y)`` metres in ``crs``."""
    crs = crs or _crs_near(coords)
    xs, ys = transformer("EPSG:4326", crs).transform(
        [c[0] for c in coords], [c[1] for c in coords]
    )
    return list(zip(xs, ys, strict=True))


class Line:
    """A line of ``(lon, lat)`` vertices, measured once and asked many questions.

    Measuring a line is the costly part of every question about it (a geodesic per
    segment; a river surveyed in full detail has a million of them), so a ``Line``
    measures its segments on first need and keeps them: where a point lies along
    it, what lies a distance along it, which side a point is on.

    Parameters
    ----------
    coords : sequence of (lon, lat), or an ``(n, 2)`` array
        The line's vertices, at least two.
    """

    def __init__(self, coords: Sequence[Sequence[float]] | NDArray[np.float64]) -> None:
        self.vertices: NDArray[np.float64] = np.asarray(coords, dtype=float).reshape(-1, 2)
        if len(self.vertices) < 2:
            raise ValueError(f"a line needs at least two vertices, got {len(self.vertices)}")

    @cached_property
    def segments_m(self) -> NDArray[np.float64]:
        """Geodesic length of each segment, in metres."""
        lons, lats = self.vertices[:, 0], self.vertices[:, 1]
        return np.asarray(_geod().line_lengths(lons, lats), dtype=float).reshape(-1)

    @cached_property
    def _walked_m(self) -> NDArray[np.float64]:
        # Geodesic distance from the first vertex to each vertex. A running sum, as
        # pyproj's line_length adds, so the last equals it exactly.
        return np.concatenate([[0.0], np.cumsum(self.segments_m)])

    @property
    def length_m(self) -> float:
        """Geodesic length of the line, in metres."""
        return float(self._walked_m[-1])

    @cached_property
    def crs(self) -> str:
        """The projected CRS of the line's planar questions, chosen once per line."""
        return _crs_near(self.vertices)

    @cached_property
    def _planar(self) -> NDArray[np.float64]:
        to_planar = transformer("EPSG:4326", self.crs)
        xs, ys = to_planar.transform(self.vertices[:, 0], self.vertices[:, 1])
        return np.column_stack([xs, ys])

    @cached_property
    def _planar_segments(self) -> NDArray[np.float64]:
        # Each segment as an (dx, dy) vector in the projected CRS.
        return np.diff(self._planar, axis=0)

    @cached_property
    def _planar_lengths(self) -> NDArray[np.float64]:
        lengths: NDArray[np.float64] = np.hypot(*self._planar_segments.T)
        return lengths

    @cached_property
    def _planar_ends(self) -> NDArray[np.float64]:
        # Planar distance from the first vertex to the far end of each segment.
        return np.cumsum(self._planar_lengths)

    @cached_property
    def _planar_shape(self) -> LineString:
        return LineString(self._planar)

    def point_at(self, distance: float) -> Coordinate:
        """Return the point ``distance`` metres along the line, following its geodesics.

        Parameters
        ----------
        distance : float
            Metres from the first vertex; clamped to the line's ends.

        Returns
        -------
        tuple of float
            ``(lon, lat)`` of the point.
        """
        walked = self._walked_m
        remaining = max(distance, 0.0)
        if remaining >= walked[-1]:
            return (float(self.vertices[-1, 0]), float(self.vertices[-1, 1]))
        # The first segment whose far end is at or past the distance.
        index = min(int(np.searchsorted(walked[1:], remaining, side="left")), len(walked) - 2)
        (lon1, lat1), (lon2, lat2) = self.vertices[index], self.vertices[index + 1]
        geod = _geod()
        azimuth, _, _ = geod.inv(lon1, lat1, lon2, lat2)
        lon, lat, _ = geod.fwd(lon1, lat1, azimuth, remaining - walked[index])
        return (float(lon), float(lat))

    def distance_to(self, point: Coordinate) -> float:
        """Return how far along the line the point nearest to ``point`` lies, in metres.

        Parameters
        ----------
        point : (lon, lat)
            Any point; it is projected onto the line (in the projected CRS).

        Returns
        -------
        float
            Geodesic distance from the first vertex, along the line, to the projection.
        """
        (projected_point,) = _projected([point], self.crs)
        along_planar = self._planar_shape.project(Point(projected_point))
        # Find the segment the projection falls on, then measure geodesically up to it.
        steps, ends = self._planar_lengths, self._planar_ends
        index = min(int(np.searchsorted(ends, along_planar, side="left")), len(steps) - 1)
        segment = float(steps[index])
        walked_planar = float(ends[index - 1]) if index else 0.0
        fraction = 0.0 if segment == 0 else (along_planar - walked_planar) / segment
        return float(self._walked_m[index] + fraction * self.segments_m[index])

    def azimuth_at(self, distance: float, span: float) -> float:
        """Return the line's general direction at ``distance`` metres along it.

        The direction is the azimuth of the chord from ``span`` metres before to
        ``span`` metres after the point, which smooths out short bends.

        Parameters
        ----------
        distance : float
            Metres from the first vertex.
        span : float
            Half-length of the chord, in metres.

        Returns
        -------
        float
            Azimuth in degrees clockwise from north, in (-180, 180].
        """
        before = self.point_at(distance - span)
        after = self.point_at(distance + span)
        azimuth, _, _ = _geod().inv(before[0], before[1], after[0], after[1])
        return float(azimuth)

    def side_of(self, point: Coordinate) -> int:
        """Tell on which side of the line, in its direction, a point lies.

        Parameters
        ----------
        point : (lon, lat)
            The point.

        Returns
        -------
        int
            ``1`` on the left, ``-1`` on the right, ``0`` on the line; judged against
            the segment nearest to the point (the first of equally near ones).
        """
        (target,) = _projected([point], self.crs)
        start, step = self._planar[:-1], self._planar_segments
        squared = np.einsum("ij,ij->i", step, step)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.einsum("ij,ij->i", np.asarray(target) - start, step) / squared
        t = np.where(squared > 0, np.clip(t, 0.0, 1.0), 0.0)
        nearest_points = start + t[:, None] * step
        gaps = np.hypot(*(nearest_points - np.asarray(target)).T)
        nearest = int(np.argmin(gaps))
        (x1, y1), (dx, dy) = start[nearest], step[nearest]
        cross = float(dx * (target[1] - y1) - dy * (target[0] - x1))
        return (cross > 0) - (cross < 0)


def _as_line(coords: Sequence[Coordinate] | Line) -> Line:
    return coords if isinstance(coords, Line) else Line(coords)


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


def round_coordinates(
    coords: Sequence[Sequence[float]] | NDArray[np.float64], decimals: int | None = None
) -> NDArray[np.float64]:
    """Round many ``(lon, lat)`` coordinates at once, exactly as :func:`round_coordinate`.

    Parameters
    ----------
    coords : sequence of (lon, lat), or an ``(n, 2)`` array
        Positions in degrees.
    decimals : int, optional
        Decimal places; defaults to ``settings.coordinate_decimals``.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` rounded positions, no ``-0.0``.
    """
    places = settings.coordinate_decimals if decimals is None else decimals
    values = np.asarray(coords, dtype=float).reshape(-1, 2)
    rounded = np.round(values, places)
    # numpy rounds the scaled binary value, Python's round() the exact one: they can
    # differ only where the scaled value is within rounding error of a half.
    scaled = np.abs(values) * 10.0**places
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= 64 * np.finfo(float).eps * scaled
    for index in zip(*np.nonzero(near_half), strict=True):
        rounded[index] = round(float(values[index]), places)
    return rounded + 0.0


def distance_m(a: Coordinate, b: Coordinate) -> float:
    """Return the geodesic distance between two ``(lon, lat)`` points, in metres."""
    _, _, distance = _geod().inv(a[0], a[1], b[0], b[1])
    return float(distance)


def geodesic_length(coords: Sequence[Coordinate] | Line) -> float:
    """Return the geodesic length of a line of ``(lon, lat)`` vertices, in metres.

    Parameters
    ----------
    coords : sequence of (lon, lat), or Line
        The line's vertices.

    Returns
    -------
    float
        The sum of the geodesic lengths of its segments.
    """
    if isinstance(coords, Line):
        return coords.length_m
    if len(coords) < 2:
        return 0.0
    lons = [c[0] for c in coords]
    lats = [c[1] for c in coords]
    return float(_geod().line_length(lons, lats))


def point_along(coords: Sequence[Coordinate] | Line, distance: float) -> Coordinate:
    """Return the point ``distance`` metres along a line, following its geodesics.

    The same as :meth:`Line.point_at` on ``Line(coords)``; to ask a long line many
    questions, make the :class:`Line` once and ask it.

    Parameters
    ----------
    coords : sequence of (lon, lat), or Line
        The line's vertices.
    distance : float
        Metres from the first vertex; clamped to the line's ends.

    Returns
    -------
    tuple of float
        ``(lon, lat)`` of the point.
    """
    return _as_line(coords).point_at(distance)


def distance_along(coords: Sequence[Coordinate] | Line, point: Coordinate) -> float:
    """Return how far along a line the point nearest to ``point`` lies, in metres.

    The same as :meth:`Line.distance_to` on ``Line(coords)``; to ask a long line many
    questions, make the :class:`Line` once and ask it.

    Parameters
    ----------
    coords : sequence of (lon, lat), or Line
        The line's vertices.
    point : (lon, lat)
        Any point; it is projected onto the line.

    Returns
    -------
    float
        Geodesic distance from the first vertex, along the line, to the projection.
    """
    return _as_line(coords).distance_to(point)


def azimuth_along(coords: Sequence[Coordinate] | Line, distance: float, span: float) -> float:
    """Return the line's general direction at ``distance`` metres along it.

    The same as :meth:`Line.azimuth_at` on ``Line(coords)``; to ask a long line many
    questions, make the :class:`Line` once and ask it.

    Parameters
    ----------
    coords : sequence of (lon, lat), or Line
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
    return _as_line(coords).azimuth_at(distance, span)


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


def side_of_line(coords: Sequence[Coordinate] | Line, point: Coordinate) -> int:
    """Tell on which side of a directed line a point lies.

    The same as :meth:`Line.side_of` on ``Line(coords)``; to ask a long line many
    questions, make the :class:`Line` once and ask it.

    Parameters
    ----------
    coords : sequence of (lon, lat), or Line
        The line's vertices, in its direction (downstream for a river).
    point : (lon, lat)
        The point.

    Returns
    -------
    int
        ``1`` on the left, ``-1`` on the right, ``0`` on the line.
    """
    return _as_line(coords).side_of(point)


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

    crs = _crs_near(coords)
    planar = _projected(coords, crs)
    shape = Point(planar[0]) if len(planar) == 1 else LineString(planar)
    ring = orient(shape.buffer(metres, quad_segs=16), sign=1.0).exterior.coords
    xs, ys = transformer(crs, "EPSG:4326").transform([c[0] for c in ring], [c[1] for c in ring])
    return [round_coordinate((x, y)) for x, y in zip(xs, ys, strict=True)]
