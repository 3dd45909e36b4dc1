"""Issue 12: the map reads at the sizes reports embed it, in every language.

Measured in headless Chromium with the network cut off, at a phone iframe (358×420),
a phone (390×844), an article column (720×540) and a desktop (1280×800), at the
first view and after zooming out once and twice and in once (set through the map
object): the bounding boxes of visible map text (labels, country and sea names) and
of visible panels (Leaflet controls) must not overlap, no label is cut by the frame
at the first view, and both bridges' labels are visible and uncovered. axe-core
(npm, installed by scripts/test.sh) finds no WCAG 2.1 AA or best-practice violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, open_offline

from bordermap import build_layers, build_map, load_facts, save_map

AXE = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.browser

SIZES = [(358, 420), (390, 844), (720, 540), (1280, 800)]
LANGUAGES = ["en", "ko", "ru"]
#: Zoom changes from the first view, in whole levels, set through the map object.
ZOOMS = [0, -1, -2, 1]
#: Overlaps of text on text smaller than this (px²) are a touch of halos, not a collision.
TEXT_OVERLAP_PX2 = 16.0

# What the page shows, measured: boxes of visible map text and of visible panels.
_MEASURE = """() => {
  const frame = document.querySelector('.leaflet-container').getBoundingClientRect();
  const box = (r) => ({left: r.left - frame.left, top: r.top - frame.top,
                       right: r.right - frame.left, bottom: r.bottom - frame.top});
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) { return false; }
    for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (style.visibility === 'hidden' || style.display === 'none' ||
          +style.opacity === 0) { return false; }
    }
    return true;
  };
  const texts = [
    ...[...document.querySelectorAll('.leaflet-tooltip.bm-label')]
      .map((e) => [e, e.innerText, e.className]),
    ...[...document.querySelectorAll('.bm-area-name > span')]
      .map((e) => [e, e.innerText, 'bm-area-name']),
  ].filter(([e]) => visible(e)).map(([e, text, cls]) => ({
    text, cls, box: box(e.getBoundingClientRect()),
  }));
  const panels = [...document.querySelectorAll('.leaflet-control')].filter(visible)
    .map((e) => ({name: e.className.split(' ').filter((c) => c.startsWith('bm-') ||
                  c.startsWith('leaflet-control-')).join(' '),
                  box: box(e.getBoundingClientRect())}));
  return {width: frame.width, height: frame.height, texts, panels};
}"""

# A label takes no pointer events; made to take them for a moment, it must be what the
# browser finds on top at its centre and near each corner: nothing covers it.
_BRIDGE_LABELS = """() => ['friendship-bridge', 'road-bridge'].map((id) => {
  const label = window.bordermap.features[id].label.getElement();
  const r = label.getBoundingClientRect();
  label.style.pointerEvents = 'auto';
  const points = [[(r.left + r.right) / 2, (r.top + r.bottom) / 2],
                  [r.left + 2, r.top + 2], [r.right - 2, r.top + 2],
                  [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]];
  const uncovered = points.every(([x, y]) => {
    const top = document.elementFromPoint(x, y);
    return !!top && (top === label || label.contains(top));
  });
  label.style.pointerEvents = '';
  return {id, text: label.innerText, uncovered, shown: !label.classList.contains('bm-unplaced') &&
          getComputedStyle(label).visibility === 'visible'};
})"""


# Points along each bridge as drawn: none may lie under a panel at the first view.
_BRIDGES_UNDER_PANELS = """() => ['friendship-bridge', 'road-bridge'].flatMap((id) => {
  const path = document.querySelector(`path.bm-feature[data-feature-id="${id}"]`);
  const svg = path.ownerSVGElement.getBoundingClientRect();
  const box = path.getBBox();
  const scale = svg.width / path.ownerSVGElement.viewBox.baseVal.width || 1;
  const length = path.getTotalLength();
  const under = [];
  for (let i = 0; i <= 20; i += 1) {
    const at = path.getPointAtLength(length * i / 20);
    const x = svg.left + (at.x - path.ownerSVGElement.viewBox.baseVal.x) * scale;
    const y = svg.top + (at.y - path.ownerSVGElement.viewBox.baseVal.y) * scale;
    const top = document.elementFromPoint(x, y);
    if (!top || top.closest('.leaflet-control-container')) { under.push(`${id} at ${i}/20`); }
  }
  return under;
})"""

#: The names the first view must show, by language: the countries and the tripoint.
FIRST_VIEW_NAMES = {
    "en": ["CHINA", "NORTH KOREA", "RUSSIA", "Tripoint"],
    "ko": ["중국", "북한", "러시아", "삼국 접경점"],
    "ru": ["КИТАЙ", "КНДР", "РОССИЯ", "Стык границ"],
}


def _area(a: dict[str, float], b: dict[str, float]) -> float:
    width = min(a["right"], b["right"]) - max(a["left"], b["left"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return max(width, 0.0) * max(height, 0.0)


def overlaps(shown: dict[str, Any]) -> list[str]:
    """Return every collision on the screen measured: text/text, text/panel, panel/panel."""
    found = []
    texts, panels = shown["texts"], shown["panels"]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if _area(a["box"], b["box"]) > TEXT_OVERLAP_PX2:
                found.append(f"text {a['text']!r} on text {b['text']!r}")
        for panel in panels:
            if _area(a["box"], panel["box"]) > 0:
                found.append(f"text {a['text']!r} under panel {panel['name']!r}")
    for i, a in enumerate(panels):
        for b in panels[i + 1 :]:
            if _area(a["box"], b["box"]) > 0:
                found.append(f"panel {a['name']!r} on panel {b['name']!r}")
    return found


def cut_by_frame(shown: dict[str, Any]) -> list[str]:
    """Return the visible texts that reach past the map's frame."""
    return [
        text["text"]
        for text in shown["texts"]
        if text["box"]["left"] < 0
        or text["box"]["top"] < 0
        or text["box"]["right"] > shown["width"]
        or text["box"]["bottom"] > shown["height"]
    ]


