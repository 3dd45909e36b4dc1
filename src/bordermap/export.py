"""Static, print-quality maps: the layers drawn with matplotlib in the web map's styles.

:func:`export_image` draws the same GeoJSON layers as the web map, with the same
:mod:`bordermap.styles` (a style's CSS pixels become points at 0.75 pt/px), into a
PNG, SVG or PDF: title and "as of" date, labels that avoid each other and the
features, the area where each approximate feature may lie, a legend made from the
styles of what is drawn, a geodesic scale bar, a north arrow, latitude and longitude
ticks, and the sources and attribution lines.

Beneath the layers it draws the base of :mod:`bordermap.base` (land, sea and the
three countries in distinct fills, named where they have room) and, in the corner
of the map that covers the least, a locator inset: north-east Asia with the three
countries, the Sea of Japan, Vladivostok, Pyongyang and a box marking the map.

The map is drawn in Web Mercator (EPSG:3857), like the web map and its tiles, so
basemap tiles are used without resampling and the meridians are vertical (the north
arrow is still computed from the projection, not assumed). The scale bar is measured
geodesically on the WGS 84 ellipsoid at the bar's latitude.

Nothing is fetched from the network unless ``basemap=True``; then tiles come from
OpenStreetMap through contextily, cached on disk, and drawn instead of the base; a
map with the base is written, with a :class:`BasemapUnavailableWarning`, when they
cannot be fetched. The same layers and options give the same bytes.

The page's parts live beside it: :mod:`bordermap._labels` places the labels,
:mod:`bordermap._furniture` draws the ticks, scale bar and north arrow, and
:mod:`bordermap._page` holds the units, inks and projection they share.
"""

from __future__ import annotations

import io
import math
import os
import re
import textwrap
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Annotation, Text
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Bbox
from pyproj import CRS

from bordermap import _furniture, _html, _labels, _page, settings
from bordermap._io import write_atomic
from bordermap._layout import (
    feature_coords,
    frame,
    label_anchors,
    uncertainty_collection,
)
from bordermap._page import EXPORT_CRS
from bordermap.base import (
    COUNTRY_NAME_COLOUR,
    EXTENT_STYLE,
    SEA_NAME_COLOUR,
    SEA_STYLE,
    Base,
    base_credit,
    base_name,
    base_style,
    resolve_base,
)
from bordermap.errors import BasemapUnavailableWarning, BaseUnavailableWarning, ExportError
from bordermap.i18n import sentence, translate
from bordermap.layers import Layers, read_layers
from bordermap.styles import UNCERTAINTY_STYLE, Style, style_for

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "EXPORT_CRS",
    "FONT_FAMILIES",
    "FORMATS",
    "BaseUnavailableWarning",
    "BasemapUnavailableWarning",
    "ExportError",
    "export_image",
    "render_images",
]

#: Image formats :func:`export_image` writes.
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")

#: Font families, in order of preference; each glyph comes from the first that has it.
#: Noto Sans CJK covers Hangul and Cyrillic; DejaVu Sans ships with matplotlib.
FONT_FAMILIES: tuple[str, ...] = ("Noto Sans CJK KR", "Noto Sans CJK JP", "DejaVu Sans")

#: The xyzservices provider of the basemap tiles (``basemap=True``).
TILE_PROVIDER: str = "OpenStreetMap.Mapnik"


#: Measures text in points, as the page draws it.
_TEXT_TO_PATH = TextToPath()

# The layout is designed for a page this wide (the default 2400 px at 200 dpi, like a
# browser window 1152 CSS px wide) and scales with the page, so every width and dpi
# gives the same map, only sharper or larger.
_REFERENCE_WIDTH_IN = 12.0
_PAGE_ASPECT = 2.0 / 3.0  # height / width

# Page layout on the reference page, in inches from the bottom-left corner.
_MARGIN_IN = 0.35
_MAP_BOX_IN = (0.62, 1.12, 8.78, 6.9)  # left, bottom, right, top
_PANEL_LEFT_IN = 9.0

_LAND = "#f2efe9"  # the plain background: OpenStreetMap's land colour


_EARTH_CIRCUMFERENCE_M = 2 * math.pi * 6378137.0


