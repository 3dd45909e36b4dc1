"""Web-ready geometry: lines simplified for the web map, within a bound in metres.

The GeoJSON layers keep full detail; the web map needs far less. :func:`web_ready`
returns copies of the layers whose long lines are simplified (Douglas–Peucker in the
projected CRS, :func:`bordermap.mapspec.planar_crs`) and reports, per feature, how far the
drawn line may lie from the layer's line: an upper bound on the Hausdorff distance
between the two that never exceeds the bound asked for.

What is kept exactly as it is:

- points, and lines of two vertices (bridges);
- the first and last vertex of every line;
- every segment of a line that comes near another feature (within 1.5 times the bound
  of a point or bridge, 2.5 times of another simplified line), so that the simplified
  line meets every other feature exactly where, and as often as, the original did (a
  bridge crosses the river once, where it crossed it) and comes no nearer to any than
  half the bound unless the original was that near there;
- the topology of each line: it crosses or touches itself only where it did before
  (a line that did not, still does not).

Vertices that repeat the one before them are dropped: they add nothing to the shape.

Lines with the same vertices (the border drawn on the river) are simplified once and
stay identical; a line that is another one reversed gets that one's result, reversed.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from functools import cached_property
from typing import Any, cast

import numpy as np
import shapely
import shapely.errors
import shapely.geometry
from numpy.typing import NDArray
from pyproj import Transformer

from bordermap import settings
from bordermap._types import FeatureCollection, Layers, LineString
from bordermap.geometry import transformer
from bordermap.mapspec import activated, planar_crs, spec_of

__all__ = ["web_ready"]

# Segments of a line within this many times the bound of another feature keep every
# vertex, so that the other feature meets the simplified line as it met the original:
# more than once the bound is enough for a feature drawn as it is (a point, a bridge),
# more than twice for another simplified line; the rest is margin.
_KEEP_NEAR_FIXED = 1.5
_KEEP_NEAR_SIMPLIFIED = 2.5

# Share of the bound that rounding coordinates to fewer decimals may use up.
_ROUNDING_SHARE = 0.25

# Metres in a degree of latitude at most (at the poles); a degree of longitude is less.
_METRES_PER_DEGREE = 111_700.0

# Halvings of the tolerance tried when floating-point error pushes a result over the
# bound, before the line is left as it is.
_ATTEMPTS = 4

_Floats = NDArray[np.float64]
_Indices = NDArray[np.intp]


def web_ready(
    layers: Layers, *, max_deviation_m: float | None = None
) -> tuple[Layers, dict[str, float]]:
    """Return copies of the layers with long lines simplified for the web map.

    Parameters
    ----------
    layers : dict of str to FeatureCollection
        From :func:`bordermap.build_layers` or :func:`bordermap.read_layers`; they
        are not modified.
    max_deviation_m : float, optional
        Largest distance, in metres, that a simplified line may lie from the
        original; defaults to ``settings.web_max_deviation_m``. ``0`` keeps every vertex.

    Returns
    -------
    layers : dict of str to FeatureCollection
        Deep copies of the layers in which every LineString of three or more
        vertices is simplified. Properties (``length_m`` too) are the originals'.
        Kept vertices are rounded to the fewest decimals that use at most a quarter
        of the bound (never more decimals than ``settings.coordinate_decimals``, so
        six for the default 2 m); line ends and vertices near other features keep
        their coordinates exactly.
    deviations : dict of str to float
        Feature id (``"<layer>#<n>"`` for a feature without one) to the largest
        distance, in metres, between its drawn and its original geometry: an upper
        bound on their Hausdorff distance in the map's projected CRS, never more
        than ``max_deviation_m``; ``0.0`` for a feature left as it is.

    Raises
    ------
    ValueError
        If ``max_deviation_m`` is negative or not a finite number.

    Examples
    --------
    >>> web_layers, deviations = web_ready(layers)  # doctest: +SKIP
    >>> max(deviations.values()) <= settings.web_max_deviation_m  # doctest: +SKIP
    True
    """
    bound = settings.web_max_deviation_m if max_deviation_m is None else max_deviation_m
    if (
        isinstance(bound, bool)
        or not isinstance(bound, int | float)
        or not math.isfinite(bound)
        or bound < 0
    ):
        raise ValueError(
            f"max_deviation_m must be a finite number of metres, 0 or more, "
            f"instead got: {bound!r}."
        )
    with activated(spec_of(layers)):  # every shape in the map's one projection
        return _web_ready(layers, float(bound))


def _web_ready(layers: Layers, bound: float) -> tuple[Layers, dict[str, float]]:
    """Simplify as :func:`web_ready` does, with the map's projection active."""
    shapes = _Shapes()
    entries = [
        (name, index, feature, shapes.of(feature.get("geometry")))
        for name, layer in layers.items()
        for index, feature in enumerate(layer.get("features") or [])
    ]
    done: dict[int, tuple[_Floats, float]] = {}
    drawn: dict[tuple[str, int], LineString] = {}
    deviations: dict[str, float] = {}
    for name, index, feature, shape in entries:
        deviation = 0.0
        if shape is not None and shape.is_long_line and bound > 0:
            twin, reverse = shape.reversed_twin, False
            if id(shape) not in done and twin is not None and id(twin) in done:
                shape, reverse = twin, True
            if id(shape) not in done:
                done[id(shape)] = _simplify_line(shape, shapes.others(shape), float(bound))
            coords, deviation = done[id(shape)]
            drawn[name, index] = {
                "type": "LineString",
                "coordinates": (coords[::-1] if reverse else coords).tolist(),
            }
        feature_id = feature.get("id")
        key = f"{name}#{index + 1}" if feature_id is None else str(feature_id)
        deviations[key] = max(deviations.get(key, 0.0), deviation)
    return _copy_layers(layers, drawn), deviations


