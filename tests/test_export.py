"""Static exports: the images themselves (size, content, text, fonts), SVG/PDF structure,
reproducible bytes, framing, scale, and the basemap's offline fallback."""

from __future__ import annotations

import copy
import math
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from helpers import COUNTRY_FILLS, cli_args
from matplotlib import font_manager
from matplotlib.colors import to_hex, to_rgb
from matplotlib.patches import Rectangle
from PIL import Image
from pyproj import Geod, Proj

from bordermap import _page, export
from bordermap import settings as bordermap_settings
from bordermap._export_page import _LAND, Drawing
from bordermap.cli import main
from bordermap.errors import BordermapError
from bordermap.export import (
    BasemapUnavailableWarning,
    ExportError,
    export_image,
    render_images,
)
from bordermap.facts import Facts
from bordermap.i18n import format_date
from bordermap.layers import Layers
from bordermap.styles import UNCERTAINTY_STYLE, style_for

# Around the river mouth, 14 km downstream of both bridges.
MOUTH_BBOX = (130.695, 42.287, 130.709, 42.298)


def _draw(layers: Layers, **options: Any) -> Drawing:
    """Lay the page out as export_image does, to find where things are on it."""
    base = options.pop("base", None)  # a base read already, or none
    with matplotlib.rc_context(export._rc_params()):
        drawing = export._draw(layers, export.ExportOptions(**options), base)
        drawing.figure.canvas.draw()  # the legend takes its final size when drawn
    return drawing


def _pixels(path: Path) -> np.ndarray[Any, Any]:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def _region(pixels: np.ndarray[Any, Any], extent: Any) -> np.ndarray[Any, Any]:
    """Crop a display-space extent (origin bottom left) out of an image (origin top left)."""
    height = pixels.shape[0]
    top, bottom = height - math.ceil(extent.y1), height - math.floor(extent.y0)
    return pixels[max(top, 0) : bottom, max(math.floor(extent.x0), 0) : math.ceil(extent.x1)]


def _count(
    pixels: np.ndarray[Any, Any], colour: str | tuple[float, ...], tolerance: int = 6
) -> int:
    target = np.array([round(c * 255) for c in to_rgb(colour)])
    return int(np.count_nonzero(np.abs(pixels - target).max(axis=-1) <= tolerance))


def _over(colour: str, alpha: float, background: str) -> tuple[float, ...]:
    """The colour drawn at ``alpha`` over ``background``."""
    return tuple(
        alpha * c + (1 - alpha) * b
        for c, b in zip(to_rgb(colour), to_rgb(background), strict=True)
    )


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, shipped_layers: Layers, geodata_dir: Path
) -> dict[str, Path]:
    """The layers the facts make, written and exported once in each format by default."""
    import shutil

    from bordermap.layers import write_layers

    directory = tmp_path_factory.mktemp("export")
    write_layers(shipped_layers, directory / "geodata")
    shutil.copytree(geodata_dir / "base", directory / "geodata" / "base")  # inputs
    shutil.copy(geodata_dir / "facts.toml", directory / "geodata" / "facts.toml")
    return {
        fmt: export_image(directory / "geodata", directory / f"map.{fmt}")
        for fmt in ("png", "svg", "pdf")
    }


@pytest.fixture(scope="module")
def shown_layers(shipped_layers: Layers) -> Layers:
    """The layers an export draws by default: all but settings.hidden_layers (context)."""
    hidden = bordermap_settings.hidden_layers
    return {name: layer for name, layer in shipped_layers.items() if name not in hidden}


@pytest.fixture(scope="module")
def drawing(shown_layers: Layers) -> Drawing:
    return _draw(shown_layers)


# ---------------------------------------------------------------------------
# PNG: size and content
# ---------------------------------------------------------------------------


def test_png_is_at_least_2000_pixels_wide_by_default(exported):
    with Image.open(exported["png"]) as image:
        assert image.format == "PNG"
        assert image.size == (2400, 1600)
        assert image.info["dpi"] == pytest.approx((200, 200), abs=0.01)


@pytest.mark.parametrize(("width", "dpi"), [(1234, 200), (3000, 300)])
def test_width_is_honoured(shipped_layers, tmp_path, width, dpi):
    path = export_image(shipped_layers, tmp_path / "map.png", width=width, dpi=dpi)
    with Image.open(path) as image:
        assert image.size == (width, round(width * 2 / 3))


def test_png_is_not_blank_and_draws_the_styles(exported):
    pixels = _pixels(exported["png"])
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 1000
    river = style_for("river")
    assert _count(pixels, _over(river.color, river.opacity, _LAND)) > 2000
    road = style_for("road_bridge", "under construction")
    assert _count(pixels, road.color, tolerance=2) > 1000
    rail = style_for("rail_bridge", "open")
    assert _count(pixels, rail.color, tolerance=2) > 1000
    tripoint = style_for("tripoint")
    assert _count(pixels, tripoint.color, tolerance=2) > 50


def test_title_block_is_drawn_with_the_facts_title(exported, drawing, facts: Facts):
    assert drawing.title == facts.title
    title = next(text for text in drawing.figure.texts if text.get_gid() == "title")
    assert title.get_text() == facts.title
    renderer = drawing.figure.canvas.get_renderer()
    region = _region(_pixels(exported["png"]), title.get_window_extent(renderer))
    dark = np.count_nonzero(region.max(axis=-1) < 80)
    assert dark > 0.15 * region.shape[0] * region.shape[1]
    subtitle = next(text for text in drawing.figure.texts if text.get_gid() == "subtitle")
    assert f"as of {format_date(facts.as_of)}" in subtitle.get_text()