def export_image(
    layers: Layers | str | Path,
    path: str | Path,
    *,
    format: str | None = None,
    width: int = 2400,
    dpi: int = 200,
    bbox: tuple[float, float, float, float] | None = None,
    basemap: bool = False,
    language: str = "en",
    base: Base | str | Path | Literal[False] | None = None,
    inset: bool = True,
    hidden: Sequence[str] | None = None,
) -> Path:
    """Draw the layers as a static, annotated map and write it as PNG, SVG or PDF.

    Parameters
    ----------
    layers : dict or path
        Layer name to GeoJSON FeatureCollection (from :func:`bordermap.build_layers`
        or :func:`bordermap.read_layers`), or a geodata directory to read them from.
    path : str or pathlib.Path
        The file to write (through a temporary file renamed into place).
    format : {"png", "svg", "pdf"}, optional
        The image format; defaults to ``path``'s suffix.
    width : int, default 2400
        Width in pixels. The page is ``width / dpi`` inches wide and two thirds as
        tall; the map looks the same at every size, only sharper or larger.
    dpi : int, default 200
        Resolution in dots per inch (recorded in the PNG; sets the PDF/SVG page size).
    bbox : (west, south, east, north), optional
        The area to show, in degrees; it is widened or heightened to the map's
        proportions, never cropped. Defaults to the bridges with a margin, like the
        web map's first view.
    basemap : bool, default False
        Draw OpenStreetMap tiles beneath the layers instead of the base (needs the
        network; tiles are cached under ``~/.cache/bordermap/tiles``). Without it
        nothing is fetched.
    language : str, default "en"
        Language of the feature labels and of the names of countries, sea and
        cities, title, legend and notes: ``"en"``, ``"ko"`` or ``"ru"`` (any language
        the layers have ``name_<language>`` for); interface words come from
        :mod:`bordermap.i18n`.
    base : dict, path or False, optional
        The base drawn beneath the layers (land, sea, the three countries) and in
        the inset: from :func:`bordermap.base.read_base`, or a geodata directory to
        read it from. By default it is read from the directory the layers come from
        (when ``layers`` is a path), else from ``geodata/`` in the working directory;
        when there is none there, a :class:`BaseUnavailableWarning` says so and the
        map is drawn on a plain background. ``False`` draws no base and no inset.
    inset : bool, default True
        Draw the locator inset (north-east Asia, a box marking the map) in a corner
        of the map, when the base has one.
    hidden : sequence of str, optional
        Layers to leave out; defaults to ``settings.hidden_layers`` (the context
        layer, which the web map also shows only on request). ``()`` draws all.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ExportError
        Listing every bad option, or the label characters no installed font can draw
        (e.g. Hangul without Noto Sans CJK).
    LayerError
        If ``layers`` is a directory whose layer files are missing or malformed, or
        the base's files are (see :func:`bordermap.base.read_base`).
    OutputError
        If the file cannot be written.

    Warns
    -----
    BasemapUnavailableWarning
        If ``basemap=True`` and the tiles could not be fetched; the image is written
        with the base instead.
    BaseUnavailableWarning
        If ``base`` was not given and no base was found where it was looked for.
    """
    path = Path(path)
    chosen = (format or path.suffix.lstrip(".")).lower()
    problems = []
    if chosen not in FORMATS:
        given = f"format {format!r}" if format else f"file suffix {path.suffix!r}"
        problems.append(
            f"{path}: cannot tell the image format from the {given}; "
            f"give one of {', '.join(FORMATS)}"
        )
    images = _render_images(
        layers,
        [chosen],
        problems,
        width=width,
        dpi=dpi,
        bbox=bbox,
        basemap=basemap,
        language=language,
        base=base,
        inset=inset,
        hidden=hidden,
    )
    write_atomic(path, images[chosen])
    return path


def render_images(
    layers: Layers | str | Path,
    formats: Sequence[str] = FORMATS,
    *,
    width: int = 2400,
    dpi: int = 200,
    bbox: tuple[float, float, float, float] | None = None,
    basemap: bool = False,
    language: str = "en",
    base: Base | str | Path | Literal[False] | None = None,
    inset: bool = True,
    hidden: Sequence[str] | None = None,
) -> dict[str, bytes]:
    """Draw the layers once and return the image in each format; nothing is written.

    Each format's bytes are what :func:`export_image` writes for it with the same
    options: write them together (``bordermap export`` does, so that a failed or
    interrupted run leaves every previous image as it was).

    Parameters
    ----------
    layers : dict or path
        As for :func:`export_image`.
    formats : sequence of {"png", "svg", "pdf"}, default all three
        The formats wanted.
    width, dpi, bbox, basemap, language, base, inset, hidden
        As for :func:`export_image`.

    Returns
    -------
    dict of str to bytes
        Format to the image's bytes, in the order asked.

    Raises
    ------
    ExportError
        Listing every bad option (an unknown format too), or the label characters no
        installed font can draw.
    LayerError
        If ``layers`` is a directory whose layer files are missing or malformed.

    Warns
    -----
    BasemapUnavailableWarning
        If ``basemap=True`` and the tiles could not be fetched; the images are drawn
        with the base instead.
    BaseUnavailableWarning
        If ``base`` was not given and no base was found where it was looked for.
    """
    chosen = [str(name).lower() for name in formats]
    problems = [
        f"format {name!r}: expected one of {', '.join(FORMATS)}"
        for name in chosen
        if name not in FORMATS
    ]
    if not chosen:
        problems.append(f"formats: expected at least one of {', '.join(FORMATS)}")
    return _render_images(
        layers,
        list(dict.fromkeys(chosen)),
        problems,
        width=width,
        dpi=dpi,
        bbox=bbox,
        basemap=basemap,
        language=language,
        base=base,
        inset=inset,
        hidden=hidden,
    )