def _copy_layers(layers: Layers, drawn: Mapping[tuple[str, int], LineString]) -> Layers:
    """Deep-copy the layers, putting in the simplified geometries (never copying originals')."""
    copies: Layers = {}
    for name, layer in layers.items():
        copied: dict[str, object] = {}
        for key, value in layer.items():
            if key == "features" and isinstance(value, list):
                copied[key] = [
                    {
                        field: (
                            drawn[name, index]
                            if field == "geometry" and (name, index) in drawn
                            else copy.deepcopy(content)
                        )
                        for field, content in feature.items()
                    }
                    for index, feature in enumerate(value)
                ]
            else:
                copied[key] = copy.deepcopy(value)
        copies[name] = cast(FeatureCollection, copied)
    return copies


class _Shape:
    """A feature's geometry: its positions in degrees and, when needed, in metres."""

    def __init__(self, geometry: Mapping[str, object], kind: str, lonlat: _Floats) -> None:
        self.geometry = geometry
        self.kind = kind
        self.lonlat = lonlat
        self.reversed_twin: _Shape | None = None

    @property
    def is_long_line(self) -> bool:
        """Whether the shape is a LineString of three or more vertices."""
        return self.kind == "LineString" and len(self.lonlat) >= 3

    @cached_property
    def xy(self) -> _Floats:
        """Positions in the projected CRS, in metres."""
        return _project(self.lonlat)

    @cached_property
    def planar(self) -> Any:
        """The shape as a shapely geometry in the projected CRS (prepared), or None."""
        if self.kind == "Point":
            shape = shapely.points(self.xy[0])
        elif self.kind == "LineString":
            if len(self.lonlat) < 2:
                return None  # one position draws no line (RFC 7946 asks for two)
            shape = shapely.linestrings(self.xy)
        else:
            try:
                shape = shapely.geometry.shape(self.geometry)
                if shape.is_empty:
                    return None  # nothing drawn to keep clear of, nor any position to project
                shape = shapely.transform(
                    shape, lambda coords: _project(np.asarray(coords, dtype=float))
                )
            except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError):
                return None
        shapely.prepare(shape)
        return shape


