"""Static, print-quality maps: the layers drawn with matplotlib in the web map's styles.

:func:`export_image` draws the same GeoJSON layers as the web map, with the same
:mod:`bordermap.styles` (a style's CSS pixels become points at 0.75 pt/px), into a
PNG, SVG or PDF: title and "as of" date, labels that avoid each other and the
features, the area where each approximate feature may lie, a legend made from the
styles of what is drawn, a geodesic scale bar, a north arrow, latitude and longitude
ticks, and the sources and attribution lines.

Beneath the layers it draws the base of :mod:`bordermap.base` (land, sea and the
map's countries in distinct fills, named where they have room) and, in the corner
of the map that covers the least, a locator inset: the wider region with the map's
countries named (and the sea and cities its base file names) and a box marking the map.

The map is drawn in Web Mercator (EPSG:3857), like the web map and its tiles, so
basemap tiles are used without resampling and the meridians are vertical (the north
arrow is still computed from the projection, not assumed). The scale bar is measured
geodesically on the WGS 84 ellipsoid at the bar's latitude.

Nothing is fetched from the network unless ``basemap=True``; then tiles come from
OpenStreetMap through contextily, cached on disk, and drawn instead of the base; a
map with the base is written, with a :class:`BasemapUnavailableWarning`, when they
cannot be fetched. The same layers and options give the same bytes.

This module holds the options (:class:`ExportOptions`), the fonts and the output;
the page's parts live beside it: :mod:`bordermap._export_page` lays the page out,
:mod:`bordermap._export_layers` draws the base, the layers and the tiles,
:mod:`bordermap._export_legend` the legend, notes and sources,
:mod:`bordermap._export_inset` the locator inset (what it shows comes from
:mod:`bordermap._inset`, as the web map's does), :mod:`bordermap._labels` places the
labels, :mod:`bordermap._furniture` draws the ticks, scale bar and north arrow, and
:mod:`bordermap._page` holds the page's size, units, inks and projection.
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import matplotlib
from matplotlib import font_manager

from bordermap import _export_page, settings
from bordermap._export_layers import TILE_PROVIDER
from bordermap._export_page import Drawing
from bordermap._io import write_atomic
from bordermap._page import EXPORT_CRS
from bordermap._print_fonts import nearest_weights_quietly, owner_of, pdf_fonts
from bordermap._types import Feature
from bordermap.base import Base, resolve_base
from bordermap.errors import BasemapUnavailableWarning, BaseUnavailableWarning, ExportError
from bordermap.layers import Layers, read_layers
from bordermap.mapspec import activated, spec_of

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "EXPORT_CRS",
    "FONT_FAMILIES",
    "FORMATS",
    "TILE_PROVIDER",
    "BaseUnavailableWarning",
    "BasemapUnavailableWarning",
    "ExportError",
    "ExportOptions",
    "export_image",
    "render_images",
]

#: Image formats :func:`export_image` writes.
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")

#: Font families, in order of preference; each glyph comes from the first that has it.
#: DejaVu Sans (shipped with matplotlib) draws Latin and Cyrillic, NanumGothic Hangul:
#: both TrueType, which the PDF embeds as such. Noto Sans CJK (PostScript outlines: a
#: PDF that needs it embeds Type 3 fonts) stands in for what they lack.
FONT_FAMILIES: tuple[str, ...] = (
    "DejaVu Sans",
    "NanumGothic",
    "Noto Sans CJK KR",
    "Noto Sans CJK JP",
)


@dataclass(frozen=True)
class ExportOptions:
    """How a static map is drawn: the options of :func:`export_image` and :func:`render_images`.

    Parameters
    ----------
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
        (when the layers are a path), else from ``geodata/`` in the working directory;
        when there is none there, a :class:`BaseUnavailableWarning` says so and the
        map is drawn on a plain background. ``False`` draws no base and no inset.
    inset : bool, default True
        Draw the locator inset (the wider region, a box marking the map) in a corner
        of the map, when the base has one.
    hidden : sequence of str, optional
        Layers to leave out; defaults to ``settings.hidden_layers`` (the context
        layer, which the web map also shows only on request). ``()`` draws all.
    """

    width: int = 2400
    dpi: int = 200
    bbox: tuple[float, float, float, float] | None = None
    basemap: bool = False
    language: str = "en"
    base: Base | str | Path | Literal[False] | None = None
    inset: bool = True
    hidden: Sequence[str] | None = None


class ExportOptionValues(TypedDict, total=False):
    """The fields of :class:`ExportOptions`, as keyword arguments of the public functions."""

    width: int
    dpi: int
    bbox: tuple[float, float, float, float] | None
    basemap: bool
    language: str
    base: Base | str | Path | Literal[False] | None
    inset: bool
    hidden: Sequence[str] | None


def _options(options: ExportOptions | None, values: ExportOptionValues) -> ExportOptions:
    """Return ``options`` (or the defaults) with ``values`` replacing their fields."""
    return dataclasses.replace(options or ExportOptions(), **values)


def export_image(
    layers: Layers | str | Path,
    path: str | Path,
    options: ExportOptions | None = None,
    *,
    format: str | None = None,
    **values: Unpack[ExportOptionValues],
) -> Path:
    """Draw the layers as a static, annotated map and write it as PNG, SVG or PDF.

    Parameters
    ----------
    layers : dict or path
        Layer name to GeoJSON FeatureCollection (from :func:`bordermap.build_layers`
        or :func:`bordermap.read_layers`), or a geodata directory to read them from.
    path : str or pathlib.Path
        The file to write (through a temporary file renamed into place).
    options : ExportOptions, optional
        How to draw the map (size, area, language, base, inset, layers left out);
        the defaults of :class:`ExportOptions` when not given.
    format : {"png", "svg", "pdf"}, optional
        The image format; defaults to ``path``'s suffix.
    **values
        Fields of :class:`ExportOptions` (``width``, ``dpi``, ``bbox``, ``basemap``,
        ``language``, ``base``, ``inset``, ``hidden``), replacing those of ``options``:
        ``export_image(layers, "map.png", language="ko")``.

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
    images = _render_images(layers, [chosen], problems, _options(options, values))
    write_atomic(path, images[chosen])
    return path


