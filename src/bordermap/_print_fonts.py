"""The print export's fonts: how a PDF embeds them, and the weights they come in.

The PDF embeds its fonts as TrueType (Type 42) wherever the fonts allow.

A graphics desk opens the PDF in an editor that needs real fonts, and poppler (pdffonts,
pdftoppm) and Acrobat read TrueType fonts without complaint. matplotlib's Type 42
embeds a font file as TrueType whatever its outlines, so a font with PostScript (CFF)
outlines, such as Noto Sans CJK, would be mislabelled ("Mismatch between font type and
embedded font file"): when the text needs one, the PDF embeds its fonts as Type 3
instead, which keeps them as they are, with their Unicode text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from bordermap._types import Feature

__all__ = ["font_files", "nearest_weights_quietly", "owner_of", "pdf_font_type", "pdf_fonts"]


def owner_of(characters: str, features: Iterable[tuple[str, Feature]], language: str) -> str:
    """Name the layer, feature and field whose text holds one of ``characters``.

    Parameters
    ----------
    characters : str
        Characters no print font has.
    features : iterable of (str, mapping)
        The features drawn: each layer's name and a GeoJSON Feature of it.
    language : str
        The map's language: its fields (``label_ru``, ``name_ru``) are named first.

    Returns
    -------
    str
        ``"layer 'rail_bridge', feature 'friendship-bridge', field 'label_en': "``,
        or ``""`` when no feature's text holds them (the text is the map's own, e.g.
        its title).
    """
    fields = [
        (f"layer {layer!r}, feature {feature.get('id')!r}", key, value)
        for layer, feature in features
        for key, value in (feature.get("properties") or {}).items()
        if isinstance(value, str)
    ]
    fields.sort(key=lambda field: not str(field[1]).endswith(f"_{language}"))
    for where, key, value in fields:
        if any(character in value for character in characters):
            return f"{where}, field {key!r}: "
    return ""


class _NearestWeight(logging.Filter):
    """Drop matplotlib's note that a family has no face of the exact weight asked for."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("findfont: Failed to find font weight")


@contextmanager
def nearest_weights_quietly() -> Iterator[None]:
    """Draw inside this context: bold in a family whose bold is not 700, without a note.

    NanumGothic's bold face is of weight 600: matplotlib draws bold text with it, as it
    should, and logs a warning each time that it found no face of weight 700.
    """
    logger = logging.getLogger("matplotlib.font_manager")
    quiet = _NearestWeight()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def _font_file(family: str) -> str | None:
    """Return the file of ``family``'s regular face, or ``None`` if it is not installed."""
    try:
        return str(
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        )
    except ValueError:
        return None


def font_files(texts: Iterable[str], families: Sequence[str]) -> set[str]:
    """Return the font files that draw ``texts``: each character's first family that has it."""
    faces = [(path, font_manager.get_font(path).get_charmap()) for path in _paths(families)]
    used: set[str] = set()
    for character in {character for text in texts for character in text}:
        for path, charmap in faces:
            if ord(character) in charmap:
                used.add(path)
                break
    return used


def _paths(families: Sequence[str]) -> list[str]:
    return [path for path in map(_font_file, families) if path is not None]


def _truetype_outlines(path: str) -> bool:
    # A 'maxp' table of version 1.0 goes with TrueType (glyf) outlines, 0.5 with CFF.
    maxp: dict[str, Any] = dict(font_manager.get_font(path).get_sfnt_table("maxp") or {})
    return tuple(maxp.get("version", ())) == (1, 0)


def pdf_font_type(texts: Iterable[str], families: Sequence[str]) -> Literal[3, 42]:
    """Return how a PDF should embed the fonts that draw ``texts``.

    Parameters
    ----------
    texts : iterable of str
        Every text of the page.
    families : sequence of str
        Font families in order of preference (matplotlib's ``font.family``).

    Returns
    -------
    {42, 3}
        42 (TrueType) if every font the texts need has TrueType outlines; 3 if one
        has PostScript (CFF) outlines, which Type 42 would mislabel.
    """
    used = font_files(texts, families)
    return 42 if all(_truetype_outlines(path) for path in used) else 3


@contextmanager
def pdf_fonts(figure: Figure, families: Sequence[str]) -> Iterator[Literal[3, 42]]:
    """Save ``figure`` as PDF inside this context: fonts as TrueType where they allow.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The drawn page.
    families : sequence of str
        The font families it is drawn with.

    Yields
    ------
    {42, 3}
        The font type the PDF embeds (see :func:`pdf_font_type`).
    """
    texts = [artist.get_text() for artist in figure.findobj(Text)]
    font_type = pdf_font_type(texts, families)
    # fontTools, which subsets the fonts, notes each hinting-source table (VTT's TSI*,
    # in NanumGothic) that it drops: nothing a reader of the map needs to hear.
    subsetter = logging.getLogger("fontTools.subset")
    level = subsetter.level
    subsetter.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context({"pdf.fonttype": font_type}):
            yield font_type
    finally:
        subsetter.setLevel(level)