class _Shapes:
    """The distinct geometries of the layers: features with the same one share a shape."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, bytes], _Shape] = {}

    def of(self, geometry: object) -> _Shape | None:
        """Return the shape of a GeoJSON geometry, or None if there is nothing to draw."""
        if not isinstance(geometry, Mapping) or not isinstance(geometry.get("type"), str):
            return None
        kind = geometry["type"]
        lonlat: _Floats = np.empty((0, 2))
        if kind in ("Point", "LineString"):
            try:
                positions: _Floats = np.asarray(geometry.get("coordinates"), dtype=float)
            except (ValueError, TypeError):
                return None
            if kind == "Point" and positions.shape == (2,):
                positions = positions.reshape(1, 2)
            if positions.ndim != 2 or positions.shape[1] != 2 or not len(positions):
                return None  # e.g. positions with altitudes: left as they are
            if not np.isfinite(positions).all():
                return None
            lonlat = positions
            key = (kind, lonlat.tobytes())
        else:
            key = (kind, str(id(geometry)).encode())
        if key not in self._by_key:
            shape = _Shape(geometry, kind, lonlat)
            if shape.is_long_line:
                twin = self._by_key.get((kind, lonlat[::-1].tobytes()))
                if twin is not None:
                    shape.reversed_twin, twin.reversed_twin = twin, shape
            self._by_key[key] = shape
        return self._by_key[key]

    def others(self, line: _Shape) -> list[_Shape]:
        """Return every other shape, leaving out the line and the line reversed."""
        return [
            shape
            for shape in self._by_key.values()
            if shape is not line and shape is not line.reversed_twin
        ]


def _transformer(crs: str) -> Transformer:
    return transformer("EPSG:4326", crs)


def _project(lonlat: _Floats) -> _Floats:
    """Project ``(lon, lat)`` rows to ``(x, y)`` metres in the map's projected CRS."""
    crs = planar_crs((float(lonlat[0, 0]), float(lonlat[0, 1])))
    xs, ys = _transformer(crs).transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])


def _rounding_error_m(decimals: int) -> float:
    """Return the farthest, in metres, that rounding to ``decimals`` can move a position."""
    return 0.5 * 10.0**-decimals * _METRES_PER_DEGREE * math.sqrt(2.0)


def _decimals_for(bound: float) -> int | None:
    """Return the fewest decimals whose rounding uses at most its share of the bound."""
    for decimals in range(settings.coordinate_decimals + 1):
        if _rounding_error_m(decimals) <= _ROUNDING_SHARE * bound:
            return decimals
    return None


def _simplify_line(line: _Shape, others: list[_Shape], bound: float) -> tuple[_Floats, float]:
    """Simplify one line; return its ``(lon, lat)`` vertices and its deviation in metres."""
    # A vertex repeating the one before it adds nothing to the line's shape.
    distinct = np.ones(len(line.lonlat), dtype=bool)
    distinct[1:] = np.any(line.lonlat[1:] != line.lonlat[:-1], axis=1)
    lonlat, xy = line.lonlat[distinct], line.xy[distinct]
    if len(lonlat) < 2:
        return line.lonlat.copy(), 0.0
    pinned = _near(
        xy,
        [
            (
                other.planar,
                (_KEEP_NEAR_SIMPLIFIED if other.is_long_line else _KEEP_NEAR_FIXED) * bound,
            )
            for other in others
        ],
    )
    pinned[[0, -1]] = True
    decimals = _decimals_for(bound)
    rounded = lonlat if decimals is None else np.round(lonlat, decimals)
    rounding = decimals is not None and not np.array_equal(rounded, lonlat)
    tolerance = bound - (_rounding_error_m(decimals) if decimals is not None and rounding else 0)
    for _ in range(_ATTEMPTS):
        kept = _kept_vertices(xy, pinned, max(tolerance, 0.0))
        deviation = _deviation(xy, kept)
        coords = lonlat[kept]
        if rounding:
            # Round the vertices free to move, unless that makes the line cross itself
            # anew, and count how far they moved.
            free = ~pinned[kept]
            moved = coords.copy()
            moved[free] = rounded[kept][free]
            moved_xy = _project(moved)
            unmoved = np.all(moved == coords, axis=1)
            as_it_was = (np.diff(kept) == 1) & unmoved[:-1] & unmoved[1:]
            if not _crosses_itself_anew(moved_xy, as_it_was):
                coords = moved
                deviation += float(np.max(np.hypot(*(moved_xy - xy[kept]).T), initial=0.0))
        if deviation <= bound:
            return coords, deviation
        tolerance /= 2.0
    return line.lonlat.copy(), 0.0


def _near(xy: _Floats, others: list[tuple[Any, float]]) -> NDArray[np.bool_]:
    """Mark both ends of every segment of the line within its distance of another shape."""
    near = np.zeros(len(xy), dtype=bool)
    low = np.minimum(xy[:-1], xy[1:])
    high = np.maximum(xy[:-1], xy[1:])
    for other, distance in others:
        if other is None or shapely.is_empty(other):
            continue
        west, south, east, north = shapely.bounds(other)
        candidates = np.flatnonzero(
            (low[:, 0] <= east + distance)
            & (high[:, 0] >= west - distance)
            & (low[:, 1] <= north + distance)
            & (high[:, 1] >= south - distance)
        )
        if not candidates.size:
            continue
        segments = shapely.linestrings(np.stack([xy[candidates], xy[candidates + 1]], axis=1))
        hits = candidates[shapely.dwithin(segments, other, distance)]
        near[hits] = True
        near[hits + 1] = True
    return near


