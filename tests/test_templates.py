"""The markup of the map's panels and the embed snippet comes from autoescaped templates.

A hostile text, with ``<``, ``&`` and both quotes, is put in every text field a panel
shows; the markup is parsed as a browser would, and the text must come back whole,
as text or as an attribute's value, with no element or attribute of its own. Were
autoescaping off, the ``<img>`` would become an element and the quotes would end
the attributes they are in.
"""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from typing import Any

import pytest

from bordermap import _html
from bordermap.embed import embed_inline, embed_snippet
from bordermap.styles import style_for

HOSTILE = "<img src=x onerror=alert(1)> & \"double\" 'single' &amp; </b>"


class _Parsed(HTMLParser):
    """Elements, attribute values and text of a piece of markup, as a browser reads them."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _hostile_feature() -> dict[str, Any]:
    source = {
        "id": "s1",
        "publisher": HOSTILE,
        "title": HOSTILE,
        "date": "2025-04-30",
        "url": 'https://example.org/?q=<x>&y="z"',
    }
    return {
        "type": "Feature",
        "id": "road-bridge",
        "properties": {
            "kind": "road_bridge",
            "status": "under construction",
            "name_en": HOSTILE + " en",
            "name_ko": HOSTILE + " ko",
            "name_ru": HOSTILE + " ru",
            "name_note": HOSTILE + " name note",
            "description": HOSTILE + " description",
            "geometry_note": HOSTILE + " geometry note",
            "approximate": True,
            "accuracy_m": 220,
            "accuracy_note": HOSTILE + " accuracy note",
            "length_m": 1000,
            "figures": [
                {
                    "name": HOSTILE + " figure",
                    "unit": "m",
                    "disputed": True,
                    "values": [
                        {"value": 1000, "note": HOSTILE + " value note", "sources": ["s1"]},
                        {"value": HOSTILE + " value", "sources": ["s1"]},
                    ],
                    "drawn": 1000,
                }
            ],
            "position_alternatives": [
                {"lat": HOSTILE + " lat", "lon": 130.6, "distance_m": 10, "sources": ["s1"]}
            ],
            "events": [
                {"date": "2025-04-30", "what": HOSTILE + " event", "sources": ["s1"]},
            ],
            "sources": [source],
        },
        "geometry": {"type": "LineString", "coordinates": [[130.6, 42.4], [130.7, 42.5]]},
    }


def _layers() -> dict[str, Any]:
    return {
        "road_bridge": {
            "type": "FeatureCollection",
            "bordermap": {
                "title": HOSTILE + " title",
                "subject": HOSTILE + " subject",
                "as_of": "2026-12-03",
                "notes": [
                    {
                        "date": "2025-07",
                        "text": HOSTILE + " note",
                        "sources": [{"publisher": HOSTILE, "url": "https://example.org/n"}],
                    }
                ],
            },
            "features": [_hostile_feature()],
        }
    }


def _assert_shown_as_text(markup: str, expected: list[str], *, images: int = 0) -> _Parsed:
    parsed = _Parsed(markup)
    assert parsed.tags.count("img") == images, parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    text = "".join(parsed.text)
    values = [value for _, value in parsed.attributes]
    for wanted in expected:
        assert wanted in text or wanted in values, (wanted, text[:300])
    # The raw text is not in the markup: only its escaped form is.
    assert "<img src=x" not in markup
    return parsed


def test_popup_shows_every_hostile_text_as_text():
    markup = _html.popup_html(_hostile_feature())
    _assert_shown_as_text(
        markup,
        [
            f"{HOSTILE} en",
            f"{HOSTILE} ko",
            f"{HOSTILE} ru",
            f"{HOSTILE} name note",
            f"{HOSTILE} description",
            f"{HOSTILE} geometry note",
            f"({HOSTILE} accuracy note)",
            f"{HOSTILE} figure"[:1].upper() + f"{HOSTILE} figure"[1:],
            f"({HOSTILE} value note)",
            f"{HOSTILE} value",
            f"{HOSTILE} lat",
            f"{HOSTILE} event",
            f"{HOSTILE}, 30 April 2025: {HOSTILE}",
        ],
    )


def test_popup_link_keeps_its_url_whole_as_one_attribute():
    parsed = _Parsed(_html.popup_html(_hostile_feature()))
    assert ("href", 'https://example.org/?q=<x>&y="z"') in parsed.attributes
    assert ("rel", "noopener noreferrer") in parsed.attributes


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", " file:///etc"])
def test_a_source_links_only_http(url):
    markup = _html.source_html({"publisher": HOSTILE, "url": url})
    parsed = _assert_shown_as_text(markup, [HOSTILE])
    assert "a" not in parsed.tags


def test_title_and_timeline_show_hostile_text_as_text():
    layers = _layers()
    meta = _html.metadata(layers)
    _assert_shown_as_text(_html.title_html(meta, layers), [f"{HOSTILE} title", HOSTILE])
    timeline = _html.timeline_html(layers, ["2025-04-30", "2026-12-03"])
    parsed = _assert_shown_as_text(
        timeline, [f"{HOSTILE} en: {HOSTILE} event", f"{HOSTILE} note", HOSTILE]
    )
    assert parsed.tags.count("li") == 2  # one event, one note: no element from the data


def test_legend_and_marker_names_are_escaped():
    legend = _html.legend_html([("road_bridge", HOSTILE)], uncertainty=True)
    parsed = _assert_shown_as_text(legend, [f"road_bridge|{HOSTILE}"])
    assert parsed.tags.count("li") == 2
    marker = _html.marker_html(style_for("station", None), HOSTILE)
    assert marker is not None
    parsed = _assert_shown_as_text(marker, [HOSTILE])
    assert ("aria-label", HOSTILE) in parsed.attributes


def test_a_label_keeps_its_line_breaks_and_escapes_its_text():
    markup = _html.label_html(f"{HOSTILE}\nsecond line")
    parsed = _assert_shown_as_text(markup, [HOSTILE, "second line"])
    assert parsed.tags == ["br"]


def test_embed_snippet_escapes_title_and_description():
    snippet = embed_snippet(
        map_url="map.html?a=1&b=2",
        image_url="map.png",
        title=HOSTILE + " title",
        description=HOSTILE + " description",
    )
    parsed = _assert_shown_as_text(
        snippet, [f"{HOSTILE} title", f"{HOSTILE} description"], images=1
    )
    assert ("src", "map.html?a=1&b=2") in parsed.attributes


def test_embed_inline_carries_a_hostile_page_as_one_attribute(tmp_path):
    page = f"<html><head><title>{HOSTILE.replace('<', '&lt;')}</title></head><body>{HOSTILE}"
    (tmp_path / "map.html").write_text(page, encoding="utf-8")
    markup = embed_inline(tmp_path / "map.html").html
    parsed = _Parsed(markup)
    assert parsed.tags == ["iframe"]
    assert ("srcdoc", page) in parsed.attributes


def test_tooltip_and_credits_are_escaped():
    from bordermap._elements import FeatureLayer

    layer = _layers()["road_bridge"]
    layer["features"][0]["properties"]["sources"][0]["credit"] = HOSTILE + " credit"
    element = FeatureLayer("road_bridge", "t", layer, {}, "en")
    # The layer's data block, parsed as the page's script parses it.
    block = element.data_block
    data = json.loads(block[block.index(">") + 1 : block.rindex("</script>")])
    tooltip = {f["id"]: f for f in data["features"]}["road-bridge"]["tooltip"]
    _assert_shown_as_text(tooltip, [f"{HOSTILE} en (under construction, 1,000 m)"])
    credit = data["attribution"]
    _assert_shown_as_text(credit, [f"{HOSTILE} credit"])


# --- compiled templates kept between runs -------------------------------------------------


@pytest.fixture
def fresh_templates(tmp_path, monkeypatch):
    """The template environments made anew, their compiled-template cache under tmp_path."""
    import tempfile

    from bordermap import _templates

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def clear() -> None:
        for made in (
            _templates._bytecode_cache,
            _templates._panels,
            _templates._pages,
            _templates._plain,
        ):
            made.cache_clear()

    clear()
    yield _templates, tmp_path / f"_jinja2-cache-{os.getuid()}"
    clear()


def test_a_second_run_uses_the_compiled_templates_of_the_first(fresh_templates, monkeypatch):
    from jinja2 import Environment

    templates, folder = fresh_templates
    first = templates.escaped(HOSTILE)
    assert len(list(folder.iterdir())) == 1  # the one template compiled, kept
    templates._panels.cache_clear()  # a new run: a new environment, the same folder

    def no_compiling(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(Environment, "compile", no_compiling)
    assert templates.escaped(HOSTILE) == first


def test_templates_render_when_their_cache_cannot_be_written_or_read(fresh_templates, monkeypatch):
    from jinja2 import bccache

    templates, folder = fresh_templates
    expected = templates.escaped(HOSTILE)  # compiled and kept
    templates._panels.cache_clear()
    monkeypatch.setattr(bccache, "open", _refuse, raising=False)  # the entry: unreadable
    assert templates.escaped(HOSTILE) == expected
    for entry in folder.iterdir():
        entry.unlink()
    templates._panels.cache_clear()
    # A full disk: the entry cannot be made.
    monkeypatch.setattr(bccache.tempfile, "NamedTemporaryFile", _refuse)
    assert templates.escaped(HOSTILE) == expected
    assert not list(folder.iterdir())


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise OSError(28, "No space left on device")


def test_a_change_to_the_compacting_module_keys_the_cache_anew(fresh_templates, monkeypatch):
    templates, _ = fresh_templates
    cache = templates._bytecode_cache()
    before = cache.get_cache_key("macros.html.j2")
    templates._module_digest.cache_clear()
    monkeypatch.setattr(templates.Path, "read_bytes", lambda self: b"another text")
    try:
        assert cache.get_cache_key("macros.html.j2") != before
    finally:
        templates._module_digest.cache_clear()


def test_an_element_template_is_jinja2s_template_compiled_once(fresh_templates, monkeypatch):
    from jinja2 import Environment, Template

    templates, folder = fresh_templates
    source = "{% macro script(this, kwargs) %}{{ this }} <b>{{ kwargs }}</b>\n{% endmacro %}"
    expected = Template(source).module.script(HOSTILE, HOSTILE)
    assert templates.element_template("test.one", source).module.script(HOSTILE, HOSTILE) == (
        expected
    )
    assert len(list(folder.iterdir())) == 1  # compiled, kept
    templates._plain.cache_clear()  # a new run
    with monkeypatch.context() as patch:
        patch.setattr(Environment, "compile", lambda *args, **kwargs: 1 / 0)
        again = templates.element_template("test.one", source)
    assert again.module.script(HOSTILE, HOSTILE) == expected
    # The same key with another source: compiled anew, never the old code.
    edited = source.replace("<b>", "<i>").replace("</b>", "</i>")
    assert templates.element_template("test.one", edited).module.script("x", "y") == (
        Template(edited).module.script("x", "y")
    )