def _render_images(
    layers: Layers | str | Path,
    formats: list[str],
    problems: list[str],
    *,
    width: int,
    dpi: int,
    bbox: tuple[float, float, float, float] | None,
    basemap: bool,
    language: str,
    base: Base | str | Path | Literal[False] | None,
    inset: bool,
    hidden: Sequence[str] | None,
) -> dict[str, bytes]:
    """Check the options (adding to ``problems``), draw once, render each format.

    Called by the public functions only: a warning names their caller's line.
    """
    _check_options(problems, width, dpi, bbox, language)
    geodata = None if isinstance(layers, dict) else Path(layers)
    if geodata is not None:
        layers = read_layers(geodata)
    assert isinstance(layers, dict)
    left_out = settings.hidden_layers if hidden is None else tuple(hidden)
    layers = {name: layer for name, layer in layers.items() if name not in left_out}
    drawn_base = resolve_base(base, geodata, stacklevel=4)  # the public function's caller
    with matplotlib.rc_context(_rc_params()):
        drawing = _draw(
            layers,
            width=width,
            dpi=dpi,
            bbox=bbox,
            basemap=basemap,
            language=language,
            base=drawn_base,
            inset=inset,
        )
        images = {name: _render(drawing, name, dpi) for name in formats}
    if drawing.basemap_problem is not None:
        warnings.warn(
            f"the basemap could not be fetched ({drawing.basemap_problem}); "
            "the map is drawn without a basemap",
            BasemapUnavailableWarning,
            stacklevel=3,
        )
    return images


# ---------------------------------------------------------------------------
# Options, fonts and output
# ---------------------------------------------------------------------------


#: The widest PNG drawn, in pixels (its height is two thirds of it): wider would need
#: gigabytes of memory.
MAX_WIDTH = 10_000


def _check_options(
    problems: list[str],
    width: int,
    dpi: int,
    bbox: tuple[float, float, float, float] | None,
    language: str,
) -> None:
    """Check every option; raise once listing every problem, those given first."""
    if isinstance(width, bool) or not isinstance(width, int) or not 100 <= width <= MAX_WIDTH:
        problems.append(
            f"width: expected a whole number of pixels from 100 to {MAX_WIDTH}, got {width!r}"
        )
    if isinstance(dpi, bool) or not isinstance(dpi, int | float) or not 10 <= dpi <= 2400:
        problems.append(f"dpi: expected a resolution from 10 to 2400, got {dpi!r}")
    if bbox is not None:
        try:
            west, south, east, north = (float(value) for value in bbox)
        except (TypeError, ValueError):
            problems.append(f"bbox: expected (west, south, east, north) in degrees, got {bbox!r}")
        else:
            if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
                problems.append(
                    "bbox: expected (west, south, east, north) in degrees with west < east "
                    f"and south < north, within ±180° and ±85°, got {bbox!r}"
                )
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}", language):
        problems.append(f"language: expected a language code such as 'en', got {language!r}")
    if problems:
        raise ExportError(problems)


def _font_families() -> list[str]:
    """Return the families of :data:`FONT_FAMILIES` that are installed (DejaVu Sans at least)."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    families = [family for family in FONT_FAMILIES if family in installed]
    return families or ["DejaVu Sans"]


def _rc_params() -> dict[RcKeyType, Any]:
    """Return the matplotlib settings every export is drawn and saved with."""
    return {
        "font.family": _font_families(),
        "lines.scale_dashes": False,  # dashes are absolute, as in SVG and Leaflet
        # Text stays text, in named fonts, for a graphics desk to edit.
        "svg.fonttype": "none",
        "svg.hashsalt": "bordermap",  # stable ids: the same map gives the same bytes
        # Noto Sans CJK has PostScript (CFF) outlines, which matplotlib's Type 42 (for
        # TrueType) would embed mislabelled, as poppler and Acrobat warn: Type 3 embeds
        # them as they are, with their Unicode text, searchable.
        "pdf.fonttype": 3,
        "path.simplify": False,
        "axes.unicode_minus": False,
        # Text from the data is text: "$x$" must not be read as mathematics.
        "text.parse_math": False,
    }


def _check_fonts(texts: Iterable[str], language: str) -> None:
    """Raise :class:`ExportError` if some character of ``texts`` is in no installed font."""
    charmaps = []
    for family in _font_families():
        try:
            font_path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        charmaps.append(set(font_manager.get_font(font_path).get_charmap()))
    problems: list[str] = []
    all_missing: set[str] = set()
    for text in dict.fromkeys(texts):
        missing = sorted(
            {
                char
                for char in text
                if unicodedata.category(char)[0] != "C"
                and not any(ord(char) in charmap for charmap in charmaps)
            }
        )
        all_missing.update(missing)
        if missing:
            problems.append(
                f"language {language!r}: no installed font has {''.join(missing)!r} "
                f"(in {text!r}); tried {', '.join(_font_families())}"
            )
    if any(_is_cjk(char) for char in all_missing):
        problems.append(
            "install Noto Sans CJK (Debian/Ubuntu: apt install fonts-noto-cjk), "
            "then remove matplotlib's font cache (~/.cache/matplotlib) so it finds them"
        )
    if any(not _is_cjk(char) for char in all_missing):
        # An emoji or a script the map's fonts do not cover (Noto CJK would not help).
        problems.append(
            "the print fonts have no such characters (emoji, or a script other than "
            "Latin, Cyrillic, Greek and CJK): leave them out of the names, or add a font "
            "that has them to bordermap.export.FONT_FAMILIES"
        )
    if problems:
        raise ExportError(problems)


def _is_cjk(char: str) -> bool:
    """Whether a character is Korean, Chinese or Japanese (which Noto Sans CJK covers)."""
    name = unicodedata.name(char, "")
    return name.startswith(("HANGUL", "CJK", "HIRAGANA", "KATAKANA"))


def _render(drawing: _Drawing, image_format: str, dpi: int) -> bytes:
    """Return the image's bytes, with no creation date so that they are reproducible."""
    title, description = drawing.title, drawing.description
    metadata: dict[str, str | None]
    if image_format == "png":
        metadata = {"Software": None, "Title": title, "Description": description}
    elif image_format == "svg":
        metadata = {"Date": None, "Title": title, "Description": description}
    else:
        metadata = {"CreationDate": None, "Title": title, "Subject": description}
    buffer = io.BytesIO()
    drawing.figure.savefig(
        buffer, format=image_format, dpi=dpi, metadata=metadata, facecolor="white"
    )
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------


