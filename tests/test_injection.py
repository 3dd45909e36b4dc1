"""Nothing runs: script-injection payloads in every text field of the facts file.

Every text field of a copy of the facts file gets a payload; the map, the SVG export
and the embed snippet are built from it, and the map is opened in headless Chromium
(network cut off) where every feature is hovered and clicked. No payload may run, and
each must show as literal text: escaped, not dropped.

The browser part needs Debian's Chromium and playwright: skipped where either is
missing, except under CI (CI=true), where a missing browser fails the run.
"""

from __future__ import annotations

import html
import json
import math
import re
import tomllib
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers import per_feature, unpacked

from bordermap import build_layers, build_map, load_facts
from bordermap.cli import main
from bordermap.webmap import render_html

pytestmark = pytest.mark.hostile

REPO = Path(__file__).resolve().parents[1]

LINE_SEPARATOR = "line\u2028separator"
PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=2">',
    "</script><script>window.__pwned=3</script>",
    '<svg onload="window.__pwned=4">',
    "javascript:window.__pwned=5",
    "{{7*7}}${window.__pwned=6}",
    "' onmouseover='window.__pwned=7",
    LINE_SEPARATOR,
    # Two dollars make matplotlib read the text as mathematics; % and {} as format strings.
    "$x_{pwned}^{8}$ 100% %s {0}",
)


# --- a small TOML writer ------------------------------------------------------------------


def _toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F or char in "\u2028\u2029":
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        assert math.isfinite(value), value
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[\n" + "".join(f"  {_toml_value(item)},\n" for item in value) + "]"
    if isinstance(value, dict):
        # Inline tables must be on one line; their arrays are written inline too.
        items = ", ".join(f"{_toml_key(k)} = {_toml_inline(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_inline(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_inline(item) for item in value) + "]"
    return _toml_value(value)


def dumps_toml(data: dict[str, Any]) -> str:
    """Write a parsed TOML document back as TOML: top-level keys, inline tables."""
    return "".join(f"{_toml_key(key)} = {_toml_value(value)}\n" for key, value in data.items())


# --- the facts file with a payload in every text field ------------------------------------


class _Payloads:
    """Hands out the payloads in turn, so that each lands in many fields."""

    def __init__(self, *, dollars: bool = True) -> None:
        self.count = 0
        self.dollars = dollars

    def __call__(self, original: str = "") -> str:
        payload = PAYLOADS[self.count % len(PAYLOADS)]
        self.count += 1
        if not self.dollars:
            payload = payload.replace("$", "\uff04")  # a fullwidth dollar sign
        # Keep the original text first: figure names keep their meaning ("length ...").
        return f"{original} {payload}".strip()


def injected_facts(text: str, *, dollars: bool = True) -> dict[str, Any]:
    """Return the facts with a payload appended to every text field.

    ``dollars=False`` replaces the payloads' dollar signs, which matplotlib reads as
    mathematics (tested on their own, in ``test_dollar_signs_...``).
    """
    data = tomllib.loads(text)
    inject, inject_words = _Payloads(dollars=dollars), _Payloads(dollars=dollars)
    map_table = data["map"]
    for key in list(map_table):  # title, subject, their translations, conventions
        if key.startswith(("title", "subject")) or key == "naming_convention":
            map_table[key] = inject(map_table[key])
    for feature in data["features"]:
        feature["name"] = {language: inject(name) for language, name in feature["name"].items()}
        label = feature.get("label") or dict(feature["name"])
        feature["label"] = {language: inject(text) for language, text in label.items()}
        feature["name_note"] = inject(feature.get("name_note", ""))
        feature["description"] = inject(feature["description"])
        feature["geometry"]["note"] = inject(feature["geometry"].get("note", ""))
        for event in feature.get("events", []):
            event["what"] = inject(event["what"])
        for figure in feature.get("figures", []):
            english = figure["name"]
            figure["name"] = inject(english)
            # A figure's name is a word of the map: each language needs it (checked
            # when the facts are read), and its translations carry payloads too.
            # (Their own turn of payloads: every other field keeps the payload it had.)
            for words in map_table.get("words", {}).values():
                words[figure["name"]] = inject_words(words.get(english, english))
            for value in figure["values"]:
                if isinstance(value["value"], str):
                    value["value"] = inject(value["value"])
                value["note"] = inject(value.get("note", ""))
    for source in data["sources"].values():
        for key in ("publisher", "title", "about"):
            source[key] = inject(source.get(key, ""))
        for key in ("licence", "credit"):
            if key in source:
                source[key] = inject(source[key])
        # Still an http(s) link, but one that tries to leave its attribute.
        source["url"] += '?q="><script>window.__pwned=9</script>'
    return data


