"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Debian's Chromium, driven by Playwright (its own browser download fails here).
CHROMIUM = os.environ.get("BORDERMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


#: The Tumen River's main channel from the tripoint to the mouth, as FACTS.md lists it
#: (``lat, lon``): the ground truth the layers are tested against.
TUMEN_CHANNEL_LAT_LON: list[tuple[float, float]] = [
    (42.418332, 130.637009),
    (42.411224, 130.646762),
    (42.401639, 130.650969),
    (42.393956, 130.653276),
    (42.378186, 130.669560),
    (42.373007, 130.672274),
    (42.367112, 130.670098),
    (42.365702, 130.667785),
    (42.360310, 130.656480),
    (42.358858, 130.654789),
    (42.352816, 130.648894),
    (42.349682, 130.646538),
    (42.339158, 130.646313),
    (42.330185, 130.650381),
    (42.324801, 130.654542),
    (42.313965, 130.667841),
    (42.308123, 130.677735),
    (42.296168, 130.689978),
    (42.293308, 130.696680),
    (42.292735, 130.702100),
]


def browser_unavailable(reason: str) -> None:
    """Skip a browser test where no browser is found, but fail under CI (CI=true)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


def cli_args(project: Path, command: str, *extra: str) -> list[str]:
    """Return the arguments of ``bordermap <command>`` on a project's directories."""
    return [
        command,
        "--geodata",
        str(project / "geodata"),
        "--outputs",
        str(project / "outputs"),
        *extra,
    ]


def offline_page(
    browser: Any, width: int, height: int, local: tuple[str, ...] = ("file:", "data:")
) -> tuple[Any, list[str]]:
    """Return a new Chromium page that loads only ``local`` URLs, and its JS errors.

    Every other request (tiles, CDNs) is aborted, as when the reader is offline; the
    list fills with each uncaught error the page raises.
    """
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(local) else route.abort(),
    )
    return page, errors


def open_offline(browser: Any, path: Path, width: int, height: int) -> tuple[Any, list[str]]:
    """Open a map in Chromium with the network cut off; return the page and its JS errors.

    Waits until the features are drawn and the basemap notice (tiles fail offline) is
    shown, so that the page is measured as a reader without tiles sees it.
    """
    page, errors = offline_page(browser, width, height)
    page.goto(path.as_uri())
    page.wait_for_selector("path.bm-feature")
    page.locator(".bm-tile-notice").wait_for(state="visible")
    page.wait_for_timeout(100)
    return page, errors


def _shipped_spec() -> Any:
    """The shipped map's description (its [map] table), read once for the tests."""
    from bordermap.facts import load_facts

    spec = load_facts(REPO / "geodata" / "facts.toml").spec
    assert spec is not None
    return spec


#: The shipped (Tumen) map's description, and its layers in drawing order.
SHIPPED = _shipped_spec()
LAYER_NAMES: tuple[str, ...] = SHIPPED.layers
#: The shipped map's country fills, by ISO code.
COUNTRY_FILLS: dict[str, str] = {country.code: country.fill for country in SHIPPED.countries}


# -- Reading the map page: its data blocks and panels, as the page's scripts read them.

_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def unpacked(page: str) -> str:
    """Return the page with its packed block (base64 of deflated markup) written out.

    The page carries its data blocks, panels and scripts deflated in one
    ``<script type="application/octet-stream" id="bm-packed">``; this is the markup the
    page's own script puts back, in its place. A page without one is returned as it is.
    """
    found = re.search(
        r'<script type="application/octet-stream" id="bm-packed">([^<]*)</script>', page
    )
    if found is None:
        return page
    markup = zlib.decompress(base64.b64decode(found[1], validate=True)).decode("utf-8")
    return page[: found.start()] + markup + page[found.end() :]


def data_blocks(page: str) -> dict[str, Any]:
    """Return every ``<script type="application/json" id=...>`` of the page, parsed."""
    page = unpacked(page)
    return {
        found[1]: json.loads(found[2])
        for found in re.finditer(
            r'<script type="application/json" id="([^"]+)">(.*?)</script>', page, re.S
        )
    }


def layer_blocks(page: str) -> list[dict[str, Any]]:
    """Return the data of each feature layer (with ``features`` and ``labels``)."""
    return [
        block
        for block in data_blocks(page).values()
        if isinstance(block, dict) and "features" in block and "labels" in block
    ]


def per_feature(page: str) -> dict[str, Any]:
    """Return each feature's data (style, popup, tooltip ...) by its id."""
    return {f["id"]: f for block in layer_blocks(page) for f in block["features"]}


def page_labels(page: str) -> dict[str, Any]:
    """Return the feature layers' labels by feature id."""
    return {label["id"]: label for block in layer_blocks(page) for label in block["labels"]}


def panel_html(page: str, css_class: str) -> str:
    """Return the HTML of the panel (a ``<template>``) drawn with ``css_class``."""
    page = unpacked(page)
    for found in re.finditer(r'<template id="([^"]+)">(.*?)</template>', page, re.S):
        call = re.search(rf'"{re.escape(found[1])}","[a-z]+","leaflet-control {css_class}"', page)
        if call:
            return found[2]
    raise KeyError(css_class)


def unpack_line(text: str, scale: int = 10**6) -> list[list[float]]:
    """Decode a packed line: zigzag steps, five bits a digit, the sixth 'more follows'."""
    numbers, value, shift = [], 0, 0
    for char in text:
        digit = _DIGITS.index(char)
        value |= (digit & 31) << shift
        shift += 5
        if not digit & 32:
            numbers.append(-(value + 1) // 2 if value % 2 else value // 2)
            value, shift = 0, 0
    xs = list(itertools.accumulate(numbers[0::2]))
    ys = list(itertools.accumulate(numbers[1::2]))
    return [[x / scale, y / scale] for x, y in zip(xs, ys, strict=True)]
