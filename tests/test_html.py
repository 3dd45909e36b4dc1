"""The web map's HTML layer (``bordermap._html``), function by function.

Fast, direct tests: each builds a small feature or layer by hand and checks what the
function makes of it, so that mutation testing (docs/mutation.md) runs these instead of
whole map builds. The escaping of hostile text is tested in test_templates.py.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest

from bordermap import _html
from bordermap.styles import UNCERTAINTY_STYLE, Style, style_for

#: Elements that a browser shows apart from the text around them.
_BLOCKS = {"h1", "h2", "h3", "h4", "p", "div", "ul", "ol", "li", "table", "tr", "th", "td"}
_BLOCKS |= {"details", "summary", "label"}


class _Markup(HTMLParser):
    """The elements (with attributes) and the text of some markup, as a browser shows it."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in _BLOCKS:
            self.texts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.texts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.texts).split())

    def tags(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.elements if name == tag]


def _source(sid: str, publisher: str, **more: Any) -> dict[str, Any]:
    return {"id": sid, "publisher": publisher, **more}


def _feature(fid: str = "f", **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "id": fid, "properties": properties, "geometry": None}


# --- JavaScript text -------------------------------------------------------------


def test_js_literal_is_compact_json_that_reads_back_as_the_value():
    value = {"a": [1, 2.5, None, True], "b": "가 é"}
    text = _html.js_literal(value)
    assert text == '{"a":[1,2.5,null,true],"b":"가 é"}'
    assert json.loads(text) == value


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ],
)
def test_js_literal_writes_characters_that_end_a_script_as_escapes(raw, escaped):
    text = _html.js_literal(f"a{raw}b")
    assert text == f'"a{escaped}b"'
    assert raw not in text
    assert json.loads(text) == f"a{raw}b"


@pytest.mark.parametrize("pair", ["{{", "{%", "{#"])
def test_js_literal_leaves_no_template_delimiter(pair):
    value = {"k": f"x{pair}y", "n": {"m": [1]}}
    text = _html.js_literal(value)
    assert pair not in text
    assert json.loads(text) == value
    assert _html.js_literal({"a": {"b": 1}}) == '{"a":{"b":1}}'


def test_js_json_parses_an_object_from_json_text():
    text = _html.js_json({"__proto__": 1, "k": "가"})
    assert text.startswith("JSON.parse(") and text.endswith(")")
    inner = json.loads(text.removeprefix("JSON.parse(").removesuffix(")"))
    assert inner == '{"__proto__": 1, "k": "가"}'
    assert json.loads(inner) == {"__proto__": 1, "k": "가"}


def test_a_label_is_its_lines_broken_with_br():
    parsed = _Markup(_html.label_html("one & two\nthree"))
    assert [tag for tag, _ in parsed.elements] == ["br"]
    assert parsed.texts == ["one & two", "three"]


# --- legend entries, metadata, subject ---------------------------------------------


def test_legend_entries_are_distinct_styles_in_drawing_order():
    features = [
        ("a", _feature(kind="station")),
        ("b", _feature(kind="road_bridge", status="planned")),
        ("c", _feature(kind="station")),
        ("d", _feature(kind="road_bridge", status="open")),
        ("e", _feature(kind="road_bridge", status="planned")),
    ]
    entries = _html.legend_entries(features)
    assert [entry.label for entry in entries] == [
        "Railway station",
        "Road bridge, planned",
        "Road bridge, open",
    ]


def test_legend_entries_of_a_feature_without_properties_name_its_missing_kind():
    with pytest.raises(KeyError, match="None"):
        _html.legend_entries([("a", {"id": "x", "properties": None})])


def test_metadata_is_the_first_layers_that_has_it_as_a_copy():
    first = {"title": "First"}
    layers = {
        "none": {"features": []},
        "not_a_table": {"bordermap": "text"},
        "first": {"bordermap": first},
        "second": {"bordermap": {"title": "Second"}},
    }
    meta = _html.metadata(layers)
    assert meta == {"title": "First"}
    meta["title"] = "changed"
    assert first == {"title": "First"}
    assert _html.metadata({"a": {"features": []}}) == {}


def test_localized_prefers_the_language_then_english_then_nothing():
    meta = {"title": "Title", "title_ko": "제목", "title_ru": ""}
    assert _html.localized(meta, "title", "ko") == "제목"
    assert _html.localized(meta, "title", "ru") == "Title"
    assert _html.localized(meta, "title", "en") == "Title"
    assert _html.localized({}, "title", "en") == ""
    assert _html.localized({"title": 5}, "title", "en") == "5"


