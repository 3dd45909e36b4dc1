"""The static map's layers: the base beneath, the features, the areas' names and the tiles.

Each feature is drawn as :mod:`bordermap.styles` says (CSS pixels become points);
the base of :mod:`bordermap.base` (sea, countries, boundaries) goes beneath, and
each country and the sea is named where its visible part has the most room. With
``basemap=True`` OpenStreetMap tiles replace the base: the only network access.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Polygon
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from numpy.typing import NDArray

from bordermap import _html, _labels, _page
from bordermap._layout import feature_coords
from bordermap._types import Feature, FeatureCollection, Layers
from bordermap.base import (
    COUNTRY_NAME_COLOUR,
    SEA_NAME_COLOUR,
    SEA_STYLE,
    base_name,
    base_style,
    features_of_kind,
)
from bordermap.styles import UNCERTAINTY_STYLE, Style, style_for


def _dashes(style: Style, scale: float) -> tuple[float, tuple[float, ...]] | str:
    if style.dash is None:
        return "solid"
    return (0.0, tuple(_page.px(value, scale) for value in style.dash))


def _feature_artists(style: Style, xy: NDArray[np.float64], scale: float) -> list[Artist]:
    """Return the artists of one feature: casing beneath a line, the line or the marker."""
    artists: list[Artist] = []
    if style.marker is not None:
        point = Line2D([xy[0, 0]], [xy[0, 1]], linestyle="none", **marker_kwargs(style, scale))
        artists.append(point)
        return artists
    casing = _html.casing_style(style)
    if casing is not None:
        line = Line2D(
            xy[:, 0],
            xy[:, 1],
            color=to_rgba(casing["color"], casing["opacity"]),
            linewidth=_page.px(casing["weight"], scale),
            solid_capstyle="round",
            solid_joinstyle="round",
            gid="casing",
        )
        artists.append(line)
    artists.append(Line2D(xy[:, 0], xy[:, 1], **line_kwargs(style, scale)))
    return artists


def line_kwargs(style: Style, scale: float) -> dict[str, Any]:
    # As the web map: dashed lines end square (butt), solid ones round.
    cap = "butt" if style.dash else "round"
    return {
        "color": to_rgba(style.color, style.opacity),
        "linewidth": _page.px(style.weight, scale),
        "linestyle": _dashes(style, scale),
        "solid_capstyle": cap,
        "dash_capstyle": cap,
        "solid_joinstyle": "round",
        "dash_joinstyle": "round",
    }


def marker_kwargs(style: Style, scale: float) -> dict[str, Any]:
    return {
        "marker": "s" if style.marker == "square" else "o",
        "markersize": _page.px(2 * style.radius, scale),
        "markerfacecolor": to_rgba(style.fill or style.color, style.fill_opacity),
        "markeredgecolor": to_rgba(style.color, style.opacity),
        "markeredgewidth": _page.px(style.weight, scale),
    }


def area_kwargs(style: Style, scale: float) -> dict[str, Any]:
    return {
        "facecolor": to_rgba(style.fill or style.color, style.fill_opacity),
        "edgecolor": to_rgba(style.color, style.opacity),
        "linewidth": _page.px(style.weight, scale),
        "linestyle": _dashes(style, scale),
    }


def draw_layers(
    ax: Axes, layers: Layers, areas: Sequence[tuple[str, NDArray[np.float64]]], scale: float
) -> _labels.Obstacles:
    """Draw the uncertainty areas, then each layer bottom first; return what labels avoid."""
    obstacles = _labels.Obstacles()
    area_group = _page.Group("layer-uncertainty", zorder=1.5)
    for area_id, ring in areas:
        patch = Polygon(ring, closed=True, **area_kwargs(UNCERTAINTY_STYLE, scale))
        patch.set_gid(f"feature-{area_id}")
        area_group.add(patch, ax)
    if area_group.children:
        ax.add_artist(area_group)
    for index, (name, layer) in enumerate(layers.items()):
        group = _page.Group(f"layer-{name}", zorder=2.0 + index / 100)
        for feature in layer.get("features", []):
            coords = feature_coords(feature)
            if not coords:
                continue
            properties = feature.get("properties") or {}
            style = style_for(str(properties.get("kind")), properties.get("status"))
            xy = _page.project(coords)
            for artist in _feature_artists(style, xy, scale):
                role = artist.get_gid()
                artist.set_gid(f"feature-{feature.get('id')}" + (f"-{role}" if role else ""))
                group.add(artist, ax)
            obstacles.add_feature(style, xy, scale)
        ax.add_artist(group)
    return obstacles


def _rings(geometry: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    """Return a Polygon's or MultiPolygon's polygons, each a list of rings."""
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def area_path(geometry: Mapping[str, Any]) -> MplPath:
    """Return a (Multi)Polygon as a projected path: outer rings anticlockwise, holes clockwise."""
    vertices: list[NDArray[np.float64]] = []
    codes: list[np.uint8] = []
    for polygon in _rings(geometry):
        for index, ring in enumerate(polygon):
            xy = _page.project([(c[0], c[1]) for c in ring])
            x, y = xy[:, 0], xy[:, 1]
            anticlockwise = float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) > 0
            if anticlockwise != (index == 0):  # holes wind the other way: they stay empty
                xy = xy[::-1]
            vertices.append(xy)
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
    if not vertices:
        return MplPath(np.empty((0, 2)))
    return MplPath(np.vstack(vertices), np.asarray(codes, dtype=np.uint8))


def _line_parts(geometry: Mapping[str, Any]) -> list[NDArray[np.float64]]:
    """Return a LineString's or MultiLineString's parts, projected."""
    if geometry.get("type") == "LineString":
        parts = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiLineString":
        parts = list(geometry["coordinates"])
    else:
        parts = []
    return [_page.project([(c[0], c[1]) for c in part]) for part in parts]


def draw_base(ax: Axes, local: FeatureCollection, scale: float) -> None:
    """Draw the sea, the countries and the boundaries no layer draws beneath everything else."""
    group = _page.Group("base", zorder=0.3)
    for feature in features_of_kind(local, "sea", "country"):
        style = base_style(feature)
        sea = style is SEA_STYLE
        patch = PathPatch(
            area_path(feature["geometry"]),
            facecolor=style.fill or style.color,
            # The sea's outline is the coast; the countries meet along the boundaries.
            edgecolor=style.color if sea else "none",
            linewidth=_page.px(style.weight, scale) if sea else 0.0,
            joinstyle="round",
            gid=f"base-{feature.get('id')}",
        )
        group.add(patch, ax)
    for feature in features_of_kind(local, "boundary"):
        style = base_style(feature)
        for index, xy in enumerate(_line_parts(feature["geometry"])):
            line = Line2D(xy[:, 0], xy[:, 1], **line_kwargs(style, scale))
            line.set_gid(f"base-{feature.get('id')}-{index}")
            group.add(line, ax)
    ax.add_artist(group)


def area_text(feature: Feature, language: str) -> str:
    """Country names in capitals (as maps write them), the sea's as it is."""
    name = base_name(feature, language)
    kind = (feature.get("properties") or {}).get("kind")
    return name.upper() if kind == "country" else name


