"""The map as it was known on a date, and in three languages."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest
from helpers import unpacked

from bordermap import build_map, render_html
from bordermap.cli import main
from bordermap.i18n import format_date, translate
from bordermap.mapspec import activated
from bordermap.timeline import effective_date, key_dates, layers_as_of, status_on

REPO = Path(__file__).resolve().parents[1]


def _status(layers, feature_id):
    for layer in layers.values():
        for feature in layer["features"]:
            if feature["id"] == feature_id:
                return feature["properties"]["status"]
    return None


@pytest.mark.parametrize(
    ("day", "road", "rail"),
    [
        ("1950-01-01", None, None),  # the steel rail bridge opened in 1959
        ("1959-08-09", None, "open"),
        ("2024-06-18", None, "open"),  # the day before the agreement
        ("2024-06-19", "planned", "open"),
        ("2025-04-29", "planned", "open"),
        ("2025-04-30", "under construction", "open"),
        ("2026-06-30", "under construction", "open"),
        ("2026-12-01", "under construction", "open"),  # no source says it is open
    ],
)
def test_features_and_statuses_as_of(shipped_layers, day, road, rail):
    as_of = layers_as_of(shipped_layers, dt.date.fromisoformat(day))
    assert _status(as_of, "road-bridge") == road
    assert _status(as_of, "friendship-bridge") == rail
    assert _status(as_of, "tumen-river") == "existing"
    for layer in as_of.values():
        assert layer["bordermap"]["as_of"] == day


def test_as_of_drops_what_was_not_yet_known(shipped_layers):
    early = layers_as_of(shipped_layers, dt.date(2024, 7, 1))
    road = early["road_bridge"]["features"][0]["properties"]
    assert [event["date"] for event in road["events"]] == ["2024-06-19"]
    lengths = next(f for f in road["figures"] if f["name"] == "length")
    # Every length was published from February 2025 on: none is known yet, so the
    # figure keeps its values rather than inventing an empty one.
    assert lengths["values"]
    later = layers_as_of(shipped_layers, dt.date(2025, 3, 1))
    values = next(
        f
        for f in later["road_bridge"]["features"][0]["properties"]["figures"]
        if f["name"] == "length"
    )["values"]
    assert [value["value"] for value in values] == [800]  # Interfax, February 2025
    assert shipped_layers["road_bridge"]["features"][0]["properties"]["status"] == (
        "under construction"
    )  # the input is not changed


def test_layers_as_of_copies_properties_and_shares_geometries(shipped_layers):
    # Properties change with the date and are copied; geometries do not and are
    # shared (a river in full detail is a million positions).
    early = layers_as_of(shipped_layers, dt.date(2024, 7, 1))
    road, original = (layers["road_bridge"]["features"][0] for layers in (early, shipped_layers))
    assert road["geometry"] is original["geometry"]
    assert road["properties"] is not original["properties"]
    road["properties"]["events"].clear()
    assert original["properties"]["events"]


def test_status_on_ignores_expected_events():
    events = [
        {"date": "2025-04-30", "status": "under construction"},
        {"date": "2026-12-31", "status": "open", "expected": True},
    ]
    assert status_on(events, dt.date(2027, 1, 1)) == "under construction"
    assert status_on([], dt.date(2000, 1, 1)) == "existing"


@pytest.mark.parametrize(
    ("first", "second"), [("under construction", "open"), ("open", "under construction")]
)
def test_two_events_on_one_date_keep_the_file_s_order(first, second):
    # The later of two events on one day sets the status, whatever the statuses say.
    events = [
        {"date": "2026-11-30", "status": first, "what": "a", "sources": ["s"]},
        {"date": "2026-11-30", "status": second, "what": "b", "sources": ["s"]},
    ]
    assert status_on(events, dt.date(2026, 11, 30)) == second
    assert status_on(events, dt.date(2026, 11, 29)) is None


def test_dates_after_the_facts_are_drawn_as_of_the_facts(facts, shipped_layers):
    assert effective_date(shipped_layers, dt.date(2030, 1, 1)) == facts.as_of_date
    assert effective_date(shipped_layers, dt.date(2025, 1, 1)) == dt.date(2025, 1, 1)
    assert key_dates(shipped_layers, facts.as_of_date) == [
        "1938",
        "1952",
        "1959-08-09",
        "2024-06-19",
        "2025-04-30",
        facts.as_of,
    ]


def test_map_as_of_an_early_date(shipped_layers):
    page = unpacked(render_html(build_map(shipped_layers, as_of="2024-01-01")))
    assert '"road-bridge"' not in page
    assert 'As of <span class="bm-as-of-date">1 January 2024' in page


def test_map_as_of_after_the_agreement_says_planned(shipped_layers):
    page = unpacked(render_html(build_map(shipped_layers, as_of=dt.date(2024, 7, 1))))
    data = json.loads(
        re.search(r'<script type="application/json" id="bm-timeline-data">(.*?)</script>', page)[1]
    )
    assert data["dates"][-1] == "2024-07-01"
    assert data["states"][-1]["road-bridge"] == "planned"
    forms = data["labels"]["road-bridge"]["planned"]
    # The label tells its state and since when; every shorter form still says "planned".
    assert forms[0] == "Road bridge, ≈1 km, planned since June 2024"
    assert all("planned" in form for form in forms)
    assert data["labels"]["friendship-bridge"]["open"][0] == (
        "Friendship Bridge (rail), ≈623 m, opened 1959"
    )


def test_slider_stops_only_where_something_drawn_changes(shipped_layers):
    page = unpacked(render_html(build_map(shipped_layers, as_of=dt.date(2026, 12, 1))))
    data = json.loads(
        re.search(r'<script type="application/json" id="bm-timeline-data">(.*?)</script>', page)[1]
    )
    # 1938 (old Quanhe bridge) and 1952 (the railway over the wooden bridge) change only
    # the context layer, which is off: they stay in the events list but are not stops.
    assert data["dates"] == ["1959-08-09", "2024-06-19", "2025-04-30", "2026-12-01"]
    shown = [
        {
            feature: status
            for feature, status in state.items()
            if feature != "quanhe-wonjong-bridges"
        }
        for state in data["states"]
    ]
    # Each change date draws something new (the last stop is the map's own date).
    for before, after in itertools.pairwise(shown[:-1]):
        assert before != after
    assert "1952" in page and "1938" in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "ko",
            [
                "두만강",
                "조러친선다리",
                "범례",
                "연표",
                "기준일",
                "상태",
                "출처",
                "건설 중",
                "북한과 러시아가 만나는 곳",
            ],
        ),
        (
            "ru",
            [
                "река Туманная",
                "Мост Дружбы",
                "Легенда",
                "Хронология",
                "По состоянию на",
                "Статус",
                "Источники",
                "строится",
                "Где встречаются КНДР",
            ],
        ),
    ],
)
def test_map_in_korean_and_russian(facts, shipped_layers, language, words):
    page = unpacked(render_html(build_map(shipped_layers, language=language)))
    decoded = json.loads(json.dumps(page))  # the page as text, escapes and all
    assert f'<html lang="{language}">' in page
    for word in [*words, format_date(facts.as_of, language)]:  # "as of" the facts' date
        assert word in decoded or json.dumps(word)[1:-1] in decoded, word
    assert "<title>Where" not in page  # no half translation: the English title is not kept
    title = re.search(r"<title>(.*?)</title>", page)[1]
    assert title == shipped_layers["tumen_river"]["bordermap"][f"title_{language}"]


def test_every_figure_of_the_facts_is_named_in_korean_and_russian(facts):
    # A popup shows each figure's name as a heading: none may stay English.
    for feature in facts.features:
        for figure in feature.figures:
            for language in ("ko", "ru"):
                with activated(facts.spec):  # the map's own words name its figures
                    translated = translate(figure.name, language)
                assert translated != figure.name, (figure.name, language)


def test_unknown_language_is_refused(shipped_layers):
    with pytest.raises(ValueError, match="en, ko, ru"):
        build_map(shipped_layers, language="fr")


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        ("2025-04-30", "en", "30 April 2025"),
        ("2025-04-30", "ko", "2025년 4월 30일"),
        ("2025-04-30", "ru", "30 апреля 2025 г."),
        ("2025-11", "ru", "ноябрь 2025 г."),
        ("1938", "ko", "1938년"),
        ("summer 2026", "en", "summer 2026"),
    ],
)
def test_dates_in_three_languages(day, language, expected):
    assert format_date(day, language) == expected


def test_cli_as_of_and_lang(facts, tmp_path, capsys):
    geodata = tmp_path / "geodata"
    geodata.mkdir()
    (geodata / "facts.toml").write_bytes((REPO / "geodata" / "facts.toml").read_bytes())
    outputs = tmp_path / "outputs"
    argv = ["build", "--geodata", str(geodata), "--outputs", str(outputs)]
    assert main([*argv, "--lang", "ko", "--as-of", "2024-07-01"]) == 0
    page = unpacked((outputs / "tumen_border_map.ko.html").read_text(encoding="utf-8"))
    assert '<html lang="ko">' in page and "2024년 7월 1일" in page
    assert not (outputs / "tumen_border_map.html").exists()
    assert main([*argv, "--as-of", "2031-01-01"]) == 0
    assert f"last checked on {facts.as_of}" in capsys.readouterr().err
    assert main([*argv, "--as-of", "1 July 2024"]) == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err
    export = ["export", "--geodata", str(geodata), "--outputs", str(outputs), "--format", "svg"]
    assert main([*export, "--lang", "ru", "--as-of", "2024-07-01"]) == 0
    assert (outputs / "tumen_border_map.ru.svg").stat().st_size > 10_000


def _bridge(**properties: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "id": "b",
        "geometry": {"type": "LineString", "coordinates": [[130.0, 42.0], [130.01, 42.0]]},
        "properties": {"kind": "road_bridge", "label_en": "Bridge", **properties},
    }


def test_label_forms_tell_length_and_state():
    from bordermap._layout import label_forms

    agreed = {"date": "2024-06-19", "status": "planned"}
    begun = {"date": "2025-04-30", "status": "under construction"}
    building = _bridge(length_m=1000.0, status="under construction", events=[agreed, begun])
    assert label_forms(building) == [
        "Bridge, 1 km, under construction since April 2025",
        "Bridge, 1 km\nunder construction since April 2025",
        "Bridge\nunder construction",
        "Bridge under\nconstruction",
    ]
    assert label_forms(building, "ru")[0] == "Bridge, 1 км, строится с апреля 2025 г."
    assert label_forms(building, "ko")[0] == "Bridge, 1 km, 2025년 4월부터 건설 중"
    # Sources that disagree on the length make it approximate.
    disputed = [{"name": "length", "disputed": True}]
    opened = _bridge(
        length_m=623.4,
        status="open",
        figures=disputed,
        events=[{"date": "1959-08-09", "status": "open"}],
    )
    assert label_forms(opened)[0] == "Bridge, ≈623 m, opened 1959"
    # A long name is also offered in short lines, for a phone.
    long_name = _bridge(label_en="Korea–Russia Friendship Bridge", length_m=600, status="open")
    assert label_forms(long_name)[-1].split("\n") == [
        "Korea–Russia",
        "Friendship Bridge,",
        "600 m",
    ]
