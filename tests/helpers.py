"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
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


def open_offline(browser: Any, path: Path, width: int, height: int) -> tuple[Any, list[str]]:
    """Open a map in Chromium with the network cut off; return the page and its JS errors.

    Waits until the features are drawn and the basemap notice (tiles fail offline) is
    shown, so that the page is measured as a reader without tiles sees it.
    """
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("file:", "data:"))
            else route.abort()
        ),
    )
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
