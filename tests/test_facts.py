"""Tests for bordermap.facts: the shipped facts, and every problem load_facts reports."""

from __future__ import annotations

import datetime as dt
import json
import tomllib

import pytest

from bordermap.errors import BordermapError, FactsError
from bordermap.facts import Facts, load_facts
from bordermap.schema import KINDS, STATUSES

# Statuses of a bridge in service ("open" and "existing" both say so).
IN_SERVICE = ("open", "existing")


# --- the shipped facts ------------------------------------------------------------------


def test_shipped_facts_load(facts, facts_path, facts_text):
    assert isinstance(facts, Facts)
    assert facts.path == facts_path
    assert facts.id
    assert facts.title
    as_of = tomllib.loads(facts_text)["map"]["as_of"]
    assert facts.as_of_date == dt.date.fromisoformat(as_of)


def test_shipped_facts_have_the_expected_features(facts):
    ids = [feature.id for feature in facts.features]
    assert len(ids) == len(set(ids))
    for feature_id in (
        "tumen-river",
        "kp-ru-border",
        "tripoint",
        "friendship-bridge",
        "road-bridge",
        "khasan-station",
        "tumangang-station",
        "tumangang",
        "tumen-mouth",
    ):
        assert facts.feature(feature_id).id == feature_id


def test_feature_lookup_of_an_unknown_id_raises_key_error(facts):
    with pytest.raises(KeyError):
        facts.feature("no-such-feature")


def test_every_feature_is_named_in_every_language(facts):
    assert facts.spec.languages == ("en", "ko", "ru")
    for feature in facts.features:
        for language in facts.spec.languages:
            name = feature.name[language]
            assert name.strip() == name
            assert name, (feature.id, language)


def test_names_are_in_their_own_script(facts):
    for feature in facts.features:
        assert any("\uac00" <= char <= "\ud7a3" for char in feature.name["ko"]), feature.id
        assert any("\u0400" <= char <= "\u04ff" for char in feature.name["ru"]), feature.id


def test_river_names_match_the_fact_sheet(facts):
    river = facts.feature("tumen-river")
    assert river.name["en"] == "Tumen River"
    assert river.name["ko"] == "두만강"
    assert "Туманная" in river.name["ru"]


@pytest.mark.parametrize(
    ("feature_id", "en", "ko", "ru"),
    [
        # The en dash is the published spelling.
        ("friendship-bridge", "Korea–Russia Friendship Bridge", "두만강철교", "Мост Дружбы"),
        ("khasan-station", "Khasan station", "하산역", "станция Хасан"),
        ("tumangang-station", "Tumangang station", "두만강역", "станция Туманган"),
    ],
)
def test_names_match_the_fact_sheet(facts, feature_id, en, ko, ru):
    assert facts.feature(feature_id).name == {"en": en, "ko": ko, "ru": ru}


def test_every_feature_has_a_known_kind_and_sources(facts):
    for feature in facts.features:
        assert feature.kind in KINDS
        assert feature.sources
        assert feature.description


def test_every_cited_source_exists_and_links_over_http(facts):
    for feature in facts.features:
        for source_id in feature.cited_sources():
            assert source_id in facts.sources, (feature.id, source_id)
    for source in facts.sources.values():
        assert source.url.startswith(("http://", "https://")), source.id
        assert source.publisher
        assert source.title or source.about


def test_openstreetmap_source_carries_its_licence_and_credit(facts):
    osm = facts.sources["osm"]
    assert osm.licence == "ODbL-1.0"
    assert "© OpenStreetMap contributors" in osm.credit
    assert "osm" in facts.feature("tumen-river").sources


def test_every_event_status_is_known(facts):
    for feature in facts.features:
        for event in feature.events:
            assert event.status is None or event.status in STATUSES
            assert event.sources


# --- statuses over time -----------------------------------------------------------------


