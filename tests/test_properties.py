"""Property-based hostile input: any TOML or JSON value in any field (issue 14).

Hypothesis puts an arbitrary value into one field of the shipped facts file or of a
layer file, anywhere in it, and runs the command that reads it. The command must
succeed, or exit 2 with one-line errors; it must never raise or print a traceback.

The examples are few and derandomized (the ``bordermap-ci`` profile), so the suite
is quick and the same on every run; ``HYPOTHESIS_PROFILE=bordermap-deep`` tries more.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bordermap.cli import main

pytestmark = pytest.mark.hostile

REPO = Path(__file__).resolve().parents[1]

settings.register_profile(
    "bordermap-ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,  # tests write only to temporary folders
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "bordermap-deep",
    parent=settings.get_profile("bordermap-ci"),
    max_examples=1000,
    derandomize=False,
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "bordermap-ci"))

# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30) | st.sampled_from(
    [
        "",
        " ",
        "road_bridge",
        "__proto__",
        "{map}",
        "{{ 7*7 }}",
        "<img src=x>",
        "2025-04-30\n",
        "soon",
        "../../x",
        "javascript:alert(1)",
        "LineString",
        "Point",
        "m",
        "a" * 300,
    ]
)
_NUMBER = (
    st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0, -1, 10**400, 2**63])
    | st.floats(allow_nan=True, allow_infinity=True)
)
_SCALAR = _TEXT | _NUMBER | st.booleans()
_JSON_VALUE = st.recursive(
    _SCALAR | st.none(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=8,
)
_TOML_VALUE = st.recursive(
    _SCALAR | st.dates(min_value=dt.date(1, 1, 1)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a parsed file a value could go: keys, and the first list items."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
        found.append((*prefix, "unexpected_key"))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):  # a line's vertices are alike
            found += _paths(item, (*prefix, index))
    return found


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    """Return a copy of ``data`` with the value at ``path`` replaced."""
    data = json.loads(json.dumps(data, default=str))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def _toml(value: Any) -> str:
    """Write a value as TOML: inline tables and arrays, on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        items = ", ".join(f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


def _toml_document(data: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(key)} = {_toml(value)}\n" for key, value in data.items())


def _toml_data(path: Path) -> dict[str, Any]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


FACTS = _toml_data(REPO / "geodata" / "facts.toml")
FACTS_PATHS = _paths(FACTS)


# ---------------------------------------------------------------------------
# Running a command
# ---------------------------------------------------------------------------


def _check_run(capsys: pytest.CaptureFixture[str], *argv: str) -> None:
    """Run a command: success, or exit 2 with one-line errors; never a traceback."""
    capsys.readouterr()
    status = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    if status == 0:
        assert all(line.startswith("bordermap: ") for line in lines), lines
    else:
        assert status == 2, lines
        assert lines, "exit 2 without saying why"
        assert all(line.startswith("bordermap: error: ") for line in lines), lines
        assert len(lines) <= 51
        assert all(len(line) <= 1000 for line in lines)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built")
    (root / "geodata").mkdir()
    shutil.copy(REPO / "geodata" / "facts.toml", root / "geodata" / "facts.toml")
    assert main(["layers", "--geodata", str(root / "geodata")]) == 0
    return root


def test_the_toml_writer_round_trips_the_shipped_facts():
    assert tomllib.loads(_toml_document(FACTS)) == FACTS


@PROFILE
@given(path=st.sampled_from(FACTS_PATHS), value=_TOML_VALUE)
def test_any_value_in_any_facts_field(capsys, tmp_path_factory, path, value):
    folder = tmp_path_factory.mktemp("facts")
    facts = folder / "facts.toml"
    facts.write_text(_toml_document(_replaced(FACTS, path, value)), encoding="utf-8")
    _check_run(capsys, "layers", "--geodata", str(folder), "--facts", str(facts))


LAYERS = ("border", "road_bridge", "places")


@PROFILE
@given(data=st.data(), value=_JSON_VALUE)
def test_any_value_in_any_layer_field(capsys, tmp_path_factory, built, data, value):
    name = data.draw(st.sampled_from(LAYERS))
    original = json.loads((built / "geodata" / f"{name}.geojson").read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(_paths(original)))
    folder = tmp_path_factory.mktemp("layers")
    shutil.copytree(built / "geodata", folder / "geodata")
    (folder / "geodata" / f"{name}.geojson").write_text(
        json.dumps(_replaced(original, path, value)), encoding="utf-8"
    )
    dirs = ("--geodata", str(folder / "geodata"), "--outputs", str(folder / "outputs"))
    capsys.readouterr()
    status = main(["validate", *dirs])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert status in (0, 1, 2), err
    _check_run(capsys, "map", *dirs, "--no-base")


OPTIONS = ("--width", "--dpi", "--bbox", "--as-of", "--base-url", "--format", "--lang")


@PROFILE
@given(option=st.sampled_from(OPTIONS), value=_TEXT | st.text(max_size=400))
def test_any_command_line_value_is_accepted_or_one_usage_line(option, value):
    from bordermap.cli import _UsageError, build_parser

    argv = ["export", option, value]
    if "\x00" in value:
        return  # no command line can hold a NUL
    try:
        arguments = build_parser().parse_args(argv)
    except _UsageError as error:
        assert "\n" not in str(error)
        return
    if option == "--width":
        assert 100 <= arguments.width <= 10_000
    elif option == "--dpi":
        assert 10 <= arguments.dpi <= 2400
    elif option == "--base-url":
        assert not value or value.lower().startswith(("http://", "https://")) or ":" not in value
        assert not any(c in value for c in "<>\"'` ")


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("base")
    (root / "geodata").mkdir()
    shutil.copy(REPO / "geodata" / "facts.toml", root / "geodata" / "facts.toml")
    shutil.copytree(REPO / "geodata" / "base", root / "geodata" / "base")
    assert main(["layers", "--geodata", str(root / "geodata")]) == 0
    return root


BASE_LOCAL = json.loads((REPO / "geodata" / "base" / "local.geojson").read_text(encoding="utf-8"))


@settings(parent=PROFILE, max_examples=max(PROFILE.max_examples // 3, 1))
@given(path=st.sampled_from(_paths(BASE_LOCAL)), value=_JSON_VALUE)
def test_any_value_in_any_base_field(capsys, tmp_path_factory, base_project, path, value):
    folder = tmp_path_factory.mktemp("basecase")
    shutil.copytree(base_project / "geodata", folder / "geodata")
    (folder / "geodata" / "base" / "local.geojson").write_text(
        json.dumps(_replaced(BASE_LOCAL, path, value)), encoding="utf-8"
    )
    dirs = ("--geodata", str(folder / "geodata"), "--outputs", str(folder / "outputs"))
    _check_run(capsys, "map", *dirs)