@dataclass
class _Drawing:
    """A drawn map and what the output and the tests need to know about it."""

    figure: Figure
    map_axes: Axes
    title: str
    description: str
    legend: Legend
    labels: dict[str, Annotation] = field(default_factory=dict)
    basemap_problem: str | None = None
    base_drawn: bool = False
    area_names: dict[str, Text] = field(default_factory=dict)
    inset_axes: Axes | None = None


class _Page:
    """Sizes on the page: the reference layout, scaled to the page asked for."""

    def __init__(self, width: int, dpi: int) -> None:
        self.width_in = width / dpi
        self.height_in = round(width * _PAGE_ASPECT) / dpi
        #: Multiplies every size in points designed for the reference page.
        self.scale = self.width_in / _REFERENCE_WIDTH_IN

    def fraction(self, x_in: float, y_in: float) -> tuple[float, float]:
        """Return the figure fractions of a point given in inches on the reference page."""
        return x_in / _REFERENCE_WIDTH_IN, y_in / (_REFERENCE_WIDTH_IN * _PAGE_ASPECT)


def _draw(
    layers: Layers,
    *,
    width: int,
    dpi: int,
    bbox: tuple[float, float, float, float] | None,
    basemap: bool,
    language: str,
    base: Base | None = None,
    inset: bool = True,
) -> _Drawing:
    """Draw the whole page; call inside ``matplotlib.rc_context(_rc_params())``."""
    meta = _html.metadata(layers)
    features = [
        (name, feature)
        for name, layer in layers.items()
        for feature in layer.get("features", [])
        if feature_coords(feature)
    ]
    if not features:
        raise ExportError("nothing to draw: every layer is empty")
    # The languages every feature is named in (``name_note`` is a note, not a language).
    languages = set.intersection(
        *(
            {
                key.removeprefix("name_")
                for key in feature.get("properties") or {}
                if key.startswith("name_")
            }
            for _, feature in features
        )
    ) - {"note"}
    if language not in languages:
        raise ExportError(
            f"language {language!r}: the layers name their features in "
            f"{', '.join(sorted(languages))}; give one of these"
        )
    texts = {key: _cut(text) for key, text in _labels.label_texts(features, language).items()}
    title = _cut(_html.localized(meta, "title", language) or "bordermap")
    subtitle = _html.as_of_sentence(meta, features, language, limit=MAX_DRAWN_CHARS)
    publishers, credits = _html.publishers_and_credits(layers, language)
    publishers = [_cut(publisher) for publisher in publishers]
    credits = [_cut(credit, 2 * MAX_DRAWN_CHARS) for credit in credits]
    base = base or {}
    _check_fonts(
        [title, subtitle, _sources_line(publishers, language=language), *credits]
        + list(texts.values())
        + [part for note in _note_texts(features, language) for part in note]
        + [translate(style.label, language) for style in _html.legend_entries(features)]
        + [base_name(f, language) for c in base.values() for f in c.get("features", [])]
        + [base_credit(base, language)],
        language,
    )

    page = _Page(width, dpi)
    # A hair over the exact size, so that the pixel size never rounds down.
    figure = Figure(figsize=(page.width_in + 1e-3 / dpi, page.height_in + 1e-3 / dpi), dpi=dpi)
    figure.set_facecolor("white")
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    ax = _map_axes(figure, page, bbox, features)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lons, lats = _page.inverse().transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    view = (min(lons), max(lons), min(lats), max(lats))

    from shapely.geometry import LineString, Point, box
    from shapely.geometry import Polygon as ShapelyPolygon

    view_box = box(x0, y0, x1, y1)
    shown = [
        (name, feature)
        for name, feature in features
        if view_box.intersects(
            Point(xy[0])
            if len(xy := _page.project(feature_coords(feature))) == 1
            else LineString(xy)
        )
    ]
    areas = []
    for area in uncertainty_collection(features)["features"]:
        ring = _page.project([(c[0], c[1]) for c in area["geometry"]["coordinates"][0]])
        if view_box.intersects(ShapelyPolygon(ring)):
            areas.append((str(area.get("id")), ring))

    basemap_problem: str | None = None
    tiles = False
    if basemap:  # the only network access
        basemap_credit, basemap_problem = _add_basemap(ax, width * ax.get_position().width)
        if basemap_problem is None:
            credits.append(translate("Basemap {credit}", language, credit=basemap_credit))
            tiles = True
    # The tiles show land, sea and countries themselves: the base stands in for them.
    local = base.get("local") if not tiles else None
    if local is not None:
        _draw_base(ax, local, page.scale)
    drawn_inset = base.get("inset") if inset else None
    obstacles = _draw_layers(ax, layers, areas, page.scale)

    _title_block(figure, page, renderer, title, subtitle)
    notes = _note_texts(shown, language)
    entries = _html.legend_entries(shown)
    if areas:
        entries.append(UNCERTAINTY_STYLE)
    legend = _legend(figure, page, ax, entries, language)
    used = {
        scale: collection
        for scale, collection in (("local", local), ("inset", drawn_inset))
        if collection is not None
    }
    _footer(figure, page, renderer, publishers, credits, base_credit(used, language), language)
    _notes(figure, page, renderer, legend, notes)

    _furniture.graticule(ax, view, page.scale, language)
    reserved = [
        _furniture.scale_bar(ax, renderer, page.scale, language),
        _furniture.north_arrow(ax, renderer, page.scale, language),
    ]
    inset_axes = None
    if drawn_inset is not None:
        inset_axes, inset_extent = _inset(
            figure, page, ax, renderer, drawn_inset, view, obstacles, reserved, language
        )
        reserved.append(inset_extent)
    anchors = label_anchors(features, ((view[2], view[0]), (view[3], view[1])))
    labels = _labels.place_labels(
        ax, renderer, features, anchors, texts, obstacles, reserved, page.scale
    )
    area_names: dict[str, Text] = {}
    if local is not None:
        taken = [*reserved, *(label.get_window_extent(renderer) for label in labels.values())]
        area_names = _name_areas(ax, renderer, local, obstacles, taken, language, page.scale)
    return _Drawing(
        figure=figure,
        map_axes=ax,
        title=title,
        description=_html.describe(meta, features),
        legend=legend,
        labels=labels,
        basemap_problem=basemap_problem,
        base_drawn=local is not None,
        area_names=area_names,
        inset_axes=inset_axes,
    )


