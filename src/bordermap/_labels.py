"""Labels on the static map, each placed where it covers the least of the rest.

The anchors are the web map's (:func:`bordermap._layout.label_anchors`); around each
the candidates are tried (beside a point, off a bridge's end, along either bank of
the river) and the one covering least of the features, the other labels and the
page's furniture is kept.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.colors import to_hex, to_rgb
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox, Transform
from numpy.typing import NDArray

from bordermap import _html, _page
from bordermap._layout import POINT_DIRECTIONS, Label, feature_coords, label_priority, label_text
from bordermap._types import Feature
from bordermap.geometry import Coordinate, Line
from bordermap.styles import Style, style_for


def label_texts(features: Sequence[tuple[str, Feature]], language: str) -> dict[str, str]:
    """Return each feature's label in ``language``, its status stated if unfinished."""
    return {str(feature.get("id")): label_text(feature, language) for _, feature in features}


class Obstacles:
    """What labels should not cover: points along the drawn lines and the markers."""

    def __init__(self) -> None:
        self.shapes: list[tuple[NDArray[np.float64], float]] = []  # (data xy, radius in pt)

    def add_feature(self, style: Style, xy: NDArray[np.float64], scale: float) -> None:
        if style.marker is not None:
            self.shapes.append((xy[:1], _page.px(style.radius + style.weight, scale)))
        else:
            casing = _html.casing_style(style)
            weight = casing["weight"] if casing else style.weight
            self.shapes.append((xy, _page.px(weight / 2, scale)))

    def in_display(self, ax: Axes, renderer: RendererBase) -> NDArray[np.float64]:
        """Return ``(x, y, radius)`` in display pixels, lines densified every 2 pixels."""
        rows = []
        view = ax.get_window_extent(renderer)
        for xy, radius_pt in self.shapes:
            points = ax.transData.transform(xy)
            radius = _page.pixels(renderer, radius_pt)
            if len(points) == 1:
                rows.append(np.array([[points[0, 0], points[0, 1], radius]]))
                continue
            for start, end in itertools.pairwise(points):
                if not Bbox([np.minimum(start, end), np.maximum(start, end)]).overlaps(view):
                    continue  # out of view: no label can cover it
                count = max(2, int(np.hypot(*(end - start)) / 2) + 1)
                t = np.linspace(0.0, 1.0, count)[:, None]
                segment = start + (end - start) * t
                rows.append(np.column_stack([segment, np.full(count, radius)]))
        return np.vstack(rows) if rows else np.empty((0, 3))


def place_labels(
    sheet: _page.Sheet,
    features: Sequence[tuple[str, Feature]],
    anchors: Mapping[str, Label],
    texts: Mapping[str, str],
    obstacles: Obstacles,
    reserved: list[Bbox],
) -> dict[str, Annotation]:
    """Label the features, each where it covers the least of the rest.

    The anchors are the web map's (:func:`bordermap.webmap._label_anchors`): points
    at themselves, bridges at an end, the river where it is farthest from the rest.
    Around each anchor (along the river, parallel to it) positions are tried in order
    of preference, and the first that covers no drawn feature and no other label is
    kept, else the one that covers least.
    """
    ax, renderer, scale = sheet.axes, sheet.renderer, sheet.scale
    group = _page.Group("labels", zorder=7)
    ax.add_artist(group)
    blockers = obstacles.in_display(ax, renderer)
    inside = ax.get_window_extent(renderer).padded(-_page.pixels(renderer, 3 * scale))
    taken = [np.array([box.p0, (box.x1, box.y0), box.p1, (box.x0, box.y1)]) for box in reserved]
    by_id = {str(feature.get("id")): feature for _, feature in features}
    # In the web map's priority order (_layout.LABEL_PRIORITY): the bridges first.
    order = sorted(
        anchors, key=lambda i: label_priority(str((by_id[i].get("properties") or {}).get("kind")))
    )
    halo = _page.halo(3.2 * scale)
    labels: dict[str, Annotation] = {}
    for feature_id in order:
        feature = by_id[feature_id]
        properties = feature.get("properties") or {}
        kind = str(properties.get("kind"))
        style = style_for(kind, properties.get("status"))
        coords = feature_coords(feature)
        xy = _page.project(coords)
        if style.marker is None and len(coords) > 2:
            candidates = _river_candidates(ax, coords, anchors[feature_id], style)
        elif style.marker is None:
            candidates = _end_candidates(ax, xy)
        else:
            candidates = _point_candidates(
                xy[0], (style.radius + style.weight) * _page.PT_PER_PX + 2
            )
        candidates = [c for c in candidates if inside.contains(*ax.transData.transform(c[0]))]
        if not candidates:
            continue  # out of view
        annotation = _page.HaloAnnotation(
            texts[feature_id],
            xy=candidates[0][0],
            xycoords="data",
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=_label_size(kind) * scale,
            fontweight="bold" if kind.endswith("bridge") else "normal",
            fontstyle="italic" if kind == "river" else "normal",
            color=_label_colour(style),
            path_effects=halo,
            annotation_clip=True,
            rotation_mode="anchor",
            gid=f"label-{feature_id}",
        )
        group.add(annotation, ax)
        best: tuple[float, int, NDArray[np.float64]] | None = None
        for index, candidate in enumerate(candidates):
            quad = _try(annotation, candidate, ax.transData, renderer, scale)
            score = _score(quad, blockers, taken, inside)
            if best is None or score < best[0]:
                best = (score, index, quad)
            if score == 0:
                break
        assert best is not None
        _try(annotation, candidates[best[1]], ax.transData, renderer, scale)
        taken.append(best[2])
        labels[feature_id] = annotation
    return labels