def _injected_project(project: Path, *, dollars: bool = True) -> Path:
    (project / "geodata").mkdir()
    text = (REPO / "geodata" / "facts.toml").read_text(encoding="utf-8")
    data = injected_facts(text, dollars=dollars)
    written = dumps_toml(data)
    assert tomllib.loads(written) == data  # the writer wrote what was read
    (project / "geodata" / "facts.toml").write_text(written, encoding="utf-8")
    assert main(["build", *_dirs(project)]) == 0
    return project


@pytest.fixture(scope="module")
def injected_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built from the injected facts: layers and map."""
    return _injected_project(tmp_path_factory.mktemp("injected"))


@pytest.fixture(scope="module")
def injected_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The outputs, with the SVG export and embed snippet, of facts injected without "$"."""
    project = _injected_project(tmp_path_factory.mktemp("exported"), dollars=False)
    assert main(["export", *_dirs(project), "--format", "svg", "--embed"]) == 0
    return project / "outputs"


def test_the_injected_facts_export(injected_project, capsys):
    """Every payload, dollar signs too, goes through the static export."""
    argv = ["export", *_dirs(injected_project), "--format", "svg", "--embed"]
    assert main(argv) == 0, capsys.readouterr().err


def _dirs(project: Path) -> list[str]:
    return ["--geodata", str(project / "geodata"), "--outputs", str(project / "outputs")]


def test_every_text_field_got_a_payload(injected_project):
    facts = load_facts(injected_project / "geodata" / "facts.toml")
    texts = [facts.title, facts.subject]
    for feature in facts.features:
        texts += [*feature.name.values(), *(feature.label or {}).values()]
        texts += [feature.name_note or "", feature.description, feature.geometry.note or ""]
        texts += [event.what for event in feature.events]
        for figure in feature.figures:
            texts.append(figure.name)
            texts += [value.note or "" for value in figure.values]
    for source in facts.sources.values():
        texts += [source.publisher, source.title or "", source.about or ""]
    assert all(any(payload in text for payload in PAYLOADS) for text in texts)
    for payload in PAYLOADS:
        assert sum(payload in text for text in texts) >= 5, payload


# --- the files: HTML, SVG and embed snippet -------------------------------------------------


def _decoded_scripts(page: str) -> str:
    """Return the page with the JavaScript string escapes that hide markup undone."""
    return (
        page.replace("\\u003c", "<")
        .replace("\\u003e", ">")
        .replace("\\u0026", "&")
        .replace('\\"', '"')
    )


@pytest.fixture(scope="module")
def clean_page() -> str:
    """The map page made from the shipped facts."""
    return unpacked(
        render_html(build_map(build_layers(load_facts(REPO / "geodata" / "facts.toml"))))
    )


def test_the_map_page_has_no_injected_markup(injected_project, clean_page):
    page = unpacked(
        (injected_project / "outputs" / "tumen_border_map.html").read_text(encoding="utf-8")
    )
    for payload in PAYLOADS[:4]:
        assert payload not in page, payload
    # Data reaches scripts only as JSON blocks and string literals, which cannot end their
    # <script> element: each block parses whole, and the page has as many scripts of
    # code as a map made from the shipped facts.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert page.count("<script") == page.count("</script>") == len(scripts)
    for attributes, text in scripts:
        if 'type="application/json"' in attributes:
            json.loads(text)
    code = [text for attributes, text in scripts if not attributes]
    assert len(code) == len(re.findall(r"<script>", clean_page))
    assert '"><script>window.__pwned=9' not in _decoded_scripts(page)
    for script in re.findall(r"<script[^>]*>(.*?)</script>", page, re.S):
        # Old JavaScript engines end a line, and so a string, at these.
        assert "\u2028" not in script and "\u2029" not in script
    assert LINE_SEPARATOR in html.unescape(page)  # in the description, as text