def test_legend_box_has_its_frame_and_text(exported, drawing):
    renderer = drawing.figure.canvas.get_renderer()
    extent = drawing.legend.get_window_extent(renderer)
    map_extent = drawing.map_axes.get_window_extent(renderer)
    assert extent.x0 > map_extent.x1, "the legend stands beside the map, covering nothing"
    region = _region(_pixels(exported["png"]), extent)
    frame = _page.FRAME
    # The frame's left edge is a column of its colour; inside are dark glyphs.
    left_columns = region[:, :4]
    assert max(_count(left_columns[:, [i]], frame, tolerance=12) for i in range(4)) > (
        0.9 * region.shape[0]
    )
    assert np.count_nonzero(region.max(axis=-1) < 80) > 2000


def test_legend_lists_the_styles_drawn_and_the_uncertainty(drawing):
    labels = [text.get_text().replace("\n", " ") for text in drawing.legend.get_texts()]
    assert labels == [
        style_for("river").label,
        style_for("border").label,
        style_for("tripoint").label,
        style_for("rail_bridge", "open").label,
        style_for("road_bridge", "under construction").label,
        UNCERTAINTY_STYLE.label,
    ]


def test_labels_say_the_facts_names_and_the_status(drawing, facts: Facts, shipped_layers):
    texts = {fid: label.get_text() for fid, label in drawing.labels.items()}
    road = facts.feature("road-bridge")
    status = shipped_layers["road_bridge"]["features"][0]["properties"]["status"]
    assert status == "under construction"
    assert road.label is not None
    assert texts["road-bridge"] == f"{road.label['en']} (under construction)"
    rail = facts.feature("friendship-bridge")
    assert rail.label is not None and texts["friendship-bridge"] == rail.label["en"]
    assert texts["tumen-river"] == facts.feature("tumen-river").name["en"]
    assert "tripoint" in texts


def test_labels_stay_in_the_map_and_do_not_collide(drawing):
    renderer = drawing.figure.canvas.get_renderer()
    map_extent = drawing.map_axes.get_window_extent(renderer)
    upright = [
        label.get_window_extent(renderer)
        for label in drawing.labels.values()
        if label.get_rotation() == 0
    ]
    for extent in upright:
        assert map_extent.contains(extent.x0, extent.y0)
        assert map_extent.contains(extent.x1, extent.y1)
    for index, extent in enumerate(upright):
        for other in upright[index + 1 :]:
            assert not extent.overlaps(other)


def test_footer_names_sources_and_the_openstreetmap_credit(drawing):
    texts = {text.get_gid(): text.get_text() for text in drawing.figure.texts}
    assert texts["sources"].startswith("Sources: Wikipedia, TASS")
    assert texts["sources"].count("\n") <= 1
    assert texts["attribution"] == "River and border © OpenStreetMap contributors (ODbL)."
    assert "EPSG:3857" in texts["projection"]


# ---------------------------------------------------------------------------
# SVG and PDF
# ---------------------------------------------------------------------------


def test_svg_parses_and_names_every_layer(exported, shown_layers, facts: Facts):
    text = exported["svg"].read_text(encoding="utf-8")
    root = ET.fromstring(text)
    ids = {element.get("id") for element in root.iter()}
    assert "layer-context" not in ids  # hidden unless asked for, as in the web map
    for name, layer in shown_layers.items():
        if layer["features"]:
            assert f"layer-{name}" in ids
        for feature in layer["features"]:
            assert f"feature-{feature['id']}" in ids
    assert {
        "layer-uncertainty",
        "labels",
        "legend",
        "title",
        "scale-bar",
        "north-arrow",
    } <= ids
    titles = [element.text for element in root.iter("{http://purl.org/dc/elements/1.1/}title")]
    assert facts.title in titles
    assert facts.title in _svg_texts(root)  # text, not outlines
    assert "<dc:date>" not in text


SVG = "{http://www.w3.org/2000/svg}"


def _svg_texts(root: ET.Element) -> dict[str, str]:
    """Each <text> element's words and its font-family, as an editor reads them."""
    found = {}
    for element in root.iter(f"{SVG}text"):
        style = dict(
            part.strip().split(":", 1)
            for part in (element.get("style") or "").split(";")
            if ":" in part
        )
        found["".join(element.itertext())] = style.get("font-family", "").strip()
    return found


def test_svg_text_is_editable_text_in_named_fonts(exported, shown_layers):
    # The issue-13 reproduction: every word was an outline, no <text> at all.
    root = ET.fromstring(exported["svg"].read_text(encoding="utf-8"))
    texts = _svg_texts(root)
    labels = {
        feature["properties"].get("label_en") or feature["properties"]["name_en"]
        for layer in shown_layers.values()
        for feature in layer["features"]
    }
    assert any(label in text for label in labels for text in texts), texts.keys()
    assert {"Legend", "N"} <= texts.keys()
    assert all("Noto Sans CJK" in family or "DejaVu Sans" in family for family in texts.values())