def name_areas(
    sheet: _page.Sheet,
    local: FeatureCollection,
    obstacles: _labels.Obstacles,
    taken: Sequence[Bbox],
) -> dict[str, Text]:
    """Name each country, and the sea, where its visible part has the most room.

    The name goes where it lies wholly inside the area's visible part, covers no drawn
    feature, label, scale bar, north arrow or inset, and is farthest from all of them
    and from the area's edges; an area with no such place is not named.
    """
    from shapely import transform as shapely_transform
    from shapely.geometry import Point, box, shape

    ax, renderer, language, scale = sheet.axes, sheet.renderer, sheet.language, sheet.scale

    group = _page.Group("base-names", zorder=1.2)  # beneath the layers and their labels
    ax.add_artist(group)
    blockers = obstacles.in_display(ax, renderer)
    inside = ax.get_window_extent(renderer).padded(-_page.pixels(renderer, 6 * scale))
    view = box(inside.x0, inside.y0, inside.x1, inside.y1)
    boxes = [box(b.x0, b.y0, b.x1, b.y1) for b in taken]
    xs = np.linspace(inside.x0, inside.x1, 33)[1:-1]
    ys = np.linspace(inside.y0, inside.y1, 23)[1:-1]
    grid = np.array([(x, y) for y in ys for x in xs])
    named: dict[str, Text] = {}
    # The sea polygon is all the water in the region; its name is the sea_name feature's.
    sea_name = next(iter(features_of_kind(local, "sea_name")), None)
    areas = [(f, f) for f in features_of_kind(local, "country")]
    areas += [(f, sea_name or f) for f in features_of_kind(local, "sea")]
    for area, named_by in areas:
        drawn = shapely_transform(
            shape(area["geometry"]), lambda xy: ax.transData.transform(_page.project(list(xy)))
        )
        visible = drawn.intersection(view)
        if visible.is_empty:
            continue
        is_sea = (area.get("properties") or {}).get("kind") == "sea"
        text = Text(
            0,
            0,
            area_text(named_by, language),
            ha="center",
            va="center",
            fontsize=(11.0 if is_sea else 13.0) * scale,
            fontweight="normal" if is_sea else "bold",
            fontstyle="italic" if is_sea else "normal",
            color=SEA_NAME_COLOUR if is_sea else COUNTRY_NAME_COLOUR,
            gid=f"name-{area.get('id')}",
        )
        text.set_figure(ax.figure)
        extent = text.get_window_extent(renderer).padded(_page.pixels(renderer, 3 * scale))
        half_w, half_h = extent.width / 2, extent.height / 2
        best: tuple[float, float, float] | None = None
        for x, y in grid:
            rect = box(x - half_w, y - half_h, x + half_w, y + half_h)
            if not visible.contains(rect) or any(rect.intersects(b) for b in boxes):
                continue
            quad = np.array(rect.exterior.coords[:4])
            if len(blockers) and np.any(_labels.covered(quad, blockers[:, :2], blockers[:, 2])):
                continue
            room = visible.boundary.distance(Point(x, y))
            if len(blockers):
                room = min(room, float(np.hypot(*(blockers[:, :2] - (x, y)).T).min()))
            if best is None or room > best[0]:
                best = (room, float(x), float(y))
        if best is None:
            continue
        _, x, y = best
        at = ax.transData.inverted().transform((x, y))
        text.set_position((float(at[0]), float(at[1])))
        group.add(text, ax)
        boxes.append(box(x - half_w, y - half_h, x + half_w, y + half_h))
        named[str(area.get("id"))] = text
    return named