def test_overlap_measure_finds_collisions():
    """The measure itself: touching boxes are apart, a real overlap is reported."""
    text = {"text": "a", "box": {"left": 0, "top": 0, "right": 10, "bottom": 10}}
    touching = {"text": "b", "box": {"left": 10, "top": 0, "right": 20, "bottom": 10}}
    across = {"text": "c", "box": {"left": 5, "top": 5, "right": 15, "bottom": 15}}
    panel = {"name": "p", "box": {"left": 9, "top": 9, "right": 30, "bottom": 30}}
    assert overlaps({"texts": [text, touching], "panels": []}) == []
    assert overlaps({"texts": [text, across], "panels": []}) == ["text 'a' on text 'c'"]
    assert overlaps({"texts": [text], "panels": [panel]}) == ["text 'a' under panel 'p'"]
    assert overlaps({"texts": [], "panels": [panel, {**panel, "name": "q"}]}) == [
        "panel 'p' on panel 'q'"
    ]
    frame = {"width": 12, "height": 12, "texts": [text, across]}
    assert cut_by_frame(frame) == ["c"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    layers = build_layers(load_facts(REPO / "geodata" / "facts.toml"))
    folder = tmp_path_factory.mktemp("layout")
    return {
        language: save_map(build_map(layers, language=language), folder / f"{language}.html")
        for language in LANGUAGES
    }


@pytest.fixture()
def opened(browser: Any, pages: dict[str, Path], request: Any) -> Iterator[tuple[Any, list[str]]]:
    language, (width, height) = request.param
    page, errors = open_offline(browser, pages[language], width, height)
    yield page, errors
    page.close()


@pytest.mark.parametrize(
    "opened",
    [(language, size) for language in LANGUAGES for size in SIZES],
    ids=[f"{language}-{w}x{h}" for language in LANGUAGES for w, h in SIZES],
    indirect=True,
)
def test_nothing_collides_at_any_size_zoom_or_language(opened):
    page, errors = opened
    first = page.evaluate(_MEASURE)
    assert not cut_by_frame(first), cut_by_frame(first)
    for bridge in page.evaluate(_BRIDGE_LABELS):
        assert bridge["shown"], f"{bridge['id']}'s label is hidden at the first view"
        assert bridge["uncovered"], f"{bridge['id']}'s label is covered: {bridge['text']!r}"
    assert page.evaluate(_BRIDGES_UNDER_PANELS) == []
    names = {text["text"] for text in first["texts"]}
    assert any("1959" in name for name in names), names  # the rail bridge's year
    language = page.evaluate("() => document.documentElement.lang")
    for name in FIRST_VIEW_NAMES[language]:
        assert name in names, f"{name!r} not shown at the first view: {sorted(names)}"
    start = page.evaluate("() => Object.values(window).find((v) => v instanceof L.Map).getZoom()")
    found = {"first view": overlaps(first)}
    for change in ZOOMS[1:]:
        page.evaluate(
            "(z) => Object.values(window).find((v) => v instanceof L.Map)"
            ".setZoom(z, {animate: false})",
            start + change,
        )
        found[f"zoom {change:+d}"] = overlaps(page.evaluate(_MEASURE))
    assert not any(found.values()), {k: v for k, v in found.items() if v}
    assert not errors


@pytest.mark.parametrize(("width", "height"), [(358, 420), (1280, 800)])
def test_the_same_page_at_the_same_size_shows_the_same_labels(browser, pages, width, height):
    seen = []
    for _ in range(2):
        page, _errors = open_offline(browser, pages["en"], width, height)
        texts = page.evaluate(_MEASURE)["texts"]
        seen.append(sorted((text["text"], round(text["box"]["left"])) for text in texts))
        page.close()
    assert seen[0] == seen[1]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (720, 540)])