@pytest.mark.parametrize("language", ["en", "ko", "ru"])
def test_poppler_reads_the_pdf_without_warnings_and_lists_its_fonts_embedded(
    shipped_layers, geodata_dir, tmp_path, language
):
    # The issue-13 reproduction: "Mismatch between font type and embedded font file",
    # four times, from pdfinfo and pdftoppm.
    path = tmp_path / "map.pdf"
    path.write_bytes(
        render_images(shipped_layers, ["pdf"], language=language, base=geodata_dir)["pdf"]
    )
    for command in (["pdfinfo", path], ["pdftoppm", "-r", "20", "-png", path, tmp_path / "p"]):
        run = subprocess.run(command, capture_output=True, text=True, check=True)
        assert run.stderr == "", run.stderr
    fonts = _pdffonts(path)
    assert fonts, "the PDF has text in fonts"
    for font in fonts:
        assert (font["emb"], font["uni"]) == ("yes", "yes"), font  # embedded, with its text
        # TrueType (Type 42), as an editor wants it, not Type 3 (glyphs as drawings).
        assert font["type"] in {"TrueType", "CID TrueType"}, font
    names = " ".join(font["name"] for font in fonts)
    assert "DejaVuSans" in names and ("NanumGothic" in names) == (language == "ko"), names


def _pdffonts(path: Path) -> list[dict[str, str]]:
    """The fonts ``pdffonts`` lists: name, type, emb(edded), uni(code), ..."""
    listed = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True)
    assert listed.stderr == "", listed.stderr
    fonts = []
    for line in listed.stdout.splitlines()[2:]:
        name, *kind, _encoding, emb, sub, uni, _object, _generation = line.split()
        fonts.append({"name": name, "type": " ".join(kind), "emb": emb, "sub": sub, "uni": uni})
    return fonts


def test_a_pdf_that_needs_a_postscript_font_embeds_type_3_and_reads_cleanly(
    shipped_layers, geodata_dir, tmp_path, monkeypatch
):
    # Noto Sans CJK has PostScript (CFF) outlines: as Type 42 poppler would warn
    # "Mismatch between font type and embedded font file" (the issue-13 reproduction).
    monkeypatch.setattr(export, "FONT_FAMILIES", ("Noto Sans CJK KR",))
    path = tmp_path / "map.pdf"
    path.write_bytes(
        render_images(shipped_layers, ["pdf"], language="ko", base=geodata_dir)["pdf"]
    )
    for command in (["pdfinfo", path], ["pdftoppm", "-r", "20", "-png", path, tmp_path / "p"]):
        run = subprocess.run(command, capture_output=True, text=True, check=True)
        assert run.stderr == "", run.stderr
    fonts = _pdffonts(path)
    assert fonts and all(font["type"] == "Type 3" for font in fonts), fonts
    assert all((font["emb"], font["uni"]) == ("yes", "yes") for font in fonts), fonts


def test_pdf_font_type_follows_the_outlines_of_the_fonts_the_text_needs():
    from bordermap._print_fonts import font_files, pdf_font_type

    truetype = ("DejaVu Sans", "NanumGothic", "Noto Sans CJK KR")
    assert pdf_font_type(["Road bridge", "Мост"], truetype) == 42
    assert pdf_font_type(["도로교"], truetype) == 42  # Hangul from NanumGothic
    assert len(font_files(["Road bridge", "도로교"], truetype)) == 2
    assert pdf_font_type(["Road bridge"], ("Noto Sans CJK KR", "DejaVu Sans")) == 3
    # A character only Noto Sans CJK has (an ideograph NanumGothic lacks) needs it.
    nanum, noto = (_charmap(family) for family in ("NanumGothic", "Noto Sans CJK KR"))
    rare = next(chr(c) for c in range(0x4E00, 0x9FFF) if c in noto and c not in nanum)
    assert pdf_font_type([rare], truetype) == 3


def _charmap(family: str) -> dict[int, int]:
    path = font_manager.findfont(font_manager.FontProperties(family=family))
    return font_manager.get_font(path).get_charmap()


def test_svg_layer_group_holds_its_features(exported):
    root = ET.fromstring(exported["svg"].read_text(encoding="utf-8"))
    group = next(e for e in root.iter() if e.get("id") == "layer-road_bridge")
    inner = {element.get("id") for element in group.iter()}
    assert {"feature-road-bridge", "feature-road-bridge-casing"} <= inner


def _svg_style(root: ET.Element, gid: str) -> dict[str, str]:
    group = next(element for element in root.iter() if element.get("id") == gid)
    path = next(element for element in group.iter() if element.get("style"))
    pairs = (item.split(":") for item in str(path.get("style")).split(";"))
    return {key.strip(): value.strip() for key, value in pairs}