def test_road_bridge_is_under_construction_as_of_the_facts(facts):
    assert facts.feature("road-bridge").status_on(facts.as_of_date) == "under construction"


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (dt.date(2024, 1, 1), None),  # not yet agreed: it did not exist
        (dt.date(2024, 6, 18), None),
        (dt.date(2024, 6, 19), "planned"),  # agreed during Putin's visit
        (dt.date(2024, 7, 1), "planned"),
        (dt.date(2025, 4, 29), "planned"),
        (dt.date(2025, 4, 30), "under construction"),  # ground-breaking
        (dt.date(2026, 3, 31), "under construction"),
        # The contract deadline is expected, not an event that happened: no change.
        (dt.date(2027, 6, 1), "under construction"),
    ],
)
def test_road_bridge_status_over_time(facts, day, status):
    assert facts.feature("road-bridge").status_on(day) == status


def test_road_bridge_dates_match_the_fact_sheet(facts):
    events = facts.feature("road-bridge").events
    statuses = {event.date: event.status for event in events if event.status}
    assert statuses == {"2024-06-19": "planned", "2025-04-30": "under construction"}
    deadlines = {event.date: event for event in events if event.expected}
    assert "2026-12-31" in deadlines
    assert all(event.status is None for event in deadlines.values())


def test_rail_bridge_opened_on_9_august_1959(facts):
    bridge = facts.feature("friendship-bridge")
    opened = [event for event in bridge.events if event.status in IN_SERVICE]
    assert [event.date for event in opened] == ["1959-08-09"]
    assert bridge.status_on(dt.date(1959, 8, 8)) is None
    assert bridge.status_on(dt.date(1959, 8, 9)) in IN_SERVICE
    assert bridge.status_on(facts.as_of_date) in IN_SERVICE


def test_feature_without_status_events_is_existing(facts):
    assert facts.feature("tumen-river").status_on(dt.date(1900, 1, 1)) == "existing"
    assert facts.feature("khasan-station").status_on(facts.as_of_date) == "existing"


def test_an_expected_event_does_not_set_the_status(facts_text, write_facts):
    # A deadline that has not been met must not open the bridge on the map.
    text = replace_once(
        facts_text,
        'what = "Russian contract deadline (contractor TonnelYuzhStroi)", expected = true,',
        'what = "Russian contract deadline (contractor TonnelYuzhStroi)", expected = true, '
        'status = "open",',
    )
    bridge = load_facts(write_facts(text)).feature("road-bridge")
    assert bridge.status_on(dt.date(2027, 6, 1)) == "under construction"


# --- disagreements are kept -------------------------------------------------------------


def figure(feature, name):
    return next(figure for figure in feature.figures if figure.name.startswith(name))


def test_road_bridge_lengths_keep_every_sourced_value(facts):
    length = figure(facts.feature("road-bridge"), "length")
    values = {value.value: value for value in length.values}
    assert {1005, 1000, 850, 830, 800} <= set(values)
    for number in (1005, 1000, 850, 830, 800):
        assert values[number].sources, number
        assert all(source in facts.sources for source in values[number].sources)
    assert values[850].sources == ("tass-starovoit",)
    assert "interfax-2025-02" in values[800].sources
    assert "government-ru-2025-04-30" in values[1005].sources
    assert length.disputed
    assert length.unit == "m"
    assert length.drawn == 1000


def test_road_bridge_downstream_distance_keeps_every_value(facts):
    distance = figure(facts.feature("road-bridge"), "downstream distance")
    assert {value.value for value in distance.values} == {400, 415, 500}
    assert all(value.sources for value in distance.values)
    assert distance.disputed
    # Drawn at the most precise published figure (Interfax's, carried by Yonhap).
    assert distance.drawn == 415
    assert facts.feature("road-bridge").geometry.downstream_m == distance.drawn


def test_road_bridge_width_keeps_both_values(facts):
    width = figure(facts.feature("road-bridge"), "width")
    assert {value.value for value in width.values} == {7, 10}
    assert width.disputed
    assert width.drawn is None  # the map draws no width


def test_rail_bridge_length_draws_623_m_and_keeps_the_other_values(facts):
    length = figure(facts.feature("friendship-bridge"), "length")
    assert [value.value for value in length.values] == [623, 590, 400]
    assert length.disputed
    assert length.drawn == 623 == facts.feature("friendship-bridge").geometry.length_m