def _title_block(
    figure: Figure, page: _Page, renderer: RendererBase, title: str, subtitle: str
) -> None:
    """Add the title and the subtitle above the map, each shrunk to fit on one line."""
    top = _REFERENCE_WIDTH_IN * _PAGE_ASPECT - _MARGIN_IN
    room = figure.bbox.width * (1 - 2 * page.fraction(_MARGIN_IN, 0)[0])
    for words, drop, size, weight, colour, gid in (
        (title, 0.0, 18.0, "bold", _page.INK, "title"),
        (subtitle, 0.4, 10.5, "normal", _page.MUTED, "subtitle"),
    ):
        text = figure.text(
            *page.fraction(_MARGIN_IN, top - drop),
            words,
            ha="left",
            va="top",
            fontsize=size * page.scale,
            fontweight=weight,
            color=colour,
            gid=gid,
        )
        width = text.get_window_extent(renderer).width
        if width > room:
            text.set_fontsize(size * page.scale * room / width)


def _map_axes(
    figure: Figure,
    page: _Page,
    bbox: tuple[float, float, float, float] | None,
    features: Sequence[tuple[str, Mapping[str, Any]]],
) -> Axes:
    """Add the map's axes, showing ``bbox`` (or the bridges) at the axes' proportions."""
    left, bottom = page.fraction(_MAP_BOX_IN[0], _MAP_BOX_IN[1])
    right, top = page.fraction(_MAP_BOX_IN[2], _MAP_BOX_IN[3])
    ax = figure.add_axes((left, bottom, right - left, top - bottom), gid="map")
    ax.set_facecolor(_LAND)
    for spine in ax.spines.values():
        spine.set_edgecolor(_page.FRAME)
        spine.set_linewidth(0.8 * page.scale)
    if bbox is None:
        (south, west), (north, east) = frame(features)
    else:
        west, south, east, north = (float(value) for value in bbox)
    corners = _page.project([(west, south), (west, north), (east, south), (east, north)])
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    # Widen or heighten the view to the axes' proportions: one map unit, one length.
    aspect = (right - left) * page.width_in / ((top - bottom) * page.height_in)
    if (x1 - x0) / (y1 - y0) < aspect:
        grow = ((y1 - y0) * aspect - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) / aspect - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_autoscale_on(False)
    return ax


def _draw_layers(
    ax: Axes, layers: Layers, areas: Sequence[tuple[str, Any]], scale: float
) -> _labels.Obstacles:
    """Draw the uncertainty areas, then each layer bottom first; return what labels avoid."""
    obstacles = _labels.Obstacles()
    area_group = _page.Group("layer-uncertainty", zorder=1.5)
    for area_id, ring in areas:
        patch = Polygon(ring, closed=True, **_area_kwargs(UNCERTAINTY_STYLE, scale))
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


