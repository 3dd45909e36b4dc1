"""The static map's locator inset, drawn with matplotlib from :mod:`bordermap._inset`.

The inset goes in the corner of the map that it covers least of; what it shows
(countries, coast, names, cities, the box marking the map) is the same as the web
map's inset, from the one description in :mod:`bordermap._inset`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bordermap import _labels, _page
from bordermap._base_style import COUNTRY_NAME_COLOUR, EXTENT_STYLE, SEA_NAME_COLOUR, SEA_STYLE
from bordermap._export_layers import area_path, marker_kwargs
from bordermap._inset import InsetContent, InsetName, inset_content, marked_box
from bordermap._types import FeatureCollection

# The inset's width and its distance from the map's frame, on the reference page.
_INSET_WIDTH_IN = 2.2


_INSET_MARGIN_IN = 0.14


# The smallest the inset's box marking the map is drawn, points on the reference page:
# a map of a few kilometres would otherwise be a dot.
_INSET_MIN_BOX_PT = 7.0


def _inset_names(name: str) -> str:
    """Break a name of several words into lines of about eight characters."""
    return textwrap.fill(name, width=max(8, *(len(word) for word in name.split())))


def draw_inset(
    sheet: _page.Sheet,
    collection: FeatureCollection,
    view: tuple[float, float, float, float],
    obstacles: _labels.Obstacles,
    reserved: Sequence[Bbox],
) -> tuple[Axes, Bbox]:
    """Draw the locator inset in the corner it covers least of; return it and its extent.

    ``view`` is the main map's (west, east, south, north) in degrees.
    """
    content = inset_content(collection, sheet.language)
    west, south, east, north = content.extent
    (x0, y0), (x1, y1) = _page.project([(west, south), (east, north)])
    width = _page.pixels(sheet.renderer, _INSET_WIDTH_IN * 72 * sheet.scale)
    height = width * (y1 - y0) / (x1 - x0)
    left, bottom = _corner(sheet, (width, height), obstacles, reserved)
    inset_ax = _inset_axes(sheet, (left, bottom, width, height), (x0, y0, x1, y1))
    _draw_areas(inset_ax, content, sheet.scale)
    names = _page.Group("inset-names", zorder=3)
    _draw_names(names, inset_ax, content, sheet.scale)
    # The box marking the main map, drawn at least _INSET_MIN_BOX_PT across.
    per_point = (x1 - x0) / (width / _page.pixels(sheet.renderer, 1.0))
    least = _INSET_MIN_BOX_PT * sheet.scale * per_point
    corner, opposite = _page.project([(view[0], view[2]), (view[1], view[3])])
    centre_x, centre_y, box_w, box_h = marked_box(
        (float(corner[0]), float(corner[1])), (float(opposite[0]), float(opposite[1])), least
    )
    names.add(
        Rectangle(
            (centre_x - box_w / 2, centre_y - box_h / 2),
            box_w,
            box_h,
            facecolor=to_rgba(EXTENT_STYLE.color, 0.15),
            edgecolor=EXTENT_STYLE.color,
            linewidth=_page.px(EXTENT_STYLE.weight, sheet.scale),
            gid="inset-extent",
        ),
        inset_ax,
    )
    inset_ax.add_artist(names)
    halo = _page.pixels(sheet.renderer, 2.5 * sheet.scale)
    extent = Bbox.from_bounds(left - halo, bottom - halo, width + 2 * halo, height + 2 * halo)
    return inset_ax, extent


def _corner(
    sheet: _page.Sheet,
    size: tuple[float, float],
    obstacles: _labels.Obstacles,
    reserved: Sequence[Bbox],
) -> tuple[float, float]:
    """Return the bottom-left of the corner of the map the inset covers least of, in pixels."""
    width, height = size
    frame_box = sheet.axes.get_window_extent(sheet.renderer)
    margin = _page.pixels(sheet.renderer, _INSET_MARGIN_IN * 72 * sheet.scale)
    corners = {
        "bottom-right": (frame_box.x1 - margin - width, frame_box.y0 + margin),
        "top-left": (frame_box.x0 + margin, frame_box.y1 - margin - height),
        "bottom-left": (frame_box.x0 + margin, frame_box.y0 + margin),
        "top-right": (frame_box.x1 - margin - width, frame_box.y1 - margin - height),
    }
    blockers = obstacles.in_display(sheet.axes, sheet.renderer)

    def cost(corner: tuple[float, float]) -> float:
        left, bottom = corner
        quad = np.array(
            [
                (left, bottom),
                (left + width, bottom),
                (left + width, bottom + height),
                (left, bottom + height),
            ]
        )
        covered = np.count_nonzero(_labels.covered(quad, blockers[:, :2], blockers[:, 2]))
        area = Bbox.from_bounds(left, bottom, width, height)
        return covered + 1e6 * sum(area.overlaps(other) for other in reserved)

    return min(corners.values(), key=cost)  # the first of equals: bottom right


def _inset_axes(
    sheet: _page.Sheet,
    where: tuple[float, float, float, float],
    limits: tuple[float, float, float, float],
) -> Axes:
    """Add the inset's axes, with a white margin around them.

    ``where`` is (left, bottom, width, height) in pixels; ``limits`` the (x0, y0, x1, y1)
    the axes show.
    """
    figure, scale = sheet.figure, sheet.scale
    left, bottom, width, height = where
    inset_ax = figure.add_axes(
        (
            left / figure.bbox.width,
            bottom / figure.bbox.height,
            width / figure.bbox.width,
            height / figure.bbox.height,
        ),
        gid="inset",
    )
    inset_ax.set_zorder(2)
    inset_ax.set_xlim(limits[0], limits[2])
    inset_ax.set_ylim(limits[1], limits[3])
    inset_ax.set_autoscale_on(False)
    inset_ax.set_xticks([])
    inset_ax.set_yticks([])
    inset_ax.set_facecolor(SEA_STYLE.fill or SEA_STYLE.color)
    for spine in inset_ax.spines.values():
        spine.set_edgecolor(_page.FRAME)
        spine.set_linewidth(0.8 * scale)
    # A white margin around the inset sets it off from the map beneath.
    halo = _page.pixels(sheet.renderer, 2.5 * scale)
    figure.add_artist(
        Rectangle(
            ((left - halo) / figure.bbox.width, (bottom - halo) / figure.bbox.height),
            (width + 2 * halo) / figure.bbox.width,
            (height + 2 * halo) / figure.bbox.height,
            transform=figure.transFigure,
            facecolor="white",
            edgecolor="none",
            zorder=1.5,
            gid="inset-halo",
        )
    )
    return inset_ax


def _draw_areas(inset_ax: Axes, content: InsetContent, scale: float) -> None:
    """Draw the inset's countries and its coast."""
    group = _page.Group("inset-base", zorder=1)
    for feature, style in content.countries:
        group.add(
            PathPatch(
                area_path(feature["geometry"]),
                facecolor=style.fill or style.color,
                edgecolor=style.color,
                linewidth=_page.px(style.weight, scale) * 0.6,
                joinstyle="round",
                gid=f"inset-{feature.get('id')}",
            ),
            inset_ax,
        )
    for feature in content.coasts:
        group.add(
            PathPatch(
                area_path(feature["geometry"]),
                facecolor="none",
                edgecolor=SEA_STYLE.color,
                linewidth=_page.px(SEA_STYLE.weight, scale) * 0.6,
                joinstyle="round",
                gid="inset-coast",
            ),
            inset_ax,
        )
    inset_ax.add_artist(group)


