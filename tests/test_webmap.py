"""The web map's HTML: layers, legend, attributions, popups, escaping, reproducibility."""

from __future__ import annotations

import copy
import html
import itertools
import json
import re
from pathlib import Path
from typing import Any

import folium
import markupsafe
import pytest
from helpers import (
    SHIPPED,
    layer_blocks,
    page_labels,
    panel_html,
    per_feature,
    unpack_line,
    unpacked,
)

from bordermap import build_layers, build_map, load_facts, render_html, save_map, write_layers
from bordermap._page_data import scale_texts
from bordermap.basemaps import resolve_basemaps
from bordermap.i18n import format_date
from bordermap.mapspec import activated, spec_of
from bordermap.styles import UNCERTAINTY_STYLE, style_for
from bordermap.webmap import LAYER_TITLES

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def map_layers() -> dict[str, Any]:
    return build_layers(load_facts(REPO / "geodata" / "facts.toml"))


@pytest.fixture(scope="module")
def page(map_layers: dict[str, Any]) -> str:
    return unpacked(render_html(build_map(map_layers)))


def _feature(layers: dict[str, Any], feature_id: str) -> dict[str, Any]:
    for layer in layers.values():
        for feature in layer["features"]:
            if feature["id"] == feature_id:
                return feature
    raise KeyError(feature_id)


def test_build_map_returns_a_folium_map_that_shows_in_a_notebook(map_layers):
    web_map = build_map(map_layers)
    assert isinstance(web_map, folium.Map)
    assert "<iframe" in web_map._repr_html_()


def test_same_layers_give_the_same_bytes(map_layers):
    first = render_html(build_map(map_layers))
    second = render_html(build_map(copy.deepcopy(map_layers)))
    assert first == second
    assert not re.search(r"_[0-9a-f]{32}\b", first), "a random folium id survived"


def test_page_has_title_as_of_date_and_credits(facts, page):
    assert "<title>Where North Korea and Russia meet" in page
    date = format_date(facts.as_of)
    assert f"as of {date}." in page  # in the description, mid-sentence
    assert "bm-as-of-date" in page and date in page  # in the title block
    assert "© OpenStreetMap contributors" in page


def test_layer_control_lists_basemaps_and_every_layer(page, map_layers):
    for name in map_layers:
        title = SHIPPED.layer_titles.get(name) or LAYER_TITLES[name]
        assert json.dumps(title, ensure_ascii=False) in page
    labels = [basemap.label for basemap in resolve_basemaps()]
    assert labels == ["Street map (OpenStreetMap)", "Satellite imagery (Esri World Imagery)"]
    for label in labels:
        assert json.dumps(label, ensure_ascii=False) in page
    assert "L.control.layers(" in page


def test_basemaps_are_credited(page):
    assert "openstreetmap.org/copyright" in page  # OSM's tile attribution
    assert "Esri" in page and "arcgisonline.com" in page


def test_layers_made_from_osm_credit_osm(page):
    river = [block for block in layer_blocks(page) if block["name"] == "tumen_river"]
    assert "© OpenStreetMap contributors" in river[0]["attribution"]


def test_legend_is_generated_from_the_styles_of_what_is_drawn(page, map_layers):
    legend = panel_html(page, "bm-legend")
    drawn = {
        (f["properties"]["kind"], f["properties"]["status"])
        for layer in map_layers.values()
        for f in layer["features"]
    }
    for kind, status in drawn:
        with activated(spec_of(map_layers)):  # the map names its border in its legend
            label = style_for(kind, status).label
        assert html.escape(label) in legend
    assert "Road bridge, under construction" in legend
    assert html.escape(UNCERTAINTY_STYLE.label) in legend
    # The under-construction swatch is dashed with the style's own pattern.
    dash = style_for("road_bridge", "under construction").dash_array
    assert f'stroke-dasharray="{dash}"' in legend
    # One entry per style that any feature has on a date of the time control (the road
    # bridge was "planned" before it was "under construction"), plus the uncertainty.
    assert 'data-style="road_bridge|planned"' in legend
    assert legend.count('class="bm-legend-entry"') == len(drawn) + 2


