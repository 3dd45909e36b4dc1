"""Issue 13: a name with an emoji or a script the map's fonts lack is drawn in the web map.

The print export refuses such a name with one line (``tests/test_export.py``); the
browser finds a font for it (or draws its fallback glyph), so the web map must show it
in full: in the label, the marker's name and the popup, with no script error.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, open_offline

from bordermap import build_layers, build_map, load_facts, save_map

pytestmark = pytest.mark.browser

#: An emoji, and Ethiopic: no font the map names has either.
RAIL_NAME = "Friendship 🌉 Bridge ባቡር"
PLACE_NAME = "ቱማንጋንግ 🚉"
#: The station renamed (Tumangang station, in North Korea).
STATION = "tumangang-station"


@pytest.fixture(scope="module")
def unusual_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layers = copy.deepcopy(build_layers(load_facts(REPO / "geodata" / "facts.toml")))
    rail = layers["rail_bridge"]["features"][0]["properties"]
    rail["name_en"] = rail["label_en"] = RAIL_NAME
    place = next(f for f in layers["places"]["features"] if f["id"] == STATION)
    place["properties"]["name_en"] = PLACE_NAME
    place["properties"].pop("label_en", None)
    path = tmp_path_factory.mktemp("unusual") / "map.html"
    return save_map(build_map(layers), path)


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_an_emoji_or_unknown_script_in_a_name_is_drawn(
    browser: Any, unusual_map: Path, width: int, height: int
) -> None:
    page, errors = open_offline(browser, unusual_map, width, height)
    try:
        label = page.evaluate(
            """() => {
              const label = window.bordermap.features['friendship-bridge'].label.getElement();
              const r = label.getBoundingClientRect();
              return {text: label.innerText, width: r.width, height: r.height,
                      shown: !label.classList.contains('bm-unplaced')};
            }"""
        )
        assert RAIL_NAME in label["text"], label
        assert label["shown"] and label["width"] > 0 and label["height"] > 0, label
        # Its popup names it in full.
        popup = page.evaluate(
            """() => {
              const layer = window.bordermap.features['friendship-bridge'].layer;
              layer.openPopup();
              return layer.getPopup().getElement().innerText;
            }"""
        )
        assert RAIL_NAME in popup
        # The station's marker is named by it (its title and accessible name), and so
        # is its popup.
        marker = page.locator(f'.bm-marker[data-feature-id="{STATION}"]')
        assert marker.get_attribute("title") == PLACE_NAME
        assert marker.get_attribute("aria-label") == PLACE_NAME
        assert marker.is_visible()
        popup = page.evaluate(
            """(id) => {
              const layer = window.bordermap.features[id].layer;
              layer.openPopup();
              return layer.getPopup().getElement().innerText;
            }""",
            STATION,
        )
        assert PLACE_NAME in popup
        assert errors == []
    finally:
        page.close()
