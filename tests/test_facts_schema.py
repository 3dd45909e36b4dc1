"""The facts file's one declarative schema (issue 14): what it covers, what it says, its page.

Each violation, wherever it is in the file, is one line naming the file, the feature (or
table) and the field; the shipped facts files keep the schema and every field they use is
in it; ``docs/facts-schema.md`` is written from the schema and kept current.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, cli_args
from test_properties import _toml_document

from bordermap._facts_schema import FACTS_SCHEMA, schema_markdown, schema_problems
from bordermap._table_schema import Choice, ListOf, PerLanguage, Table, TableOf, _tables_of
from bordermap.cli import main
from bordermap.errors import FactsError
from bordermap.facts import load_facts

pytestmark = pytest.mark.hostile

SHIPPED = [
    REPO / "geodata" / "facts.toml",
    *sorted((REPO / "maps").glob("*/facts.toml")),
    *sorted((REPO / "tests" / "maps").glob("*/facts.toml")),
]
TUMEN = tomllib.loads((REPO / "geodata" / "facts.toml").read_text(encoding="utf-8"))


def test_the_reference_page_is_written_from_the_schema():
    page = (REPO / "docs" / "facts-schema.md").read_text(encoding="utf-8")
    assert page == schema_markdown(), (
        "docs/facts-schema.md is stale: python -m bordermap._facts_schema > docs/facts-schema.md"
    )


def test_the_reference_page_names_every_field_and_check():
    page = schema_markdown()
    for table in _tables_of(FACTS_SCHEMA):
        assert f"## `{table.title}`" in page
        assert table.about, table.title
        for key in table.keys:
            assert f"| `{key.name}` |" in page, (table.title, key.name)
            assert key.about, (table.title, key.name)
        for check in table.checks:
            assert check.__doc__, check


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: str(path.relative_to(REPO)))
def test_the_shipped_facts_keep_the_schema(path):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert schema_problems(path, data) == []
    assert list(_unlisted(data, FACTS_SCHEMA, "")) == []


def _unlisted(raw: dict[str, Any], table: Table, where: str) -> Iterator[str]:
    """Every field of ``raw`` the schema does not list (``<language>`` stands for any)."""
    names = {key.name: key for key in table.keys}
    patterns = [
        re.compile(re.escape(name).replace("<language>", "[a-z]{2,3}"))
        for name in names
        if "<" in name
    ]
    for name, value in raw.items():
        key = names.get(name)
        if key is None:
            if not any(pattern.fullmatch(name) for pattern in patterns):
                yield f"{where}.{name}"
            continue
        node = key.value
        if isinstance(node, Table):
            yield from _unlisted(value, node, f"{where}.{name}")
        elif isinstance(node, ListOf):
            for index, item in enumerate(value):
                yield from _unlisted(item, node.item, f"{where}.{name}[{index}]")
        elif isinstance(node, TableOf):
            for item_id, item in value.items():
                yield from _unlisted(item, node.item, f"{where}.{name}.{item_id}")
        elif isinstance(node, Choice):
            method = value[node.key]
            form = {key.name for key in node.forms[method].keys} | {node.key}
            assert set(value) <= form, (where, sorted(set(value) - form))
        elif isinstance(node, PerLanguage):
            assert set(value) <= set(raw.get("languages", value)), name


def _feature(data: dict[str, Any], feature_id: str) -> dict[str, Any]:
    return next(feature for feature in data["features"] if feature["id"] == feature_id)


# Each case: a change to the shipped facts, and the one line it must give (after the path).
CASES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "event date": (
        lambda d: _feature(d, "road-bridge")["events"][0].__setitem__("date", "soon"),
        "feature 'road-bridge', event #1, field 'date': ",
    ),
    "event status": (
        lambda d: _feature(d, "road-bridge")["events"][1].__setitem__("status", ["open"]),
        "feature 'road-bridge', event #2, field 'status': unknown status ['open']",
    ),
    "figure value": (
        lambda d: _feature(d, "road-bridge")["figures"][0]["values"][0].__setitem__(
            "value", [1000]
        ),
        "feature 'road-bridge', figure #1, value #1, field 'value': expected a number or text",
    ),
    "figure without values": (
        lambda d: _feature(d, "road-bridge")["figures"][0].__setitem__("values", []),
        "feature 'road-bridge', figure #1, field 'values': a figure needs at least one",
    ),
    "crossing length": (
        lambda d: _feature(d, "road-bridge")["geometry"].__setitem__("length_m", 0),
        "feature 'road-bridge', geometry, field 'length_m': expected a number from 1 to",
    ),
    "alternative position": (
        lambda d: _feature(d, "khasan-station")["geometry"]["alternatives"][0].__setitem__(
            "lat", 420.0
        ),
        "feature 'khasan-station', geometry, alternative #1, field 'lat': ",
    ),
    "path through one feature": (
        lambda d: _feature(d, "khasan-tumangang-railway")["geometry"].__setitem__(
            "through", ["tumangang"]
        ),
        "feature 'khasan-tumangang-railway', geometry, field 'through': a path goes through",
    ),
    "unknown method": (
        lambda d: _feature(d, "tumangang")["geometry"].__setitem__("method", "spline"),
        "feature 'tumangang', geometry, field 'method': expected one of",
    ),
    "name in one language missing": (
        lambda d: _feature(d, "tumangang")["name"].pop("ru"),
        "feature 'tumangang', field 'ru': missing",
    ),
    "kind": (
        lambda d: _feature(d, "tumangang").__setitem__("kind", "castle"),
        "feature 'tumangang', field 'kind': unknown kind 'castle'",
    ),
    "feature not a table": (
        lambda d: d["features"].append(5),
        f"feature #{len(TUMEN['features']) + 1}, field 'features': expected a table",
    ),
    "note without sources": (
        lambda d: d["notes"][0].pop("sources"),
        "note #1, field 'sources': every note needs a source",
    ),
    "notes not a list": (
        lambda d: d.__setitem__("notes", 5),
        "[[notes]], field 'notes': expected a list of tables, got 5",
    ),
    "unknown source field": (
        lambda d: d["sources"]["osm"].__setitem__("urll", "https://example.org"),
        "source 'osm', field 'urll': unknown field",
    ),
    "map date": (
        lambda d: d["map"].__setitem__("as_of", "2025-04-30\n"),
        "[map], field 'as_of': ",
    ),
    "map translation": (
        lambda d: d["map"].pop("title_ko"),
        "[map], field 'title_ko': missing",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_violation_anywhere_is_one_line_naming_feature_and_field(case):
    change, expected = CASES[case]
    data = copy.deepcopy(TUMEN)
    change(data)
    path = Path("geodata/facts.toml")
    lines = schema_problems(path, data)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: {expected}"), lines[0]


def test_every_violation_of_a_flood_is_counted_and_fifty_are_shown(project, capsys):
    facts = project / "geodata" / "facts.toml"
    bad = "".join(f'\n[[features]]\nid = "Bad{n}"\nkind = 5\n' for n in range(100))
    facts.write_text(facts.read_text(encoding="utf-8") + bad, encoding="utf-8")
    assert main(cli_args(project, "layers")) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 51, lines[-3:]
    assert all(f"{facts}: feature #" in line for line in lines[:50]), lines[:3]
    # Each bad feature: id, kind, layer, name, description, sources and geometry.
    assert lines[-1] == "bordermap: error: and 650 more", lines[-1]


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_readers_repeat_nothing_the_schema_said(case, tmp_path):
    # The readers run after the schema (to find what it cannot: references, duplicate
    # ids, a line file's contents) and must not say its problems a second time.
    change, _ = CASES[case]
    data = copy.deepcopy(TUMEN)
    change(data)
    path = tmp_path / "facts.toml"
    path.write_text(_toml_document(data), encoding="utf-8")
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    assert caught.value.problems == schema_problems(path, data)


def test_the_schema_lists_every_field_of_map_that_mapspec_reads():
    from bordermap._facts_schema import MAP
    from bordermap.mapspec import _KNOWN_KEYS

    listed = {key.name for key in MAP.keys}
    assert listed - {"title_<language>", "subject_<language>"} == set(_KNOWN_KEYS)


def test_a_problem_the_schema_misses_is_still_said_by_the_reader(tmp_path, monkeypatch):
    # Were a field's rule missing from the schema, the reader, which leaves the bad
    # value out of the record, must say so rather than draw the map without it.
    import bordermap.facts

    data = copy.deepcopy(TUMEN)
    _feature(data, "road-bridge")["events"][0]["date"] = "soon"
    path = tmp_path / "facts.toml"
    path.write_text(_toml_document(data), encoding="utf-8")
    monkeypatch.setattr(bordermap.facts, "schema_problems", lambda path, data: [])
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    [line] = caught.value.problems
    assert line.startswith(f"{path}: feature 'road-bridge', event #1, field 'date': ")