def test_styles_follow_status(page):
    features = per_feature(page)
    road = features["road-bridge"]["style"]
    rail = features["friendship-bridge"]["style"]
    assert road["dashArray"] == style_for("road_bridge", "under construction").dash_array
    assert "dashArray" not in rail


def test_metric_scale_bar(page):
    data = re.search(r'<script type="application/json" id="bm-scale-data">(.*?)</script>', page)
    assert data and json.loads(data.group(1))["m"] == "{n} m"
    # Each length the bar may show, written out: the page formats no number itself.
    texts = json.loads(data.group(1))["texts"]
    assert (texts["1"], texts["500"], texts["2000"], texts["1000000"]) == (
        "1 m",
        "500 m",
        "2 km",
        "1,000 km",
    )
    assert len(texts) == 32  # 1, 2, 3 and 5 m, ×10 up to 50,000 km
    assert scale_texts("ru")["3000000"] == "3\u00a0000 км"


def test_permanent_labels_on_river_and_both_bridges(page):
    labels = page_labels(page)
    assert labels["tumen-river"]["forms"] == ["Tumen River"]
    # A bridge's label in every form it may take, the fullest first.
    rail = labels["friendship-bridge"]["forms"]
    assert rail[0] == "Friendship Bridge (rail), ≈623 m, opened 1959"
    road = labels["road-bridge"]["forms"]
    assert road[0] == "Road bridge, ≈1 km, under construction since April 2025"
    assert all("under construction" in form.replace("<br>", " ") for form in road)
    # Placed by the page in priority order: the bridges first.
    assert labels["road-bridge"]["priority"] < labels["friendship-bridge"]["priority"]
    assert labels["friendship-bridge"]["priority"] < labels["tumen-river"]["priority"]
    assert labels["road-bridge"]["candidates"][0][2] == "right"
    assert re.search(r"permanent:\s*true", page)


def test_popups_carry_the_facts_and_the_disagreements(page):
    features = per_feature(page)
    road = features["road-bridge"]["popup"]
    for text in (
        "1,000 m",
        "850 m",
        "800 m",
        "sources disagree",
        "under construction",
        "30 April 2025",
        "19 June 2024",
        "400 m",
        "500 m",
        "Approximate",
    ):
        assert text in road, text
    rail = features["friendship-bridge"]["popup"]
    for text in ("623 m", "9 August 1959", "open", "두만강철교", "Мост Дружбы"):
        assert text in rail, text
    khasan = features["khasan-station"]["popup"]
    assert "42.428056" in khasan and "sources disagree" in khasan


def test_popup_sources_are_safe_links(page, map_layers):
    road = per_feature(page)["road-bridge"]["popup"]
    links = re.findall(r'<a href="([^"]+)" target="_blank" rel="noopener noreferrer">', road)
    expected = [s["url"] for s in _feature(map_layers, "road-bridge")["properties"]["sources"]]
    assert [html.unescape(link) for link in links] == expected
    assert all(link.startswith(("http://", "https://")) for link in links)


def test_tooltips(page):
    road = per_feature(page)["road-bridge"]
    assert road["tooltip"].startswith("Tumen River road bridge")
    assert "under construction" in road["tooltip"]
    assert "bindTooltip" in page


def test_self_contained_page_loads_nothing_from_outside(page):
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*\bhref=", page)
    assert not re.search(r"url\((?!data:|#)", page), "a stylesheet fetches a file"
    for library in ("jquery", "bootstrap", "font-awesome", "awesome-markers"):
        assert library not in page.lower()
    assert "L.map(" in page and "Leaflet" in page  # Leaflet itself is inline
    assert "GestureHandling" in page  # and so is the gesture-handling plugin


