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
"""

from __future__ import annotations

import io
import itertools
import math
import os
import re
import textwrap
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import matplotlib
import numpy as np
from matplotlib import font_manager, patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgb, to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Affine2D, Affine2DBase, Bbox, ScaledTranslation, Transform
from pyproj import CRS, Geod, Transformer

from bordermap import _html, settings
from bordermap._io import write_atomic
from bordermap._layout import (
    feature_coords,
    frame,
    label_anchors,
    label_text,
    uncertainty_collection,
)
from bordermap.base import (
    COUNTRY_NAME_COLOUR,
    EXTENT_STYLE,
    SEA_NAME_COLOUR,
    SEA_STYLE,
    Base,
    BaseUnavailableWarning,
    base_credit,
    base_name,
    base_style,
    resolve_base,
)
from bordermap.errors import BordermapError
from bordermap.geometry import Coordinate, Line, distance_m
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

#: The map's projection: Web Mercator, as the web map and tile servers use.
EXPORT_CRS: str = "EPSG:3857"

#: Font families, in order of preference; each glyph comes from the first that has it.
#: Noto Sans CJK covers Hangul and Cyrillic; DejaVu Sans ships with matplotlib.
FONT_FAMILIES: tuple[str, ...] = ("Noto Sans CJK KR", "Noto Sans CJK JP", "DejaVu Sans")

#: The xyzservices provider of the basemap tiles (``basemap=True``).
TILE_PROVIDER: str = "OpenStreetMap.Mapnik"

#: Points per CSS pixel: a style's widths and dashes are CSS pixels (1/96 inch).
PT_PER_PX = 0.75

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
_INK = "#212529"
_MUTED = "#555555"
_FRAME = "#868e96"
_HALO = "#ffffff"

# Candidate scale-bar lengths, metres.
_SCALE_LENGTHS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000)
# Candidate graticule steps, arc seconds.
_TICK_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 18000)

_EARTH_CIRCUMFERENCE_M = 2 * math.pi * 6378137.0


class ExportError(BordermapError, ValueError):
    """An image cannot be made as asked: a bad option, or no font for the labels."""


class BasemapUnavailableWarning(UserWarning):
    """The basemap tiles could not be fetched; the image was drawn without them."""


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


def _check_options(
    problems: list[str],
    width: int,
    dpi: int,
    bbox: tuple[float, float, float, float] | None,
    language: str,
) -> None:
    """Check every option; raise once listing every problem, those given first."""
    if isinstance(width, bool) or not isinstance(width, int) or width < 100:
        problems.append(f"width: expected a whole number of pixels, at least 100, got {width!r}")
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
        "svg.fonttype": "path",  # the SVG draws its text with no fonts installed
        "svg.hashsalt": "bordermap",  # stable ids: the same map gives the same bytes
        "pdf.fonttype": 42,  # embedded TrueType: the PDF's text can be searched
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
    for text in dict.fromkeys(texts):
        missing = sorted(
            {
                char
                for char in text
                if unicodedata.category(char)[0] != "C"
                and not any(ord(char) in charmap for charmap in charmaps)
            }
        )
        if missing:
            problems.append(
                f"language {language!r}: no installed font has {''.join(missing)!r} "
                f"(in {text!r}); tried {', '.join(_font_families())}"
            )
    if problems:
        problems.append(
            "install Noto Sans CJK (Debian/Ubuntu: apt install fonts-noto-cjk), "
            "then remove matplotlib's font cache (~/.cache/matplotlib) so it finds them"
        )
        raise ExportError(problems)


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


class _Group(Artist):
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


@cache
def _transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", EXPORT_CRS, always_xy=True)


@cache
def _inverse() -> Transformer:
    return Transformer.from_crs(EXPORT_CRS, "EPSG:4326", always_xy=True)


@cache
def _geod() -> Geod:
    return Geod(ellps=settings.ellipsoid)


def _project(coords: Sequence[Coordinate]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Project ``(lon, lat)`` coordinates to the map's ``(x, y)``."""
    xs, ys = _transformer().transform([c[0] for c in coords], [c[1] for c in coords])
    return np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])


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
    texts = _label_texts(features, language)
    title = _html.localized(meta, "title", language) or "bordermap"
    subject = _html.localized(meta, "subject", language).strip().rstrip(".")
    as_of = _html.format_date(str(meta.get("as_of", "")), language)
    subtitle = (
        sentence(translate("{subject}, as of {date}", language, subject=subject, date=as_of))
        if subject
        else sentence(translate("As of {date}", language, date=as_of))
    )
    publishers, credits = _html.publishers_and_credits(layers)
    base = base or {}
    _check_fonts(
        [title, subtitle, _sources_line(publishers, language=language), *credits]
        + list(texts.values())
        + [part for note in _note_texts(features, language) for part in note]
        + [translate(style.label, language) for style in _html.legend_entries(features)]
        + [base_name(f, language) for c in base.values() for f in c.get("features", [])]
        + [base_credit(base)],
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
    lons, lats = _inverse().transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    view = (min(lons), max(lons), min(lats), max(lats))

    from shapely.geometry import LineString, Point, box
    from shapely.geometry import Polygon as ShapelyPolygon

    view_box = box(x0, y0, x1, y1)
    shown = [
        (name, feature)
        for name, feature in features
        if view_box.intersects(
            Point(xy[0]) if len(xy := _project(feature_coords(feature))) == 1 else LineString(xy)
        )
    ]
    areas = []
    for area in uncertainty_collection(features)["features"]:
        ring = _project([(c[0], c[1]) for c in area["geometry"]["coordinates"][0]])
        if view_box.intersects(ShapelyPolygon(ring)):
            areas.append((str(area.get("id")), ring))

    basemap_problem: str | None = None
    tiles = False
    if basemap:  # the only network access
        basemap_credit, basemap_problem = _add_basemap(ax, width * ax.get_position().width)
        if basemap_problem is None:
            credits.append(f"Basemap {basemap_credit}")
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
    _footer(figure, page, renderer, publishers, credits, base_credit(used), language)
    _notes(figure, page, renderer, legend, notes)

    _graticule(ax, view, page.scale)
    reserved = [_scale_bar(ax, renderer, page.scale), _north_arrow(ax, renderer, page.scale)]
    inset_axes = None
    if drawn_inset is not None:
        inset_axes, inset_extent = _inset(
            figure, page, ax, renderer, drawn_inset, view, obstacles, reserved, language
        )
        reserved.append(inset_extent)
    anchors = label_anchors(features, ((view[2], view[0]), (view[3], view[1])))
    labels = _place_labels(ax, renderer, features, anchors, texts, obstacles, reserved, page.scale)
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
        (title, 0.0, 18.0, "bold", _INK, "title"),
        (subtitle, 0.4, 10.5, "normal", _MUTED, "subtitle"),
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
        spine.set_edgecolor(_FRAME)
        spine.set_linewidth(0.8 * page.scale)
    if bbox is None:
        (south, west), (north, east) = frame(features)
    else:
        west, south, east, north = (float(value) for value in bbox)
    corners = _project([(west, south), (west, north), (east, south), (east, north)])
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
) -> _Obstacles:
    """Draw the uncertainty areas, then each layer bottom first; return what labels avoid."""
    obstacles = _Obstacles()
    area_group = _Group("layer-uncertainty", zorder=1.5)
    for area_id, ring in areas:
        patch = Polygon(ring, closed=True, **_area_kwargs(UNCERTAINTY_STYLE, scale))
        patch.set_gid(f"feature-{area_id}")
        area_group.add(patch, ax)
    if area_group.children:
        ax.add_artist(area_group)
    for index, (name, layer) in enumerate(layers.items()):
        group = _Group(f"layer-{name}", zorder=2.0 + index / 100)
        for feature in layer.get("features", []):
            coords = feature_coords(feature)
            if not coords:
                continue
            properties = feature.get("properties") or {}
            style = style_for(str(properties.get("kind")), properties.get("status"))
            xy = _project(coords)
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
    legend = figure.legend(
        handles,
        [textwrap.fill(translate(style.label, language), 30) for style in entries],
        loc="upper left",
        bbox_to_anchor=(panel_left, position.y0, panel_right - panel_left, position.height),
        bbox_transform=figure.transFigure,
        mode="expand",
        borderaxespad=0,
        title=translate("Legend", language),
        alignment="left",
        fontsize=9 * page.scale,
        title_fontproperties={"weight": "bold", "size": 10.5 * page.scale},
        handlelength=3.4,
        handleheight=1.4,
        handletextpad=0.9,
        labelspacing=0.9,
        borderpad=1.0,
        frameon=True,
        fancybox=False,
        edgecolor=_FRAME,
        facecolor="white",
        framealpha=1.0,
        handler_map={tuple: HandlerTuple(ndivide=1)},
    )
    legend.get_frame().set_linewidth(0.8 * page.scale)
    legend.set_gid("legend")
    return legend


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
        color=_MUTED,
        gid="attribution",
    )
    if base_credits:
        # On the same line, after the layers' credits.
        end = attribution.get_window_extent(renderer).x1 if credits else x * figure.bbox.width
        gap = _pixels(renderer, 4 * page.scale) if credits else 0.0
        figure.text(
            (end + gap) / figure.bbox.width,
            y,
            base_credits + ".",
            ha="left",
            va="bottom",
            fontsize=size,
            color=_MUTED,
            gid="base-attribution",
        )
    crs_name = CRS.from_user_input(EXPORT_CRS).name
    figure.text(
        1 - x,
        y,
        f"Projection: {crs_name} ({EXPORT_CRS})",
        ha="right",
        va="bottom",
        fontsize=size,
        color=_MUTED,
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
        color=_MUTED,
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
    pad = _pixels(renderer, 9 * page.scale)
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
                color=_INK if weight == "bold" else _MUTED,
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
            length = _html.format_metres(float(properties["length_m"]))
            details.append(sentence(translate("Drawn {length} long", language, length=length)))
        if approximate and isinstance(properties.get("accuracy_m"), int | float):
            away = _html.format_metres(float(properties["accuracy_m"]))
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
        notes.append((name, " ".join(details)))
    return notes


def _px(value: float, scale: float) -> float:
    """Return CSS pixels of a style as points on the page."""
    return value * PT_PER_PX * scale


def _dashes(style: Style, scale: float) -> tuple[float, tuple[float, ...]] | str:
    if style.dash is None:
        return "solid"
    return (0.0, tuple(_px(value, scale) for value in style.dash))


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
            linewidth=_px(casing["weight"], scale),
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
        "linewidth": _px(style.weight, scale),
        "linestyle": _dashes(style, scale),
        "solid_capstyle": cap,
        "dash_capstyle": cap,
        "solid_joinstyle": "round",
        "dash_joinstyle": "round",
    }