def _draw_names(names: _page.Group, inset_ax: Axes, content: InsetContent, scale: float) -> None:
    """Add the names of the countries and the sea, and the cities, to ``names``."""

    def name(written: InsetName, **font: Any) -> None:
        at = _page.project([written.at])[0]
        names.add(
            Text(
                at[0],
                at[1],
                _inset_names(written.text),
                ha="center",
                va="center",
                fontsize=6.5 * scale,
                linespacing=1.0,
                gid=f"inset-name-{written.feature.get('id')}",
                **font,
            ),
            inset_ax,
        )

    for written in content.country_names:
        name(written, fontweight="bold", color=COUNTRY_NAME_COLOUR)
    for written in content.sea_names:
        name(written, fontstyle="italic", color=SEA_NAME_COLOUR)
    halo_effect = _page.halo(2.2 * scale)
    for city, style in content.cities:
        at = _page.project([city.at])[0]
        names.add(
            Line2D([at[0]], [at[1]], linestyle="none", **marker_kwargs(style, scale)),
            inset_ax,
        )
        names.add(
            _page.HaloAnnotation(
                city.text,
                xy=(at[0], at[1]),
                xytext=(_page.px(style.radius + 2.5, scale), 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=6 * scale,
                color=_page.INK,
                path_effects=halo_effect,
                gid=f"inset-name-{city.feature.get('id')}",
            ),
            inset_ax,
        )