def test_svg_draws_each_line_in_its_style_at_three_quarter_points_per_pixel(
    exported, shown_layers
):
    root = ET.fromstring(exported["svg"].read_text(encoding="utf-8"))
    lines = [
        feature
        for layer in shown_layers.values()
        for feature in layer["features"]
        if feature["geometry"]["type"] == "LineString"
    ]
    assert len(lines) == 4
    for feature in lines:
        properties = feature["properties"]
        style = style_for(properties["kind"], properties["status"])
        drawn = _svg_style(root, f"feature-{feature['id']}")
        assert drawn["stroke"] == style.color
        assert float(drawn["stroke-width"]) == pytest.approx(style.weight * 0.75)
        assert float(drawn.get("stroke-opacity", 1)) == pytest.approx(style.opacity)
        if style.dash is None:
            assert "stroke-dasharray" not in drawn
        else:
            dashes = [float(value) for value in drawn["stroke-dasharray"].split(",")]
            assert dashes == pytest.approx([value * 0.75 for value in style.dash])
        if style.casing:
            casing = _svg_style(root, f"feature-{feature['id']}-casing")
            assert casing["stroke"] == style.casing
            assert float(casing["stroke-width"]) > float(drawn["stroke-width"])
    area = _svg_style(root, "feature-road-bridge-uncertainty")
    assert area["fill"] == UNCERTAINTY_STYLE.fill
    assert float(area["fill-opacity"]) == pytest.approx(UNCERTAINTY_STYLE.fill_opacity)
    assert UNCERTAINTY_STYLE.dash is not None
    assert [float(v) for v in area["stroke-dasharray"].split(",")] == pytest.approx(
        [value * 0.75 for value in UNCERTAINTY_STYLE.dash]
    )


def test_pdf_has_one_page_the_title_and_searchable_text(exported, facts: Facts):
    data = exported["pdf"].read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", data)) == 1
    assert f"/Title ({facts.title})".encode() in data
    assert b"/ToUnicode" in data  # embedded TrueType text, not shapes
    assert b"/CreationDate" not in data
    assert len(data) > 10_000


# ---------------------------------------------------------------------------
# Reproducible bytes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_same_layers_give_the_same_bytes(exported, shipped_layers, tmp_path, fmt):
    again = export_image(shipped_layers, tmp_path / f"again.{fmt}")
    assert again.read_bytes() == exported[fmt].read_bytes()


def test_format_argument_overrides_the_suffix(shipped_layers, tmp_path):
    path = export_image(shipped_layers, tmp_path / "map.image", format="svg")
    assert path == tmp_path / "map.image"
    assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")


# ---------------------------------------------------------------------------
# Framing, scale and north
# ---------------------------------------------------------------------------


def test_default_view_is_framed_on_both_bridges(drawing, shipped_layers):
    x0, x1 = drawing.map_axes.get_xlim()
    y0, y1 = drawing.map_axes.get_ylim()
    for name in ("rail_bridge", "road_bridge"):
        for feature in shipped_layers[name]["features"]:
            for x, y in _page.project(feature["geometry"]["coordinates"]):
                assert x0 < x < x1 and y0 < y < y1


def test_bbox_is_honoured(shipped_layers, tmp_path):
    drawing = _draw(shipped_layers, bbox=MOUTH_BBOX)
    x0, x1 = drawing.map_axes.get_xlim()
    y0, y1 = drawing.map_axes.get_ylim()
    (bx0, by0), (bx1, by1) = _page.project([MOUTH_BBOX[:2], MOUTH_BBOX[2:]])
    assert x0 <= bx0 + 1e-6 and bx1 <= x1 + 1e-6 and y0 <= by0 + 1e-6 and by1 <= y1 + 1e-6
    # Widened or heightened to the map's shape, never both.
    assert (x0, x1) == pytest.approx((bx0, bx1)) or (y0, y1) == pytest.approx((by0, by1))
    labels = [text.get_text().replace("\n", " ") for text in drawing.legend.get_texts()]
    assert style_for("river_mouth").label in labels
    assert style_for("road_bridge", "under construction").label not in labels

    path = export_image(shipped_layers, tmp_path / "mouth.png", bbox=MOUTH_BBOX)
    pixels = _pixels(path)
    assert _count(pixels, style_for("road_bridge", "under construction").color, 2) == 0
    assert _count(pixels, style_for("river_mouth").fill or "", 2) > 20


def _scale_bar(drawing: Drawing) -> tuple[float, float, float, str]:
    group = next(a for a in drawing.map_axes.artists if a.get_gid() == "scale-bar")
    segments = [c for c in group.children if isinstance(c, Rectangle)][1:]  # after its backdrop
    start = min(s.get_x() for s in segments)
    end = max(s.get_x() + s.get_width() for s in segments)
    label = [c.get_text() for c in group.children if hasattr(c, "get_text")][-1]
    return start, end, segments[0].get_y(), label


def test_scale_bar_is_a_round_geodesic_length(drawing):
    start, end, y, label = _scale_bar(drawing)
    value, unit = label.split()
    metres = float(value) * (1000 if unit == "km" else 1)
    assert metres in (100, 200, 250, 500, 1000, 2000)
    (lon0, lat0), (lon1, lat1) = (
        _page.inverse().transform(x, y) for x in (start, end)
    )  # independent of the code under test: pyproj's own geodesic
    _, _, measured = Geod(ellps="WGS84").inv(lon0, lat0, lon1, lat1)
    assert measured == pytest.approx(metres, rel=1e-3)
    x0, x1 = drawing.map_axes.get_xlim()
    assert 0.1 < (end - start) / (x1 - x0) < 0.3


def _north_angle(drawing: Drawing) -> float:
    """Angle of the north arrow from the page's vertical, degrees, clockwise."""
    group = next(a for a in drawing.map_axes.artists if a.get_gid() == "north-arrow")
    left_half = group.children[0]
    tip, _, notch = left_half.get_transform().transform(left_half.get_xy()[:3])
    return math.degrees(math.atan2(tip[0] - notch[0], tip[1] - notch[1]))


def test_north_arrow_points_up_in_web_mercator(drawing):
    assert _north_angle(drawing) == pytest.approx(0.0, abs=1e-6)