def _marker_kwargs(style: Style, scale: float) -> dict[str, Any]:
    return {
        "marker": "s" if style.marker == "square" else "o",
        "markersize": _px(2 * style.radius, scale),
        "markerfacecolor": to_rgba(style.fill or style.color, style.fill_opacity),
        "markeredgecolor": to_rgba(style.color, style.opacity),
        "markeredgewidth": _px(style.weight, scale),
    }


def _area_kwargs(style: Style, scale: float) -> dict[str, Any]:
    return {
        "facecolor": to_rgba(style.fill or style.color, style.fill_opacity),
        "edgecolor": to_rgba(style.color, style.opacity),
        "linewidth": _px(style.weight, scale),
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
        linewidth=_px(casing["weight"], scale),
        solid_capstyle="butt",
    )
    # A casing shows the line on any basemap; on the white legend, outline it instead.
    outline = Line2D(
        [],
        [],
        color=_FRAME,
        linewidth=_px(casing["weight"], scale) + 0.8 * scale,
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
            xy = _project([(c[0], c[1]) for c in ring])
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
    return [_project([(c[0], c[1]) for c in part]) for part in parts]


def _by_kind(collection: Mapping[str, Any], *kinds: str) -> list[dict[str, Any]]:
    return [
        feature
        for feature in collection.get("features") or []
        if (feature.get("properties") or {}).get("kind") in kinds
    ]


def _draw_base(ax: Axes, local: Mapping[str, Any], scale: float) -> None:
    """Draw the sea, the countries and China's boundaries beneath everything else."""
    group = _Group("base", zorder=0.3)
    for feature in _by_kind(local, "sea", "country"):
        style = base_style(feature)
        sea = style is SEA_STYLE
        patch = PathPatch(
            _area_path(feature["geometry"]),
            facecolor=style.fill or style.color,
            # The sea's outline is the coast; the countries meet along the boundaries.
            edgecolor=style.color if sea else "none",
            linewidth=_px(style.weight, scale) if sea else 0.0,
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
    obstacles: _Obstacles,
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

    group = _Group("base-names", zorder=1.2)  # beneath the layers and their labels
    ax.add_artist(group)
    blockers = obstacles.in_display(ax, renderer)
    inside = ax.get_window_extent(renderer).padded(-_pixels(renderer, 6 * scale))
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
            shape(area["geometry"]), lambda xy: ax.transData.transform(_project(list(xy)))
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
        extent = text.get_window_extent(renderer).padded(_pixels(renderer, 3 * scale))
        half_w, half_h = extent.width / 2, extent.height / 2
        best: tuple[float, float, float] | None = None
        for x, y in grid:
            rect = box(x - half_w, y - half_h, x + half_w, y + half_h)
            if not visible.contains(rect) or any(rect.intersects(b) for b in boxes):
                continue
            quad = np.array(rect.exterior.coords[:4])
            if len(blockers) and np.any(_covered(quad, blockers[:, :2], blockers[:, 2])):
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
    obstacles: _Obstacles,
    reserved: Sequence[Bbox],
    language: str,
) -> tuple[Axes, Bbox]:
    """Draw the locator inset in the corner it covers least of; return it and its extent."""
    scale = page.scale
    west, south, east, north = (float(v) for v in collection["bordermap"]["extent"])
    (x0, y0), (x1, y1) = _project([(west, south), (east, north)])
    frame_box = ax.get_window_extent(renderer)
    width = _pixels(renderer, _INSET_WIDTH_IN * 72 * scale)
    height = width * (y1 - y0) / (x1 - x0)
    margin = _pixels(renderer, _INSET_MARGIN_IN * 72 * scale)
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
        covered = np.count_nonzero(_covered(quad, blockers[:, :2], blockers[:, 2]))
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
        spine.set_edgecolor(_FRAME)
        spine.set_linewidth(0.8 * scale)
    # A white margin around the inset sets it off from the map beneath.
    halo = _pixels(renderer, 2.5 * scale)
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
    group = _Group("inset-base", zorder=1)
    for feature in _by_kind(collection, "country"):
        style = base_style(feature)
        group.add(
            PathPatch(
                _area_path(feature["geometry"]),
                facecolor=style.fill or style.color,
                edgecolor=style.color,
                linewidth=_px(style.weight, scale) * 0.6,
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
                linewidth=_px(SEA_STYLE.weight, scale) * 0.6,
                joinstyle="round",
                gid="inset-coast",
            ),
            inset_ax,
        )
    inset_ax.add_artist(group)

    names = _Group("inset-names", zorder=3)
    halo_effect = [patheffects.withStroke(linewidth=2.2 * scale, foreground=_HALO)]
    for feature in _by_kind(collection, "country"):
        label_at = (feature.get("properties") or {}).get("label_at")
        if not label_at:
            continue
        at = _project([(label_at[0], label_at[1])])[0]
        names.add(
            Text(
                at[0],
                at[1],
                _inset_names(_area_text(feature, language)),
                ha="center",
                va="center",
                fontsize=6.5 * scale,
                fontweight="bold",
                color=COUNTRY_NAME_COLOUR,
                linespacing=1.0,
                gid=f"inset-name-{feature.get('id')}",
            ),
            inset_ax,
        )
    for feature in _by_kind(collection, "sea_name"):
        at = _project([tuple(feature["geometry"]["coordinates"][:2])])[0]
        names.add(
            Text(
                at[0],
                at[1],
                _inset_names(base_name(feature, language)),
                ha="center",
                va="center",
                fontsize=6.5 * scale,
                fontstyle="italic",
                color=SEA_NAME_COLOUR,
                linespacing=1.0,
                gid=f"inset-name-{feature.get('id')}",
            ),
            inset_ax,
        )
    for feature in _by_kind(collection, "city"):
        style = base_style(feature)
        at = _project([tuple(feature["geometry"]["coordinates"][:2])])[0]
        names.add(
            Line2D([at[0]], [at[1]], linestyle="none", **_marker_kwargs(style, scale)),
            inset_ax,
        )
        names.add(
            Annotation(
                base_name(feature, language),
                xy=(at[0], at[1]),
                xytext=(_px(style.radius + 2.5, scale), 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=6 * scale,
                color=_INK,
                path_effects=halo_effect,
                gid=f"inset-name-{feature.get('id')}",
            ),
            inset_ax,
        )
    # The box marking the main map, drawn at least _INSET_MIN_BOX_PT across.
    (bx0, by0), (bx1, by1) = _project([(view[0], view[2]), (view[1], view[3])])
    per_point = (x1 - x0) / (width / _pixels(renderer, 1.0))
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
            linewidth=_px(EXTENT_STYLE.weight, scale),
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
            crs=None if EXPORT_CRS == "EPSG:3857" else EXPORT_CRS,
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


def _graticule(ax: Axes, view: tuple[float, float, float, float], scale: float) -> None:
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
    xs = [float(x) for x, _ in _project([(lon, mid_lat) for lon in lons])]
    ys = [float(y) for _, y in _project([(mid_lon, lat) for lat in lats])]
    ax.set_xticks(xs, [_dms(lon, "E", "W") for lon in lons])
    ax.set_yticks(ys, [_dms(lat, "N", "S") for lat in lats])
    ax.tick_params(
        labelsize=7.5 * scale,
        length=4 * scale,
        width=0.8 * scale,
        color=_FRAME,
        labelcolor=_MUTED,
        pad=2 * scale,
    )
    for label in ax.get_yticklabels():
        label.set_rotation(90)
        label.set_verticalalignment("center")


def _dms(value: float, positive: str, negative: str) -> str:
    """Write 130.6375 as 130°38′15″E."""
    total = round(abs(value) * 3600)
    degrees, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{degrees}°{minutes:02d}′"
    if seconds:
        text += f"{seconds:02d}″"
    return text + (positive if value >= 0 else negative)


def _scale_bar(ax: Axes, renderer: RendererBase, scale: float) -> Bbox:
    """Draw a geodesic scale bar in the lower-left corner; return its extent on the page."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    start_x, start_y = x0 + (x1 - x0) * 0.035, y0 + (y1 - y0) * 0.045
    lon, lat = _inverse().transform(start_x, start_y)
    # Map units per metre along the parallel, measured on the ellipsoid.
    east_lon, _ = _inverse().transform(x1, start_y)
    across_m = distance_m((lon, lat), (east_lon, lat))
    length = max(
        (m for m in _SCALE_LENGTHS if m <= 0.25 * across_m * (x1 - x0) / (x1 - start_x)),
        default=_SCALE_LENGTHS[0],
    )
    end_lon, end_lat, _ = _geod().fwd(lon, lat, 90.0, length)
    end_x = float(_project([(end_lon, end_lat)])[0, 0])
    group = _Group("scale-bar", zorder=6)
    height = (y1 - y0) * 0.009
    parts = 4
    step = (end_x - start_x) / parts
    for index in range(parts):
        segment = Rectangle(
            (start_x + index * step, start_y),
            step,
            height,
            facecolor=_INK if index % 2 == 0 else "white",
            edgecolor=_INK,
            linewidth=0.8 * scale,
        )
        group.add(segment, ax)
    texts = []
    for value, x in ((0, start_x), (length / 2, (start_x + end_x) / 2), (length, end_x)):
        text = Text(
            x,
            start_y + height * 1.9,
            _distance_text(value, length, value == length),
            ha="center",
            va="bottom",
            fontsize=8 * scale,
            color=_INK,
        )
        group.add(text, ax)
        texts.append(text)
    extents = [text.get_window_extent(renderer) for text in texts]
    extents.append(Bbox(ax.transData.transform([(start_x, start_y), (end_x, start_y + height)])))
    extent = Bbox.union(extents).padded(_pixels(renderer, 5 * scale))
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


def _distance_text(metres: float, full: float, with_unit: bool) -> str:
    """Write a scale-bar tick: metres below 1 km, else kilometres; the unit on the last."""
    if full >= 1000:
        text = f"{metres / 1000:g}"
        return text + " km" if with_unit else text
    return f"{metres:g}" + (" m" if with_unit else "")


def _north_arrow(ax: Axes, renderer: RendererBase, scale: float) -> Bbox:
    """Draw an arrow to true north in the upper-right corner; return its extent."""
    anchor = (0.955, 0.865)  # axes fraction
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x0 + (x1 - x0) * anchor[0]
    y = y0 + (y1 - y0) * anchor[1]
    lon, lat = _inverse().transform(x, y)
    north = _project([(lon, lat), (lon, lat + 0.001)])
    # Angle of the meridian from the page's vertical, clockwise (0 in Web Mercator).
    angle = math.atan2(north[1, 0] - north[0, 0], north[1, 1] - north[0, 1])
    figure = ax.figure
    transform = (
        Affine2D().rotate(-angle).scale(scale / 72.0)
        + figure.dpi_scale_trans
        + ScaledTranslation(anchor[0], anchor[1], cast(Affine2DBase, ax.transAxes))
    )
    group = _Group("north-arrow", zorder=6)
    halves = (
        ([(0, 20), (-8, -12), (0, -6)], _INK),
        ([(0, 20), (0, -6), (8, -12)], "white"),
    )
    for points, colour in halves:
        shape = Polygon(
            points,
            closed=True,
            facecolor=colour,
            edgecolor=_INK,
            linewidth=0.9 * scale,
            joinstyle="round",
            transform=transform,
        )
        group.add(shape, ax)
    letter_at = Affine2D().rotate(-angle).transform((0, 31))
    letter = Text(
        letter_at[0],
        letter_at[1],
        "N",
        ha="center",
        va="center",
        fontsize=12 * scale,
        fontweight="bold",
        color=_INK,
        transform=transform,
        path_effects=[patheffects.withStroke(linewidth=3 * scale, foreground=_HALO)],
    )
    group.add(letter, ax)
    ax.add_artist(group)
    extents = [artist.get_window_extent(renderer) for artist in group.children]
    return Bbox.union(extents).padded(_pixels(renderer, 4 * scale))


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------


def _label_texts(
    features: Sequence[tuple[str, Mapping[str, Any]]], language: str
) -> dict[str, str]:
    """Return each feature's label in ``language``, its status stated if unfinished."""
    return {str(feature.get("id")): label_text(feature, language) for _, feature in features}


class _Obstacles:
    """What labels should not cover: points along the drawn lines and the markers."""

    def __init__(self) -> None:
        self.shapes: list[tuple[np.ndarray[Any, Any], float]] = []  # (data xy, radius in pt)

    def add_feature(self, style: Style, xy: np.ndarray[Any, Any], scale: float) -> None:
        if style.marker is not None:
            self.shapes.append((xy[:1], _px(style.radius + style.weight, scale)))
        else:
            casing = _html.casing_style(style)
            weight = casing["weight"] if casing else style.weight
            self.shapes.append((xy, _px(weight / 2, scale)))

    def in_display(self, ax: Axes, renderer: RendererBase) -> np.ndarray[Any, Any]:
        """Return ``(x, y, radius)`` in display pixels, lines densified every 2 pixels."""
        rows = []
        view = ax.get_window_extent(renderer)
        for xy, radius_pt in self.shapes:
            points = ax.transData.transform(xy)
            radius = _pixels(renderer, radius_pt)
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


def _place_labels(
    ax: Axes,
    renderer: RendererBase,
    features: Sequence[tuple[str, Mapping[str, Any]]],
    anchors: Mapping[str, Any],
    texts: Mapping[str, str],
    obstacles: _Obstacles,
    reserved: list[Bbox],
    scale: float,
) -> dict[str, Annotation]:
    """Label the features, each where it covers the least of the rest.

    The anchors are the web map's (:func:`bordermap.webmap._label_anchors`): points
    at themselves, bridges at an end, the river where it is farthest from the rest.
    Around each anchor (along the river, parallel to it) positions are tried in order
    of preference, and the first that covers no drawn feature and no other label is
    kept, else the one that covers least.
    """
    group = _Group("labels", zorder=7)
    ax.add_artist(group)
    blockers = obstacles.in_display(ax, renderer)
    inside = ax.get_window_extent(renderer).padded(-_pixels(renderer, 3 * scale))
    taken = [np.array([box.p0, (box.x1, box.y0), box.p1, (box.x0, box.y1)]) for box in reserved]
    by_id = {str(feature.get("id")): feature for _, feature in features}
    # Bridges first, then places, the river last: it can move along its length.
    rank = {"rail_bridge": 0, "road_bridge": 0, "river": 2}
    order = sorted(
        anchors, key=lambda i: rank.get(str((by_id[i].get("properties") or {}).get("kind")), 1)
    )
    halo = patheffects.withStroke(linewidth=3.2 * scale, foreground=_HALO)
    labels: dict[str, Annotation] = {}
    for feature_id in order:
        feature = by_id[feature_id]
        properties = feature.get("properties") or {}
        kind = str(properties.get("kind"))
        style = style_for(kind, properties.get("status"))
        coords = feature_coords(feature)
        xy = _project(coords)
        if style.marker is None and len(coords) > 2:
            candidates = _river_candidates(ax, coords, anchors[feature_id], style)
        elif style.marker is None:
            candidates = _end_candidates(ax, xy)
        else:
            candidates = _point_candidates(xy[0], (style.radius + style.weight) * PT_PER_PX + 2)
        candidates = [c for c in candidates if inside.contains(*ax.transData.transform(c[0]))]
        if not candidates:
            continue  # out of view
        annotation = Annotation(
            texts[feature_id],
            xy=candidates[0][0],
            xycoords="data",
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=_label_size(kind) * scale,
            fontweight="bold" if kind.endswith("bridge") else "normal",
            fontstyle="italic" if kind == "river" else "normal",
            color=_label_colour(style),
            path_effects=[halo],
            annotation_clip=True,
            rotation_mode="anchor",
            gid=f"label-{feature_id}",
        )
        group.add(annotation, ax)
        best: tuple[float, int, np.ndarray[Any, Any]] | None = None
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


def _pixels(renderer: RendererBase, points: float) -> float:
    """Return ``points`` as pixels at the renderer's resolution."""
    return float(np.asarray(renderer.points_to_pixels(points)))


def _try(
    annotation: Annotation,
    candidate: _Candidate,
    transform: Transform,
    renderer: RendererBase,
    scale: float,
) -> np.ndarray[Any, Any]:
    """Put the label at ``candidate``; return the corners it covers on the page, in pixels."""
    anchor, offset, ha, va, rotation = candidate
    annotation.xy = anchor
    annotation.xyann = (offset[0] * scale, offset[1] * scale)
    annotation.set_horizontalalignment(ha)
    annotation.set_verticalalignment(va)
    # Measure it upright, then turn the box about the text's anchor as the label turns.
    annotation.set_rotation(0)
    box = annotation.get_window_extent(renderer).padded(_pixels(renderer, 1.5 * scale))
    annotation.set_rotation(rotation)
    pivot = transform.transform(anchor) + np.asarray(annotation.xyann) * _pixels(renderer, 1.0)
    corners = np.array([box.p0, (box.x1, box.y0), box.p1, (box.x0, box.y1)]) - pivot
    turn = math.radians(rotation)
    rotate = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    quad: np.ndarray[Any, Any] = corners @ rotate.T + pivot
    return quad


def _score(
    quad: np.ndarray[Any, Any],
    blockers: np.ndarray[Any, Any],
    taken: Sequence[np.ndarray[Any, Any]],
    inside: Bbox,
) -> float:
    """Score a label's place: drawn features covered, labels overlapped, leaving the map."""
    score = float(np.count_nonzero(_covered(quad, blockers[:, :2], blockers[:, 2])))
    from shapely.geometry import Polygon as ShapelyPolygon

    shape = ShapelyPolygon(quad)
    score += 1000.0 * sum(1 for other in taken if shape.intersects(ShapelyPolygon(other)))
    if not all(inside.contains(x, y) for x, y in quad):
        score += 100_000.0
    return score


def _covered(
    quad: np.ndarray[Any, Any], points: np.ndarray[Any, Any], radii: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Tell which points (discs of ``radii``) touch the rectangle with corners ``quad``."""
    origin = quad[0]
    along, across = quad[1] - origin, quad[3] - origin
    length, height = float(np.hypot(*along)), float(np.hypot(*across))
    relative = points - origin
    u = relative @ (along / length)
    v = relative @ (across / height)
    hit: np.ndarray[Any, Any] = (
        (u > -radii) & (u < length + radii) & (v > -radii) & (v < height + radii)
    )
    return hit


def _point_candidates(anchor: np.ndarray[Any, Any], gap: float) -> list[_Candidate]:
    """Positions beside a marker: right first (as the web map), then around it."""
    at = (float(anchor[0]), float(anchor[1]))
    diagonal = gap * 0.75
    return [
        (at, (gap, 0), "left", "center", 0.0),
        (at, (diagonal, diagonal), "left", "bottom", 0.0),
        (at, (diagonal, -diagonal), "left", "top", 0.0),
        (at, (-gap, 0), "right", "center", 0.0),
        (at, (-diagonal, diagonal), "right", "bottom", 0.0),
        (at, (-diagonal, -diagonal), "right", "top", 0.0),
        (at, (0, gap), "center", "bottom", 0.0),
        (at, (0, -gap), "center", "top", 0.0),
    ]


def _end_candidates(ax: Axes, xy: np.ndarray[Any, Any]) -> list[_Candidate]:
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
    ax: Axes, coords: Sequence[Coordinate], anchor: Any, style: Style
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
    projected = _project([point for _, point in points])
    inside = [
        (along, tuple(xy))
        for (along, _), xy in zip(points, projected, strict=True)
        if inner.contains(xy[0], xy[1])
    ]
    anchor_xy = _project([start])[0]
    inside.sort(key=lambda item: float(np.hypot(*(np.asarray(item[1]) - anchor_xy))))
    offset = style.weight / 2 * PT_PER_PX + 4.0
    candidates: list[_Candidate] = []
    for along, at in inside[:24]:
        before, after = _project([line.point_at(along - 120.0), line.point_at(along + 120.0)])
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
        return _INK
    red, green, blue = to_rgb(style.color)
    return to_hex((red * 0.72, green * 0.72, blue * 0.72))