def _legend(
    figure: Figure, page: _Page, ax: Axes, entries: Sequence[Style], language: str = "en"
) -> Legend:
    """Add the legend beside the map, its top level with the map's."""
    position = ax.get_position()
    panel_left = page.fraction(_PANEL_LEFT_IN, 0)[0]
    panel_right = 1 - page.fraction(_MARGIN_IN, 0)[0]
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
    font = font_manager.FontProperties(family=_font_families(), size=size_pt)
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


def _footer(
    figure: Figure,
    page: _Page,
    renderer: RendererBase,
    publishers: Sequence[str],
    credits: Sequence[str],
    base_credits: str = "",
    language: str = "en",
) -> None:
    """Add the sources (in two lines at most), the credits and the projection at the bottom."""
    x, y = page.fraction(_MARGIN_IN, _MARGIN_IN)
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
        if _wrap(text, _sources_line(publishers, named, language), room, renderer) <= 2:
            break


def _wrap(text: Text, words: str, room: float, renderer: RendererBase) -> int:
    """Set ``words`` on ``text`` broken into lines ``room`` pixels wide; return the lines."""
    lines: list[str] = []
    for word in words.split(" "):
        if lines:
            text.set_text(f"{lines[-1]} {word}")
            if text.get_window_extent(renderer).width <= room:
                lines[-1] = f"{lines[-1]} {word}"
                continue
        lines.append(word)
    text.set_text("\n".join(lines))
    return len(lines)


def _notes(
    figure: Figure,
    page: _Page,
    renderer: RendererBase,
    legend: Legend,
    notes: Sequence[tuple[str, str]],
) -> None:
    """Write notes on the unfinished and approximate features beneath the legend."""
    # The legend takes the panel's width only when drawn: measure the panel instead.
    pad = _page.pixels(renderer, 9 * page.scale)
    x = figure.bbox.width * page.fraction(_PANEL_LEFT_IN, 0)[0] + pad
    room = figure.bbox.width * (1 - page.fraction(_MARGIN_IN, 0)[0]) - x - pad
    y = legend.get_window_extent(renderer).y0 - 1.6 * pad
    bottom = figure.bbox.height * page.fraction(0, _MAP_BOX_IN[1])[1]
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


def _note_texts(
    features: Sequence[tuple[str, Mapping[str, Any]]], language: str = "en"
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
                    else word
                )
            )
        if isinstance(properties.get("length_m"), int | float):
            # A no-break space: "m" never wraps onto a line of its own.
            length = _html.format_metres(float(properties["length_m"]), language).replace(
                " ", "\u00a0"
            )
            details.append(sentence(translate("Drawn {length} long", language, length=length)))
        if approximate and isinstance(properties.get("accuracy_m"), int | float):
            away = _html.format_metres(float(properties["accuracy_m"]), language).replace(
                " ", "\u00a0"
            )
            details.append(
                sentence(
                    translate(
                        "Position approximate, within about {distance}", language, distance=away
                    )
                )
            )
        name = str(
            properties.get(f"name_{language}") or properties.get("name_en") or feature.get("id")
        )
        notes.append((_cut(name), " ".join(details)))
    return notes


#: The longest text drawn on a printed map, in characters: a longer name is a mistake
#: and is cut, so that drawing takes time in proportion to what fits on the page.
MAX_DRAWN_CHARS = 120


