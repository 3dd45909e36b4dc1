"""The static map's page: its size and layout, units, ink colours, projection and SVG groups.

Shared by :mod:`bordermap.export` and the parts of the page it draws
(:mod:`bordermap._export_page` lays it out; :mod:`bordermap._export_layers`,
:mod:`bordermap._export_legend`, :mod:`bordermap._export_inset`,
:mod:`bordermap._labels` and :mod:`bordermap._furniture` draw on it): a style's CSS
pixels become points at :data:`PT_PER_PX`, scaled with the page; the map is drawn in
:data:`EXPORT_CRS` (Web Mercator, like the web map and its tiles).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from pyproj import Geod, Transformer

from bordermap import geometry, settings
from bordermap.geometry import Coordinate

#: The map's projection: Web Mercator, as the web map and tile servers use.
EXPORT_CRS: str = "EPSG:3857"

#: Points per CSS pixel: a style's widths and dashes are CSS pixels (1/96 inch).
PT_PER_PX = 0.75

# Ink: text and symbols, secondary text, frames and rules, and the halo around text.
INK = "#212529"
MUTED = "#555555"
FRAME = "#868e96"
HALO = "#ffffff"

# The layout is designed for a page this wide (the default 2400 px at 200 dpi, like a
# browser window 1152 CSS px wide) and scales with the page, so every width and dpi
# gives the same map, only sharper or larger.
REFERENCE_WIDTH_IN = 12.0
PAGE_ASPECT = 2.0 / 3.0  # height / width

# Page layout on the reference page, in inches from the bottom-left corner.
MARGIN_IN = 0.35
MAP_BOX_IN = (0.62, 1.12, 8.78, 6.9)  # left, bottom, right, top
PANEL_LEFT_IN = 9.0


class Page:
    """Sizes on the page: the reference layout, scaled to the page asked for."""

    def __init__(self, width: int, dpi: int) -> None:
        self.width_in = width / dpi
        self.height_in = round(width * PAGE_ASPECT) / dpi
        #: Multiplies every size in points designed for the reference page.
        self.scale = self.width_in / REFERENCE_WIDTH_IN

    def fraction(self, x_in: float, y_in: float) -> tuple[float, float]:
        """Return the figure fractions of a point given in inches on the reference page."""
        return x_in / REFERENCE_WIDTH_IN, y_in / (REFERENCE_WIDTH_IN * PAGE_ASPECT)


@dataclass(frozen=True)
class Sheet:
    """What each part of the page is drawn with: where, measured how, in which language."""

    figure: Figure
    page: Page
    #: The map's axes.
    axes: Axes
    #: Measures text as it will be drawn.
    renderer: RendererBase
    language: str

    @property
    def scale(self) -> float:
        """Multiplies every size in points designed for the reference page."""
        return self.page.scale


class Group(Artist):
    """Artists drawn together, as one ``<g id=...>`` group in an SVG."""

    def __init__(self, gid: str, zorder: float) -> None:
        super().__init__()
        self.set_gid(gid)
        self.set_zorder(zorder)
        self.children: list[Artist] = []

    def add(self, artist: Artist, axes: Axes) -> Artist:
        """Attach ``artist`` to ``axes`` (transform, clip) and to this group."""
        artist.axes = axes
        artist.set_figure(axes.figure)
        if not artist.is_transform_set():
            artist.set_transform(axes.transData)
        artist.set_clip_path(axes.patch)
        self.children.append(artist)
        return artist

    def draw(self, renderer: RendererBase) -> None:
        """Draw the children inside one group."""
        if not self.get_visible():
            return
        renderer.open_group("layer", gid=self.get_gid())
        for child in self.children:
            child.draw(renderer)
        renderer.close_group("layer")
        self.stale = False


def transformer() -> Transformer:
    return geometry.transformer("EPSG:4326", EXPORT_CRS)


def inverse() -> Transformer:
    return geometry.transformer(EXPORT_CRS, "EPSG:4326")


def geod() -> Geod:
    return geometry.geod(settings.ellipsoid)


def project(coords: Sequence[Coordinate]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Project ``(lon, lat)`` coordinates to the map's ``(x, y)``."""
    xs, ys = transformer().transform([c[0] for c in coords], [c[1] for c in coords])
    return np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])


def px(value: float, scale: float) -> float:
    """Return CSS pixels of a style as points on the page."""
    return value * PT_PER_PX * scale


def pixels(renderer: RendererBase, points: float) -> float:
    """Return ``points`` as pixels at the renderer's resolution."""
    return float(np.asarray(renderer.points_to_pixels(points)))


class _HaloShape(patheffects.Stroke):
    """A text's halo alone: its outline widened and filled in the halo's colour."""

    def __init__(self, linewidth: float) -> None:
        super().__init__(linewidth=linewidth, foreground=HALO)

    def draw_path(
        self, renderer: RendererBase, gc: Any, tpath: Any, affine: Any, rgbFace: Any = None
    ) -> None:
        super().draw_path(renderer, gc, tpath, affine, to_rgba(HALO))


def halo(linewidth: float) -> list[patheffects.AbstractPathEffect]:
    """Return the path effects of a haloed text (:class:`HaloText`, :class:`HaloAnnotation`)."""
    return [_HaloShape(linewidth)]


class _Haloed:
    """Draws its path effects (the halo, a shape), then itself as text, not as a path.

    Text drawn through path effects becomes outlines in SVG and PDF; drawn once more
    without them it stays text that a graphics desk can edit and a reader can search.
    """

    def draw(self, renderer: RendererBase) -> None:
        effects = self.get_path_effects()  # type: ignore[attr-defined]
        super().draw(renderer)  # type: ignore[misc]
        if effects:
            self.set_path_effects([])  # type: ignore[attr-defined]
            try:
                super().draw(renderer)  # type: ignore[misc]
            finally:
                self.set_path_effects(effects)  # type: ignore[attr-defined]


class HaloText(_Haloed, Text):
    """A :class:`~matplotlib.text.Text` whose halo is a shape and whose text stays text."""


class HaloAnnotation(_Haloed, Annotation):
    """An :class:`~matplotlib.text.Annotation` whose halo is a shape and text stays text."""