def test_north_arrow_turns_by_the_convergence_in_utm(shipped_layers, monkeypatch):
    # The transformers are cached by CRS: the change takes effect with no cache to clear.
    monkeypatch.setattr(_page, "EXPORT_CRS", "EPSG:32652")
    drawing = _draw(shipped_layers)
    convergence = Proj("EPSG:32652").get_factors(130.645, 42.415).meridian_convergence
    assert abs(convergence) == pytest.approx(1.1, abs=0.1)
    # East of zone 52's central meridian (129°E) true north lies west of grid north.
    assert _north_angle(drawing) == pytest.approx(-abs(convergence), abs=0.05)


# ---------------------------------------------------------------------------
# Languages and fonts
# ---------------------------------------------------------------------------


def _charmaps(families: list[str]) -> list[set[int]]:
    maps = []
    for family in families:
        path = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
        maps.append(set(font_manager.get_font(path).get_charmap()))
    return maps


def test_korean_labels_come_from_a_font_with_hangul(shipped_layers, tmp_path, facts: Facts):
    # pytest turns matplotlib's "Glyph ... missing from font(s)" warning into an error.
    path = export_image(shipped_layers, tmp_path / "ko.png", language="ko")
    assert _pixels(path).shape == (1600, 2400, 3)
    drawing = _draw(shipped_layers, language="ko")
    texts = {fid: label.get_text() for fid, label in drawing.labels.items()}
    assert texts["tumen-river"] == facts.feature("tumen-river").name["ko"] == "두만강"
    road = facts.feature("road-bridge").label
    assert road is not None and texts["road-bridge"] == f"{road['ko']} (건설 중)"
    for label in drawing.labels.values():
        charmaps = _charmaps(label.get_fontproperties().get_family())
        for char in label.get_text():
            assert any(ord(char) in charmap for charmap in charmaps), char
    assert any(ord("두") in charmap for charmap in _charmaps(export._font_families()))


@pytest.mark.parametrize("language", ["en", "ko", "ru"])
def test_legend_text_stays_inside_its_frame(shipped_layers, language):
    # Issue 13: the Russian legend's text touched the frame (30 Cyrillic letters are
    # wider than 30 Latin ones).
    drawing = _draw(shipped_layers, language=language)
    renderer = drawing.figure.canvas.get_renderer()
    [legend] = drawing.figure.legends
    frame = legend.get_frame().get_window_extent(renderer)
    margin = 4 * 200 / 72  # 4 pt at 200 dpi
    for text in legend.get_texts():
        box = text.get_window_extent(renderer)
        assert box.x1 <= frame.x1 - margin, (text.get_text(), box.x1, frame.x1)


def test_russian_labels_draw(shipped_layers, facts: Facts):
    drawing = _draw(shipped_layers, language="ru")
    assert drawing.labels["tumen-river"].get_text() == facts.feature("tumen-river").name["ru"]


def test_korean_without_a_hangul_font_is_refused(shipped_layers, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "FONT_FAMILIES", ("DejaVu Sans",))
    with pytest.raises(ExportError, match="fonts-noto-cjk") as raised:
        export_image(shipped_layers, tmp_path / "ko.png", language="ko")
    assert isinstance(raised.value, BordermapError) and isinstance(raised.value, ValueError)
    assert "두" in str(raised.value)
    assert not (tmp_path / "ko.png").exists()


@pytest.mark.parametrize("character", ["🌉", "ባ"])  # an emoji; Ethiopic, in no print font
def test_a_name_no_print_font_has_is_refused_with_advice_that_helps(
    shipped_layers, tmp_path, character
):
    layers = copy.deepcopy(shipped_layers)
    properties = layers["rail_bridge"]["features"][0]["properties"]
    properties["label_en"] = properties["name_en"] = f"Friendship {character} Bridge"
    with pytest.raises(ExportError) as raised:
        export_image(layers, tmp_path / "map.png")
    problems = raised.value.problems
    assert any(character in line and "no installed font" in line for line in problems)
    assert "fonts-noto-cjk" not in str(raised.value)  # a CJK font would not help
    # One line per text, naming where it comes from, with the advice on the same line.
    for line in problems:
        assert line.startswith("layer 'rail_bridge', feature 'friendship-bridge', field '")
        assert character in line and "FONT_FAMILIES" in line
    assert not (tmp_path / "map.png").exists()


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------


def test_bad_options_are_all_reported_at_once(shipped_layers, tmp_path):
    with pytest.raises(ExportError) as raised:
        export_image(
            shipped_layers, tmp_path / "map.jpg", width=50, dpi=0, bbox=(131, 42, 130, 43)
        )
    problems = raised.value.problems
    assert len(problems) == 4
    assert any("'.jpg'" in problem for problem in problems)
    assert any("width" in problem and "50" in problem for problem in problems)
    assert any("dpi" in problem for problem in problems)
    assert any("(131, 42, 130, 43)" in problem for problem in problems)


def test_unknown_language_names_those_available(shipped_layers, tmp_path):
    with pytest.raises(ExportError, match="en, ko, ru"):
        export_image(shipped_layers, tmp_path / "map.png", language="fr")


# ---------------------------------------------------------------------------
# Basemap (never the network: tile fetching is replaced)
# ---------------------------------------------------------------------------


