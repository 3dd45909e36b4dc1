"""Issue 13: every credit and attribution word comes out in the map's language.

The base's credit ("© OpenStreetMap contributors (ODbL); Natural Earth") and the tile
providers' credits stayed English in the Korean and Russian web maps and exports.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from helpers import unpacked

from bordermap._export_layers import TILE_PROVIDER
from bordermap.base import base_credit, read_base
from bordermap.basemaps import DEFAULT_BASEMAPS, resolve_basemap
from bordermap.export import render_images
from bordermap.i18n import translate
from bordermap.webmap import build_map, render_html

#: English words of a credit line: none may be left in a Korean or Russian map.
ENGLISH = ("contributors", "Land, sea", "Tiles", "Source:", "Basemap", "Projection")
#: A word each language's OpenStreetMap credit must have instead.
LOCAL = {"ko": "기여자", "ru": "участники"}

# A Leaflet attribution, as folium and bordermap's elements write it: a JSON string
# after "attribution": (a tile layer's options) or attribution = / attribution: (layers).
_ATTRIBUTION = re.compile(r'"?attribution"?\s*[:=]\s*("(?:[^"\\]|\\.)*")')


def _attributions(page: str) -> list[str]:
    return [json.loads(found) for found in _ATTRIBUTION.findall(page)]


def _svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")]


def test_the_measure_finds_english_credits(shipped_layers: Any, geodata_dir: Path) -> None:
    page = unpacked(render_html(build_map(shipped_layers, base=geodata_dir)))
    credits = " | ".join(_attributions(page))
    assert "contributors" in credits and "Land, sea" in credits and "Tiles" in credits


@pytest.mark.parametrize("language", ["ko", "ru"])
def test_base_credit_is_in_the_maps_language(geodata_dir: Path, language: str) -> None:
    line = base_credit(read_base(geodata_dir), language)
    assert LOCAL[language] in line and "Natural Earth" in line, line
    assert not any(word in line for word in ENGLISH), line


def test_the_base_records_its_credits_beside_source_version_and_licence(
    geodata_dir: Path,
) -> None:
    for scale, collection in read_base(geodata_dir).items():
        for source in collection["bordermap"]["sources"]:
            assert source["version"] and source["licence"] and source["url"], scale
            assert source["credit"] and source["credit_ko"] and source["credit_ru"], scale


@pytest.mark.parametrize("language", ["ko", "ru"])
def test_web_map_credits_are_in_the_maps_language(
    shipped_layers: Any, geodata_dir: Path, language: str
) -> None:
    page = unpacked(render_html(build_map(shipped_layers, language=language, base=geodata_dir)))
    credits = _attributions(page)
    # Both tile providers, the river's and border's, and the base's.
    assert len(set(credits)) >= 4, credits
    english = [credit for credit in credits if any(word in credit for word in ENGLISH)]
    assert not english, english
    joined = " | ".join(credits)
    assert joined.count(LOCAL[language]) >= 3, joined  # tiles, river, base


@pytest.mark.parametrize("language", ["ko", "ru"])
def test_export_credits_are_in_the_maps_language(
    shipped_layers: Any, geodata_dir: Path, language: str
) -> None:
    svg = render_images(shipped_layers, ["svg"], language=language, base=geodata_dir)["svg"]
    footer = [text for text in _svg_texts(svg) if "OpenStreetMap" in text or "Natural" in text]
    assert any("Natural Earth" in text for text in footer), footer  # the base is credited
    english = [text for text in footer if any(word in text for word in ENGLISH)]
    assert not english, english
    assert sum(text.count(LOCAL[language]) for text in footer) >= 2, footer  # river, base


@pytest.mark.parametrize("language", ["ko", "ru"])
def test_every_default_tile_credit_has_words_in_the_maps_language(language: str) -> None:
    # The web map's tiles credit themselves in HTML; the print export (--basemap) in
    # plain text, as _export_layers strips it. Both as xyzservices words them today.
    credits = [resolve_basemap(name).attribution for name in DEFAULT_BASEMAPS]
    tiles = resolve_basemap(TILE_PROVIDER).attribution
    credits.append(html.unescape(re.sub(r"<[^>]+>", "", tiles)))
    for credit in credits:
        words = translate(credit, language)
        assert not any(word in words for word in ENGLISH), (credit, words)