def test_khasan_station_keeps_the_alternative_position(facts):
    geometry = facts.feature("khasan-station").geometry
    assert (geometry.point.lat, geometry.point.lon) == (42.430056, 130.644917)
    assert geometry.point.sources
    [alternative] = geometry.alternatives
    assert (alternative.lat, alternative.lon) == (42.428056, 130.645278)
    assert alternative.sources == ("ruwiki-khasan-station",)


# --- load errors ------------------------------------------------------------------------


def replace_once(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def load_error(path):
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    return caught.value


def test_facts_error_is_a_value_error():
    assert issubclass(FactsError, ValueError)
    assert issubclass(FactsError, BordermapError)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "facts.toml"
    error = load_error(path)
    assert str(path) in str(error)
    assert "not found" in str(error)


def test_invalid_toml(write_facts, facts_text):
    path = write_facts(facts_text + "\n[map\n")
    error = load_error(path)
    assert str(path) in str(error)
    assert "TOML" in str(error)


def test_non_utf8_bytes(write_facts, facts_text):
    path = write_facts(facts_text.encode("utf-8") + b"\n# caf\xe9\n")
    error = load_error(path)
    assert str(path) in str(error)
    assert "UTF-8" in str(error)


def test_a_directory_instead_of_a_file(tmp_path):
    error = load_error(tmp_path)
    assert str(tmp_path) in str(error)


# Each: (old text, new text, what the message must name: the feature or source, the
# field and the offending value).
BAD_FACTS = {
    # On the Tumangang settlement's own sources line.
    "unknown source id": (
        'sources = ["wikipedia-tumangang"]\nevents = []',
        'sources = ["no-such-source"]\nevents = []',
        ("feature 'tumangang'", "'sources'", "no-such-source"),
    ),
    "javascript url": (
        'url = "https://tass.com/economy/2013001"',
        'url = "javascript:alert(1)"',
        ("source 'tass-2025-09-05'", "'url'", "javascript:alert(1)"),
    ),
    "impossible date": (
        'date = "2025-04-30", what = "Construction began',
        'date = "2025-13-45", what = "Construction began',
        ("feature 'road-bridge'", "'date'", "2025-13-45"),
    ),
    "malformed date": (
        'date = "1959-08-09"',
        'date = "9 August 1959"',
        ("feature 'friendship-bridge'", "'date'", "9 August 1959"),
    ),
    "unknown status": (
        'status = "under construction"',
        'status = "being built"',
        ("feature 'road-bridge'", "'status'", "being built"),
    ),
    "latitude 95": (
        "lat = 42.421389",
        "lat = 95",
        ("feature 'tumangang-station'", "'lat'", "95"),
    ),
    "duplicate id": (
        'id = "tumangang"\n',
        'id = "tumangang-station"\n',
        ("feature 'tumangang-station'", "'id'", "duplicate"),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FACTS))
def test_bad_fact_names_file_feature_field_and_value(case, write_facts, facts_text):
    old, new, expected = BAD_FACTS[case]
    path = write_facts(replace_once(facts_text, old, new))
    error = load_error(path)
    assert len(error.problems) == 1, error.problems
    [problem] = error.problems
    assert problem.startswith(f"{path}: ")
    for part in expected:
        assert part in problem, (part, problem)


@pytest.mark.parametrize(
    ("old", "new", "field", "value"),
    [
        ("length_m = 623", "length_m = 0", "'length_m'", "0"),
        ("downstream_m = 415", "downstream_m = -415", "'downstream_m'", "-415"),
        (
            "centre_uncertainty_m = 30",
            'centre_uncertainty_m = "30 m"',
            "'centre_uncertainty_m'",
            "30 m",
        ),
    ],
)
def test_bad_crossing_numbers_are_refused(write_facts, facts_text, old, new, field, value):
    path = write_facts(replace_once(facts_text, old, new))
    problems = load_error(path).problems
    assert any(field in line and value in line for line in problems), problems


def test_an_out_of_range_vertex_names_its_position(write_facts, facts_text):
    path = write_facts(replace_once(facts_text, "[42.373007, 130.672274]", "[42.373007, 230.0]"))
    [problem] = load_error(path).problems
    assert "feature 'tumen-river'" in problem
    assert "vertex #6" in problem
    assert "'lon'" in problem
    assert "230" in problem


def test_a_drawn_value_no_source_gives_is_refused(write_facts, facts_text):
    # Sources say 400 to 500 m downstream; drawing 700 m (consistently) is made up.
    text = replace_once(facts_text, "drawn = 415", "drawn = 700")
    text = replace_once(text, "downstream_m = 415", "downstream_m = 700")
    [problem] = load_error(write_facts(text)).problems
    assert "feature 'road-bridge'" in problem
    assert "'drawn'" in problem
    assert "700" in problem


def test_geometry_must_draw_the_drawn_figure(write_facts, facts_text):
    # The figure says 415 m is drawn; a geometry drawing 500 m contradicts it.
    path = write_facts(replace_once(facts_text, "downstream_m = 415", "downstream_m = 500"))
    [problem] = load_error(path).problems
    assert "feature 'road-bridge'" in problem
    assert "'drawn'" in problem


def test_several_problems_are_reported_together(write_facts, facts_text):
    text = facts_text
    for case in (
        "javascript url",
        "impossible date",
        "unknown status",
        "latitude 95",
        "duplicate id",
        "unknown source id",
    ):
        old, new, _ = BAD_FACTS[case]
        text = replace_once(text, old, new)
    path = write_facts(text)
    error = load_error(path)
    assert len(error.problems) == 6, error.problems
    message = str(error)
    for needle in (
        "javascript:alert(1)",
        "'date'",
        "being built",
        "'lat'",
        "duplicate",
        "no-such-source",
    ):
        assert needle in message, needle
    assert all(line.startswith(f"{path}: ") for line in error.problems)
    assert message.count("\n") == 5


def test_a_missing_closing_bracket_is_pointed_at_where_it_is_missing(write_facts, facts_text):
    # The Friendship Bridge's events lose their closing "]": the parser notices two
    # lines later, at the next table's header, but the mistake is after the last event.
    events_end = (
        '"Steel bridge opened", status = "open", sources = ["wikipedia-friendship-bridge"] },\n]\n'
    )
    path = write_facts(replace_once(facts_text, events_end, events_end.removesuffix("]\n")))
    lines = facts_text.splitlines()
    last_event = next(n for n, line in enumerate(lines, 1) if "Steel bridge opened" in line)
    [problem] = load_error(path).problems
    assert problem.startswith(f"{path}: not valid TOML")
    assert f"at the end of line {last_event} " in problem
    assert f"missing after line {last_event}?" in problem


def test_a_mistake_inside_a_line_keeps_the_parser_s_position(write_facts, facts_text):
    lines = facts_text.splitlines()
    number = next(n for n, line in enumerate(lines, 1) if line == "lat = 42.415167")
    path = write_facts(replace_once(facts_text, "lat = 42.415167", "lat = "))
    [problem] = load_error(path).problems
    assert f"(at line {number}, column 7)" in problem


def test_an_unknown_source_inside_an_event_or_figure_names_it(write_facts, facts_text, facts):
    # Issue 13: the message named only the feature, not the event that cites it.
    road = facts.feature("road-bridge")
    [(number, event)] = [
        (n, e) for n, e in enumerate(road.events, 1) if e.what.startswith("Putin said")
    ]
    cited = f"sources = {json.dumps(list(event.sources))}"
    old = f'{event.what}", {cited}'
    new = old.replace(event.sources[0], "tass-typo", 1)
    [problem] = load_error(write_facts(replace_once(facts_text, old, new))).problems
    assert f"feature 'road-bridge', event #{number}, field 'sources'" in problem
    assert "'tass-typo'" in problem
    (figure,) = [f for f in road.figures if f.name == "length"]
    [(number, value)] = [(n, v) for n, v in enumerate(figure.values, 1) if v.value == 850]
    old = f'"{value.note}", sources = {json.dumps(list(value.sources))}'
    new = old.replace(value.sources[0], "starovoit-typo", 1)
    [problem] = load_error(write_facts(replace_once(facts_text, old, new))).problems
    assert f"feature 'road-bridge', figure 'length', value #{number}, field 'sources'" in problem