# A river's label goes on either bank: the side of the line, and the text's alignment.
_BANKS: tuple[tuple[float, Literal["bottom", "top"]], ...] = ((1.0, "bottom"), (-1.0, "top"))


# Where a label goes: anchor (data), offset (points), alignment, rotation (degrees).
_Candidate = tuple[
    tuple[float, float],
    tuple[float, float],
    Literal["left", "center", "right"],
    Literal["bottom", "center", "top"],
    float,
]


def _try(
    annotation: Annotation,
    candidate: _Candidate,
    transform: Transform,
    renderer: RendererBase,
    scale: float,
) -> NDArray[np.float64]:
    """Put the label at ``candidate``; return the corners it covers on the page, in pixels."""
    anchor, offset, ha, va, rotation = candidate
    annotation.xy = anchor
    annotation.xyann = (offset[0] * scale, offset[1] * scale)
    annotation.set_horizontalalignment(ha)
    annotation.set_verticalalignment(va)
    # Measure it upright, then turn the box about the text's anchor as the label turns.
    annotation.set_rotation(0)
    box = annotation.get_window_extent(renderer).padded(_page.pixels(renderer, 1.5 * scale))
    annotation.set_rotation(rotation)
    pivot = transform.transform(anchor) + np.asarray(annotation.xyann) * _page.pixels(
        renderer, 1.0
    )
    corners = np.array([box.p0, (box.x1, box.y0), box.p1, (box.x0, box.y1)]) - pivot
    turn = math.radians(rotation)
    rotate = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    quad: NDArray[np.float64] = corners @ rotate.T + pivot
    return quad


def _score(
    quad: NDArray[np.float64],
    blockers: NDArray[np.float64],
    taken: Sequence[NDArray[np.float64]],
    inside: Bbox,
) -> float:
    """Score a label's place: drawn features covered, labels overlapped, leaving the map."""
    score = float(np.count_nonzero(covered(quad, blockers[:, :2], blockers[:, 2])))
    from shapely.geometry import Polygon as ShapelyPolygon

    shape = ShapelyPolygon(quad)
    score += 1000.0 * sum(1 for other in taken if shape.intersects(ShapelyPolygon(other)))
    if not all(inside.contains(x, y) for x, y in quad):
        score += 100_000.0
    return score


