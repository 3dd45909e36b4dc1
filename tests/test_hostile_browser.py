"""Hostile data in the page, as Chromium runs it (issue 14, reproductions 1, 4 and 10).

Layers passed from Python are not read from files, so their names and ids are not
checked as identifiers: the page itself must keep them as data. Each case builds a
map with hostile names and ids, opens it offline and checks that no script of the
data runs, that nothing breaks and that everything is still drawn.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from helpers import offline_page

from bordermap import build_layers, build_map, load_facts, save_map

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.hostile]

XSS = "<img src=x onerror=window.bmXss=1>"


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layers = build_layers(load_facts(REPO / "geodata" / "facts.toml"))
    layers = copy.deepcopy(layers)
    road = layers["road_bridge"]["features"][0]
    road["id"] = "__proto__"  # a registry key, a JSON key, a label key
    road["properties"]["name_en"] = f"Road {{map}} {XSS}"
    road["properties"].pop("label_en", None)
    rail = layers["rail_bridge"]["features"][0]
    rail["id"] = "constructor"
    # A layer name that Leaflet's layer control would show as HTML.
    layers[XSS] = layers.pop("places")
    path = tmp_path_factory.mktemp("hostile") / "map.html"
    return save_map(build_map(layers, base=False), path)


def test_hostile_ids_and_names_are_data_in_the_page(browser: Any, hostile_map: Path) -> None:
    page, errors = offline_page(browser, 1280, 800, local=("file:",))
    try:
        page.goto(hostile_map.as_uri())
        page.wait_for_selector("path.bm-feature")
        page.wait_for_timeout(500)
        assert errors == []
        assert page.evaluate("window.bmXss") is None, "a script in the data ran"
        # Every layer and feature is drawn: the bridges, the river, the places.
        assert page.locator('[data-feature-id="__proto__"]').count() >= 1
        assert page.locator('[data-feature-id="constructor"]').count() >= 1
        assert page.locator(".bm-legend-entry").count() >= 3
        assert page.locator("#bm-when").count() == 1
        # The names are shown as text.
        page.locator(".leaflet-control-layers").hover()
        assert XSS in page.locator(".leaflet-control-layers").inner_text()
        labels = " ".join(page.locator(".bm-label").all_inner_texts())
        assert "Road {map}" in labels
        assert page.evaluate("Object.getPrototypeOf(window.bordermap.features)") is None
    finally:
        page.close()
