"""Where to name the base's areas on a page that cannot measure its text (the web map).

:func:`area_label_candidates` gives each country and the sea places to put its name,
best first; :func:`area_label_points` the best of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bordermap._base_style import features_of_kind
from bordermap._types import FeatureCollection

__all__ = ["area_label_candidates", "area_label_points"]


def area_label_points(
    collection: FeatureCollection,
    view: Sequence[float],
    *,
    avoid: Sequence[Sequence[tuple[float, float]]] = (),
    clearance: float = 0.06,
) -> dict[str, tuple[float, float]]:
    """Return where to name each country, and the sea, in a view: ``(lon, lat)`` by feature id.

    Each point is the pole of inaccessibility (the inside point farthest from the
    edges) of the largest piece of the area inside ``view``, found in Web Mercator so
    that it is the middle of what a reader sees. Areas outside the view get none; the
    sea is keyed by its ``sea_name`` feature's id. The static export places its names
    by what they would cover instead; this is for renderers that cannot measure text
    (the web map, which tries :func:`area_label_candidates` in turn).

    Parameters
    ----------
    collection : mapping
        ``read_base(...)["local"]``.
    view : (west, south, east, north)
        The view in degrees.
    avoid : sequence of sequences of (lon, lat)
        Points and lines drawn over the base (the layers' features): the names keep
        ``clearance`` times the view's width from them where the area leaves room.
    clearance : float, default 0.06
        See ``avoid``.

    Returns
    -------
    dict of str to (float, float)
        ``(lon, lat)`` by the id of the country or ``sea_name`` feature.
    """
    return {
        key: spots[0]
        for key, spots in area_label_candidates(
            collection, view, avoid=avoid, clearance=clearance, wider=()
        ).items()
    }


def area_label_candidates(
    collection: FeatureCollection,
    view: Sequence[float],
    *,
    avoid: Sequence[Sequence[tuple[float, float]]] = (),
    clearance: float = 0.06,
    wider: Sequence[float] = (2.0, 4.0),
) -> dict[str, list[tuple[float, float]]]:
    """Return places to name each country and the sea, best first: ``(lon, lat)`` lists.

    A renderer that can see what covers the map (the web map's panels cover its
    corners, and how much depends on the screen) names each area at the first
    place left clear. The first is :func:`area_label_points`'s; then, for ``view``
    and for views ``wider`` times as wide and tall around the same centre, the pole
    of inaccessibility of the area's largest piece in each ninth of the view (a 3 by
    3 grid), roomiest first.

    Parameters
    ----------
    collection, view, avoid, clearance
        As for :func:`area_label_points`.
    wider : sequence of float, default (2.0, 4.0)
        Larger views to look in as well: a wide screen shows more than ``view``.

    Returns
    -------
    dict of str to list of (float, float)
        ``(lon, lat)`` places by the id of the country or ``sea_name`` feature, at
        least one each, for the areas inside ``view``.
    """
    from shapely import transform
    from shapely.geometry import box, shape

    from bordermap.geometry import transformer

    west, south, east, north = (float(value) for value in view)
    finder = _RoomFinder(box(west, south, east, north), avoid, clearance)
    windows = [finder.seen, *(_widened(finder.seen, factor) for factor in wider)]
    sea_names = features_of_kind(collection, "sea_name")
    backward = transformer("EPSG:3857", "EPSG:4326")
    places: dict[str, list[tuple[float, float]]] = {}
    for feature in features_of_kind(collection, "country", "sea"):
        area = transform(shape(feature["geometry"]), _mercator)
        first = finder.roomiest(area, finder.seen)
        if first is None:
            continue  # not in the view: not named
        spots = [first[0]]
        if wider:
            cells = [
                found
                for window in windows
                for cell in _ninths(window)
                if (found := finder.roomiest(area, cell)) is not None
            ]
            spots += [pole for pole, _ in sorted(cells, key=lambda found: -found[1])]
        kind = (feature.get("properties") or {}).get("kind")
        key = str((sea_names[0] if kind == "sea" and sea_names else feature).get("id"))
        places[key] = []
        for spot in spots:
            lon, lat = backward.transform(spot.x, spot.y)
            place = (round(lon, 6), round(lat, 6))
            if place not in places[key]:
                places[key].append(place)
    return places


def _mercator(xy: Any) -> Any:
    """Project an array of (lon, lat) rows to Web Mercator (for ``shapely.transform``)."""
    import numpy as np

    from bordermap.geometry import transformer

    xs, ys = transformer("EPSG:4326", "EPSG:3857").transform(xy[:, 0], xy[:, 1])
    return np.column_stack([xs, ys])


class _RoomFinder:
    """Finds the roomiest place in an area, in Web Mercator, away from what is drawn."""

    def __init__(
        self, view: Any, avoid: Sequence[Sequence[tuple[float, float]]], clearance: float
    ) -> None:
        from shapely import transform
        from shapely.geometry import LineString, Point
        from shapely.ops import unary_union

        self.seen = transform(view, _mercator)
        room = (self.seen.bounds[2] - self.seen.bounds[0]) * clearance
        drawn = [
            transform(LineString(line) if len(line) > 1 else Point(line[0]), _mercator).buffer(
                room
            )
            for line in avoid
            if len(line)
        ]
        self.covered = unary_union(drawn) if drawn else None
        self.tolerance = max(self.seen.length / 4000, 1.0)

    def roomiest(self, area: Any, window: Any) -> tuple[Any, float] | None:
        """Return the pole of the largest piece of ``area`` in ``window``, and its room."""
        from shapely.geometry import MultiPolygon, Polygon
        from shapely.ops import polylabel

        visible = area.intersection(window)
        if self.covered is not None:
            free = visible.difference(self.covered)
            visible = free if free.area > 0 else visible
        pieces = [
            polygon
            for piece in getattr(visible, "geoms", [visible])
            if isinstance(piece, Polygon | MultiPolygon) and not piece.is_empty
            for polygon in getattr(piece, "geoms", [piece])
        ]
        if not pieces:
            return None
        largest = max(pieces, key=lambda piece: piece.area)
        pole = polylabel(largest, tolerance=self.tolerance)
        return pole, largest.exterior.distance(pole)


def _ninths(window: Any) -> list[Any]:
    """Return the nine cells of a 3 by 3 grid over ``window``."""
    from shapely.geometry import box

    x0, y0, x1, y1 = window.bounds
    dx, dy = (x1 - x0) / 3, (y1 - y0) / 3
    return [
        box(x0 + i * dx, y0 + j * dy, x0 + (i + 1) * dx, y0 + (j + 1) * dy)
        for i in range(3)
        for j in range(3)
    ]


def _widened(seen: Any, factor: float) -> Any:
    """Return ``seen`` grown ``factor`` times as wide and tall about its centre."""
    from shapely.geometry import box

    centre = seen.centroid
    width, height = seen.bounds[2] - seen.bounds[0], seen.bounds[3] - seen.bounds[1]
    return box(
        centre.x - width * factor / 2,
        centre.y - height * factor / 2,
        centre.x + width * factor / 2,
        centre.y + height * factor / 2,
    )