def _cut(text: str, limit: int = MAX_DRAWN_CHARS) -> str:
    """Return ``text`` cut to ``limit`` characters (an ellipsis marking the cut)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _dashes(style: Style, scale: float) -> tuple[float, tuple[float, ...]] | str:
    if style.dash is None:
        return "solid"
    return (0.0, tuple(_page.px(value, scale) for value in style.dash))


def _feature_artists(style: Style, xy: np.ndarray[Any, Any], scale: float) -> list[Artist]:
    """Return the artists of one feature: casing beneath a line, the line or the marker."""
    artists: list[Artist] = []
    if style.marker is not None:
        point = Line2D([xy[0, 0]], [xy[0, 1]], linestyle="none", **_marker_kwargs(style, scale))
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
    artists.append(Line2D(xy[:, 0], xy[:, 1], **_line_kwargs(style, scale)))
    return artists


def _line_kwargs(style: Style, scale: float) -> dict[str, Any]:
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


def _marker_kwargs(style: Style, scale: float) -> dict[str, Any]:
    return {
        "marker": "s" if style.marker == "square" else "o",
        "markersize": _page.px(2 * style.radius, scale),
        "markerfacecolor": to_rgba(style.fill or style.color, style.fill_opacity),
        "markeredgecolor": to_rgba(style.color, style.opacity),
        "markeredgewidth": _page.px(style.weight, scale),
    }


def _area_kwargs(style: Style, scale: float) -> dict[str, Any]:
    return {
        "facecolor": to_rgba(style.fill or style.color, style.fill_opacity),
        "edgecolor": to_rgba(style.color, style.opacity),
        "linewidth": _page.px(style.weight, scale),
        "linestyle": _dashes(style, scale),
    }


def _legend_handle(style: Style, scale: float) -> Artist | tuple[Artist, ...]:
    """Return a legend handle drawn as the style draws on the map, a casing outlined."""
    if style.marker is not None:
        return Line2D([], [], linestyle="none", **_marker_kwargs(style, scale))
    if style.fill is not None and style.fill_opacity < 1:
        return Patch(**_area_kwargs(style, scale))
    line = Line2D([], [], **_line_kwargs(style, scale))
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


def _sources_line(
    publishers: Sequence[str], named: int | None = None, language: str = "en"
) -> str:
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


# ---------------------------------------------------------------------------
# Base: land, sea, countries, and the locator inset
# ---------------------------------------------------------------------------

# The inset's width and its distance from the map's frame, on the reference page.
_INSET_WIDTH_IN = 2.2
_INSET_MARGIN_IN = 0.14
# The smallest the inset's box marking the map is drawn, points on the reference page:
# a map of a few kilometres would otherwise be a dot.
_INSET_MIN_BOX_PT = 7.0


def _rings(geometry: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    """Return a Polygon's or MultiPolygon's polygons, each a list of rings."""
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _area_path(geometry: Mapping[str, Any]) -> MplPath:
    """Return a (Multi)Polygon as a projected path: outer rings anticlockwise, holes clockwise."""
    vertices: list[np.ndarray[Any, Any]] = []
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


def _line_parts(geometry: Mapping[str, Any]) -> list[np.ndarray[Any, Any]]:
    """Return a LineString's or MultiLineString's parts, projected."""
    if geometry.get("type") == "LineString":
        parts = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiLineString":
        parts = list(geometry["coordinates"])
    else:
        parts = []
    return [_page.project([(c[0], c[1]) for c in part]) for part in parts]


def _by_kind(collection: Mapping[str, Any], *kinds: str) -> list[dict[str, Any]]:
    return [
        feature
        for feature in collection.get("features") or []
        if (feature.get("properties") or {}).get("kind") in kinds
    ]


def _draw_base(ax: Axes, local: Mapping[str, Any], scale: float) -> None:
    """Draw the sea, the countries and China's boundaries beneath everything else."""
    group = _page.Group("base", zorder=0.3)
    for feature in _by_kind(local, "sea", "country"):
        style = base_style(feature)
        sea = style is SEA_STYLE
        patch = PathPatch(
            _area_path(feature["geometry"]),
            facecolor=style.fill or style.color,
            # The sea's outline is the coast; the countries meet along the boundaries.
            edgecolor=style.color if sea else "none",
            linewidth=_page.px(style.weight, scale) if sea else 0.0,
            joinstyle="round",
            gid=f"base-{feature.get('id')}",
        )
        group.add(patch, ax)
    for feature in _by_kind(local, "boundary"):
        style = base_style(feature)
        for index, xy in enumerate(_line_parts(feature["geometry"])):
            line = Line2D(xy[:, 0], xy[:, 1], **_line_kwargs(style, scale))
            line.set_gid(f"base-{feature.get('id')}-{index}")
            group.add(line, ax)
    ax.add_artist(group)


def _area_text(feature: Mapping[str, Any], language: str) -> str:
    """Country names in capitals (as maps write them), the sea's as it is."""
    name = base_name(feature, language)
    kind = (feature.get("properties") or {}).get("kind")
    return name.upper() if kind == "country" else name


def _name_areas(
    ax: Axes,
    renderer: RendererBase,
    local: Mapping[str, Any],
    obstacles: _labels.Obstacles,
    taken: Sequence[Bbox],
    language: str,
    scale: float,
) -> dict[str, Text]:
    """Name each country, and the sea, where its visible part has the most room.

    The name goes where it lies wholly inside the area's visible part, covers no drawn
    feature, label, scale bar, north arrow or inset, and is farthest from all of them
    and from the area's edges; an area with no such place is not named.
    """
    from shapely import transform as shapely_transform
    from shapely.geometry import Point, box, shape

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
    sea_name = next(iter(_by_kind(local, "sea_name")), None)
    areas = [(f, f) for f in _by_kind(local, "country")]
    areas += [(f, sea_name or f) for f in _by_kind(local, "sea")]
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
            _area_text(named_by, language),
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


def _inset_names(name: str) -> str:
    """Break a name of several words into lines of about eight characters."""
    return textwrap.fill(name, width=max(8, *(len(word) for word in name.split())))


