"""The static map's furniture: latitude and longitude ticks, a scale bar, a north arrow.

The scale bar is measured geodesically on the WGS 84 ellipsoid at the bar's latitude;
the north arrow is computed from the projection, not assumed.
"""

from __future__ import annotations

import math
from typing import cast

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.colors import to_rgba
from matplotlib.patches import Polygon, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Affine2DBase, Bbox, ScaledTranslation

from bordermap import _page
from bordermap.geometry import distance_m
from bordermap.i18n import format_number, translate

# Candidate scale-bar lengths, metres.
_SCALE_LENGTHS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000)


# Candidate graticule steps, arc seconds.
_TICK_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 18000)


def graticule(
    ax: Axes, view: tuple[float, float, float, float], scale: float, language: str = "en"
) -> None:
    """Tick the map's frame at round minutes and seconds of longitude and latitude."""
    lon0, lon1, lat0, lat1 = view
    mid_lat = (lat0 + lat1) / 2
    mid_lon = (lon0 + lon1) / 2

    def ticks(low: float, high: float) -> list[float]:
        seconds = (high - low) * 3600
        step = next((s for s in _TICK_STEPS if seconds / s <= 5), _TICK_STEPS[-1])
        first = math.ceil(low * 3600 / step)
        return [n * step / 3600 for n in range(first, math.floor(high * 3600 / step) + 1)]

    lons = ticks(lon0, lon1)
    lats = ticks(lat0, lat1)
    xs = [float(x) for x, _ in _page.project([(lon, mid_lat) for lon in lons])]
    ys = [float(y) for _, y in _page.project([(mid_lon, lat) for lat in lats])]
    ax.set_xticks(xs, [_dms(lon, "E", "W", language) for lon in lons])
    ax.set_yticks(ys, [_dms(lat, "N", "S", language) for lat in lats])
    ax.tick_params(
        labelsize=7.5 * scale,
        length=4 * scale,
        width=0.8 * scale,
        color=_page.FRAME,
        labelcolor=_page.MUTED,
        pad=2 * scale,
    )
    for label in ax.get_yticklabels():
        label.set_rotation(90)
        label.set_verticalalignment("center")


def _dms(value: float, positive: str, negative: str, language: str = "en") -> str:
    """Write 130.6375 as 130°38′15″E (130°38′15″ в. д., 동경 130°38′15″)."""
    total = round(abs(value) * 3600)
    degrees, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{degrees}°{minutes:02d}′"
    if seconds:
        text += f"{seconds:02d}″"
    hemisphere = positive if value >= 0 else negative
    return translate("{angle}" + hemisphere, language, angle=text)


def scale_bar(ax: Axes, renderer: RendererBase, scale: float, language: str = "en") -> Bbox:
    """Draw a geodesic scale bar in the lower-left corner; return its extent on the page."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    start_x, start_y = x0 + (x1 - x0) * 0.035, y0 + (y1 - y0) * 0.045
    lon, lat = _page.inverse().transform(start_x, start_y)
    # Map units per metre along the parallel, measured on the ellipsoid.
    east_lon, _ = _page.inverse().transform(x1, start_y)
    across_m = distance_m((lon, lat), (east_lon, lat))
    length = max(
        (m for m in _SCALE_LENGTHS if m <= 0.25 * across_m * (x1 - x0) / (x1 - start_x)),
        default=_SCALE_LENGTHS[0],
    )
    end_lon, end_lat, _ = _page.geod().fwd(lon, lat, 90.0, length)
    end_x = float(_page.project([(end_lon, end_lat)])[0, 0])
    group = _page.Group("scale-bar", zorder=6)
    height = (y1 - y0) * 0.009
    parts = 4
    step = (end_x - start_x) / parts
    for index in range(parts):
        segment = Rectangle(
            (start_x + index * step, start_y),
            step,
            height,
            facecolor=_page.INK if index % 2 == 0 else "white",
            edgecolor=_page.INK,
            linewidth=0.8 * scale,
        )
        group.add(segment, ax)
    texts = []
    for value, x in ((0, start_x), (length / 2, (start_x + end_x) / 2), (length, end_x)):
        text = Text(
            x,
            start_y + height * 1.9,
            _distance_text(value, length, value == length, language),
            ha="center",
            va="bottom",
            fontsize=8 * scale,
            color=_page.INK,
        )
        group.add(text, ax)
        texts.append(text)
    extents = [text.get_window_extent(renderer) for text in texts]
    extents.append(Bbox(ax.transData.transform([(start_x, start_y), (end_x, start_y + height)])))
    extent = Bbox.union(extents).padded(_page.pixels(renderer, 5 * scale))
    (left, bottom), (right, top) = ax.transData.inverted().transform([extent.p0, extent.p1])
    backdrop = Rectangle(
        (float(left), float(bottom)),
        float(right - left),
        float(top - bottom),
        facecolor=to_rgba("white", 0.85),
        edgecolor="none",
    )
    group.add(backdrop, ax)
    group.children.insert(0, group.children.pop())  # beneath the bar
    ax.add_artist(group)
    return extent


def _distance_text(metres: float, full: float, with_unit: bool, language: str = "en") -> str:
    """Write a scale-bar tick: metres below 1 km, else kilometres; the unit on the last."""
    value, unit = (metres / 1000, "km") if full >= 1000 else (metres, "m")
    text = format_number(f"{value:g}", language)
    return f"{text} {translate(unit, language)}" if with_unit else text


def north_arrow(ax: Axes, renderer: RendererBase, scale: float, language: str = "en") -> Bbox:
    """Draw an arrow to true north in the upper-right corner; return its extent."""
    anchor = (0.955, 0.865)  # axes fraction
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x0 + (x1 - x0) * anchor[0]
    y = y0 + (y1 - y0) * anchor[1]
    lon, lat = _page.inverse().transform(x, y)
    north = _page.project([(lon, lat), (lon, lat + 0.001)])
    # Angle of the meridian from the page's vertical, clockwise (0 in Web Mercator).
    angle = math.atan2(north[1, 0] - north[0, 0], north[1, 1] - north[0, 1])
    figure = ax.figure
    transform = (
        Affine2D().rotate(-angle).scale(scale / 72.0)
        + figure.dpi_scale_trans
        + ScaledTranslation(anchor[0], anchor[1], cast(Affine2DBase, ax.transAxes))
    )
    group = _page.Group("north-arrow", zorder=6)
    halves = (
        ([(0, 20), (-8, -12), (0, -6)], _page.INK),
        ([(0, 20), (0, -6), (8, -12)], "white"),
    )
    for points, colour in halves:
        shape = Polygon(
            points,
            closed=True,
            facecolor=colour,
            edgecolor=_page.INK,
            linewidth=0.9 * scale,
            joinstyle="round",
            transform=transform,
        )
        group.add(shape, ax)
    letter_at = Affine2D().rotate(-angle).transform((0, 31))
    letter = _page.HaloText(
        letter_at[0],
        letter_at[1],
        translate("N", language),
        ha="center",
        va="center",
        fontsize=12 * scale,
        fontweight="bold",
        color=_page.INK,
        transform=transform,
        path_effects=_page.halo(3 * scale),
    )
    group.add(letter, ax)
    ax.add_artist(group)
    extents = [artist.get_window_extent(renderer) for artist in group.children]
    return Bbox.union(extents).padded(_page.pixels(renderer, 4 * scale))
