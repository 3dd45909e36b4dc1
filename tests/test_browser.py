"""What a reader's browser draws: headless Chromium, driven by Playwright, network cut off.

These tests need Debian's Chromium (/usr/bin/chromium) and the playwright package.
Where either is missing they are skipped, except under CI (CI=true), where a
missing browser fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bordermap import build_layers, build_map, load_facts, save_map
from bordermap._page_data import COMPACT_WIDTH
from bordermap.settings import hidden_layers as HIDDEN_LAYERS
from bordermap.styles import style_for

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def map_layers() -> dict[str, Any]:
    return build_layers(load_facts(REPO / "geodata" / "facts.toml"))


@pytest.fixture(scope="module")
def map_file(tmp_path_factory: pytest.TempPathFactory, map_layers: dict[str, Any]) -> Path:
    return save_map(build_map(map_layers), tmp_path_factory.mktemp("map") / "map.html")


class Opened:
    """A page opened offline, with what went wrong on it."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.outside_requests: list[str] = []


def _open(browser: Any, path: Path, width: int = 1280, height: int = 800) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": height})
    opened = Opened(page)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            opened.outside_requests.append(url)
            route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            opened.errors.append(m.text)
            if m.type == "error" and "net::ERR_FAILED" not in m.text
            else None
        ),
    )
    page.goto(path.as_uri())
    page.wait_for_selector("path.bm-feature")
    page.wait_for_timeout(300)
    return opened


@pytest.fixture()
def desktop(browser: Any, map_file: Path) -> Iterator[Opened]:
    opened = _open(browser, map_file)
    yield opened
    opened.page.close()


def _count(
    kind_filter: str, layers: dict[str, Any], geometry: str, layer: str | None = None
) -> int:
    return sum(
        1
        for name, collection in layers.items()
        if layer in (None, name)
        for feature in collection["features"]
        if feature["geometry"]["type"] == geometry
    )


def test_every_feature_is_drawn_offline_without_errors(desktop, map_layers):
    page = desktop.page
    for name in map_layers:
        lines = page.locator(f'path.bm-feature[data-layer="{name}"]').count()
        points = page.locator(f'.bm-marker[data-layer="{name}"]').count()
        if name in HIDDEN_LAYERS:  # off until switched on in the layer control
            assert (lines, points) == (0, 0), name
            continue
        assert lines == _count("", map_layers, "LineString", name), name
        assert points == _count("", map_layers, "Point", name), name
    assert desktop.errors == []
    # Only tiles were asked for from outside; everything else is in the page.
    assert all(
        "{" not in url and ("tile" in url or "arcgisonline" in url)
        for url in desktop.outside_requests
    ), desktop.outside_requests


def test_labels_legend_and_title_are_visible(desktop):
    page = desktop.page
    for label in (
        "Tumen River",
        "Friendship Bridge (rail), ≈623 m, opened 1959",
        "Road bridge, ≈1 km, under construction since April 2025",
    ):
        assert page.locator(".bm-label", has_text=label).first.is_visible(), label
    legend = page.locator(".bm-legend")
    assert legend.is_visible()
    assert legend.locator(".bm-legend-entry").count() >= 5
    assert page.locator(
        ".bm-legend-entry", has_text="Road bridge, under construction"
    ).is_visible()
    assert (
        page.locator(".bm-title h1").inner_text().startswith("Where North Korea and Russia meet")
    )
    assert page.locator(".leaflet-control-scale-line").inner_text().endswith("m")


