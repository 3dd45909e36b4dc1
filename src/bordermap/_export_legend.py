"""The text around the static map: legend, notes, sources and credits.

The legend is made from the styles of what is drawn (:func:`draw_legend`); beneath
it, notes on the unfinished and approximate features; at the foot of the page, the
sources (as many publishers as two lines hold), the credits and the projection.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.colors import to_rgba
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
from pyproj import CRS

from bordermap import _html, _page
from bordermap._export_layers import area_kwargs, line_kwargs, marker_kwargs
from bordermap._types import Feature
from bordermap.i18n import sentence, translate
from bordermap.styles import Style

#: Measures text in points, as the page draws it.
_TEXT_TO_PATH = TextToPath()


def draw_legend(sheet: _page.Sheet, entries: Sequence[Style]) -> Legend:
    """Add the legend beside the map, its top level with the map's."""
    figure, page, language = sheet.figure, sheet.page, sheet.language
    position = sheet.axes.get_position()
    panel_left = page.fraction(_page.PANEL_LEFT_IN, 0)[0]
    panel_right = 1 - page.fraction(_page.MARGIN_IN, 0)[0]
    handles: list[Any] = [_legend_handle(style, page.scale) for style in entries]
    size = 9 * page.scale
    # The text's room: the panel less the frame's padding, the swatch and a margin.
    room = (panel_right - panel_left) * page.width_in * 72 - (2 * 1.0 + 3.4 + 0.9 + 0.5) * size
    legend = figure.legend(
        handles,
        [_fill_to_fit(translate(style.label, language), room, size) for style in entries],
        loc="upper left",
        bbox_to_anchor=(panel_left, position.y0, panel_right - panel_left, position.height),
        bbox_transform=figure.transFigure,
        mode="expand",
        borderaxespad=0,
        title=translate("Legend", language),
        alignment="left",
        fontsize=size,
        title_fontproperties={"weight": "bold", "size": 10.5 * page.scale},
        handlelength=3.4,
        handleheight=1.4,
        handletextpad=0.9,
        labelspacing=0.9,
        borderpad=1.0,
        frameon=True,
        fancybox=False,
        edgecolor=_page.FRAME,
        facecolor="white",
        framealpha=1.0,
        handler_map={tuple: HandlerTuple(ndivide=1)},
    )
    legend.get_frame().set_linewidth(0.8 * page.scale)
    legend.set_gid("legend")
    return legend


def _fill_to_fit(text: str, width_pt: float, size_pt: float) -> str:
    """Wrap ``text`` at 30 characters, or fewer until every line is narrower than ``width_pt``.

    Cyrillic and Hangul are wider than Latin letters: 30 of them overflow the legend.
    """
    # Drawn inside the export's rc_context: its font families are the page's.
    font = font_manager.FontProperties(family=matplotlib.rcParams["font.family"], size=size_pt)
    wrapped = text
    for columns in range(30, 9, -1):
        wrapped = textwrap.fill(text, columns)
        widths = (
            _TEXT_TO_PATH.get_text_width_height_descent(line, font, ismath=False)[0]
            for line in wrapped.splitlines()
        )
        if all(width <= width_pt for width in widths):
            break
    return wrapped


def _legend_handle(style: Style, scale: float) -> Artist | tuple[Artist, ...]:
    """Return a legend handle drawn as the style draws on the map, a casing outlined."""
    if style.marker is not None:
        return Line2D([], [], linestyle="none", **marker_kwargs(style, scale))
    if style.fill is not None and style.fill_opacity < 1:
        return Patch(**area_kwargs(style, scale))
    line = Line2D([], [], **line_kwargs(style, scale))
    casing = _html.casing_style(style)
    if casing is None:
        return line
    beneath = Line2D(
        [],
        [],
        color=to_rgba(casing["color"], casing["opacity"]),
        linewidth=_page.px(casing["weight"], scale),
        solid_capstyle="butt",
    )
    # A casing shows the line on any basemap; on the white legend, outline it instead.
    outline = Line2D(
        [],
        [],
        color=_page.FRAME,
        linewidth=_page.px(casing["weight"], scale) + 0.8 * scale,
        solid_capstyle="butt",
    )
    return (outline, beneath, line)