@pytest.fixture
def tiles(monkeypatch, tmp_path) -> Iterator[Any]:
    """contextily with its tile fetcher replaceable and its cache under tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    import contextily.tile as tile

    yield lambda fetch: monkeypatch.setattr(tile, "_fetch_tile", fetch)


def test_basemap_offline_warns_and_writes_the_plain_map(tiles, exported, shipped_layers, tmp_path):
    import requests

    def offline(*args: Any, **kwargs: Any) -> Any:
        raise requests.ConnectionError("no network in the tests")

    tiles(offline)
    with pytest.warns(BasemapUnavailableWarning, match="could not be fetched") as record:
        path = export_image(shipped_layers, tmp_path / "map.png", basemap=True)
    assert record[0].filename == __file__  # stacklevel=2: the caller's line
    assert "without a basemap" in str(record[0].message)
    assert path.read_bytes() == exported["png"].read_bytes()


def test_basemap_tiles_are_drawn_and_credited(tiles, shipped_layers, tmp_path):
    tile_colour = (170, 211, 223)

    def fetch(*args: Any, **kwargs: Any) -> np.ndarray[Any, Any]:
        return np.full((256, 256, 4), (*tile_colour, 255), dtype=np.uint8)

    tiles(fetch)
    path = export_image(shipped_layers, tmp_path / "map.png", basemap=True)
    pixels = _pixels(path)
    assert _count(pixels, tuple(c / 255 for c in tile_colour), 2) > 100_000
    assert _count(pixels, _LAND, 2) < 100  # a few blends happen to match
    drawing = _draw(shipped_layers, basemap=True)
    credit = next(t.get_text() for t in drawing.figure.texts if t.get_gid() == "attribution")
    assert "Basemap © OpenStreetMap contributors" in credit
    assert (tmp_path / "cache" / "bordermap" / "tiles").is_dir()


# ---------------------------------------------------------------------------
# Base (land, sea, countries) and the locator inset
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(geodata_dir: Path) -> Any:
    from bordermap.base import read_base

    return read_base(geodata_dir)


@pytest.fixture(scope="module")
def based(shipped_layers: Layers, base: Any) -> Drawing:
    """The default page as export_image draws it: with the base and the inset."""
    return _draw(shipped_layers, base=base)


def _inset_extent(drawing: Drawing) -> Any:
    assert drawing.inset_axes is not None
    return drawing.inset_axes.get_window_extent(drawing.figure.canvas.get_renderer())


def _map_without_inset(drawing: Drawing, pixels: np.ndarray[Any, Any]) -> Any:
    """The map's pixels with the inset (and its white margin) painted out."""
    renderer = drawing.figure.canvas.get_renderer()
    area = _region(pixels, drawing.map_axes.get_window_extent(renderer)).copy()
    inset = _inset_extent(drawing).padded(10)
    map_box = drawing.map_axes.get_window_extent(renderer)
    height = area.shape[0]
    top = height - math.ceil(inset.y1 - map_box.y0)
    bottom = height - math.floor(inset.y0 - map_box.y0)
    left, right = math.floor(inset.x0 - map_box.x0), math.ceil(inset.x1 - map_box.x0)
    area[max(top, 0) : bottom, max(left, 0) : right] = 0
    return area


def test_base_fills_the_map_with_distinct_countries(exported, based):
    pixels = _pixels(exported["png"])
    area = _map_without_inset(based, pixels)
    total = area.shape[0] * area.shape[1]
    # Both banks, each in its own fill, over a good part of the map; China's corner too.
    assert _count(area, COUNTRY_FILLS["KP"], 1) > 0.15 * total
    assert _count(area, COUNTRY_FILLS["RU"], 1) > 0.15 * total
    assert _count(area, COUNTRY_FILLS["CN"], 1) > 0.01 * total
    assert _count(area, _LAND, 1) < 0.001 * total  # no plain background left
    assert based.base_drawn


def test_inset_draws_north_east_asia_in_a_corner_of_the_map(exported, based):
    from bordermap.base import OTHER_LAND_STYLE, SEA_STYLE

    renderer = based.figure.canvas.get_renderer()
    inset = _inset_extent(based)
    map_box = based.map_axes.get_window_extent(renderer)
    assert map_box.contains(inset.x0, inset.y0) and map_box.contains(inset.x1, inset.y1)
    assert inset.width > 0.2 * map_box.width and inset.width < 0.3 * map_box.width
    # In a corner: touching neither the middle of the map's width nor of its height.
    assert inset.x0 > map_box.x0 + map_box.width / 2 or inset.x1 < map_box.x0 + map_box.width / 2
    assert inset.y0 > map_box.y0 + map_box.height / 2 or inset.y1 < map_box.y0 + map_box.height / 2
    region = _region(_pixels(exported["png"]), inset)
    total = region.shape[0] * region.shape[1]
    assert _count(region, SEA_STYLE.fill or "", 1) > 0.3 * total
    for code in ("KP", "RU", "CN"):
        assert _count(region, COUNTRY_FILLS[code], 1) > 0.02 * total, code
    assert _count(region, OTHER_LAND_STYLE.fill or "", 1) > 0.02 * total
    # The box marking the main map, in its colour, near Vladivostok's south-west.
    assert _count(region, "#b3261e", 40) > 20
    # No label of the map covers the inset.
    for label in based.labels.values():
        assert not label.get_window_extent(renderer).overlaps(inset)