def _centre(page: Any, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@pytest.mark.parametrize(
    ("feature_id", "expected"),
    [
        ("friendship-bridge", ["623 m", "open", "9 August 1959", "Wikipedia"]),
        (
            "road-bridge",
            [
                "1,000 m",
                "850 m",
                "800 m",
                "under construction",
                "30 April 2025",
                "sources disagree",
                "TASS",
            ],
        ),
    ],
)
def test_clicking_a_bridge_opens_its_popup(desktop, feature_id, expected):
    page = desktop.page
    x, y = _centre(page, f'path.bm-feature[data-feature-id="{feature_id}"]')
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    for fragment in expected:
        assert fragment in text, fragment
    links = popup.locator("a[href]")
    assert links.count() >= 1
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    assert all(href.startswith(("http://", "https://")) for href in hrefs)


def test_layer_control_hides_and_shows_a_layer(desktop):
    page = desktop.page
    road = 'path.bm-feature[data-layer="road_bridge"]'
    assert page.locator(road).count() == 1
    page.locator(".leaflet-control-layers").hover()
    checkbox = page.locator(".leaflet-control-layers-overlays label", has_text="Road bridge")
    from playwright.sync_api import expect

    checkbox.locator("input").click()
    expect(page.locator(road)).to_have_count(0)
    # The label fades out with its layer.
    expect(page.locator(".bm-label", has_text="Road bridge")).to_have_count(0)
    checkbox.locator("input").click()
    expect(page.locator(road)).to_have_count(1)
    expect(page.locator(".bm-label", has_text="Road bridge")).to_have_count(1)


@pytest.mark.parametrize(("width", "height"), [(375, 700), (1280, 800)])
def test_controls_do_not_cover_the_bridges(browser, map_file, width, height):
    opened = _open(browser, map_file, width, height)
    page = opened.page
    try:
        for feature_id in ("friendship-bridge", "road-bridge"):
            x, y = _centre(page, f'path.bm-feature[data-feature-id="{feature_id}"]')
            assert 0 < x < width and 0 < y < height, feature_id
            covered = page.evaluate(
                "([x, y]) => !!document.elementFromPoint(x, y)"
                ".closest('.leaflet-control-container')",
                [x, y],
            )
            assert not covered, f"{feature_id} is under a control at {width}px"
        legend_open = page.evaluate("() => document.querySelector('.bm-legend details').open")
        assert legend_open == (width >= COMPACT_WIDTH)
        # Collapsed on a phone, the legend opens with a tap.
        if not legend_open:
            page.locator(".bm-legend summary").click()
            assert page.locator(".bm-legend-entry").first.is_visible()
    finally:
        page.close()


def test_accessibility(desktop):
    page = desktop.page
    assert page.title().startswith("Where North Korea and Russia meet")
    description = page.locator("#bm-description").inner_text()
    assert "Friendship Bridge" in description and "road bridge" in description.lower()
    markers = page.locator(".leaflet-marker-pane .bm-marker")
    for i in range(markers.count()):
        marker = markers.nth(i)
        assert marker.get_attribute("aria-label") or marker.get_attribute("alt")
        assert marker.get_attribute("tabindex") == "0"
    # The controls and the markers can be reached with the keyboard alone.
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return (e.className && e.className.baseVal === undefined ? e.className : '')"
                " + '|' + (e.getAttribute('aria-label') || e.textContent || '').slice(0, 40); }"
            )
        )
    joined = " ".join(reached)
    assert "leaflet-control-zoom-in" in joined
    assert "leaflet-control-layers-toggle" in joined
    assert "bm-marker" in joined
    assert "Legend" in joined  # the legend's summary is focusable


def test_offline_notice_says_the_basemap_is_unavailable(desktop):
    notice = desktop.page.locator(".bm-tile-notice")
    notice.wait_for(state="visible")
    assert "Basemap unavailable" in notice.inner_text()


