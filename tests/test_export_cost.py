"""What keeps the static export's cost in proportion to the page (issue 18), checked exactly.

The page is laid out once for every format; a detailed line is drawn simplified to within
a pixel of the layer's; a long text is wrapped with a few measurements a line, into the
same lines as word-by-word wrapping gives. Times are measured by ``benchmarks/export.py``,
never here.
"""

from __future__ import annotations

import copy
import math
from typing import Any
from unittest import mock

import matplotlib
import numpy as np
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from bordermap import _export_legend, _export_page, _page, export
from bordermap.layers import Layers

RIVER_ID = "tumen-river"


def _detailed(layers: Layers, vertices: int) -> tuple[Layers, list[list[float]]]:
    """Return the layers with the river (and the border on it) in ``vertices`` vertices."""
    layers = copy.deepcopy(layers)
    river = next(f for f in layers["tumen_river"]["features"] if f["id"] == RIVER_ID)
    coarse = np.asarray(river["geometry"]["coordinates"], dtype=float)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coarse, axis=0).T))])
    s = np.linspace(0.0, along[-1], vertices)
    lon, lat = np.interp(s, along, coarse[:, 0]), np.interp(s, along, coarse[:, 1])
    # Meanders of about 30 m and wiggles of a few decimetres (in degrees, roughly).
    offset = 3e-4 * np.sin(s / along[-1] * 300) + 4e-6 * np.sin(s / along[-1] * 9000)
    offset[[0, -1]] = 0.0
    detailed = np.round(np.column_stack([lon + offset, lat - offset]), 6).tolist()
    river["geometry"]["coordinates"] = detailed
    # The border is drawn on the river, as in the shipped layers.
    border = next(f for f in layers["border"]["features"] if f["id"] == "kp-ru-border")
    assert border["geometry"]["coordinates"] == coarse.tolist()
    border["geometry"]["coordinates"] = copy.deepcopy(detailed)
    return layers, detailed


def _drawn_lines(drawing: _export_page.Drawing, feature_id: str) -> list[Any]:
    """Return the map's lines drawn for a feature (its casing and its line)."""
    return [
        child
        for artist in drawing.map_axes.artists
        for child in getattr(artist, "children", [])
        if str(child.get_gid()).startswith(f"feature-{feature_id}")
    ]


def test_a_detailed_line_is_drawn_simplified_within_a_pixel_of_the_layer(shipped_layers):
    layers, detailed = _detailed(shipped_layers, 20_000)
    with matplotlib.rc_context(export._rc_params()):
        drawing = export._draw(layers, export.ExportOptions(bbox=None), None)
    lines = _drawn_lines(drawing, RIVER_ID)
    assert lines, "the river is drawn"
    to_display = drawing.map_axes.transData
    original = shapely.LineString(to_display.transform(_page.project(detailed)))
    for line in lines:
        xy = np.column_stack(line.get_data())
        assert 2 <= len(xy) < len(detailed) / 10  # simplified for the page
        drawn = shapely.LineString(to_display.transform(xy))
        # Display units are the PNG's pixels.
        assert drawn.hausdorff_distance(original) <= 1.0


def test_pixel_size_is_the_ground_size_of_a_pixel_at_the_export_width(shipped_layers):
    with matplotlib.rc_context(export._rc_params()):
        drawing = export._draw(shipped_layers, export.ExportOptions(width=1200), None)
    ax = drawing.map_axes
    view = _export_page._view(ax)
    (x0, x1), pixels = ax.get_xlim(), ax.get_window_extent().width
    north = max(abs(view[2]), abs(view[3]))
    assert _export_page.pixel_m(ax, 1200, view) == pytest.approx(
        (x1 - x0) / pixels * math.cos(math.radians(north))
    )


def test_every_format_is_rendered_from_one_layout(shipped_layers):
    with mock.patch.object(_export_page, "draw", wraps=_export_page.draw) as draw:
        images = export.render_images(shipped_layers, ("png", "svg", "pdf"), base=False)
    assert set(images) == {"png", "svg", "pdf"}
    assert draw.call_count == 1


def _word_by_word(text: Text, words: str, room: float, renderer: Any) -> list[str]:
    """Wrap as a reader would: add each word to the line while the line still fits."""
    lines: list[str] = []
    for word in words.split(" "):
        if lines:
            text.set_text(f"{lines[-1]} {word}")
            if text.get_window_extent(renderer).width <= room:
                lines[-1] = f"{lines[-1]} {word}"
                continue
        lines.append(word)
    return lines


@pytest.mark.parametrize(
    "words",
    [
        "Sources: Wikipedia, TASS, Wikipedia (German), ASIAPRESS, NK News, Kommersant " * 12,
        "a " + "Ekonomichna-Pravda-citing-Radio-Svoboda-RFE/RL " * 3 + "b  c",
        "one",
    ],
)
def test_wrapping_gives_the_lines_of_word_by_word_wrapping_with_few_measurements(words):
    figure = Figure(dpi=200)
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    text = figure.text(0, 0, "", fontsize=7.5)
    room = 600.0
    expected = _word_by_word(text, words, room, renderer)
    with mock.patch.object(text, "set_text", wraps=text.set_text) as set_text:
        count = _export_legend._wrap(text, words, room, renderer)
    assert text.get_text().split("\n") == expected
    assert count == len(expected)
    # A few measurements a line (galloping, then bisecting), not one a word.
    per_line = 2 * math.log2(len(words.split(" ")) + 1) + 2
    assert set_text.call_count <= len(expected) * per_line
    if len(expected) > 2:
        with mock.patch.object(text, "set_text", wraps=text.set_text) as set_text:
            assert _export_legend._wrap(text, words, room, renderer, 2) == 3
        assert set_text.call_count <= 3 * per_line