def test_small_screens_fold_the_panels_and_keep_a_key_of_the_bridges(
    browser, pages, width, height
):
    from playwright.sync_api import expect

    page, _errors = open_offline(browser, pages["en"], width, height)
    try:
        for box in (".bm-legend-box", ".bm-timeline-box", ".bm-inset-box", ".bm-about"):
            assert page.evaluate(f"() => document.querySelector('{box}').open") is False, box
        assert page.locator(".bm-title h1").is_visible()
        assert page.locator(".bm-as-of-date").is_visible()
        assert not page.locator(".bm-credits").is_visible()
        key = page.locator(".bm-key-entry:visible")
        assert [key.nth(i).inner_text() for i in range(key.count())] == [
            "Rail bridge, open",
            "Road bridge, under construction",
        ]
        # The credits fold to a button and open on a tap, in full.
        attribution = page.locator(".leaflet-control-attribution")
        folded = attribution.bounding_box()
        page.locator(".bm-credits-toggle").click()
        assert page.locator(".bm-credits-toggle").get_attribute("aria-expanded") == "true"
        assert attribution.bounding_box()["height"] > folded["height"]
        assert "OpenStreetMap" in attribution.inner_text()
        # The legend opens over the map and closes again; the key gives way to it.
        page.locator(".bm-legend summary").click()
        assert page.locator(".bm-legend-entry", has_text="River mouth").is_visible()
        assert not page.locator(".bm-key").is_visible()
        page.locator(".bm-legend summary").click()
        expect(page.locator(".bm-key")).to_be_visible()
        # The locator map too.
        page.locator(".bm-inset-box summary").click()
        assert page.locator(".bm-inset-map").is_visible()
    finally:
        page.close()


def test_wide_screens_show_every_panel_open(browser, pages):
    page, _errors = open_offline(browser, pages["en"], 1280, 800)
    try:
        assert page.locator(".bm-credits").is_visible()
        assert page.locator(".bm-inset-map").is_visible()
        assert page.locator(".bm-legend-entry", has_text="River mouth").is_visible()
        assert not page.locator(".bm-key").is_visible()
        assert not page.locator(".bm-credits-toggle").is_visible()
    finally:
        page.close()