def _png(
    width: int = 256, height: int = 256, rgb: tuple[int, int, int] = (200, 220, 200)
) -> bytes:
    """A plain PNG tile, made here so that the test needs no network and no image library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def test_tiles_that_load_are_shown_and_no_notice(browser, map_file):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    tile = _png()
    served = []

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        elif url.startswith("https://tile.openstreetmap.org/"):
            served.append(url)
            route.fulfill(status=200, content_type="image/png", body=tile)
        else:
            route.abort()

    try:
        page.route("**/*", route)
        page.goto(map_file.as_uri())
        page.wait_for_selector("img.leaflet-tile-loaded")
        page.wait_for_timeout(300)
        assert served and all(url.endswith(".png") for url in served)
        assert not page.locator(".bm-tile-notice").is_visible()
    finally:
        page.close()


def _zoom(frame: Any) -> float:
    return float(
        frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()")
    )


def test_embedded_map_does_not_hijack_page_scrolling(browser, map_file, map_layers):
    """In an iframe, the wheel scrolls the page; Ctrl + wheel zooms the map."""
    from bordermap.embed import write_embed

    embed = write_embed(map_layers, map_file.parent)
    snippet = embed.read_text(encoding="utf-8").replace("tumen_border_map", map_file.stem)
    host = map_file.parent / "host.html"
    host.write_text(
        "<!DOCTYPE html><html><head><title>Report</title></head><body>"
        "<div style='height: 600px'>Text before</div>"
        f"{snippet}<div style='height: 1500px'>Text after</div></body></html>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
        )
        page.goto(host.as_uri())
        iframe = page.locator("iframe")
        iframe.scroll_into_view_if_needed()
        frame = page.frame_locator("iframe").locator("path.bm-feature").first
        frame.wait_for()
        map_frame = next(f for f in page.frames if f.url.endswith(map_file.name))
        map_frame.wait_for_function("() => window.L && document.querySelector('.bm-label')")
        before_zoom, before_scroll = _zoom(map_frame), page.evaluate("() => window.scrollY")
        box = iframe.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(600)
        assert page.evaluate("() => window.scrollY") > before_scroll
        assert _zoom(map_frame) == before_zoom
        # With Ctrl held, the wheel zooms the map.
        box = iframe.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.keyboard.down("Control")
        for _ in range(3):  # the first event switches wheel zoom on, the next ones zoom
            page.mouse.wheel(0, -300)
            page.wait_for_timeout(150)
        page.keyboard.up("Control")
        page.wait_for_timeout(800)
        assert _zoom(map_frame) > before_zoom
    finally:
        page.close()


def test_map_on_its_own_page_zooms_with_the_wheel(desktop):
    page = desktop.page
    before = _zoom(page)
    page.mouse.move(640, 400)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(800)
    assert _zoom(page) > before


def test_context_layer_is_off_by_default_and_toggles(desktop, map_layers):
    from playwright.sync_api import expect

    page = desktop.page
    railway = 'path.bm-feature[data-layer="context"]'
    expect(page.locator(railway)).to_have_count(0)
    page.locator(".leaflet-control-layers").hover()
    toggle = page.locator(".leaflet-control-layers-overlays label", has_text="Context")
    assert not toggle.locator("input").is_checked()
    toggle.locator("input").click()
    expect(page.locator(railway)).to_have_count(_count("", map_layers, "LineString", "context"))
    expect(page.locator('.bm-marker[data-layer="context"]')).to_have_count(
        _count("", map_layers, "Point", "context")
    )
    # Its legend entries appear with it.
    expect(page.locator(".bm-legend-entry", has_text="Railway (schematic)")).to_be_visible()
    toggle.locator("input").click()
    expect(page.locator(railway)).to_have_count(0)
    expect(page.locator(".bm-legend-entry", has_text="Railway (schematic)")).to_be_hidden()


def _move_time_control(page: Any, date_text: str) -> None:
    """Move the slider to the key date shown as ``date_text`` with the keyboard."""
    slider = page.locator("#bm-when")
    slider.focus()
    page.keyboard.press("End")
    for _ in range(int(slider.get_attribute("max") or 0) + 1):
        if page.locator("#bm-when-text").inner_text() == date_text:
            return
        page.keyboard.press("ArrowLeft")
    raise AssertionError(f"no key date {date_text!r} on the time control")


def test_time_control_shows_the_road_bridge_as_it_was(facts, desktop):
    from playwright.sync_api import expect

    page = desktop.page
    road = page.locator('path.bm-feature[data-feature-id="road-bridge"]')
    planned = style_for("road_bridge", "planned").dash_array
    building = style_for("road_bridge", "under construction").dash_array
    assert road.get_attribute("stroke-dasharray") == building
    _move_time_control(page, "19 June 2024")
    expect(road).to_have_attribute("stroke-dasharray", planned)
    expect(
        page.locator(".bm-label", has_text="Road bridge, ≈1 km, planned since June 2024")
    ).to_have_count(1)
    expect(page.locator(".bm-as-of-date")).to_have_text("19 June 2024")
    expect(page.locator(".bm-legend-entry", has_text="Road bridge, planned")).to_be_visible()
    expect(page.locator(".bm-legend-entry", has_text="under construction")).to_be_hidden()
    # Its popup says so too, and dims what had not happened yet.
    x, y = _centre(page, 'path.bm-feature[data-feature-id="road-bridge"]')
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".bm-status")).to_have_text("planned")
    begun = [event for event in facts.feature("road-bridge").events if event.date == "2025-04-30"]
    expect(popup.locator('li.bm-later[data-date="2025-04-30"]')).to_have_count(len(begun))
    page.keyboard.press("Escape")
    # Back to 1959: only the rail bridge; the road bridge was not even agreed.
    _move_time_control(page, "9 August 1959")
    expect(page.locator('path.bm-feature[data-feature-id="road-bridge"]')).to_have_count(0)
    expect(page.locator('path.bm-feature[data-feature-id="friendship-bridge"]')).to_have_count(1)
    # The first stop is the first change drawn: 1938 and 1952 change only the context.
    page.keyboard.press("Home")
    expect(page.locator("#bm-when-text")).to_have_text("9 August 1959")
    # And forward again to the map's date.
    page.locator("#bm-when").focus()
    page.keyboard.press("End")
    expect(road).to_have_attribute("stroke-dasharray", building)
    expect(
        page.locator(".bm-label", has_text="under construction since April 2025")
    ).to_have_count(1)


def test_offline_map_shows_the_countries_the_sea_their_names_and_the_inset(desktop):
    """Issue 8: without tiles a reader still sees which bank is which, and where on Earth."""
    page = desktop.page
    fills = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-bmBase-pane path')]"
        ".map(p => p.getAttribute('fill')).filter(f => f && f !== 'none')"
    )
    assert len(set(fills)) >= 4, fills  # North Korea, Russia, China and the sea
    names = [n.upper() for n in page.locator(".bm-area-name").all_inner_texts()]
    for country in ("NORTH KOREA", "RUSSIA"):
        assert country in names, names
    inset = page.locator(".bm-inset svg.bm-inset-map")
    assert inset.is_visible()
    text = inset.inner_html()
    for word in ("Vladivostok", "Pyongyang", "Sea of Japan", "bm-inset-extent"):
        assert word in text, word
    # The base is credited: OpenStreetMap's boundaries and Natural Earth.
    credits = page.locator(".leaflet-control-attribution").inner_text()
    assert "Natural Earth" in credits and "OpenStreetMap" in credits


@pytest.mark.parametrize(("width", "height"), [(375, 700), (1280, 800)])
def test_country_names_are_drawn_clear_of_the_panels(browser, map_file, width, height):
    """China's name sits where the title panel is on a desktop: it must move, not hide."""
    opened = _open(browser, map_file, width, height)
    page = opened.page
    try:
        found = page.evaluate(
            """() => {
              const box = (e) => { const r = e.getBoundingClientRect();
                return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
              const map = box(document.querySelector('.leaflet-container'));
              const panels = [...document.querySelectorAll('.leaflet-control')]
                .map(box).filter((r) => r.right > r.left && r.bottom > r.top);
              const fills = document.querySelector('.leaflet-bmBase-pane > svg');
              return [...document.querySelectorAll('.bm-area-name')].map((name) => ({
                text: name.innerText,
                shown: getComputedStyle(name).visibility === 'visible',
                box: box(name.firstElementChild),
                above: +getComputedStyle(name).zIndex > +getComputedStyle(fills).zIndex,
                map, panels }));
            }"""
        )
        names = {name["text"]: name for name in found}
        for country in ("CHINA", "NORTH KOREA", "RUSSIA"):
            name = names[country]
            box, frame = name["box"], name["map"]
            assert name["shown"], f"{country} hidden at {width}px"
            assert name["above"], f"{country} drawn beneath the country fills"
            assert frame["left"] <= box["left"] and box["right"] <= frame["right"], country
            assert frame["top"] <= box["top"] and box["bottom"] <= frame["bottom"], country
            for panel in name["panels"]:
                apart = (
                    box["right"] <= panel["left"]
                    or panel["right"] <= box["left"]
                    or box["bottom"] <= panel["top"]
                    or panel["bottom"] <= box["top"]
                )
                assert apart, f"{country} under a panel at {width}px: {box} {panel}"
        assert not opened.errors
    finally:
        page.close()


def test_the_base_reaches_the_page_packed_and_comes_out_the_same(desktop, geodata_dir):
    """Issue 18: positions go as millionth-degree steps; the page adds them back exactly."""
    import json

    local = json.loads((geodata_dir / "base" / "local.geojson").read_text(encoding="utf-8"))
    drawn = {
        f["id"]: f["geometry"]
        for f in local["features"]
        if f["properties"]["kind"] in ("sea", "country", "boundary")
    }
    unpacked = desktop.page.evaluate(
        "() => window.bordermap.base.features.map((f) => [f.id, f.geometry])"
    )
    assert dict(unpacked) == drawn
