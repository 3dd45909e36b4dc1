"""Every sentence about state follows the features' statuses on the map's date (issue 13)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import cli_args, unpacked

from bordermap import build_layers, load_facts
from bordermap.cli import main
from bordermap.errors import FactsError
from bordermap.i18n import format_date
from bordermap.styles import style_for

OPENED = (
    '  { date = "2026-11-30", what = "Opened to traffic", status = "open", '
    'sources = ["38north-2026-03"] },\n'
)
LAST_ROAD_EVENT = (
    '"38 North: the bridge works \\"meet in the middle\\"", sources = ["38north-2026-03"] },\n'
)


def _open_the_road_bridge(project: Path) -> None:
    """The issue's reproduction: an event that opens the road bridge."""
    facts = project / "geodata" / "facts.toml"
    text = facts.read_text(encoding="utf-8")
    assert text.count(LAST_ROAD_EVENT) == 1
    facts.write_text(text.replace(LAST_ROAD_EVENT, LAST_ROAD_EVENT + OPENED), encoding="utf-8")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.description = ""
        self.iframes: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "meta" and found.get("name") == "description":
            self.description = found.get("content") or ""
        if tag == "iframe":
            self.iframes.append(found)


def _page_text(path: Path) -> str:
    """The page's HTML, with the panels it carries as JSON strings written out."""
    text = unpacked(path.read_text(encoding="utf-8"))
    for escaped, plain in (("\\u003c", "<"), ("\\u003e", ">"), ('\\"', '"'), ("\\u0026", "&")):
        text = text.replace(escaped, plain)
    return text


def _parsed(path: Path) -> _Page:
    page = _Page()
    page.feed(_page_text(path))
    return page


@pytest.fixture
def opened(project: Path) -> Path:
    _open_the_road_bridge(project)
    assert main(cli_args(project, "build")) == 0
    argv = cli_args(project, "export", "--embed", "--format", "svg", "--no-base")
    assert main(argv) == 0
    return project / "outputs"


def test_the_page_description_says_what_the_map_draws(opened, facts):
    description = _parsed(opened / "tumen_border_map.html").description
    assert "under construction" not in description
    assert f"the road bridge (open), as of {format_date(facts.as_of)}." in description
    assert "As of" not in description  # no stray capital mid-sentence


def test_the_export_subtitle_follows_the_state(opened, facts):
    root = ET.fromstring((opened / "tumen_border_map.svg").read_text(encoding="utf-8"))
    words = " ".join("".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "under construction" not in words
    assert f"the road bridge (open), as of {format_date(facts.as_of)}." in words


def test_the_embed_title_and_label_follow_the_state(opened):
    [iframe] = _parsed(opened / "tumen_border_map.embed.html").iframes
    assert "under construction" not in (iframe["aria-label"] or "")
    assert "under construction" not in (iframe["title"] or "")
    assert "the road bridge (open)" in (iframe["aria-label"] or "")


def test_the_legend_names_the_open_road_bridge_as_it_does_the_rail_bridge(opened):
    # The panels reach the page inside its script, as JSON: read them as text.
    text = _page_text(opened / "tumen_border_map.html")
    legend = re.findall(r'class="bm-legend-label">([^<]*)<', text)
    assert "Rail bridge, open" in legend and "Road bridge, open" in legend
    assert "Road bridge" not in legend
    assert style_for("road_bridge", "open").label == "Road bridge, open"
    assert style_for("railway", "open").label == "Railway (schematic)"


@pytest.mark.parametrize(
    ("as_of", "words"),
    [
        ("2024-07-01", "the road bridge (planned)"),
        ("2025-05-01", "the road bridge (under construction)"),
        ("2024-01-01", "the road bridge (not yet planned)"),
    ],
)
def test_the_subject_s_status_is_the_one_on_the_map_s_date(project, as_of, words):
    assert main(cli_args(project, "build", "--as-of", as_of)) == 0
    description = _parsed(project / "outputs" / "tumen_border_map.html").description
    assert f"{words}, as of" in description


def test_a_russian_date_ends_one_sentence_with_one_full_stop(project, facts):
    assert main(cli_args(project, "build", "--lang", "ru")) == 0
    page = _page_text(project / "outputs" / "tumen_border_map.ru.html")
    assert "г.." not in page
    date = format_date(facts.as_of, "ru")
    assert date.endswith(" г.")
    assert re.search(rf'<span class="bm-as-of-date">{re.escape(date)}</span>(?!\.)', page)
    description = _parsed(project / "outputs" / "tumen_border_map.ru.html").description
    assert f"автомобильный мост (строится), по состоянию на {date} На карте" in description


def test_an_unknown_feature_in_a_placeholder_is_refused(write_facts, facts_text):
    text = facts_text.replace("({status:road-bridge})", "({status:road-brigde})", 1)
    with pytest.raises(FactsError) as raised:
        load_facts(write_facts(text))
    [problem] = raised.value.problems
    assert "[map], field 'subject'" in problem and "'road-brigde'" in problem


def test_the_facts_subjects_say_no_status_in_free_text(facts):
    # The subjects name a status only through a placeholder filled from state.
    layers = build_layers(facts)
    assert layers
    for key in ("subject", "subject_ko", "subject_ru"):
        text = facts.translations.get(key) if key != "subject" else facts.subject
        assert text and "{status:road-bridge}" in text
        for word in ("under construction", "건설 중", "строящийся", "строится", "open"):
            assert word not in text, (key, word)


def _svg_words(svg: bytes) -> list[str]:
    root = ET.fromstring(svg.decode("utf-8"))
    return ["".join(e.itertext()) for e in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "ru",
            [
                "1\u00a0000\u00a0м",
                "Проекция: ",
                "Суша, море и границы: ",
                "Река и граница © участники OpenStreetMap (ODbL)",
                "500 м",
                " с. ш.",
                " в. д.",
            ],
            ["Projection", "Land, sea", "River and border"],
        ),
        (
            "ko",
            [
                "1,000\u00a0m",
                "투영법: ",
                "육지, 바다, 경계: ",
                "강과 국경 © OpenStreetMap 기여자 (ODbL)",
                "북위 ",
                "동경 ",
            ],
            ["Projection", "Land, sea", "River and border"],
        ),
    ],
)
def test_the_print_export_writes_its_words_in_the_language(
    shipped_layers, geodata_dir, language, expected, english
):
    from bordermap.export import render_images

    svg = render_images(shipped_layers, ["svg"], language=language, base=geodata_dir)["svg"]
    words = _svg_words(svg)
    joined = " ".join(words)
    for text in expected:
        assert text in joined, text
    for text in english:
        assert text not in joined, text
    if language == "ru":
        assert not re.search(r"\d m\b|\d\u00a0m\b", joined), "a Latin m after a number"
    # The graticule's hemispheres and the north arrow are in the language too.
    assert not re.search(r"[″′][NE]\b", joined)
    assert {"ru": "С", "ko": "북"}[language] in words and "N" not in words
    # A unit never ends up alone on a line of its own.
    assert not [w for w in words if w.strip(" .") in ("m", "м", "km", "км")]


def test_the_russian_web_map_credits_osm_in_russian(project):
    assert main(cli_args(project, "build", "--lang", "ru")) == 0
    page = _page_text(project / "outputs" / "tumen_border_map.ru.html")
    assert "Река и граница © участники OpenStreetMap (ODbL)" in page
    assert "Суша, море и границы" in page
    assert "River and border ©" not in page