def test_cdn_page_links_leaflet(map_layers):
    linked = unpacked(render_html(build_map(map_layers, self_contained=False)))
    assert re.search(
        r'<script src="https://cdn\.jsdelivr\.net/npm/leaflet@[\d.]+/dist/leaflet\.js"', linked
    )
    # The gesture handling that keeps embeds from hijacking scrolling comes along too.
    assert re.search(
        r'<script src="https://cdn\.jsdelivr\.net/npm/leaflet-gesture-handling@', linked
    )
    assert "gestureHandling.enable()" in linked
    # Smaller by Leaflet and the plugin, which the self-contained page inlines.
    assert len(linked) < len(unpacked(render_html(build_map(map_layers)))) - 140_000


def test_screen_reader_description(page):
    description = re.search(r'<p id="bm-description" class="bm-sr-only">(.*?)</p>', page)
    assert description
    assert "Korea–Russia Friendship Bridge" in description[1]
    assert "under construction" in description[1]


def test_map_draws_what_is_in_the_layer_files(tmp_path, map_layers):
    """A layer corrected by hand shows up in the map without touching the code."""
    edited = copy.deepcopy(map_layers)
    road = edited["road_bridge"]["features"][0]
    road["geometry"]["coordinates"] = [[130.641234, 42.409876], [130.650123, 42.41601]]
    road["properties"]["name_en"] = "Hand-corrected road bridge"
    write_layers(edited, tmp_path)
    page = unpacked(render_html(build_map(tmp_path, base=REPO / "geodata")))
    drawn = per_feature(page)["road-bridge"]
    assert unpack_line(drawn["geometry"]["parts"][0]) == [
        [130.641234, 42.409876],
        [130.650123, 42.41601],
    ]
    assert "Hand-corrected road bridge" in drawn["popup"]


def test_text_from_data_is_escaped(map_layers):
    payload = '"><img src=x onerror=alert(1)></script><script>alert(2)</script>'
    hostile = copy.deepcopy(map_layers)
    feature = hostile["road_bridge"]["features"][0]
    properties = feature["properties"]
    for key in ("name_en", "name_ko", "label_en", "description", "name_note"):
        properties[key] = payload
    properties["sources"][0]["publisher"] = payload
    properties["sources"][0]["url"] = "javascript:alert(3)"
    properties["events"][0]["what"] = payload
    hostile["road_bridge"]["bordermap"]["title"] = payload
    for layer in hostile.values():
        layer["bordermap"]["title"] = payload
    page = unpacked(render_html(build_map(hostile)))
    clean = unpacked(render_html(build_map(map_layers)))
    # Outside the JSON blocks (which no browser reads as markup) the page has no payload,
    # and it has the same scripts and blocks as the clean page.
    blocks = re.compile(r'<script type="application/json" id="([^"]+)">.*?</script>', re.S)
    markup = blocks.sub("", page)
    assert "<img src=x" not in markup
    assert "<script>alert" not in markup
    assert "javascript:alert" not in page
    assert blocks.findall(page) == blocks.findall(clean)
    assert markup.count("<script") == blocks.sub("", clean).count("<script")
    # In the blocks, whatever becomes HTML on the page is escaped HTML.
    road = per_feature(page)["road-bridge"]
    for html_field in ("popup", "tooltip", "marker"):
        text = road[html_field] or ""  # a line has no marker
        assert "<img src=x" not in text and "<script>" not in text
    assert str(markupsafe.escape(payload)) in road["popup"]