def test_subject_fills_each_status_from_the_features_drawn():
    meta = {"subject": "Road {status: road } and rail {status:rail}, ferry {status:ferry}"}
    features = [
        ("a", _feature("road", status="under construction")),
        ("b", _feature("rail", status="open")),
        ("c", _feature("ferry", status=None)),
    ]
    assert _html.subject(meta, features) == (
        "Road under construction and rail open, ferry not yet planned"
    )
    ru = _html.subject({"subject_ru": "мост {status:gone}"}, [], "ru")
    assert ru == "мост ещё не в планах"


def test_subject_of_a_feature_without_properties_is_not_yet_planned():
    meta = {"subject": "x {status:a}"}
    assert _html.subject(meta, [("l", {"id": "a", "properties": None})]) == "x not yet planned"


def test_as_of_sentence_joins_subject_and_date():
    meta = {"subject": " A bridge. ", "as_of": "2025-04-30"}
    assert _html.as_of_sentence(meta, []) == "A bridge, as of 30 April 2025."
    assert _html.as_of_sentence({"as_of": "2025-04-30"}, []) == "As of 30 April 2025."
    assert _html.as_of_sentence(meta, [], limit=8) == "A bridge, as of 30 April 2025."


def test_as_of_sentence_cuts_the_subject_never_the_date():
    meta = {"subject": "abcdef ghijkl", "as_of": "2025"}
    assert _html.as_of_sentence(meta, [], limit=8) == "abcdef…, as of 2025."
    assert _html.as_of_sentence(meta, [], limit=3) == "ab…, as of 2025."
    assert _html.as_of_sentence(meta, [], limit=13) == "abcdef ghijkl, as of 2025."
    assert _html.as_of_sentence(meta, [], limit=12) == "abcdef ghij…, as of 2025."


# --- numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (0, "en", "0 m"),
        (1234.4, "en", "1,234 m"),
        (9999.4, "en", "9,999 m"),
        (10_000, "en", "10.0 km"),
        (17_840, "en", "17.8 km"),
        (1234.4, "ru", "1\u00a0234 м"),
        (17_840, "ru", "17,8 км"),
    ],
)
def test_format_metres(value, language, text):
    assert _html.format_metres(value, language) == text


def test_format_metres_defaults_to_english():
    assert _html.format_metres(17_840) == "17.8 km"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1500, "m", "1,500 m"),
        (2.6, "m", "3 m"),
        (2.5, "t", "2.5 t"),
        (3, None, "3"),
        (3, "", "3"),
        (1e6, "m2", "1e+06 m2"),
        ("about 500", "m", "about 500"),
        (None, None, "None"),
    ],
)
def test_format_value(value, unit, text):
    assert _html.format_value(value, unit) == text


def test_safe_url_keeps_only_http_links():
    assert _html.safe_url("https://example.org/a") == "https://example.org/a"
    assert _html.safe_url("http://example.org") == "http://example.org"
    assert _html.safe_url("javascript:alert(1)") is None
    assert _html.safe_url(None) is None


# --- sources, title --------------------------------------------------------------


def _cited(*sources: Any) -> dict[str, Any]:
    return _feature(sources=list(sources))