def test_the_svg_has_no_script_and_no_event_handler(injected_exports):
    svg = injected_exports / "tumen_border_map.svg"
    root = ElementTree.parse(svg).getroot()  # well-formed XML, or this raises
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        assert tag not in ("script", "foreignobject", "iframe"), tag
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on"), (tag, name, value)
            if local == "href":
                assert not value.strip().lower().startswith("javascript:"), value
    # The title is kept, as text, in the SVG's metadata.
    titles = [e.text or "" for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "title"]
    facts = load_facts(injected_exports.parent / "geodata" / "facts.toml")
    assert facts.title in titles
    assert "<script" not in svg.read_text(encoding="utf-8").lower()


def test_the_embed_snippet_has_no_raw_markup(injected_exports):
    snippet = (injected_exports / "tumen_border_map.embed.html").read_text(encoding="utf-8")
    assert "<script" not in snippet.lower()
    parsed = _Tags()
    parsed.feed(snippet)
    parsed.close()
    assert {tag for tag, _ in parsed.tags} <= {
        "figure",
        "iframe",
        "noscript",
        "img",
        "figcaption",
        "a",
    }
    assert [tag for tag, _ in parsed.tags].count("img") == 1  # the fallback image only
    for tag, attributes in parsed.tags:
        for name, value in attributes:
            assert not name.startswith("on"), (tag, name, value)
            if name in ("src", "href"):
                assert value and not value.lower().startswith(("javascript:", "data:")), value
    facts = load_facts(injected_exports.parent / "geodata" / "facts.toml")
    assert any(payload in facts.title for payload in PAYLOADS)
    assert html.escape(facts.title) in snippet  # escaped, not dropped


class _Tags(HTMLParser):
    """Collects the start tags of an HTML text and their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


# --- template syntax: the facts are text, never a template ----------------------------------

TEMPLATE_PAYLOADS = (
    "{{7*7}}",
    "{{ cycler.__init__.__globals__.os.name }}",  # would reach Python's os module
    "{% raw %}",
    "{# not a comment",
    "{%- if true %}",
)


@pytest.mark.parametrize("payload", TEMPLATE_PAYLOADS)
def test_template_syntax_in_the_facts_is_kept_as_text(tmp_path, payload, capsys):
    text = (REPO / "geodata" / "facts.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    data["map"]["subject"] += " " + payload
    road_bridge = next(f for f in data["features"] if f["id"] == "road-bridge")
    road_bridge["name"]["en"] = f"Road bridge {payload}"
    road_bridge["description"] += " " + payload
    (tmp_path / "geodata").mkdir()
    (tmp_path / "geodata" / "facts.toml").write_text(dumps_toml(data), encoding="utf-8")
    assert main(["build", *_dirs(tmp_path)]) == 0, capsys.readouterr().err
    page = unpacked((tmp_path / "outputs" / "tumen_border_map.html").read_text(encoding="utf-8"))
    # In the description for screen readers (HTML), as written.
    description = re.search(r'<p id="bm-description"[^>]*>(.*?)</p>', page, re.S)
    meta = re.search(r'<meta name="description" content="([^"]*)"', page)
    assert description is not None and meta is not None
    for found in (description.group(1), meta.group(1)):
        assert html.escape(payload) in found, found[:300]
    # In the tooltip and popup (the page's JSON data), as written; never evaluated.
    scripts = "".join(re.findall(r"<script[^>]*>(.*?)</script>", page, re.S))
    assert "Road bridge 49" not in scripts and "Road bridge posix" not in scripts, (
        "the map's script was evaluated as a template"
    )
    road = per_feature(page)["road-bridge"]
    assert html.escape(f"Road bridge {payload}") in road["tooltip"]
    assert html.escape(f"Road bridge {payload}") in road["popup"]


@pytest.mark.parametrize("label", ["Cost $\\undefinedcommand$", "US$100 to $111 million"])
def test_dollar_signs_in_labels_do_not_break_the_export(tmp_path, label, capsys):
    data = tomllib.loads((REPO / "geodata" / "facts.toml").read_text(encoding="utf-8"))
    road_bridge = next(f for f in data["features"] if f["id"] == "road-bridge")
    road_bridge["label"]["en"] = label
    road_bridge["name_note"] = label
    (tmp_path / "geodata").mkdir()
    (tmp_path / "geodata" / "facts.toml").write_text(dumps_toml(data), encoding="utf-8")
    assert main(["layers", *_dirs(tmp_path)]) == 0
    assert main(["export", *_dirs(tmp_path), "--format", "svg"]) == 0, capsys.readouterr().err


# --- links the data cannot make dangerous ---------------------------------------------------

BAD_URLS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
)


@pytest.fixture(scope="module")
def bad_link_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A map whose road bridge cites sources linking with every scheme but http(s)."""
    layers = build_layers(load_facts(REPO / "geodata" / "facts.toml"))
    sources = layers["road_bridge"]["features"][0]["properties"]["sources"]
    assert len(sources) >= len(BAD_URLS)
    for source, url in zip(sources, BAD_URLS, strict=False):
        source["url"] = url
    path = tmp_path_factory.mktemp("links") / "map.html"
    path.write_text(render_html(build_map(layers)), encoding="utf-8")
    return path


