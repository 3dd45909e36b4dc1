"""Issue 13: every panel's text fits its box, at the sizes reports embed the map, in every
language.

Measured in headless Chromium with the network cut off, at a phone iframe (358×420), a
phone (390×844), an article column (720×540) and a desktop (1280×800), in English,
Korean and Russian, at the first view and with each folded panel opened in turn: no
element of a visible panel (a Leaflet control) clips its text (``scrollWidth`` over
``clientWidth`` where the overflow is not visible, or ``scrollHeight`` over
``clientHeight`` where it is hidden), no line of text reaches past its panel's box (or,
in a panel that scrolls, past the scrolling box's sides), and no panel reaches past the
map's frame. The one text a panel may cut is the folded credits line on small screens,
which ends in "…" beside the ⓘ button that opens it in full: it is measured opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, open_offline

from bordermap import build_layers, build_map, load_facts, save_map

pytestmark = pytest.mark.browser

SIZES = [(358, 420), (390, 844), (720, 540), (1280, 800)]
LANGUAGES = ["en", "ko", "ru"]
#: Rounding of layout to device pixels: a box may differ from its content by this, px.
SLACK_PX = 1.0

# Every way a visible panel's text may not fit, as "panel: what, where" lines.
_UNFIT = """(slack) => {
  const frame = document.querySelector('.leaflet-container').getBoundingClientRect();
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    // Hidden, transparent, or inside a closed <details> (content-visibility: hidden).
    if (r.width === 0 || r.height === 0 ||
        !e.checkVisibility({opacityProperty: true, visibilityProperty: true})) { return false; }
    for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
      // Visually hidden for screen readers only (1 px, clipped): not drawn text.
      const box = n.getBoundingClientRect();
      if (box.width <= 1 && box.height <= 1) { return false; }
    }
    return true;
  };
  const nameOf = (e) => e.className.split(' ').filter((c) => c.startsWith('bm-') ||
    c.startsWith('leaflet-control-')).join(' ') || e.tagName.toLowerCase();
  const folded = (e) => !!e.closest('.bm-compact:not(.bm-credits-open) ' +
    '.leaflet-control-attribution');
  const words = (e) => JSON.stringify((e.innerText || e.textContent || '').trim().slice(0, 40));
  const problems = [];
  const panels = [...document.querySelectorAll('.leaflet-control')].filter(shown);
  for (const panel of panels) {
    const name = nameOf(panel);
    const box = panel.getBoundingClientRect();
    if (box.left < frame.left - slack || box.right > frame.right + slack ||
        box.top < frame.top - slack || box.bottom > frame.bottom + slack) {
      problems.push(`${name}: the panel reaches past the map's frame`);
    }
    for (const e of [panel, ...panel.querySelectorAll('*')]) {
      if (!shown(e) || folded(e) || e.tagName === 'svg' || e.closest('svg')) { continue; }
      const style = getComputedStyle(e);
      if (style.overflowX !== 'visible' && e.clientWidth > 0 &&
          e.scrollWidth > e.clientWidth + slack) {
        problems.push(`${name}: ${nameOf(e)} ${words(e)} cut: ` +
                      `${e.scrollWidth} px of text in ${e.clientWidth} px`);
      }
      if ((style.overflowY === 'hidden' || style.overflowY === 'clip') && e.clientHeight > 0 &&
          e.scrollHeight > e.clientHeight + slack) {
        problems.push(`${name}: ${nameOf(e)} ${words(e)} cut: ` +
                      `${e.scrollHeight} px high in ${e.clientHeight} px`);
      }
    }
    const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!node.textContent.trim() || !shown(parent) || folded(parent)) { continue; }
      let scroller = null;
      for (let n = parent; n && n !== panel; n = n.parentElement) {
        const overflow = getComputedStyle(n).overflowY;
        if (overflow === 'auto' || overflow === 'scroll') { scroller = n; break; }
      }
      const outer = (scroller || panel).getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width === 0) { continue; }
        const sideways = r.left < outer.left - slack || r.right > outer.right + slack;
        const beyond = !scroller && (r.top < outer.top - slack || r.bottom > outer.bottom + slack);
        if (sideways || beyond) {
          problems.push(`${name}: ${JSON.stringify(node.textContent.trim().slice(0, 40))} ` +
                        `reaches past its box by ${Math.round(Math.max(
                          outer.left - r.left, r.right - outer.right,
                          scroller ? 0 : outer.top - r.top,
                          scroller ? 0 : r.bottom - outer.bottom))} px`);
          break;
        }
      }
    }
  }
  return problems;
}"""

# The folded panels a reader can open: their summaries and the credits' ⓘ button.
_OPENERS = """() => [
  ...[...document.querySelectorAll('details[data-bm-collapse] > summary')]
    .filter((s) => s.getBoundingClientRect().width > 0 &&
                   getComputedStyle(s).display !== 'none')
    .map((s) => `details.${s.parentElement.className.split(' ')[0]} > summary`),
  ...(document.querySelector('.bm-credits-toggle') &&
      getComputedStyle(document.querySelector('.bm-credits-toggle')).display !== 'none'
      ? ['.bm-credits-toggle'] : []),
]"""


def test_the_measure_finds_text_that_does_not_fit(browser: Any, tmp_path: Path) -> None:
    """The measure itself, on a page of panels made to overflow, clip and fit."""
    page = browser.new_page(viewport={"width": 400, "height": 300})
    try:
        page.set_content(
            """<div class="leaflet-container" style="position:relative;width:400px;
              height:300px">
              <div class="leaflet-control bm-fits" style="width:200px">Short words</div>
              <div class="leaflet-control bm-spills" style="width:40px;white-space:nowrap">
                A line far too long for its box</div>
              <div class="leaflet-control bm-clips" style="width:60px;overflow:hidden;
                white-space:nowrap;text-overflow:ellipsis">Clipped words here</div>
              <div class="leaflet-control bm-scrolls"><ul style="max-height:20px;
                overflow-y:auto;margin:0"><li>one</li><li>two</li><li>three</li></ul></div>
              <span class="bm-sr-only" style="position:absolute;width:1px;height:1px;
                overflow:hidden">Read aloud only, never drawn</span>
            </div>"""
        )
        problems = page.evaluate(_UNFIT, SLACK_PX)
    finally:
        page.close()
    assert any(line.startswith("bm-spills:") and "reaches past" in line for line in problems)
    assert any(line.startswith("bm-clips:") and "cut" in line for line in problems)
    assert not any(line.startswith(("bm-fits:", "bm-scrolls:")) for line in problems)
    assert not any("Read aloud" in line for line in problems)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    layers = build_layers(load_facts(REPO / "geodata" / "facts.toml"))
    folder = tmp_path_factory.mktemp("fit")
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
def test_every_panels_text_fits_its_box(opened: tuple[Any, list[str]]) -> None:
    page, errors = opened
    found = {"first view": page.evaluate(_UNFIT, SLACK_PX)}
    for opener in page.evaluate(_OPENERS):
        page.locator(opener).click()
        page.wait_for_timeout(150)  # the labels and panels make way
        found[f"opened {opener}"] = page.evaluate(_UNFIT, SLACK_PX)
        page.keyboard.press("Escape")
        if opener == ".bm-credits-toggle":
            page.locator(opener).click()  # the credits close with their button
        page.wait_for_timeout(50)
    assert not any(found.values()), {state: lines for state, lines in found.items() if lines}
    assert not errors


@pytest.mark.parametrize("zoom", [0, -3, 3])
def test_the_scale_bar_speaks_the_maps_language(
    browser: Any, pages: dict[str, Path], zoom: int
) -> None:
    # Leaflet's own scale bar wrote "500 m" in the Russian map.
    page, errors = open_offline(browser, pages["ru"], 720, 540)
    try:
        page.evaluate(
            "(z) => { const map = Object.values(window).find((v) => v instanceof L.Map);"
            " map.setZoom(map.getZoom() + z, {animate: false}); }",
            zoom,
        )
        page.wait_for_timeout(100)
        line = page.locator(".leaflet-control-scale-line")
        text = line.inner_text()
        number, unit = text.rsplit(" ", 1)
        assert unit in {"м", "км"}, text
        assert number.replace("\u00a0", "").isdigit(), text
        width = float(line.evaluate("(e) => e.getBoundingClientRect().width"))
        assert 60 <= width <= 120, width  # half to all of its longest length
        assert page.evaluate(_UNFIT, SLACK_PX) == []
        assert not errors
    finally:
        page.close()
