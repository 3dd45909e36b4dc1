"""The packed page: its data, panels and scripts deflated, inflated by the browser.

The page carries them in one base64 block of deflated markup (``bordermap._packing``);
these tests read it with their own decoder (``helpers.unpacked``) and open it in
headless Chromium, from a file and with the network cut off.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from helpers import data_blocks, offline_page, unpacked

from bordermap import build_map, render_html, save_map
from bordermap.settings import hidden_layers as HIDDEN_LAYERS

TEMPLATE = re.compile(r'<template id="([^"]+)">(.*?)</template>', re.S)
PACKED = re.compile(r'<script type="application/octet-stream" id="bm-packed">([^<]*)</script>')


def _templates(page: str) -> dict[str, str]:
    return {found[1]: found[2] for found in TEMPLATE.finditer(page)}


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, re.S)


@pytest.fixture(scope="module", params=[True, False], ids=["self-contained", "cdn"])
def pages(request: pytest.FixtureRequest, shipped_layers: Any) -> tuple[str, str]:
    """The shipped map's page packed, and the same map written unpacked."""
    packed = render_html(build_map(shipped_layers, self_contained=request.param))
    plain = build_map(shipped_layers, self_contained=request.param)
    return packed, render_html(plain, packed=False)


def test_packing_keeps_every_data_block_panel_and_script(pages):
    packed, plain = pages
    inflated = unpacked(packed)
    assert data_blocks(inflated) == data_blocks(plain)
    assert len(data_blocks(plain)) >= 8  # the layers, timeline, scale and layout options
    assert _templates(inflated) == _templates(plain)
    assert len(_templates(plain)) >= 4  # title, legend, timeline, inset
    # The map's script and, when inlined, Leaflet and its plugin: each as it was.
    for script in _scripts(plain):
        assert script in inflated
    assert "L.map(" in _scripts(plain)[-1]


def test_the_packed_page_shows_its_data_and_scripts_only_deflated(pages):
    packed, plain = pages
    [block] = PACKED.findall(packed)
    assert re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", block)
    outside = PACKED.sub("", packed)
    assert 'type="application/json"' not in outside
    assert "<template" not in outside
    assert "L.map(" not in outside and "Leaflet" not in outside
    # What stays readable: the head (title, description) and the screen readers' text.
    description = re.search(r'<p id="bm-description" class="bm-sr-only">(.*?)</p>', plain)
    assert description and description[0] in outside
    assert re.search(r"<title>[^<]*Tumen River[^<]*</title>", outside)


def test_the_same_map_gives_the_same_packed_bytes(shipped_layers):
    assert render_html(build_map(shipped_layers)) == render_html(build_map(shipped_layers))


# -- In the browser


@pytest.fixture(scope="module")
def language_pages(tmp_path_factory: pytest.TempPathFactory, shipped_layers: Any) -> dict:
    folder = tmp_path_factory.mktemp("packed")
    return {
        language: save_map(
            build_map(shipped_layers, language=language), folder / f"{language}.html"
        )
        for language in ("en", "ko", "ru")
    }


def _open(browser: Any, path: Path, init_script: str = "") -> tuple[Any, list[str]]:
    page, errors = offline_page(browser, 1280, 800, local=("file:", "data:", "blob:"))
    if init_script:
        page.add_init_script(init_script)
    page.goto(path.as_uri())
    return page, errors


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ko", "ru"])
def test_the_packed_page_draws_every_feature_and_its_popups_name_their_sources(
    browser, language_pages, shipped_layers, language
):
    page, errors = _open(browser, language_pages[language])
    try:
        page.wait_for_selector("path.bm-feature")
        for name, layer in shipped_layers.items():
            drawn = page.locator(f'[data-layer="{name}"]').count()
            expected = 0 if name in HIDDEN_LAYERS else len(layer["features"])
            assert drawn == expected, name
        # Panels from their templates, the time control and labels, in the page's language.
        assert page.locator(".bm-title").is_visible()
        assert page.locator(".bm-legend").count() == 1
        assert page.locator(".bm-timeline input[type=range]").count() == 1
        assert page.locator(".bm-label").count() >= 3
        assert page.evaluate("document.documentElement.lang") == language
        bridge = shipped_layers["rail_bridge"]["features"][0]
        box = page.locator(f'path.bm-feature[data-feature-id="{bridge["id"]}"]').bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert bridge["properties"][f"name_{language}"] in text
        publishers = {s["publisher"] for s in bridge["properties"]["sources"]}
        assert publishers and all(publisher in text for publisher in publishers)
        assert popup.locator(".bm-sources li").count() == len(bridge["properties"]["sources"])
        assert errors == []
    finally:
        page.close()


@pytest.mark.browser
def test_a_browser_that_cannot_inflate_shows_the_map_s_description(browser, language_pages):
    # A browser from before 2023 has no DecompressionStream: taken away here.
    page, errors = _open(browser, language_pages["en"], "delete window.DecompressionStream;")
    try:
        description = page.locator("#bm-description")
        description.wait_for(state="visible")
        assert "Tumen River" in description.inner_text()
        assert page.locator("path.bm-feature").count() == 0
        assert errors == []
    finally:
        page.close()


@pytest.mark.browser
def test_a_page_whose_packed_block_is_damaged_shows_the_map_s_description(
    browser, tmp_path, language_pages
):
    page_text = language_pages["en"].read_text(encoding="utf-8")
    [block] = PACKED.findall(page_text)
    damaged = tmp_path / "damaged.html"
    # The deflated bytes cut short (what a truncated download or a bad edit leaves),
    # and a character that is not base64.
    for cut in (block[: len(block) // 2 // 4 * 4], block[:1000] + "!" + block[1001:]):
        damaged.write_text(page_text.replace(block, cut), encoding="utf-8")
        page, errors = _open(browser, damaged)
        try:
            page.locator("#bm-description").wait_for(state="visible")
            assert page.locator("path.bm-feature").count() == 0
            assert errors == []
        finally:
            page.close()


@pytest.mark.browser
def test_the_unpacked_page_draws_the_same_features(browser, tmp_path, shipped_layers):
    path = tmp_path / "plain.html"
    path.write_text(render_html(build_map(shipped_layers), packed=False), encoding="utf-8")
    assert "bm-packed" not in path.read_text(encoding="utf-8")
    page, errors = _open(browser, path)
    try:
        page.wait_for_selector("path.bm-feature")
        shown = [n for n in shipped_layers if n not in HIDDEN_LAYERS]
        drawn = page.locator("[data-layer]").count()
        assert drawn == sum(len(shipped_layers[name]["features"]) for name in shown)
        assert errors == []
    finally:
        page.close()