def covered(
    quad: NDArray[np.float64], points: NDArray[np.float64], radii: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Tell which points (discs of ``radii``) touch the rectangle with corners ``quad``."""
    origin = quad[0]
    along, across = quad[1] - origin, quad[3] - origin
    length, height = float(np.hypot(*along)), float(np.hypot(*across))
    relative = points - origin
    u = relative @ (along / length)
    v = relative @ (across / height)
    hit: NDArray[np.float64] = (
        (u > -radii) & (u < length + radii) & (v > -radii) & (v < height + radii)
    )
    return hit


def _point_candidates(anchor: NDArray[np.float64], gap: float) -> list[_Candidate]:
    """Positions beside a marker, in the web map's order (right, left, above, below).

    Beside the right and left positions, the diagonals above and below them are tried
    next, as a printed map has room for them.
    """
    at = (float(anchor[0]), float(anchor[1]))
    diagonal = gap * 0.75
    sides: dict[str, list[_Candidate]] = {
        "right": [
            (at, (gap, 0), "left", "center", 0.0),
            (at, (diagonal, diagonal), "left", "bottom", 0.0),
            (at, (diagonal, -diagonal), "left", "top", 0.0),
        ],
        "left": [
            (at, (-gap, 0), "right", "center", 0.0),
            (at, (-diagonal, diagonal), "right", "bottom", 0.0),
            (at, (-diagonal, -diagonal), "right", "top", 0.0),
        ],
        "top": [(at, (0, gap), "center", "bottom", 0.0)],
        "bottom": [(at, (0, -gap), "center", "top", 0.0)],
    }
    return [candidate for side in POINT_DIRECTIONS for candidate in sides[side]]


def _end_candidates(ax: Axes, xy: NDArray[np.float64]) -> list[_Candidate]:
    """Positions at a bridge's ends: beyond its left-bank end first, then around both ends."""
    candidates: list[_Candidate] = []
    for end, other in ((xy[-1], xy[0]), (xy[0], xy[-1])):
        direction = ax.transData.transform(end) - ax.transData.transform(other)
        direction = direction / (np.hypot(*direction) or 1.0)
        gap = 7.0
        ha: Literal["left", "right"] = "left" if direction[0] >= 0 else "right"
        va: Literal["bottom", "top"] = "bottom" if direction[1] >= 0 else "top"
        at = (float(end[0]), float(end[1]))
        candidates.append((at, (direction[0] * gap, direction[1] * gap), ha, va, 0.0))
        candidates.extend(_point_candidates(end, gap + 2))
    return candidates


def _river_candidates(
    ax: Axes, coords: Sequence[Coordinate], anchor: Label, style: Style
) -> list[_Candidate]:
    """Positions along a river, parallel to it, on either bank; nearest the anchor first."""
    line = Line(coords)  # measured once for the hundreds of stations along it
    total = line.length_m
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    inner = Bbox(
        [
            [x0 + (x1 - x0) * 0.12, y0 + (y1 - y0) * 0.12],
            [x1 - (x1 - x0) * 0.12, y1 - (y1 - y0) * 0.12],
        ]
    )
    start = (anchor.lon, anchor.lat)
    stations = [step * 50.0 for step in range(int(total // 50) + 1)]
    points = [(along, line.point_at(along)) for along in stations]
    projected = _page.project([point for _, point in points])
    inside = [
        (along, tuple(xy))
        for (along, _), xy in zip(points, projected, strict=True)
        if inner.contains(xy[0], xy[1])
    ]
    anchor_xy = _page.project([start])[0]
    inside.sort(key=lambda item: float(np.hypot(*(np.asarray(item[1]) - anchor_xy))))
    offset = style.weight / 2 * _page.PT_PER_PX + 4.0
    candidates: list[_Candidate] = []
    for along, at in inside[:24]:
        before, after = _page.project([line.point_at(along - 120.0), line.point_at(along + 120.0)])
        dx, dy = ax.transData.transform(after) - ax.transData.transform(before)
        angle = math.degrees(math.atan2(dy, dx))
        if angle > 90:
            angle -= 180
        elif angle < -90:
            angle += 180
        normal = (-math.sin(math.radians(angle)), math.cos(math.radians(angle)))
        for side, va in _BANKS:
            candidates.append(
                (
                    (float(at[0]), float(at[1])),
                    (normal[0] * offset * side, normal[1] * offset * side),
                    "center",
                    va,
                    angle,
                )
            )
    return candidates


def _label_size(kind: str) -> float:
    """Return a label's font size in points on the reference page."""
    if kind == "river":
        return 11.0
    if kind.endswith("bridge"):
        return 10.0
    return 9.0


def _label_colour(style: Style) -> str:
    """Return a label's colour: a line's own colour darkened, or ink beside a marker."""
    if style.marker is not None:
        return _page.INK
    red, green, blue = to_rgb(style.color)
    return to_hex((red * 0.72, green * 0.72, blue * 0.72))