def test_a_label_with_no_room_is_hidden_but_its_feature_stays(browser, pages):
    page, _errors = open_offline(browser, pages["en"], 358, 420)
    try:
        # Far out, the places crowd together: some labels must give way, none may overlap.
        page.evaluate(
            "() => Object.values(window).find((v) => v instanceof L.Map)"
            ".setZoom(9, {animate: false})"
        )
        hidden = page.evaluate(
            "() => window.bordermap.labels.filter((l) => (l.tooltip || l.marker).getElement()"
            " && (l.tooltip || l.marker).getElement().classList.contains('bm-unplaced'))"
            ".map((l) => l.id)"
        )
        assert hidden
        assert not overlaps(page.evaluate(_MEASURE))
        for feature_id in hidden:
            if page.locator(f'.bm-marker[data-feature-id="{feature_id}"]').count():
                assert page.locator(f'.bm-marker[data-feature-id="{feature_id}"]').is_visible()
    finally:
        page.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_axe_finds_no_accessibility_violation(browser, pages, width, height):
    assert AXE.is_file(), "axe-core is missing: run scripts/test.sh (npm ci --prefix tests/axe)"
    page, _errors = open_offline(browser, pages["en"], width, height)
    try:
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}))
              .violations.map((v) => v.id + ': ' + v.nodes.length + ' ' +
                                     v.nodes.slice(0, 3).map((n) => n.target.join(' ')))"""
        )
        assert violations == []
    finally:
        page.close()


def test_labels_make_way_after_a_resize_and_on_every_timeline_stop(browser, pages):
    page, errors = open_offline(browser, pages["en"], 1280, 800)
    try:
        # From a desktop to an article column: the panels fold and the labels follow.
        page.set_viewport_size({"width": 720, "height": 540})
        page.wait_for_function("() => document.querySelector('.bm-compact')")
        page.wait_for_timeout(100)
        assert not overlaps(page.evaluate(_MEASURE))
        # Back to a desktop: the panels open again.
        page.set_viewport_size({"width": 1280, "height": 800})
        page.wait_for_function("() => !document.querySelector('.bm-compact')")
        page.wait_for_timeout(100)
        assert page.locator(".bm-legend-entry", has_text="River mouth").is_visible()
        assert not overlaps(page.evaluate(_MEASURE))
        # Each stop of the timeline relabels the bridges; nothing collides at any of them.
        slider = page.locator("#bm-when")
        slider.focus()
        page.keyboard.press("Home")
        seen = []
        for _ in range(int(slider.get_attribute("max") or 0) + 1):
            shown = page.evaluate(_MEASURE)
            assert not overlaps(shown), page.locator("#bm-when-text").inner_text()
            seen.append(sorted(text["text"] for text in shown["texts"]))
            page.keyboard.press("ArrowRight")
        assert not any("Road bridge" in text for text in seen[0])  # 1959: not agreed yet
        assert any("planned since June 2024" in text for text in seen[1])
        assert any("under construction since April 2025" in text for text in seen[-1])
        assert not errors
    finally:
        page.close()


def test_on_a_phone_one_panel_is_open_at_a_time_and_escape_closes_it(browser, pages):
    from playwright.sync_api import expect

    page, _errors = open_offline(browser, pages["en"], 390, 844)
    try:
        page.locator(".bm-legend summary").click()
        page.locator(".bm-timeline-box > summary").click()
        page.wait_for_function("() => !document.querySelector('.bm-legend-box').open")
        page.wait_for_timeout(50)  # the toggle events have run
        opened = page.evaluate(
            "() => [...document.querySelectorAll('details[data-bm-collapse]')]"
            ".filter((d) => d.open).map((d) => d.className)"
        )
        assert opened == ["bm-timeline-box"]
        assert not overlaps(page.evaluate(_MEASURE))
        page.keyboard.press("Escape")
        expect(page.locator("#bm-when")).to_be_hidden()
    finally:
        page.close()