def test_links_with_other_schemes_are_dropped_and_their_text_kept(bad_link_page):
    page = _decoded_scripts(unpacked(bad_link_page.read_text(encoding="utf-8")))
    hrefs = re.findall(r"""href\s*=\s*["']?([^"'\s>]*)""", page, re.I)
    assert hrefs, "no links at all"
    for href in hrefs:
        scheme = href.strip().lower().replace("\t", "").split(":", 1)[0]
        assert scheme not in ("javascript", "data", "vbscript", "file"), href
    for url in BAD_URLS:
        assert url not in page, url
    # The publishers are still named, as plain text.
    layers = build_layers(load_facts(REPO / "geodata" / "facts.toml"))
    for source in layers["road_bridge"]["features"][0]["properties"]["sources"]:
        assert source["publisher"] in html.unescape(page), source["publisher"]


# --- in the browser -------------------------------------------------------------------------


class Watched:
    """A page opened offline, with what happened on it that must not."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside_requests: list[str] = []


def _open(browser: Any, path: Path, width: int = 1280, height: int = 800) -> Watched:
    page = browser.new_page(viewport={"width": width, "height": height})
    watched = Watched(page)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            watched.outside_requests.append(url)
            route.abort()

    def dialog(dialog: Any) -> None:
        watched.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.route("**/*", route)
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    page.on("dialog", dialog)
    # Record every assignment, even one that a later script would undo.
    page.add_init_script(
        "window.__pwnedBy = [];"
        "Object.defineProperty(window, '__pwned', {configurable: false,"
        " get: function () { return window.__pwnedBy.length ? window.__pwnedBy[0] : undefined; },"
        " set: function (value) { window.__pwnedBy.push(value); }});"
    )
    page.goto(path.as_uri())
    page.wait_for_selector("path.bm-feature")
    page.wait_for_timeout(300)
    return watched


# Where on a feature the mouse can reach it: a point on the path (or the marker's centre)
# that no control, label or other feature covers; null if there is none.
_REACHABLE_POINT = """(element) => {
  const hits = (x, y) => {
    const top = document.elementFromPoint(x, y);
    return top !== null && (top === element || element.contains(top));
  };
  if (element instanceof SVGGeometryElement) {
    const total = element.getTotalLength();
    const matrix = element.getScreenCTM();
    for (let i = 0; i <= 64; i++) {
      const fraction = (i % 2 ? 32 - (i + 1) / 2 : 32 + i / 2) / 64;
      const p = element.getPointAtLength(total * fraction).matrixTransform(matrix);
      if (p.x > 2 && p.y > 2 && p.x < innerWidth - 2 && p.y < innerHeight - 2 && hits(p.x, p.y))
        return [p.x, p.y];
    }
    return null;
  }
  const box = element.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  return hits(x, y) ? [x, y] : null;
}"""


# Elements made from the data's markup, each named with the classes of its ancestors.
_INJECTED_ELEMENTS = """() => Array.from(
  document.querySelectorAll("img[src='x'], [onload], [onerror], [onmouseover]")
).map((element) => {
  const chain = [];
  for (let e = element; e && e !== document.body; e = e.parentElement) {
    const name = typeof e.className === "string" ? e.className : "";
    chain.push(e.tagName.toLowerCase() + (name ? "." + name.split(" ").join(".") : ""));
  }
  return chain.slice(0, 3).join(" < ");
})"""


def _visit(page: Any, element: Any) -> tuple[str, str, str]:
    """Hover a feature, then click it; return its tooltip's and popup's text, and the HTML."""
    point = element.evaluate(_REACHABLE_POINT)
    if point is not None:
        page.mouse.move(point[0], point[1])
    else:  # covered where it is drawn (two markers on one point): reach it as a keyboard does
        element.dispatch_event("mouseover")
        element.dispatch_event("mousemove")
    tooltip = page.locator(".leaflet-tooltip.bm-tooltip")
    tooltip.first.wait_for(state="attached", timeout=3000)
    tooltip_text = tooltip.first.inner_text()
    if point is not None:
        page.mouse.click(point[0], point[1])
    else:
        element.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=3000)
    popup_text = popup.inner_text()
    popup_content = popup.text_content() or ""
    # The close button may lie under the title panel: press it where it is.
    page.locator(".leaflet-popup-close-button").dispatch_event("click")
    popup.wait_for(state="detached", timeout=3000)
    page.mouse.move(1, 799)
    return tooltip_text, popup_text, popup_content


@pytest.mark.browser
def test_nothing_runs_in_the_browser_and_every_payload_shows_as_text(browser, injected_project):
    watched = _open(browser, injected_project / "outputs" / "tumen_border_map.html")
    page = watched.page
    try:
        # The layer control, opened, and every layer in it shown (some start hidden).
        page.locator(".leaflet-control-layers").hover()
        overlays = page.locator(".leaflet-control-layers-overlays input")
        overlays.first.wait_for(state="visible")
        for index in range(overlays.count()):
            if not overlays.nth(index).is_checked():
                overlays.nth(index).check()
        shown_control = page.locator(".leaflet-control-layers").inner_text()
        page.mouse.move(640, 790)
        elements = page.locator("path.bm-feature, .leaflet-marker-pane .bm-marker")
        count = elements.count()
        layers = {
            path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in (injected_project / "geodata").glob("*.geojson")
        }
        assert count == sum(len(layer["features"]) for layer in layers.values())
        shown: list[str] = []
        contents: list[str] = []
        for index in range(count):
            tooltip_text, popup_text, popup_content = _visit(page, elements.nth(index))
            assert tooltip_text.strip() and popup_text.strip(), index
            shown += [tooltip_text, popup_text]
            contents.append(popup_content)
        shown.append(shown_control)
        # The legend, folded and opened again.
        summary = page.locator(".bm-legend summary")
        summary.click()
        summary.click()
        assert page.evaluate("() => document.querySelector('.bm-legend details').open")
        assert page.locator(".bm-legend-entry").first.is_visible()
        labels = page.locator(".bm-label")
        shown += [labels.nth(i).inner_text() for i in range(labels.count())]
        for selector in (".bm-title", ".bm-legend", ".leaflet-control-attribution"):
            shown.append(page.locator(selector).inner_text())
        page.wait_for_timeout(300)  # a late onerror or onload would have run by now

        # Nothing ran; every problem is listed, so that one run tells all.
        problems = []
        ran = page.evaluate("() => window.__pwnedBy")
        if ran or page.evaluate("() => typeof window.__pwned") != "undefined":
            problems.append(f"payloads ran: {ran}")
        injected = page.evaluate(_INJECTED_ELEMENTS)
        if injected:
            problems.append(f"markup from the data became elements: {injected}")
        if page.locator("script", has_text="__pwned").count():
            problems.append("a <script> from the data is in the page")
        if watched.dialogs:
            problems.append(f"dialogs opened: {watched.dialogs}")
        if watched.errors:
            problems.append(f"page errors: {watched.errors}")
        outside = [u for u in watched.outside_requests if not ("tile" in u or "arcgisonline" in u)]
        if outside:
            problems.append(f"requests other than tiles: {outside}")
        # Escaped, not dropped: every payload can be read on the page as written.
        text = "\n".join(shown)
        missing = [p for p in PAYLOADS if p != LINE_SEPARATOR and p not in text]
        if LINE_SEPARATOR not in "".join(contents):
            missing.append(LINE_SEPARATOR)
        if missing:
            problems.append(f"payloads not shown as text: {missing}")
        assert "<script>window.__pwned=1</script>" in text
        assert not problems, "\n".join(problems)
    finally:
        page.close()