def _kept_vertices(xy: _Floats, pinned: NDArray[np.bool_], tolerance: float) -> _Indices:
    """Return the indices of the vertices Douglas–Peucker keeps between pinned vertices.

    Plain Douglas–Peucker runs first (fast) and stands if the line it gives crosses or
    touches itself nowhere but where the original did. Otherwise GEOS's
    topology-preserving variant runs on all pieces together; should even that cross
    the line anew, every vertex is kept.
    """
    pins = np.flatnonzero(pinned)
    starts, ends = pins[:-1], pins[1:]
    gaps = ends - starts >= 2
    if not gaps.any():
        return pins
    # The vertex index rides along as Z, so the kept vertices name themselves.
    xyz = np.column_stack([xy, np.arange(len(xy), dtype=float)])
    kept = pinned.copy()
    pieces = _pieces(xyz, starts[gaps], ends[gaps])
    kept[_z_indices(shapely.simplify(pieces, tolerance, preserve_topology=False))] = True
    indices = np.flatnonzero(kept)
    if not _crosses_itself_anew(xy[indices], np.diff(indices) == 1):
        return indices
    kept = pinned.copy()
    whole = shapely.multilinestrings(_pieces(xyz, starts, ends))
    kept[_z_indices(shapely.simplify(whole, tolerance, preserve_topology=True))] = True
    indices = np.flatnonzero(kept)
    if _crosses_itself_anew(xy[indices], np.diff(indices) == 1):
        return np.arange(len(xy))
    return indices


def _crosses_itself_anew(xy: _Floats, as_it_was: NDArray[np.bool_]) -> bool:
    """Tell whether a line crosses or touches itself where the original did not.

    The line's vertices are the original's. ``as_it_was`` marks the segments that are
    segments of the original: where two of those meet, the original met itself too.
    Two segments that meet only at an end they share meet at a vertex: neighbours do,
    and others only where the original passed through that vertex twice.
    """
    if len(xy) < 3:
        return False
    segments = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
    first, second = shapely.STRtree(segments).query(segments, predicate="intersects")
    pairs = first < second
    first, second = first[pairs], second[pairs]
    at_a_point = shapely.get_type_id(shapely.intersection(segments[first], segments[second])) == 0
    shared_end = np.zeros(len(first), dtype=bool)
    for one in (first, first + 1):
        for other in (second, second + 1):
            shared_end |= np.all(xy[one] == xy[other], axis=1)
    new = ~(at_a_point & shared_end) & ~(as_it_was[first] & as_it_was[second])
    return bool(new.any())


def _pieces(xyz: _Floats, starts: _Indices, ends: _Indices) -> Any:
    """Return the line's pieces from each start vertex to its end vertex, as LineStrings."""
    lengths = ends - starts + 1
    piece = np.repeat(np.arange(len(starts)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return shapely.linestrings(xyz[np.repeat(starts, lengths) + offsets], indices=piece)


def _z_indices(geometries: Any) -> _Indices:
    """Return the vertex indices carried as Z by geometries made by :func:`_pieces`."""
    coords = shapely.get_coordinates(geometries, include_z=True)
    return np.asarray(coords[:, 2], dtype=np.intp)


def _deviation(xy: _Floats, kept: _Indices) -> float:
    """Return the largest distance from an original vertex to the kept segment over it.

    This bounds the Hausdorff distance between the original line and the line through
    the kept vertices: distance to a segment is convex along each original segment,
    and each original stretch runs from one end of its kept segment to the other.
    """
    if len(kept) < 2:
        return 0.0
    over = np.clip(np.searchsorted(kept, np.arange(len(xy)), side="right") - 1, 0, len(kept) - 2)
    start, end = xy[kept[over]], xy[kept[over + 1]]
    along, offset = end - start, xy - start
    squared = np.einsum("ij,ij->i", along, along)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(squared > 0, np.einsum("ij,ij->i", offset, along) / squared, 0.0)
    gap = offset - np.clip(fraction, 0.0, 1.0)[:, None] * along
    return float(np.max(np.hypot(gap[:, 0], gap[:, 1])))