def render_images(
    layers: Layers | str | Path,
    formats: Sequence[str] = FORMATS,
    options: ExportOptions | None = None,
    **values: Unpack[ExportOptionValues],
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
    options : ExportOptions, optional
        As for :func:`export_image`.
    **values
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
    return _render_images(layers, list(dict.fromkeys(chosen)), problems, _options(options, values))


def _render_images(
    layers: Layers | str | Path, formats: list[str], problems: list[str], options: ExportOptions
) -> dict[str, bytes]:
    """Check the options (adding to ``problems``), draw once, render each format.

    Called by the public functions only: a warning names their caller's line.
    """
    _check_options(problems, options)
    geodata = None if isinstance(layers, dict) else Path(layers)
    if geodata is not None:
        layers = read_layers(geodata)
    assert isinstance(layers, dict)
    left_out = settings.hidden_layers if options.hidden is None else tuple(options.hidden)
    layers = {name: layer for name, layer in layers.items() if name not in left_out}
    # The public function's caller is named by a warning.
    drawn_base = resolve_base(options.base, geodata, stacklevel=4)
    with (
        matplotlib.rc_context(_rc_params()),
        nearest_weights_quietly(),
        activated(spec_of(layers)),
    ):
        drawing = _draw(layers, options, drawn_base)
        images = {name: _render(drawing, name, options.dpi) for name in formats}
    if drawing.basemap_problem is not None:
        warnings.warn(
            f"the basemap could not be fetched ({drawing.basemap_problem}); "
            "the map is drawn without a basemap",
            BasemapUnavailableWarning,
            stacklevel=3,
        )
    return images


def _draw(layers: Layers, options: ExportOptions, base: Base | None) -> Drawing:
    """Check that the fonts have every text, then draw the page (inside ``_rc_params()``)."""
    content = _export_page.page_content(layers, options.language)
    base = base or {}
    _check_fonts(_export_page.written_texts(content, base), options.language, content.features)
    return _export_page.draw(content, options, base)


# ---------------------------------------------------------------------------
# Options, fonts and output
# ---------------------------------------------------------------------------


#: The widest PNG drawn, in pixels (its height is two thirds of it): wider would need
#: gigabytes of memory.
MAX_WIDTH = 10_000


def _check_options(problems: list[str], options: ExportOptions) -> None:
    """Check every option; raise once listing every problem, those given first."""
    width, dpi, bbox, language = options.width, options.dpi, options.bbox, options.language
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
        # Type 3 unless bordermap._print_fonts finds every font TrueType (Type 42).
        "pdf.fonttype": 3,
        "path.simplify": False,
        "axes.unicode_minus": False,
        # Text from the data is text: "$x$" must not be read as mathematics.
        "text.parse_math": False,
    }


def _check_fonts(
    texts: Iterable[str],
    language: str,
    features: Sequence[tuple[str, Feature]] = (),
) -> None:
    """Raise :class:`ExportError` if some character of ``texts`` is in no installed font.

    Each text gets one line, naming the layer, feature and field it comes from; the advice
    for an emoji or an uncovered script is on that line, for CJK on a line of its own.
    """
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
                f"{owner_of(''.join(missing), features, language)}language {language!r}: "
                f"no installed font has {''.join(missing)!r} (in {text!r}); tried "
                f"{', '.join(_font_families())}"
                + ("" if any(_is_cjk(char) for char in missing) else f"; {_NO_SUCH_FONT}")
            )
    if any(_is_cjk(char) for char in all_missing):
        problems.append(
            "install NanumGothic (Debian/Ubuntu: apt install fonts-nanum) or Noto Sans CJK "
            "(fonts-noto-cjk), then remove matplotlib's font cache (~/.cache/matplotlib) "
            "so it finds them"
        )
    if problems:
        raise ExportError(problems)


# An emoji or a script the map's fonts do not cover (a CJK font would not help).
_NO_SUCH_FONT = (
    "the print fonts have no emoji and no script but Latin, Cyrillic, Greek and CJK: "
    "leave it out of the name, or add a font that has it to bordermap.export.FONT_FAMILIES"
)


def _is_cjk(char: str) -> bool:
    """Whether a character is of a CJK script (which Noto Sans CJK covers)."""
    name = unicodedata.name(char, "")
    return name.startswith(("HANGUL", "CJK", "HIRAGANA", "KATAKANA"))


def _render(drawing: Drawing, image_format: str, dpi: int) -> bytes:
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
    fonts = pdf_fonts(drawing.figure, _font_families()) if image_format == "pdf" else nullcontext()
    with fonts:
        drawing.figure.savefig(
            buffer, format=image_format, dpi=dpi, metadata=metadata, facecolor="white"
        )
    return buffer.getvalue()