def draw_footer(
    sheet: _page.Sheet,
    publishers: Sequence[str],
    credits: Sequence[str],
    base_credits: str = "",
) -> None:
    """Add the sources (in two lines at most), the credits and the projection at the bottom."""
    figure, page, renderer, language = sheet.figure, sheet.page, sheet.renderer, sheet.language
    x, y = page.fraction(_page.MARGIN_IN, _page.MARGIN_IN)
    size = 7.5 * page.scale
    attribution = figure.text(
        x,
        y,
        "; ".join(credits) + "." if credits else "",
        ha="left",
        va="bottom",
        fontsize=size,
        color=_page.MUTED,
        gid="attribution",
    )
    if base_credits:
        # On the same line, after the layers' credits.
        end = attribution.get_window_extent(renderer).x1 if credits else x * figure.bbox.width
        gap = _page.pixels(renderer, 4 * page.scale) if credits else 0.0
        figure.text(
            (end + gap) / figure.bbox.width,
            y,
            base_credits + ".",
            ha="left",
            va="bottom",
            fontsize=size,
            color=_page.MUTED,
            gid="base-attribution",
        )
    crs_name = CRS.from_user_input(_page.EXPORT_CRS).name
    figure.text(
        1 - x,
        y,
        translate("Projection: {name}", language, name=f"{crs_name} ({_page.EXPORT_CRS})"),
        ha="right",
        va="bottom",
        fontsize=size,
        color=_page.MUTED,
        gid="projection",
    )
    line_height = size * 1.35 / 72 / page.height_in
    text = figure.text(
        x,
        y + line_height,
        "",
        ha="left",
        va="bottom",
        fontsize=size,
        color=_page.MUTED,
        linespacing=1.35,
        gid="sources",
    )
    room = figure.bbox.width * (1 - 2 * x)
    # A printed map cannot be clicked: name as many publishers as two lines hold.
    for named in range(len(publishers), -1, -1):
        most = 2 if named else None  # the last try is set in full, however long
        if _wrap(text, sources_line(publishers, named, language), room, renderer, most) <= 2:
            break