def _layers(*features: dict[str, Any], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    layer: dict[str, Any] = {"type": "FeatureCollection", "features": list(features)}
    if meta is not None:
        layer["bordermap"] = meta
    return {"layer": layer}


def test_publishers_are_ranked_by_citations_ties_in_first_cited_order():
    layers = {
        "one": {
            "features": [
                _cited(_source("1", "B"), _source("2", "A"), "not a source"),
                _cited(_source("3", "C"), _source("4", "A")),
                {"id": "no properties", "properties": None},
                _feature(sources=None),
            ]
        },
        "two": {"features": [_cited(_source("5", "C"), _source("6", "D"), {"id": "7"})]},
        "three": {},
    }
    ranked, credits = _html.publishers_and_credits(layers)
    assert ranked == ["A", "C", "B", "D"]
    assert credits == []


def test_a_source_with_a_credit_is_a_credit_once_in_the_maps_language():
    osm = {"publisher": "OSM", "credit": "© OpenStreetMap", "credit_ko": "© 오픈스트리트맵"}
    layers = _layers(_cited(osm, _source("1", "A")), _cited(dict(osm), {"credit": "Other"}))
    assert _html.publishers_and_credits(layers) == (["A"], ["© OpenStreetMap", "Other"])
    assert _html.publishers_and_credits(layers, "ko") == (["A"], ["© 오픈스트리트맵", "Other"])


def test_sources_note_names_three_publishers_and_counts_the_rest():
    four = _layers(_cited(*[_source(str(n), name) for n, name in enumerate("ABCD")]))
    assert _html.sources_note(four) == "Sources: A, B, C and 1 more"
    five = _layers(_cited(*[_source(str(n), name) for n, name in enumerate("ABCDE")]))
    assert _html.sources_note(five) == "Sources: A, B, C and 2 more"
    assert _html.sources_note(five, "ru") == "Источники: A, B, C и ещё 2"
    three = _layers(_cited(*[_source(str(n), name) for n, name in enumerate("ABC")]))
    assert _html.sources_note(three) == "Sources: A, B, C"


def test_sources_note_gives_the_credits_after_the_publishers():
    layers = _layers(_cited(_source("1", "A"), {"publisher": "OSM", "credit": "© OSM"}))
    assert _html.sources_note(layers) == "Sources: A; © OSM"
    only_credit = _layers(_cited({"credit": "© OSM"}))
    assert _html.sources_note(only_credit) == "© OSM"
    assert _html.sources_note(_layers()) == ""


def test_title_block_has_the_title_date_and_note():
    layers = _layers(_cited(_source("1", "A")))
    meta = {"title": "The map", "title_ru": "Карта", "as_of": "2026-12-03"}
    parsed = _Markup(_html.title_html(meta, layers))
    assert parsed.text.startswith("The map As of 3 December 2026.")
    assert "Sources: A." in parsed.text
    assert "About this map and its sources" in parsed.text
    assert "Click a feature for its facts and sources;" in parsed.text
    ru = _Markup(_html.title_html(meta, layers, "ru"))
    assert ru.text.startswith("Карта ")
    assert "3 декабря 2026" in ru.text
    assert "Источники: A." in ru.text


# --- legend, styles --------------------------------------------------------------


def _legend_items(markup: str, css_class: str) -> list[tuple[str | None, str]]:
    parsed = _Markup(markup)
    items = []
    for attrs in parsed.tags("li"):
        if attrs.get("class") == css_class:
            items.append(attrs.get("data-style"))
    labels = []
    for chunk in markup.split(f'<li class="{css_class}"')[1:]:
        labels.append(_Markup(chunk.split("</li>")[0].split(">", 1)[1]).text)
    return list(zip(items, labels, strict=True))


def test_legend_has_one_entry_per_style_in_the_order_given():
    styles = [
        ("road_bridge", "planned"),
        ("rail_bridge", None),
        ("road_bridge", "planned"),
        ("station", "open"),
    ]
    markup = _html.legend_html(styles, uncertainty=False)
    assert _legend_items(markup, "bm-legend-entry") == [
        ("road_bridge|planned", "Road bridge, planned"),
        ("rail_bridge|None", "Rail bridge"),
        ("station|open", "Railway station"),
    ]
    assert "bm-key" not in markup
    assert "bm-legend-note" not in markup
    parsed = _Markup(markup)
    assert parsed.text.startswith("Legend")


def test_legend_explains_the_uncertainty_area_last_without_a_style_key():
    markup = _html.legend_html([("station", None)], uncertainty=True, language="ru")
    items = _legend_items(markup, "bm-legend-entry")
    assert [data for data, _ in items] == ["station|None", None]
    assert items[1][1] != UNCERTAINTY_STYLE.label  # translated
    assert items[1][1]
    assert _Markup(markup).text.startswith("Легенда")


def test_legend_repeats_the_key_kinds_in_a_compact_key():
    styles = [("station", None), ("road_bridge", "open"), ("rail_bridge", "open")]
    markup = _html.legend_html(styles, False, key_kinds=("rail_bridge", "road_bridge"))
    assert _legend_items(markup, "bm-key-entry") == [
        ("road_bridge|open", "Road bridge, open"),
        ("rail_bridge|open", "Rail bridge, open"),
    ]
    key = [attrs for attrs in _Markup(markup).tags("ul") if attrs.get("class") == "bm-key"]
    assert key == [{"class": "bm-key", "aria-label": "Key"}]


@pytest.mark.parametrize(("simplified", "shown"), [(1.21, "1.3"), (2.0, "2"), (0.01, "0.1")])
def test_legend_says_how_far_a_simplified_line_may_be_rounded_up(simplified, shown):
    markup = _html.legend_html([], False, simplified_m=simplified)
    note = [attrs for attrs in _Markup(markup).tags("p") if attrs.get("class")]
    assert note == [{"class": "bm-legend-note"}]
    assert f"at most {shown} m from the GeoJSON layers" in _Markup(markup).text


def test_swatch_and_marker_draw_the_style():
    square = Style("S", "#111111", weight=2, marker="square", radius=5, fill="#222222")
    rects = _Markup(_html.swatch_svg(square)).tags("rect")
    assert rects == [
        {
            "x": "9",
            "y": "3",
            "width": "10",
            "height": "10",
            "fill": "#222222",
            "stroke": "#111111",
            "stroke-width": "2",
        }
    ]
    marker = _html.marker_html(square, "Name")
    assert marker is not None
    parsed = _Markup(marker)
    assert parsed.tags("svg")[0]["aria-label"] == "Name"
    assert parsed.tags("rect")[0]["x"] == "4"
    assert _html.marker_html(Style("L", "#000000"), "Line") is None


def test_leaflet_style_of_a_solid_line():
    style = Style("L", "#123456", weight=4, opacity=0.5)
    assert _html.leaflet_style(style) == {
        "color": "#123456",
        "weight": 4,
        "opacity": 0.5,
        "lineCap": "round",
    }


def test_leaflet_style_of_a_dashed_filled_area():
    style = Style("A", "#123456", weight=1, dash=(3, 4), fill="#abcdef", fill_opacity=0.2)
    assert _html.leaflet_style(style) == {
        "color": "#123456",
        "weight": 1,
        "opacity": 1.0,
        "lineCap": "butt",
        "dashArray": "3 4",
        "fill": True,
        "fillColor": "#abcdef",
        "fillOpacity": 0.2,
    }


def test_casing_is_drawn_under_lines_only():
    line = Style("L", "#000000", weight=6, casing="#ffffff")
    assert _html.casing_style(line) == {
        "color": "#ffffff",
        "weight": 10,
        "opacity": 0.9,
        "className": "bm-casing",
    }
    assert _html.casing_style(Style("L", "#000000")) is None
    point = Style("P", "#000000", marker="circle", casing="#ffffff")
    assert _html.casing_style(point) is None


# --- tooltip, popup ----------------------------------------------------------------


def test_tooltip_is_the_name_status_and_length():
    properties = {"name_en": "Bridge", "name_ru": "Мост", "status": "planned", "length_m": 1200}
    assert _html.tooltip_text(properties) == "Bridge (planned, 1,200 m)"
    assert _html.tooltip_text(properties, "ru") == "Мост (планируется, 1\u00a0200 м)"
    assert _html.tooltip_text({"name_en": "B", "status": "existing"}) == "B"
    assert _html.tooltip_text({"name_en": "B", "length_m": "long"}) == "B"
    assert _html.tooltip_text({"name_en": "B", "status": "open"}, "ko") == "B (개통)"
    assert _html.tooltip_text({}) == ""


def _popup_feature() -> dict[str, Any]:
    return _feature(
        "road-bridge",
        kind="road_bridge",
        status="under construction",
        name_en="Road bridge",
        name_ko="자동차 다리",
        name_ru="Автомобильный мост",
        name_note="Also called the new bridge.",
        description="A road bridge.",
        geometry_note="Drawn between the banks.",
        length_m=1000,
        approximate=True,
        accuracy_m=220,
        accuracy_note="from a photo",
        figures=[
            {
                "name": "length",
                "unit": "m",
                "disputed": True,
                "values": [
                    {"value": 1000, "note": "total", "sources": ["b"]},
                    {"value": 1100, "sources": ["a", "b", "missing"]},
                    "not a value",
                ],
                "drawn": 1000,
            },
            {"name": "width", "values": [{"value": 12, "sources": []}], "drawn": 13},
            "not a figure",
        ],
        position_sources=["b"],
        position_alternatives=[
            {"lat": 42.41, "lon": 130.64, "distance_m": 150, "sources": ["a"]},
            "not a place",
        ],
        events=[
            {"date": "2025-04-30", "what": "Work began", "sources": ["a"]},
            {"date": "2026", "what": "Opening", "expected": True, "sources": None},
            "not an event",
        ],
        sources=[
            _source("a", "Publisher A", date="2025-04-30", url="https://a.example/x"),
            "not a source",
            _source("b", "Publisher B", title="A title", url="javascript:alert(1)"),
        ],
    )


def _items(markup: str, css_class: str) -> list[str]:
    """The text of each <li> of the list with ``css_class``."""
    body = markup.split(f'class="{css_class}"', 1)[1].split("</ul>")[0].split("</ol>")[0]
    items = [item.split(">", 1)[1] for item in body.split("<li")[1:]]
    return [_Markup(item.split("</li>")[0]).text for item in items]


def test_popup_title_other_names_and_notes():
    markup = _html.popup_html(_popup_feature(), "ko")
    parsed = _Markup(markup)
    title = parsed.tags("h2")
    assert title == [{"class": "bm-popup-title", "lang": "ko"}]
    assert parsed.text.startswith("자동차 다리 Road bridge · Автомобильный мост")
    spans = [attrs["lang"] for attrs in parsed.tags("span") if "lang" in attrs]
    assert spans[:2] == ["en", "ru"]
    assert "Also called the new bridge." in parsed.text
    english = _Markup(_html.popup_html(_popup_feature()))
    assert english.text.startswith("Road bridge 자동차 다리 · Автомобильный мост")


def test_popup_table_rows_status_length_and_position():
    parsed = _Markup(_html.popup_html(_popup_feature()))
    table = parsed.text.split("A road bridge.")[0]
    assert "Status under construction" in table
    assert "Length as drawn 1,000 m" in table
    assert "Position Approximate: within about 220 m (from a photo)" in table
    status = [attrs for attrs in parsed.tags("span") if attrs.get("class") == "bm-status"]
    assert status == [{"class": "bm-status", "data-feature-id": "road-bridge"}]
    assert "How it is drawn: Drawn between the banks." in parsed.text


def test_popup_figures_mark_the_value_drawn_and_cite_by_number():
    markup = _html.popup_html(_popup_feature())
    length, width = markup.split("<h3>")[1:3]
    assert _Markup(length.split("</h3>")[0]).text == "Length sources disagree"
    assert _Markup(width.split("</h3>")[0]).text == "Width"
    assert _items(length, "bm-values") == ["1,000 m (total) drawn[2]", "1,100 m[1][2]"]
    assert _items(width, "bm-values") == ["12", "13 drawn (between the sourced values)"]


def test_popup_alternative_positions_and_events():
    markup = _html.popup_html(_popup_feature())
    text = _Markup(markup).text
    assert "Position sources disagree Drawn at the position given by[2]; other" in text
    position = markup.split("Drawn at the position given by")[1]
    assert _items(position, "bm-values") == ["42.41, 130.64 (150 m from the drawn point)[1]"]
    assert _items(markup, "bm-events") == [
        "30 April 2025: Work began[1]",
        "2026 (expected): Opening",
    ]
    dates = [attrs["data-date"] for attrs in _Markup(markup).tags("li") if "data-date" in attrs]
    assert dates == ["2025-04-30", "2026"]


def test_popup_sources_are_numbered_and_only_http_links():
    markup = _html.popup_html(_popup_feature())
    assert _items(markup, "bm-sources") == [
        "Publisher A, 30 April 2025",
        "Publisher B: A title",
    ]
    links = _Markup(markup).tags("a")
    assert [link["href"] for link in links] == ["https://a.example/x"]


def test_a_bare_feature_has_a_popup_with_its_id_and_unknown_status():
    parsed = _Markup(_html.popup_html({"id": "x-1", "properties": None}))
    assert parsed.text == "x-1 Status unknown Sources"
    assert _Markup(_html.popup_html({"id": "x-1"}, "ru")).text.startswith("x-1 ")


def test_popup_of_an_approximate_feature_without_accuracy():
    parsed = _Markup(_html.popup_html(_feature(approximate=True, accuracy_m="far")))
    assert "Position Approximate: within about Sources" in parsed.text
    words = _html._popup_words("ru")
    assert words["sources"] == "Источники"
    assert set(words) >= {"status", "how_drawn", "expected", "between"}


def test_source_item_label_detail_and_url():
    item = _html._source_item(
        {"publisher": "P", "date": "2025-11", "about": "About", "url": "https://p.example"},
        "en",
    )
    assert item == {"label": "P, November 2025", "detail": "About", "url": "https://p.example"}
    assert _html._source_item({"title": "T", "about": "A"}, "en") == {
        "label": "",
        "detail": "T",
        "url": None,
    }
    ru = _html._source_item({"publisher": "P", "date": "2025-04-30"}, "ru")
    assert ru["label"] == "P, 30 апреля 2025 г."


def test_source_html_links_http_sources():
    parsed = _Markup(_html.source_html({"publisher": "P", "title": "T", "url": "https://x.org"}))
    assert parsed.tags("a")[0]["href"] == "https://x.org"
    assert parsed.text == "P: T"
    assert _Markup(_html.source_html({"publisher": "P"}, "ru")).elements == []


# --- description, timeline -----------------------------------------------------------


def test_describe_lists_what_the_map_shows_but_the_border():
    meta = {"subject": "Bridges", "as_of": "2025-04-30"}
    features = [
        ("b", _feature("border", kind="border", name_en="Border")),
        ("t", _feature("tri", kind="tripoint", name_en="Tripoint")),
        ("r", _feature("road", kind="road_bridge", name_en="Road", status="planned")),
        ("s", _feature("rail", kind="rail_bridge", name_en="Rail", status="existing")),
        ("x", _feature("x1", kind="station", length_m=1500)),
        (
            "a",
            _feature("st", kind="station", name_en="Station", approximate=True, accuracy_m=300),
        ),
        ("y", _feature("y1", kind="station", name_en="Y", approximate=True)),
    ]
    assert _html.describe(meta, features) == (
        "Bridges, as of 30 April 2025. The map shows: Road (planned); Rail; "
        "x1 (drawn 1,500 m long); Station (position approximate, within 300 m); Y."
    )


def test_describe_in_russian_uses_the_russian_names_and_numbers():
    meta = {"subject_ru": "Мосты", "as_of": "2025"}
    features = [("r", _feature("r", name_en="Road", name_ru="Мост", length_m=1500))]
    text = _html.describe(meta, features, "ru")
    assert text.startswith("Мосты, ")
    assert "Мост (" in text and "1\u00a0500 м" in text
    assert "Road" not in text


def test_timeline_lists_every_event_by_date_with_its_sources():
    road = _feature(
        "road",
        name_en="Road",
        name_ru="Мост",
        events=[
            {"date": "2025-04-30", "what": "Began", "sources": ["a", "zz"]},
            "not an event",
            {"date": "2026", "what": "Opens", "expected": True},
        ],
        sources=[_source("a", "A", url="https://a.example"), "not a source"],
    )
    rail = _feature("rail", name_en="Rail", events=[{"date": "1959-08-09", "what": "Opened"}])
    layers = {"one": {"features": [road]}, "two": {"features": [rail, _feature("x")]}}
    markup = _html.timeline_html(layers, ["1959-08-09", "2025-04-30"])
    assert _items(markup, "bm-timeline-events") == [
        "9 August 1959 · Rail: Opened —",
        "30 April 2025 · Road: Began — A",
        "2026 (expected) · Road: Opens —",
    ]
    parsed = _Markup(markup)
    assert [a["href"] for a in parsed.tags("a")] == ["https://a.example"]
    slider = parsed.tags("input")[0]
    assert (slider["max"], slider["value"], slider["aria-valuetext"]) == (
        "1",
        "1",
        "30 April 2025",
    )
    assert "Events (3)" in parsed.text
    assert "Other links" not in parsed.text
    ru = _Markup(_html.timeline_html(layers, ["2025-04-30"], "ru"))
    assert "Мост: Began" in ru.text
    assert ru.tags("input")[0]["max"] == "0"


def test_timeline_without_dates_or_names():
    layers = {"l": {"features": [_feature("n", events=[{"what": "Something"}])]}}
    parsed = _Markup(_html.timeline_html(layers, []))
    slider = parsed.tags("input")[0]
    assert (slider["max"], slider["aria-valuetext"]) == ("-1", "")
    assert "· : Something" in parsed.text


def test_timeline_lists_the_layers_notes_with_their_sources():
    notes = [
        {"date": "2025-07", "text": "Flights", "sources": [_source("n", "N"), "x"]},
        {"text": "Ferry"},
    ]
    layers = {
        "a": {"bordermap": "not a table", "features": []},
        "b": {"bordermap": {"notes": notes}, "features": []},
        "c": {"bordermap": {"notes": None}},
        "d": {"features": []},
    }
    markup = _html.timeline_html(layers, ["2025-07"])
    assert _items(markup, "bm-timeline-events bm-notes") == ["Flights — N", "Ferry —"]
    dates = [attrs.get("data-date") for attrs in _Markup(markup).tags("li")]
    assert dates == ["2025-07", ""]
    assert "Other links" in _Markup(markup).text
    assert _html._notes(layers, "en")[0] == {
        "date": "2025-07",
        "text": "Flights",
        "sources": [{"label": "N", "detail": "", "url": None}],
    }


def test_style_for_in_legend_uses_the_same_styles_as_the_map():
    assert _html.legend_entries([("a", _feature(kind="tunnel"))]) == [style_for("tunnel")]


# --- the same in another language --------------------------------------------------
# The Russian words are those of bordermap/words/ru.toml.


def test_as_of_sentence_in_russian():
    meta = {"subject": "Bridges", "subject_ru": "Мосты X.", "as_of": "2025-04-30"}
    assert _html.as_of_sentence(meta, [], "ru") == "Мосты X, по состоянию на 30 апреля 2025 г."
    dated = {"as_of": "2025-04-30"}
    assert _html.as_of_sentence(dated, [], "ru") == "По состоянию на 30 апреля 2025 г."


def test_as_of_sentence_of_a_map_without_a_date_has_an_empty_date():
    assert _html.as_of_sentence({"subject": "S"}, []) == "S, as of ."
    parsed = _Markup(_html.title_html({"title": "T"}, _layers()))
    date = [attrs for attrs in parsed.tags("span") if attrs.get("class") == "bm-as-of-date"]
    assert date == [{"class": "bm-as-of-date"}]
    assert parsed.text.startswith("T As of .")


def test_title_block_in_russian():
    meta = {"title_ru": "Карта", "as_of": "2026-12-03"}
    text = _Markup(_html.title_html(meta, _layers(), "ru")).text
    assert text.startswith("Карта По состоянию на 3 декабря 2026 г.")
    assert "Об этой карте и источниках" in text
    assert "Нажмите на объект, чтобы увидеть факты и источники;" in text


def test_describe_in_russian_translates_status_length_and_accuracy():
    meta = {"subject_ru": "Мосты", "as_of": "2025"}
    features = [
        ("r", _feature("r", name_en="Road", status="under construction", length_m=1500)),
        ("s", _feature("s", name_ru="Станция", approximate=True, accuracy_m=300)),
        ("n", _feature("nameless")),
    ]
    assert _html.describe(meta, features, "ru") == (
        "Мосты, по состоянию на 2025 г. На карте: Road (строится, длина на карте 1\u00a0500 м); "
        "Станция (положение приблизительное, в пределах 300 м); nameless."
    )


def test_legend_in_russian():
    markup = _html.legend_html(
        [("road_bridge", "under construction")],
        True,
        "ru",
        simplified_m=2.0,
        key_kinds=("road_bridge",),
    )
    parsed = _Markup(markup)
    labels = [label for _, label in _legend_items(markup, "bm-legend-entry")]
    assert labels[1] == "возможное положение приблизительного объекта"
    assert labels[0] != "Road bridge, under construction"
    assert "Линии упрощены: не дальше 2 м от полных линий слоёв GeoJSON." in parsed.text
    key = [attrs for attrs in parsed.tags("ul") if attrs.get("class") == "bm-key"]
    assert key == [{"class": "bm-key", "aria-label": "Условные знаки"}]


def test_sources_in_russian_and_the_english_credit_by_default():
    osm = {"credit": "© OSM", "credit_en": "© OpenStreetMap", "credit_ru": "© ОСМ"}
    layers = _layers(_cited(osm))
    assert _html.publishers_and_credits(layers) == ([], ["© OpenStreetMap"])
    assert _html.sources_note(layers, "ru") == "© ОСМ"
    dated = {"publisher": "P", "date": "2025-04-30"}
    assert _Markup(_html.source_html(dated)).text == "P, 30 April 2025"
    assert _Markup(_html.source_html(dated, "ru")).text == "P, 30 апреля 2025 г."


def test_a_non_source_does_not_stop_the_count_of_the_next():
    layers = _layers(_cited("not a source", _source("1", "A")), _cited(_source("2", "B")))
    assert _html.publishers_and_credits(layers) == (["A", "B"], [])


def test_timeline_names_a_feature_in_english_when_it_has_no_name_in_the_language():
    road = _feature("road", name_en="Road", events=[{"date": "2025", "what": "Began"}])
    markup = _html.timeline_html({"l": {"features": [road]}}, ["2025"], "ru")
    assert _items(markup, "bm-timeline-events") == ["2025 г. · Road: Began —"]


def _names_paragraph(markup: str) -> str:
    return _Markup(markup.split('<p class="bm-names">')[1].split("</p>")[0]).text


def test_popup_in_russian_translates_status_and_dates():
    markup = _html.popup_html(_popup_feature(), "ru")
    parsed = _Markup(markup)
    status = markup.split('class="bm-status"')[1].split("</span>")[0].split(">", 1)[1]
    assert status == "строится"
    assert _items(markup, "bm-events")[0] == "30 апреля 2025 г.: Work began[1]"
    assert parsed.text.startswith("Автомобильный мост Road bridge · 자동차 다리")


def test_popup_names_the_other_languages_but_not_the_name_note():
    feature = _feature(name_en="Bridge", name_ru="Мост", name_note="a note", name_zh="桥")
    assert _names_paragraph(_html.popup_html(feature)) == "Мост · 桥"
    assert _names_paragraph(_html.popup_html(feature, "ru")) == "Bridge · 桥"


def test_popup_title_falls_back_to_the_english_name_then_the_id():
    feature = _feature("the-id", name_en="Bridge")
    assert _Markup(_html.popup_html(feature, "ru")).tags("h2") == [
        {"class": "bm-popup-title", "lang": "ru"}
    ]
    title = _html.popup_html(feature, "ru").split("</h2>")[0]
    assert _Markup(title).text == "Bridge"
    bare = _html.popup_html(_feature("the-id"), "ru").split("</h2>")[0]
    assert _Markup(bare).text == "the-id"


def test_popup_of_an_event_without_date_or_text_and_a_place_without_distance():
    feature = _feature(
        events=[{}],
        position_alternatives=[{"lat": 1, "lon": 2}],
    )
    markup = _html.popup_html(feature)
    dates = [attrs["data-date"] for attrs in _Markup(markup).tags("li") if "data-date" in attrs]
    assert dates == [""]
    assert _items(markup, "bm-events") == [":"]
    assert "1, 2 (0 m from the drawn point)" in _Markup(markup).text


def test_timeline_in_russian():
    road = _feature("road", name_ru="Мост", events=[{"date": "2025-04-30", "what": "Began"}])
    notes = [
        {
            "date": "2025-07",
            "text": "Flights",
            "sources": [{"publisher": "N", "date": "2025-07-01"}],
        }
    ]
    layers = {"l": {"bordermap": {"notes": notes}, "features": [road]}}
    markup = _html.timeline_html(layers, ["2025-04-30"], "ru")
    parsed = _Markup(markup)
    assert parsed.text.startswith("Хронология")
    assert parsed.tags("input")[0]["aria-valuetext"] == "30 апреля 2025 г."
    assert _items(markup, "bm-timeline-events")[0] == "30 апреля 2025 г. · Мост: Began —"
    assert _items(markup, "bm-timeline-events bm-notes") == ["Flights — N, 1 июля 2025 г."]


def test_timeline_of_an_event_and_a_note_without_date_or_text():
    layers = {
        "l": {"bordermap": {"notes": [{}]}, "features": [_feature(name_en="A", events=[{}])]}
    }
    markup = _html.timeline_html(layers, [])
    assert _items(markup, "bm-timeline-events") == ["· A: —"]
    assert _items(markup, "bm-timeline-events bm-notes") == ["—"]
    dates = [attrs["data-date"] for attrs in _Markup(markup).tags("li")]
    assert dates == ["", ""]


def test_popup_rows_and_figures_in_russian():
    markup = _html.popup_html(_popup_feature(), "ru")
    table = _Markup(markup.split("</table>")[0]).text
    assert "Статус строится" in table
    assert "Длина на карте 1,000 m" in table
    assert "Положение Приблизительно: в пределах около 220 m (from a photo)" in table
    heading = markup.split("<h3>")[1].split("</h3>")[0]
    assert _Markup(heading).text.startswith("Длина ")


def test_figures_after_a_non_figure_a_nameless_figure_and_a_value_between_in_metres():
    feature = _feature(
        figures=[
            "not a figure",
            {"values": [{"value": 1000}, {"value": 1200}], "unit": "m", "drawn": 1100},
        ]
    )
    markup = _html.popup_html(feature)
    heading = markup.split("<h3>")[1].split("</h3>")[0]
    assert _Markup(heading).text == ""
    assert _items(markup, "bm-values") == [
        "1,000 m",
        "1,200 m",
        "1,100 m drawn (between the sourced values)",
    ]


def test_format_date_is_english_by_default():
    assert _html.format_date("2025-04-30") == "30 April 2025"
    assert _html.format_date("2025-04-30", "ru") == "30 апреля 2025 г."


def test_format_metres_rounds_kilometres_to_one_decimal():
    assert _html.format_metres(10_960) == "11.0 km"
    assert _html.format_metres(12_340) == "12.3 km"


def test_as_of_sentence_ends_with_the_languages_full_stop():
    # zh.toml: "{subject}，截至{date}", "As of {date}" = "截至{date}", full_stop = "。"
    meta = {"subject_zh": "图们江", "as_of": "2025-04-30"}
    assert _html.as_of_sentence(meta, [], "zh") == "图们江，截至2025年4月30日。"
    assert _html.as_of_sentence({"as_of": "2025-04-30"}, [], "zh") == "截至2025年4月30日。"


def test_timeline_marks_english_text_on_a_page_in_another_language():
    road = _feature(
        "road",
        name_en="Road",
        events=[{"date": "2025-04-30", "what": "Began", "sources": ["a"]}],
        sources=[_source("a", "A", date="2025-04-30")],
    )
    layers = {"l": {"features": [road]}}
    english = _Markup(_html.timeline_html(layers, ["2025-04-30"]))
    assert [attrs for attrs in english.tags("span") if "lang" in attrs] == []
    russian = _html.timeline_html(layers, ["2025-04-30"], "ru")
    assert [attrs for attrs in _Markup(russian).tags("span") if "lang" in attrs] == [
        {"lang": "en"}
    ]
    assert _items(russian, "bm-timeline-events") == [
        "30 апреля 2025 г. · Road: Began — A, 30 апреля 2025 г."
    ]