def test_inset_box_marks_the_main_map(based):
    group = next(a for a in based.inset_axes.artists if a.get_gid() == "inset-names")
    box = next(c for c in group.children if c.get_gid() == "inset-extent")
    x0, x1 = based.map_axes.get_xlim()
    y0, y1 = based.map_axes.get_ylim()
    centre = (box.get_x() + box.get_width() / 2, box.get_y() + box.get_height() / 2)
    assert centre == pytest.approx(((x0 + x1) / 2, (y0 + y1) / 2))
    assert box.get_width() >= x1 - x0  # drawn at least a few points across


def test_country_and_city_names_are_in_the_svg(exported):
    text = exported["svg"].read_text(encoding="utf-8")
    root = ET.fromstring(text)
    texts = _svg_texts(root)
    for name in ("NORTH KOREA", "RUSSIA", "CHINA", "Vladivostok", "Pyongyang"):
        assert name in texts, name
    ids = {element.get("id") for element in root.iter()}
    assert {"base", "base-names", "inset", "inset-base", "inset-names"} <= ids
    assert {"inset-name-vladivostok", "inset-name-pyongyang", "inset-extent"} <= ids
    assert {"base-local-kp", "base-local-ru", "base-local-cn", "base-local-sea"} <= ids


def test_area_names_lie_in_their_country_clear_of_everything(based, base):
    from shapely.geometry import Point, shape

    renderer = based.figure.canvas.get_renderer()
    assert set(based.area_names) >= {"local-kp", "local-ru"}
    countries = {f["id"]: shape(f["geometry"]) for f in base["local"]["features"]}
    for feature_id, text in based.area_names.items():
        lon, lat = _page.inverse().transform(*text.get_position())
        assert countries[feature_id].contains(Point(lon, lat)), feature_id
        extent = text.get_window_extent(renderer)
        for label in based.labels.values():
            assert not extent.overlaps(label.get_window_extent(renderer))
        assert not extent.overlaps(_inset_extent(based))


def test_sea_is_drawn_and_named_at_the_river_mouth(shipped_layers, base, tmp_path):
    from bordermap.base import SEA_STYLE

    bbox = (130.66, 42.27, 130.74, 42.32)
    drawing = _draw(shipped_layers, base=base, bbox=bbox)
    path = export_image(shipped_layers, tmp_path / "mouth.png", bbox=bbox, base=base)
    area = _map_without_inset(drawing, _pixels(path))
    assert _count(area, SEA_STYLE.fill or "", 1) > 0.2 * area.shape[0] * area.shape[1]
    assert drawing.area_names["local-sea"].get_text() == "Sea of Japan"


def test_names_follow_the_language(shipped_layers, base):
    drawing = _draw(shipped_layers, base=base, language="ko")
    assert drawing.area_names["local-kp"].get_text() == "북한"
    assert drawing.area_names["local-ru"].get_text() == "러시아"
    drawing = _draw(shipped_layers, base=base, language="ru")
    assert drawing.area_names["local-kp"].get_text() == "КНДР"
    assert drawing.inset_axes is not None
    group = next(a for a in drawing.inset_axes.artists if a.get_gid() == "inset-names")
    inset_texts = [c.get_text() for c in group.children if hasattr(c, "get_text")]
    assert "Владивосток" in inset_texts and "Пхеньян" in inset_texts
    assert "РОССИЯ" in inset_texts and "Японское\nморе" in inset_texts


def test_footer_credits_the_base(based):
    texts = {text.get_gid(): text.get_text() for text in based.figure.texts}
    assert texts["base-attribution"] == (
        "Land, sea and boundaries: © OpenStreetMap contributors (ODbL); Natural Earth."
    )
    renderer = based.figure.canvas.get_renderer()
    credit = next(t for t in based.figure.texts if t.get_gid() == "base-attribution")
    attribution = next(t for t in based.figure.texts if t.get_gid() == "attribution")
    projection = next(t for t in based.figure.texts if t.get_gid() == "projection")
    assert credit.get_window_extent(renderer).x0 > attribution.get_window_extent(renderer).x1
    assert not credit.get_window_extent(renderer).overlaps(projection.get_window_extent(renderer))


def test_base_false_draws_the_plain_map(shipped_layers, tmp_path):
    path = export_image(shipped_layers, tmp_path / "plain.png", base=False)
    pixels = _pixels(path)
    assert _count(pixels, COUNTRY_FILLS["KP"], 1) == 0
    assert _count(pixels, _LAND, 1) > 500_000
    drawing = _draw(shipped_layers)
    assert drawing.inset_axes is None and not drawing.base_drawn


def test_inset_can_be_left_out(shipped_layers, base):
    drawing = _draw(shipped_layers, base=base, inset=False)
    assert drawing.inset_axes is None and drawing.base_drawn