#: The xyzservices provider of the basemap tiles (``basemap=True``).
TILE_PROVIDER: str = "OpenStreetMap.Mapnik"


_EARTH_CIRCUMFERENCE_M = 2 * math.pi * 6378137.0


def _tile_cache_dir() -> Path:
    """Return where basemap tiles are cached: ``$XDG_CACHE_HOME/bordermap/tiles``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bordermap" / "tiles"


def add_basemap(ax: Axes, map_width_px: float) -> tuple[str, str | None]:
    """Draw the tiles beneath the layers; return their credit and why they failed, if so."""
    import html

    import contextily
    import xyzservices

    provider = xyzservices.providers.query_name(TILE_PROVIDER)
    credit = html.unescape(re.sub(r"<[^>]+>", "", str(provider.html_attribution)))
    try:
        cache_dir = _tile_cache_dir()
        cache_dir.mkdir(parents=True, exist_ok=True)
        contextily.set_cache_dir(str(cache_dir))
    except OSError:
        pass  # no cache then: contextily keeps tiles for this session only
    x0, x1 = ax.get_xlim()
    metres_per_px = (x1 - x0) / map_width_px
    # The zoom whose tiles are magnified at most 1.5 times on the page.
    zoom = math.ceil(math.log2(_EARTH_CIRCUMFERENCE_M / 256 / (1.5 * metres_per_px)))
    zoom = max(0, min(zoom, int(provider.get("max_zoom", 19))))
    try:
        contextily.add_basemap(
            ax,
            source=provider,
            zoom=zoom,
            attribution=False,
            reset_extent=True,
            interpolation="lanczos",
            zorder=0.5,
            timeout=(5, 20),
            # Tiles are Web Mercator; in another projection contextily warps them.
            crs=None if _page.EXPORT_CRS == "EPSG:3857" else _page.EXPORT_CRS,
        )
    # requests' errors are OSErrors; contextily raises ValueError on a bad tile.
    except (OSError, ValueError, RuntimeError) as error:
        for image in list(ax.images):
            image.remove()
        detail = f"{type(error).__name__}: {error}".splitlines()[0]
        return credit, detail if len(detail) <= 160 else detail[:157] + "..."
    for image in ax.images:
        image.set_gid("basemap")
    return credit, None
