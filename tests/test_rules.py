"""The one validation core: each rule once, the same verdict from every reader."""

from __future__ import annotations

import math

import pytest

from bordermap import _rules
from bordermap._layercheck import source_problem
from bordermap._rules import (
    EVENT_FIELDS,
    SOURCE_FIELDS,
    http_url,
    link_problem,
    lonlat_problem,
    number_problem,
    position_problem,
    position_table,
    record_problems,
    region_problem,
)

REGION = [130.0, 42.0, 131.0, 43.0]


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("  HTTP://example.org ", "HTTP://example.org"),
        ("javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,x", None),
        ("file:///etc/passwd", None),
        ("https://", None),  # no host
        ("https://[::1", None),  # cannot be read
        ("example.org/page", None),
        (5, None),
        # A user name before the host disguises where the link goes.
        ("https://www.reuters.com@evil.example/x", None),
        ("https://user:password@example.org/", None),
        ("https://example.org:99999/", None),  # no such port
        ("https://example.org:8080/a", "https://example.org:8080/a"),
        ("https://example.org/\u202egpj.exe", None),  # reads backwards from here
        ("https://example.org/a\u200bb", None),  # an invisible space
        ("https://example.org/a b", None),
        ("https://example.org/%20a%E2%80%AE", "https://example.org/%20a%E2%80%AE"),
        ("http://[2001:db8::1]/", "http://[2001:db8::1]/"),
    ],
)
def test_http_url_keeps_only_http_links_with_a_host(url, kept):
    assert http_url(url) == kept


@pytest.mark.parametrize(
    ("link", "good"),
    [
        ("", True),
        ("maps/", True),
        ("https://example.org/maps/", True),
        ("javascript:alert(1)", False),
        ("//evil.example/", False),
        ("a b", False),
        ('x"onload=', False),
    ],
)
def test_link_problem_accepts_relative_and_http_urls(link, good):
    assert (link_problem(link) is None) is good


@pytest.mark.parametrize(
    ("lat", "lon", "field", "words"),
    [
        (42.4, 130.6, None, None),
        (math.nan, 130.6, "lat", "expected a finite number, got nan"),
        (42.4, True, "lon", "expected a finite number, got True"),
        (4_700_000.0, 130.6, "lat", "look like projected metres"),
        (130.6, 42.4, "lat", "outside WGS 84 range ±90 (lat and lon look swapped)"),
        (42.4, 200.0, "lon", "outside WGS 84 range ±180"),
        (10.0, 10.0, "lat", "far outside the map's region [130.0, 42.0, 131.0, 43.0]; is it"),
    ],
)
def test_position_problem_names_the_field_and_the_mistake(lat, lon, field, words):
    problem = position_problem(lat, lon, REGION)
    if field is None:
        assert problem is None
    else:
        assert problem is not None and problem[0] == field and words in problem[1], problem


def test_the_array_check_and_the_one_by_one_check_agree():
    positions = [[130.6, 42.4], [130.0, 42.0], [131.0, 43.0], [129.99, 42.5], [130.5, 43.01]]
    for position in positions:
        one = lonlat_problem(position, REGION) is None
        whole = position_table([position], REGION) is not None
        assert one == whole, position


def test_a_geojson_position_is_read_lon_first():
    assert lonlat_problem([130.6, 42.4], REGION) is None
    problem = lonlat_problem([42.4, 130.6], REGION)
    assert problem is not None and "[lon, lat] = [42.4, 130.6]" in problem
    assert "look swapped" in problem
    assert "is not a [lon, lat] position" in str(lonlat_problem([1, 2, 3, 4]))


def test_numbers_and_regions():
    assert number_problem(5.0) is None
    assert number_problem(1e308) == "expected a number from 0 to 1e+06, got 1e+308"
    assert number_problem(10**400) is not None  # an int too large for a float
    assert region_problem(REGION) is None
    assert region_problem([131.0, 42.0, 130.0, 43.0]) is not None  # west east of east
    assert region_problem([-200.0, 42.0, 130.0, 43.0]) is not None


def test_a_source_table_is_checked_field_by_field():
    source = {"publisher": " ", "url": "javascript:x", "date": "soon", "title": 5}
    found = dict(record_problems(source, SOURCE_FIELDS))
    assert found == {
        "publisher": "expected non-empty text, got ' '",
        "url": "expected an http(s) link, got 'javascript:x'",
        "title": "expected non-empty text, got 5",
        "date": "expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got 'soon'",
    }
    assert dict(record_problems({}, SOURCE_FIELDS, required=("licence",))) == {
        "publisher": "missing",
        "url": "missing",
        "licence": "missing",
    }


def test_events_are_checked_by_one_table():
    found = dict(
        record_problems({"date": "2025-13", "status": "done", "expected": 1}, EVENT_FIELDS)
    )
    assert set(found) == {"date", "what", "status", "expected"}
    assert "unknown status 'done'" in found["status"]


def test_facts_and_layers_say_the_same_of_a_bad_source(tmp_path):
    from bordermap.errors import FactsError
    from bordermap.facts import load_facts

    facts = tmp_path / "facts.toml"
    facts.write_text(
        '[map]\nid = "m"\ntitle = "t"\nsubject = "s"\nas_of = "2025"\n'
        '[sources.s1]\npublisher = "P"\nurl = "javascript:alert(1)"\ntitle = "T"\n',
        encoding="utf-8",
    )
    with pytest.raises(FactsError) as raised:
        load_facts(facts)
    rule = _rules.url_problem("javascript:alert(1)")
    assert f"{facts}: source 's1', field 'url': {rule}" in raised.value.problems
    assert source_problem({"publisher": "P", "url": "javascript:alert(1)"}) == f"'url': {rule}"