def test_no_base_found_warns_and_draws_the_plain_map(shipped_layers, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no geodata/base here
    with pytest.warns(export.BaseUnavailableWarning, match="base=False") as record:
        export_image(shipped_layers, tmp_path / "map.png")
    assert record[0].filename == __file__  # stacklevel: the caller's line


def test_a_broken_base_is_refused_before_anything_is_written(geodata_dir, tmp_path):
    import shutil

    from bordermap.errors import LayerError

    shutil.copytree(geodata_dir / "base", tmp_path / "base")
    (tmp_path / "base" / "local.geojson").write_text("{", encoding="utf-8")
    with pytest.raises(LayerError, match=r"local\.geojson: not valid JSON"):
        export_image(
            {"unused": {"type": "FeatureCollection", "features": []}},
            tmp_path / "map.png",
            base=tmp_path,
        )
    assert not (tmp_path / "map.png").exists()


def _text_image(text: str, family: list[str]) -> np.ndarray[Any, Any]:
    """Draw ``text`` alone in ``family`` and return the pixels."""
    import warnings

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 0.6), dpi=100)
    figure.text(0.05, 0.3, text, fontsize=20, family=family)
    canvas = FigureCanvasAgg(figure)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a font without Hangul warns of missing glyphs
        canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)


@pytest.mark.parametrize(
    ("language", "feature_id"), [("ko", "tumen-river"), ("ru", "tumen-river")]
)
def test_korean_and_russian_labels_are_drawn_on_the_image(
    shown_layers, tmp_path, language, feature_id, facts: Facts
):
    """Checked on the pixels: the label's box holds ink, and differs from the English one."""
    pixels = {}
    boxes = {}
    colour = "#000000"
    for code in ("en", language):
        path = export_image(shown_layers, tmp_path / f"{code}.png", language=code)
        pixels[code] = _pixels(path)
        with matplotlib.rc_context(export._rc_params()):
            drawing = _draw(shown_layers, language=code)
            renderer = drawing.figure.canvas.get_renderer()
            boxes[code] = drawing.labels[feature_id].get_window_extent(renderer)
            colour = to_hex(drawing.labels[feature_id].get_color())
    crop = _region(pixels[language], boxes[language])
    assert _count(crop, colour, 40) > 50, "no ink of the label's colour where the label is"
    assert not np.array_equal(crop, _region(pixels["en"], boxes[language]))
    # And the font the export uses draws these letters, not the boxes a font without
    # them draws ("tofu"): the same word in DejaVu Sans (no Hangul) looks different.
    word = facts.feature(feature_id).name[language]
    drawn = _text_image(word, export._font_families())
    assert np.count_nonzero(drawn.max(axis=-1) < 120) > 50
    if language == "ko":
        assert not np.array_equal(drawn, _text_image(word, ["DejaVu Sans"]))


# ---------------------------------------------------------------------------
# Several formats: drawn once, written together
# ---------------------------------------------------------------------------


def test_render_images_gives_each_format_as_export_image_writes_it(exported, shipped_layers):
    images = render_images(shipped_layers, ["svg", "PNG"])
    assert list(images) == ["svg", "png"]
    for fmt, data in images.items():
        assert data == exported[fmt].read_bytes()


def test_render_images_refuses_unknown_formats_with_every_other_problem(shipped_layers):
    with pytest.raises(ExportError) as raised:
        render_images(shipped_layers, ["png", "jpg", "gif"], width=50)
    problems = raised.value.problems
    assert len(problems) == 3
    assert "format 'jpg'" in problems[0] and "png, svg, pdf" in problems[0]
    assert "format 'gif'" in problems[1]
    assert "width" in problems[2]


def test_an_interrupted_export_leaves_every_previous_image(project, monkeypatch, capsys):
    assert main(cli_args(project, "build")) == 0
    assert main(cli_args(project, "export", "--embed")) == 0
    outputs = project / "outputs"
    before = {path.name: path.read_bytes() for path in outputs.iterdir()}
    rendered = []
    original = export._render

    def interrupted_at_the_pdf(drawing: Any, image_format: str, dpi: int) -> bytes:
        rendered.append(image_format)
        if image_format == "pdf":
            raise KeyboardInterrupt  # Ctrl+C after the PNG and the SVG were made
        return original(drawing, image_format, dpi)

    monkeypatch.setattr(export, "_render", interrupted_at_the_pdf)
    # A narrower image: had the PNG or SVG been written, their bytes would differ.
    assert main(cli_args(project, "export", "--embed", "--width", "1200")) == 130
    assert rendered == ["png", "svg", "pdf"]
    assert {path.name: path.read_bytes() for path in outputs.iterdir()} == before
    assert "outputs left as they were" in capsys.readouterr().err


def test_the_basemap_extra_needs_a_contextily_whose_add_basemap_takes_a_timeout():
    # export --basemap passes timeout= to contextily.add_basemap: 1.7.1 is the first
    # release that takes it (1.6.x and 1.7.0 crash with a TypeError).
    import inspect
    import tomllib

    import contextily

    assert "timeout" in inspect.signature(contextily.add_basemap).parameters
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    for extra in ("basemap", "test"):
        (requirement,) = [r for r in extras[extra] if r.startswith("contextily")]
        bound = tuple(int(part) for part in requirement.split(">=")[1].split("."))
        assert bound >= (1, 7, 1), requirement


def test_the_keyword_options_are_the_fields_of_export_options(shipped_layers):
    import dataclasses
    import typing

    fields = {field.name: field.type for field in dataclasses.fields(export.ExportOptions)}
    assert set(typing.get_type_hints(export.ExportOptionValues)) == set(fields)
    options = export.ExportOptions(width=640, language="ko", base=False)
    with pytest.raises(ExportError) as raised:  # the keywords replace the options' fields
        render_images(shipped_layers, ["png"], options, width=5, dpi=5)
    assert [problem.split(":")[0] for problem in raised.value.problems] == ["width", "dpi"]