def test_save_map_writes_atomically(tmp_path, map_layers):
    target = tmp_path / "map.html"
    save_map(build_map(map_layers), target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_title_note_is_one_line_naming_sources_and_osm(page):
    note = re.search(r'class="bm-credits">(.*?)<', panel_html(page, "bm-title"))
    assert note
    text = note[1]
    assert text.startswith("Sources: ") and "more" in text
    assert "© OpenStreetMap contributors" in text
    assert len(text) < 140


def test_chosen_basemaps_replace_the_defaults(map_layers):
    custom = resolve_basemaps(
        ["OpenTopoMap", "https://tiles.example.org/{z}/{x}/{y}.png"], "Example tiles, CC BY"
    )
    page = unpacked(render_html(build_map(map_layers, basemaps=custom)))
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page
    assert "Example tiles, CC BY" in page
    assert "opentopomap" in page.lower()
    assert "arcgisonline" not in page
    # Names work too, as in the notebook: build_map(layers, basemaps=["OpenTopoMap"]).
    assert (
        "opentopomap"
        in unpacked(render_html(build_map(map_layers, basemaps=["OpenTopoMap"]))).lower()
    )


def test_basemap_notice_is_on_the_page(page):
    assert "bm-tile-notice" in page and "Basemap unavailable" in page


def _dense_wiggly(coords: list[list[float]], per_segment: int = 200) -> list[list[float]]:
    """Return the line with ``per_segment`` points a segment, zig-zagging ~0.4 m aside."""
    dense = []
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords):
        for step in range(per_segment):
            t = step / per_segment
            aside = 4e-6 * (1 if step % 2 else -1) if step else 0.0  # 4e-6° of latitude
            dense.append(
                [round(lon1 + t * (lon2 - lon1), 7), round(lat1 + t * (lat2 - lat1) + aside, 7)]
            )
    return [*dense, coords[-1]]


@pytest.mark.parametrize(
    ("language", "pattern"),
    [
        ("en", r"Lines drawn simplified, at most ([0-9.]+) m from the GeoJSON layers"),
        ("ko", r"최대 ([0-9.]+) m"),
        ("ru", r"не дальше ([0-9.]+) м"),
    ],
)
def test_legend_says_how_far_simplified_lines_may_be_from_the_layers(
    map_layers, language, pattern
):
    layers = copy.deepcopy(map_layers)
    for name in ("tumen_river", "border"):
        geometry = layers[name]["features"][0]["geometry"]
        geometry["coordinates"] = _dense_wiggly(geometry["coordinates"])
    page_text = unpacked(render_html(build_map(layers, language=language)))
    [literal] = re.findall(
        r'(<p class="bm-legend-note".*?</p>)', panel_html(page_text, "bm-legend")
    )
    found = re.search(pattern, html.unescape(literal))
    assert found, literal
    assert 0.0 < float(found.group(1)) <= 2.0  # the web map's bound, rounded up


def test_legend_has_no_simplification_note_when_every_vertex_is_drawn(page):
    assert "bm-legend-note" in page  # the stylesheet has the rule ...
    assert "bm-legend-note" not in panel_html(page, "bm-legend")  # ... but the legend has none


def test_pack_line_writes_zigzag_steps_in_millionths_five_bits_a_digit():
    from bordermap._elements import pack_line

    # Steps 1, -2, then 16, 0 millionths: zigzag 2, 3, 32, 0; 32 takes two digits
    # ("g" = 32 | 0, "more follows"; then "B" = 1).
    assert pack_line([[0.000001, -0.000002], [0.000017, -0.000002]]) == "CDgBA"
    assert pack_line([]) == ""


def test_pack_geometry_keeps_every_position_to_the_millionth():
    from bordermap._elements import pack_geometry

    line = [[130.5, 42.25], [130.500001, 42.2], [-179.999999, -89.5]]
    packed = pack_geometry({"type": "LineString", "coordinates": line})
    assert packed["type"] == "LineString"
    assert unpack_line(packed["parts"][0]) == line
    ring = [[1.0, 2.0], [1.5, 2.0], [1.0, 2.5], [1.0, 2.0]]
    packed = pack_geometry({"type": "MultiPolygon", "coordinates": [[ring, ring]]})
    assert [[unpack_line(r) for r in polygon] for polygon in packed["parts"]] == [[ring, ring]]
    point = pack_geometry({"type": "Point", "coordinates": [130.641234, 42.409876]})
    assert unpack_line(point["parts"][0]) == [[130.641234, 42.409876]]