def _inset(
    figure: Figure,
    page: _Page,
    ax: Axes,
    renderer: RendererBase,
    collection: Mapping[str, Any],
    view: tuple[float, float, float, float],
    obstacles: _labels.Obstacles,
    reserved: Sequence[Bbox],
    language: str,
) -> tuple[Axes, Bbox]:
    """Draw the locator inset in the corner it covers least of; return it and its extent."""
    scale = page.scale
    west, south, east, north = (float(v) for v in collection["bordermap"]["extent"])
    (x0, y0), (x1, y1) = _page.project([(west, south), (east, north)])
    frame_box = ax.get_window_extent(renderer)
    width = _page.pixels(renderer, _INSET_WIDTH_IN * 72 * scale)
    height = width * (y1 - y0) / (x1 - x0)
    margin = _page.pixels(renderer, _INSET_MARGIN_IN * 72 * scale)
    corners = {
        "bottom-right": (frame_box.x1 - margin - width, frame_box.y0 + margin),
        "top-left": (frame_box.x0 + margin, frame_box.y1 - margin - height),
        "bottom-left": (frame_box.x0 + margin, frame_box.y0 + margin),
        "top-right": (frame_box.x1 - margin - width, frame_box.y1 - margin - height),
    }
    blockers = obstacles.in_display(ax, renderer)

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

    left, bottom = min(corners.values(), key=cost)  # the first of equals: bottom right
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
    inset_ax.set_xlim(x0, x1)
    inset_ax.set_ylim(y0, y1)
    inset_ax.set_autoscale_on(False)
    inset_ax.set_xticks([])
    inset_ax.set_yticks([])
    inset_ax.set_facecolor(SEA_STYLE.fill or SEA_STYLE.color)
    for spine in inset_ax.spines.values():
        spine.set_edgecolor(_page.FRAME)
        spine.set_linewidth(0.8 * scale)
    # A white margin around the inset sets it off from the map beneath.
    halo = _page.pixels(renderer, 2.5 * scale)
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
    group = _page.Group("inset-base", zorder=1)
    for feature in _by_kind(collection, "country"):
        style = base_style(feature)
        group.add(
            PathPatch(
                _area_path(feature["geometry"]),
                facecolor=style.fill or style.color,
                edgecolor=style.color,
                linewidth=_page.px(style.weight, scale) * 0.6,
                joinstyle="round",
                gid=f"inset-{feature.get('id')}",
            ),
            inset_ax,
        )
    for feature in _by_kind(collection, "sea"):
        group.add(
            PathPatch(
                _area_path(feature["geometry"]),
                facecolor="none",
                edgecolor=SEA_STYLE.color,
                linewidth=_page.px(SEA_STYLE.weight, scale) * 0.6,
                joinstyle="round",
                gid="inset-coast",
            ),
            inset_ax,
        )
    inset_ax.add_artist(group)

    names = _page.Group("inset-names", zorder=3)
    halo_effect = _page.halo(2.2 * scale)

    def name(feature: Mapping[str, Any], lon_lat: Any, text: str, **font: Any) -> None:
        at = _page.project([(lon_lat[0], lon_lat[1])])[0]
        names.add(
            Text(
                at[0],
                at[1],
                _inset_names(text),
                ha="center",
                va="center",
                fontsize=6.5 * scale,
                linespacing=1.0,
                gid=f"inset-name-{feature.get('id')}",
                **font,
            ),
            inset_ax,
        )

    for feature in _by_kind(collection, "country"):
        label_at = (feature.get("properties") or {}).get("label_at")
        if label_at:
            text = _area_text(feature, language)
            name(feature, label_at, text, fontweight="bold", color=COUNTRY_NAME_COLOUR)
    for feature in _by_kind(collection, "sea_name"):
        text = base_name(feature, language)
        coordinates = feature["geometry"]["coordinates"]
        name(feature, coordinates, text, fontstyle="italic", color=SEA_NAME_COLOUR)
    for feature in _by_kind(collection, "city"):
        style = base_style(feature)
        at = _page.project([tuple(feature["geometry"]["coordinates"][:2])])[0]
        names.add(
            Line2D([at[0]], [at[1]], linestyle="none", **_marker_kwargs(style, scale)),
            inset_ax,
        )
        names.add(
            _page.HaloAnnotation(
                base_name(feature, language),
                xy=(at[0], at[1]),
                xytext=(_page.px(style.radius + 2.5, scale), 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=6 * scale,
                color=_page.INK,
                path_effects=halo_effect,
                gid=f"inset-name-{feature.get('id')}",
            ),
            inset_ax,
        )
    # The box marking the main map, drawn at least _INSET_MIN_BOX_PT across.
    (bx0, by0), (bx1, by1) = _page.project([(view[0], view[2]), (view[1], view[3])])
    per_point = (x1 - x0) / (width / _page.pixels(renderer, 1.0))
    least = _INSET_MIN_BOX_PT * scale * per_point
    centre_x, centre_y = (bx0 + bx1) / 2, (by0 + by1) / 2
    half_w, half_h = max(bx1 - bx0, least) / 2, max(by1 - by0, least) / 2
    names.add(
        Rectangle(
            (centre_x - half_w, centre_y - half_h),
            2 * half_w,
            2 * half_h,
            facecolor=to_rgba(EXTENT_STYLE.color, 0.15),
            edgecolor=EXTENT_STYLE.color,
            linewidth=_page.px(EXTENT_STYLE.weight, scale),
            gid="inset-extent",
        ),
        inset_ax,
    )
    inset_ax.add_artist(names)
    extent = Bbox.from_bounds(left - halo, bottom - halo, width + 2 * halo, height + 2 * halo)
    return inset_ax, extent


# ---------------------------------------------------------------------------
# Basemap
# ---------------------------------------------------------------------------


def _tile_cache_dir() -> Path:
    """Return where basemap tiles are cached: ``$XDG_CACHE_HOME/bordermap/tiles``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bordermap" / "tiles"


def _add_basemap(ax: Axes, map_width_px: float) -> tuple[str, str | None]:
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


# ---------------------------------------------------------------------------
# Map furniture: graticule, scale bar, north arrow
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------