def _wrap(
    text: Text, words: str, room: float, renderer: RendererBase, most: int | None = None
) -> int:
    """Set ``words`` on ``text`` broken into lines ``room`` pixels wide; return the lines.

    Each line takes as many words as fit (one at least). A line only widens as words join
    it, so the words that fit are found by galloping then bisecting: a few measurements
    a line, none much longer than the line, not one a word. With ``most``, wrapping
    stops at line ``most + 1`` and the text is left unset: the caller only needs to know
    that the words do not fit.
    """
    parts = words.split(" ")
    lines: list[str] = []
    start = 0
    while start < len(parts):
        if most is not None and len(lines) == most:
            return most + 1
        fits, over = start + 1, len(parts) + 1  # parts[start:fits] fit; [start:over] not
        step = 1
        while over - fits > 1:
            # Gallop, then bisect: never measure much more than a line's words.
            middle = min(fits + step, (fits + over) // 2) if step else (fits + over) // 2
            text.set_text(" ".join(parts[start:middle]))
            if text.get_window_extent(renderer).width <= room:
                fits, step = middle, 2 * step if step else 0
            else:
                over, step = middle, 0
        lines.append(" ".join(parts[start:fits]))
        start = fits
    text.set_text("\n".join(lines))
    return len(lines)


def draw_notes(sheet: _page.Sheet, legend: Legend, notes: Sequence[tuple[str, str]]) -> None:
    """Write notes on the unfinished and approximate features beneath the legend."""
    figure, page, renderer = sheet.figure, sheet.page, sheet.renderer
    # The legend takes the panel's width only when drawn: measure the panel instead.
    pad = _page.pixels(renderer, 9 * page.scale)
    x = figure.bbox.width * page.fraction(_page.PANEL_LEFT_IN, 0)[0] + pad
    room = figure.bbox.width * (1 - page.fraction(_page.MARGIN_IN, 0)[0]) - x - pad
    y = legend.get_window_extent(renderer).y0 - 1.6 * pad
    bottom = figure.bbox.height * page.fraction(0, _page.MAP_BOX_IN[1])[1]
    for index, (name, detail) in enumerate(notes):
        for words, weight in ((name, "bold"), (detail, "normal")):
            text = figure.text(
                x / figure.bbox.width,
                y / figure.bbox.height,
                "",
                ha="left",
                va="top",
                fontsize=8.5 * page.scale,
                fontweight=weight,
                color=_page.INK if weight == "bold" else _page.MUTED,
                linespacing=1.3,
                gid=f"note-{index}-{weight}",
            )
            _wrap(text, words, room, renderer)
            y -= text.get_window_extent(renderer).height + 0.25 * pad
            if y < bottom:
                text.remove()  # no room left beside the map
                return
        y -= 0.6 * pad


def note_texts(
    features: Sequence[tuple[str, Feature]], language: str = "en"
) -> list[tuple[str, str]]:
    """Return (name, detail) for each unfinished or approximate feature, from its properties."""
    notes = []
    for _, feature in features:
        properties = feature.get("properties") or {}
        status = properties.get("status")
        approximate = properties.get("approximate")
        if status in (None, "existing") and not approximate:
            continue
        details = []
        if status not in (None, "existing"):
            since = next(
                (
                    event.get("date")
                    for event in reversed(properties.get("events") or [])
                    if isinstance(event, Mapping) and event.get("status") == status
                ),
                None,
            )
            word = translate(str(status), language)
            word = word[:1].upper() + word[1:]
            details.append(
                sentence(
                    translate(
                        "{status} since {date}",
                        language,
                        status=word,
                        date=_html.format_date(str(since), language),
                    )
                    if since
                    else word,
                    language,
                )
            )
        if isinstance(properties.get("length_m"), int | float):
            # A no-break space: "m" never wraps onto a line of its own.
            length = _html.format_metres(float(properties["length_m"]), language).replace(
                " ", "\u00a0"
            )
            details.append(
                sentence(translate("Drawn {length} long", language, length=length), language)
            )
        if approximate and isinstance(properties.get("accuracy_m"), int | float):
            away = _html.format_metres(float(properties["accuracy_m"]), language).replace(
                " ", "\u00a0"
            )
            details.append(
                sentence(
                    translate(
                        "Position approximate, within about {distance}", language, distance=away
                    ),
                    language,
                )
            )
        name = str(
            properties.get(f"name_{language}") or properties.get("name_en") or feature.get("id")
        )
        notes.append((cut(name), " ".join(details)))
    return notes


#: The longest text drawn on a printed map, in characters: a longer name is a mistake
#: and is cut, so that drawing takes time in proportion to what fits on the page.
MAX_DRAWN_CHARS = 120


def cut(text: str, limit: int = MAX_DRAWN_CHARS) -> str:
    """Return ``text`` cut to ``limit`` characters (an ellipsis marking the cut)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sources_line(publishers: Sequence[str], named: int | None = None, language: str = "en") -> str:
    """Return "Sources: A, B and N more." naming the first ``named`` publishers."""
    if not publishers:
        return ""
    named = len(publishers) if named is None else named
    line = f"{translate('Sources', language)}: " + ", ".join(publishers[:named])
    rest = len(publishers) - named
    if rest:
        line += " " + translate("and {n} more", language, n=rest)
    return line + translate(
        "; each feature's sources are listed in its GeoJSON properties.", language
    )
