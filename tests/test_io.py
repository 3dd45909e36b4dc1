"""Property-based tests of the GeoJSON writer and atomic writes (bordermap._io).

Generated FeatureCollections (unicode properties, nested values, LineStrings and Points
rounded as the layers round them) must come back from ``json.loads`` as they went in,
keys in order, with coordinates of at most 6 decimals, the same text every time; NaN
and infinity are refused. Files are written whole or not at all, leaving no temporary
files. Lengths measured on rounded lines stay within rounding of the unrounded ones.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import stat
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bordermap import _geojson as geojson_module
from bordermap import _io
from bordermap import settings as bordermap_settings
from bordermap._geojson import dumps_geojson, dumps_geojson_all
from bordermap._io import write_all, write_atomic
from bordermap.errors import OutputError
from bordermap.geometry import geodesic_length, round_coordinate

TEMPORARY = re.compile(r"^\..+\.tmp$")

# --- strategies ---------------------------------------------------------------------------

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
CYRILLIC = st.characters(min_codepoint=0x0400, max_codepoint=0x04FF)
# Everything JSON must escape or may carry: quotes, backslashes, controls, separators.
AWKWARD = st.sampled_from([*"\"\\/\n\r\t\x00\x1f\x7f\u2028\u2029<>&'{}[]:,–·°′″", "😀"])
TEXT = st.text(st.one_of(st.characters(exclude_categories=("Cs",)), HANGUL, CYRILLIC, AWKWARD))
# "coordinates" as a property name has a test of its own, below.
KEYS = st.one_of(
    st.sampled_from(["name_en", "name_ko", "name_ru", "id", "type", "value", "sources"]),
    TEXT.filter(lambda key: key != "coordinates"),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=12,
)
# Anywhere on the globe, rounded as the layers round them.
POSITIONS = st.tuples(
    st.floats(min_value=-180, max_value=180, allow_nan=False),
    st.floats(min_value=-90, max_value=90, allow_nan=False),
).map(lambda position: list(round_coordinate(position)))
# Lines in the Tumen area, unrounded.
TUMEN_POSITIONS = st.tuples(
    st.floats(min_value=130.5, max_value=130.8, allow_nan=False),
    st.floats(min_value=42.2, max_value=42.5, allow_nan=False),
)
TUMEN_LINES = st.lists(TUMEN_POSITIONS, min_size=2, max_size=30)


@st.composite
def geometries(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"type": "Point", "coordinates": draw(POSITIONS)}
    return {"type": "LineString", "coordinates": draw(st.lists(POSITIONS, min_size=2, max_size=8))}


@st.composite
def features(draw: st.DrawFn) -> dict[str, Any]:
    feature: dict[str, Any] = {"type": "Feature"}
    if draw(st.booleans()):
        feature["id"] = draw(st.one_of(TEXT, st.integers(min_value=0, max_value=10**6)))
    feature["properties"] = draw(st.dictionaries(KEYS, VALUES, max_size=6))
    feature["geometry"] = draw(geometries())
    return feature


@st.composite
def collections(draw: st.DrawFn) -> dict[str, Any]:
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if draw(st.booleans()):
        collection["name"] = draw(TEXT)
    if draw(st.booleans()):
        collection["bordermap"] = draw(st.dictionaries(KEYS, VALUES, max_size=4))
    collection["features"] = draw(st.lists(features(), max_size=4))
    return collection


def _pairs(value: Any) -> Any:
    """A value with every mapping turned into its list of (key, value) pairs, in order."""
    if isinstance(value, dict):
        return [(key, _pairs(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_pairs(item) for item in value]
    return value


def _loads_in_order(text: str) -> Any:
    return json.loads(text, object_pairs_hook=lambda pairs: [(k, _pairs(v)) for k, v in pairs])


def _coordinate_numbers(text: str) -> list[Decimal]:
    """Every number in the positions of GeoJSON text, exactly as written."""
    numbers: list[Decimal] = []

    def collect(value: Any, in_coordinates: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                collect(item, key == "coordinates" and "type" in value)
        elif isinstance(value, list):
            for item in value:
                collect(item, in_coordinates)
        elif in_coordinates and isinstance(value, Decimal):
            numbers.append(value)

    collect(json.loads(text, parse_float=Decimal, parse_int=Decimal), False)
    return numbers


EXAMPLES = settings(max_examples=60, deadline=None)

# --- dumps_geojson ------------------------------------------------------------------------


@EXAMPLES
@given(collections())
def test_round_trip_through_json(collection):
    assert json.loads(dumps_geojson(collection)) == collection


@EXAMPLES
@given(collections())
def test_keys_keep_the_order_they_were_inserted_in(collection):
    assert _loads_in_order(dumps_geojson(collection)) == _pairs(collection)


@EXAMPLES
@given(collections())
def test_same_input_same_text_and_one_final_newline(collection):
    text = dumps_geojson(collection)
    assert dumps_geojson(json.loads(text)) == text
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "\r" not in text  # a carriage return in the data is written escaped


@EXAMPLES
@given(collections())
def test_coordinates_have_at_most_six_decimals(collection):
    text = dumps_geojson(collection)
    numbers = _coordinate_numbers(text)
    positions = sum(
        1 if f["geometry"]["type"] == "Point" else len(f["geometry"]["coordinates"])
        for f in collection["features"]
    )
    assert len(numbers) == 2 * positions
    for number in numbers:
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        assert exponent >= -bordermap_settings.coordinate_decimals, number


@EXAMPLES
@given(st.lists(POSITIONS, min_size=2, max_size=10))
def test_one_position_a_line(coordinates):
    collection = {"type": "LineString", "coordinates": coordinates}
    lines = dumps_geojson(collection).splitlines()
    written = [line.strip().rstrip(",") for line in lines if line.strip().startswith("[")]
    assert [json.loads(line) for line in written if line != "["] == coordinates


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["coordinates", "property", "nested property", "metadata"])
def test_nan_and_infinity_are_refused(bad, where):
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "bordermap": {"as_of": "2026-12-01"},
        "features": [
            {
                "type": "Feature",
                "id": "a",
                "properties": {"length_m": 1.0, "figures": [{"values": [{"value": 1}]}]},
                "geometry": {"type": "LineString", "coordinates": [[130.6, 42.4], [130.7, 42.3]]},
            }
        ],
    }
    feature = collection["features"][0]
    if where == "coordinates":
        feature["geometry"]["coordinates"][1][0] = bad
    elif where == "property":
        feature["properties"]["length_m"] = bad
    elif where == "nested property":
        feature["properties"]["figures"][0]["values"][0]["value"] = bad
    else:
        collection["bordermap"]["scale"] = bad
    with pytest.raises(ValueError):
        dumps_geojson(collection)


@EXAMPLES
@given(collections(), st.data())
def test_nan_anywhere_in_a_collection_is_refused(collection, data):
    features = collection["features"]
    if not features:
        collection["features"] = features = [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [0.0, 0.0]},
            }
        ]
    feature = data.draw(st.sampled_from(features))
    if data.draw(st.booleans()):
        feature["geometry"]["coordinates"] = [math.nan, 0.0]
    else:
        feature["properties"][data.draw(KEYS)] = data.draw(st.sampled_from([math.nan, math.inf]))
    with pytest.raises(ValueError):
        dumps_geojson(collection)


@EXAMPLES
@given(VALUES, st.booleans())
def test_a_property_named_coordinates_is_an_ordinary_value(value, nested):
    """Only a geometry's "coordinates" are positions; a property may use the name too."""
    properties = {"coordinates": value, "note": "42°24′55″N 130°38′28″E"}
    feature = {
        "type": "Feature",
        "properties": {"nested": properties} if nested else properties,
        "geometry": {"type": "Point", "coordinates": [130.641056, 42.415167]},
    }
    assert json.loads(dumps_geojson(feature)) == feature


@pytest.mark.parametrize("value", ["42°24′55″N 130°38′28″E", 5, {"lat": 42.4, "lon": 130.6}])
def test_a_property_named_coordinates_is_written_as_it_is(value):
    feature = {
        "type": "Feature",
        "properties": {"coordinates": value},
        "geometry": {"type": "Point", "coordinates": [130.641056, 42.415167]},
    }
    assert json.loads(dumps_geojson(feature)) == feature


def test_keys_that_are_not_text_are_refused_or_written_as_text():
    feature = {"type": "Feature", "properties": {1: "one"}, "geometry": None}
    try:
        text = dumps_geojson(feature)
    except (TypeError, ValueError):
        return
    assert json.loads(text) == {"type": "Feature", "properties": {"1": "one"}, "geometry": None}


# --- lengths on rounded lines -----------------------------------------------------------------


@EXAMPLES
@given(TUMEN_LINES)
def test_rounding_changes_a_length_by_less_than_half_a_metre_a_vertex(line):
    rounded = [round_coordinate(position) for position in line]
    assert abs(geodesic_length(rounded) - geodesic_length(line)) <= 0.5 * len(line)


@EXAMPLES
@given(TUMEN_LINES)
def test_a_written_length_is_the_length_of_the_written_line(line):
    """What the layers write: length_m measured on the rounded line, then both written."""
    rounded = [list(round_coordinate(position)) for position in line]
    length = round(geodesic_length(rounded), bordermap_settings.length_decimals)
    feature = {
        "type": "Feature",
        "properties": {"length_m": length},
        "geometry": {"type": "LineString", "coordinates": rounded},
    }
    read = json.loads(dumps_geojson({"type": "FeatureCollection", "features": [feature]}))
    coordinates = read["features"][0]["geometry"]["coordinates"]
    assert coordinates == rounded  # floats come back bit for bit
    assert geodesic_length(coordinates) == geodesic_length(rounded)
    assert abs(geodesic_length(coordinates) - read["features"][0]["properties"]["length_m"]) <= (
        bordermap_settings.length_tolerance_m
    )


# --- write_atomic and write_all ---------------------------------------------------------------

CONTENTS = st.one_of(st.binary(max_size=2000), TEXT)


def _encoded(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old=st.one_of(st.none(), CONTENTS),
    new=CONTENTS,
    name=st.sampled_from(["a.geojson", "map.html", "é 지도.svg"]),
)
def test_write_atomic_replaces_the_file_and_leaves_nothing_else(old, new, name):
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / name
        if old is not None:
            target.write_bytes(_encoded(old))
        write_atomic(target, new)
        assert target.read_bytes() == _encoded(new)
        assert os.listdir(directory) == [name]
        assert (target.stat().st_mode & 0o777) == 0o644


def test_write_atomic_makes_missing_directories(tmp_path):
    target = tmp_path / "new" / "deeper" / "layer.geojson"
    write_atomic(target, "{}\n")
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert os.listdir(target.parent) == ["layer.geojson"]


def test_write_atomic_that_fails_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # a directory where the file should go: it cannot be replaced
    (target / "inside").write_text("kept", encoding="utf-8")
    with pytest.raises(OutputError) as raised:
        write_atomic(target, "data")
    assert "taken" in str(raised.value)
    assert sorted(os.listdir(tmp_path)) == ["taken"]
    assert (target / "inside").read_text(encoding="utf-8") == "kept"


def test_write_atomic_removes_temporary_files_a_killed_run_left(tmp_path):
    target = tmp_path / "road_bridge.geojson"
    target.write_text("old", encoding="utf-8")
    (tmp_path / ".road_bridge.geojson.x1y2z3.tmp").write_text("half", encoding="utf-8")
    (tmp_path / ".other.geojson.x1y2z3.tmp").write_text("someone else's", encoding="utf-8")
    write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(os.listdir(tmp_path)) == [".other.geojson.x1y2z3.tmp", "road_bridge.geojson"]


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["a.geojson", "b.geojson", "c.html"]), CONTENTS, min_size=1)
)
def test_write_all_writes_every_file_and_leaves_nothing_else(files):
    with tempfile.TemporaryDirectory() as directory:
        paths = {Path(directory) / name: data for name, data in files.items()}
        write_all(paths)
        assert sorted(os.listdir(directory)) == sorted(files)
        for path, data in paths.items():
            assert path.read_bytes() == _encoded(data)


@pytest.mark.parametrize("failing", [0, 1, 2])
def test_write_all_that_fails_changes_no_file(tmp_path, failing):
    """One target cannot be replaced (a directory is in its way): no file changes."""
    names = ["a.geojson", "b.geojson", "c.html"]
    for name in names:
        (tmp_path / name).write_text(f"old {name}", encoding="utf-8")
    (tmp_path / names[failing]).unlink()
    (tmp_path / names[failing]).mkdir()
    with pytest.raises(OutputError):
        write_all({tmp_path / name: f"new {name}" for name in names})
    for index, name in enumerate(names):
        if index != failing:
            assert (tmp_path / name).read_text(encoding="utf-8") == f"old {name}", name
    assert not [name for name in os.listdir(tmp_path) if TEMPORARY.match(name)]


@pytest.mark.parametrize(
    "coordinates",
    [
        [[130.6, 42.4], [130.7, True]],
        [[130.6, 42.4], [130.7, "42.3"]],
        [[130.6, 42.4], [130.7, None]],
        [[130.6, 42.4], []],
        [[[130.6, 42.4], [130.7, 42.3]], [[130.6, {"lat": 42.4}]]],
    ],
)
def test_coordinates_that_are_not_all_numbers_are_written_as_they_are(coordinates):
    # The one-position-a-line writing is for numbers only; anything else in a
    # geometry's coordinates (a mistake a check will report) is still written faithfully.
    geometry = {"type": "LineString", "coordinates": coordinates}
    assert json.loads(dumps_geojson(geometry)) == geometry


def test_a_long_line_is_written_one_position_a_line():
    coordinates = [[130.6 + index * 1e-6, 42.4 - index * 1e-6] for index in range(100_000)]
    coordinates = [[round(lon, 6), round(lat, 6)] for lon, lat in coordinates]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": coordinates},
    }
    text = dumps_geojson(feature)
    assert json.loads(text) == feature
    position_lines = [line for line in text.splitlines() if line.startswith("      [")]
    assert len(position_lines) == len(coordinates)
    assert position_lines[0] == "      [130.6, 42.4],"


def test_dumps_geojson_all_writes_each_as_dumps_geojson_does():
    shared = [[130.6 + index * 1e-5, 42.4] for index in range(2_000)]
    collections = {
        "river": {"type": "LineString", "coordinates": shared},
        "border": {"type": "Feature", "geometry": {"type": "LineString", "coordinates": shared}},
        "copy": {"type": "LineString", "coordinates": [list(p) for p in shared]},
    }
    texts = dumps_geojson_all(collections)
    assert list(texts) == list(collections)
    for key, collection in collections.items():
        assert texts[key] == dumps_geojson(collection)


def test_a_list_of_positions_held_twice_is_formatted_once(monkeypatch):
    shared = [[130.6 + index * 1e-5, 42.4] for index in range(2_000)]
    equal_but_another = [list(position) for position in shared]
    formatted = []
    real_dumps = json.dumps

    def counting(value: Any, **options: Any) -> str:
        if isinstance(value, list) and len(value) == len(shared):
            formatted.append(value)
        return real_dumps(value, **options)

    monkeypatch.setattr(geojson_module.json, "dumps", counting)
    dumps_geojson_all(
        {
            name: {"type": "LineString", "coordinates": coordinates}
            for name, coordinates in (
                ("river", shared),
                ("border", shared),
                ("copy", equal_but_another),
            )
        }
    )
    # The shared list once; an equal list that is another object is formatted again
    # (equal is not enough: 1 == 1.0 and 0.0 == -0.0, yet they are written differently).
    assert len(formatted) == 2
    assert formatted[0] is shared and formatted[1] is equal_but_another


# --- reading the files a user gives (read_input, read_json) ---------------------
# Direct and fast, for mutation testing (docs/mutation.md); the command's one-line
# messages for the same inputs are tested in test_bad_input.py and test_hostile.py.


@pytest.mark.parametrize(
    ("mode", "name"),
    [
        (stat.S_IFDIR, "a folder"),
        (stat.S_IFIFO, "a pipe (FIFO)"),
        (stat.S_IFCHR, "a character device"),
        (stat.S_IFBLK, "a block device"),
        (stat.S_IFSOCK, "a socket"),
        (stat.S_IFLNK, "not a regular file"),
    ],
)
def test_a_file_that_is_not_regular_is_named_by_its_type(mode, name):
    assert _io._file_type(mode | 0o644) == name


class _Blocked(Exception):
    """Raised by the alarm when a read waits (a FIFO opened for reading waits for a writer)."""


def _blocked(signum: int, frame: object) -> None:
    raise _Blocked


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "facts.toml"
    os.mkfifo(fifo)
    # No writer ever comes: a read that waits for one would wait for ever. The alarm
    # turns that wait into a failure; a read that does not wait never meets it.
    previous = signal.signal(signal.SIGALRM, _blocked)
    signal.setitimer(signal.ITIMER_REAL, 5.0)
    try:
        with pytest.raises(ValueError) as error:
            _io.read_input(fifo, "not found")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert str(error.value) == f"{fifo}: is a pipe (FIFO), not a regular file"


def _read_json(path: Path, text: str) -> tuple[object, list[str]]:
    path.write_text(text, encoding="utf-8")
    problems: list[str] = []
    return _io.read_json(path, problems, "layer file not found"), problems


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_that_are_not_numbers_are_refused(tmp_path, constant):
    path = tmp_path / "layer.geojson"
    data, problems = _read_json(path, f'{{"x": [1, {constant}]}}')
    assert data is None
    assert problems == [
        f"{path}: {constant} is not a number JSON allows: coordinates must be finite"
    ]


def test_whole_numbers_of_up_to_twenty_digits_are_read(tmp_path):
    twenty = "9" * 20
    data, problems = _read_json(tmp_path / "a.json", f"[{twenty}, -{twenty}, 0, -7]")
    assert problems == []
    assert data == [int(twenty), -int(twenty), 0, -7]


@pytest.mark.parametrize("number", ["1" * 21, "-" + "1" * 21])
def test_whole_numbers_of_more_than_twenty_digits_are_refused(tmp_path, number):
    path = tmp_path / "a.json"
    data, problems = _read_json(path, f"[{number}]")
    assert data is None
    assert problems == [f"{path}: a whole number of {len(number):,} digits is too large"]


def test_a_missing_file_is_said_in_the_callers_words(tmp_path):
    problems: list[str] = []
    path = tmp_path / "none.json"
    assert _io.read_json(path, problems, "layer file not found") is None
    assert problems == [f"{path}: layer file not found"]


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(ValueError) as error:
        _io.read_input(tmp_path, "not found")
    # Linux opens a folder for reading: it is refused by its type.
    assert str(error.value) == f"{tmp_path}: is a folder, not a regular file"


def test_a_file_at_the_limit_is_read_and_one_byte_more_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bordermap_settings, "max_input_bytes", 2**20)
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b" " * (2**20 - 2) + b"]")
    assert _io.read_input(path, "not found") == "[" + " " * (2**20 - 2) + "]"
    path.write_bytes(b"[" + b" " * (2**20 - 1) + b"]")
    with pytest.raises(ValueError) as error:
        _io.read_input(path, "not found")
    assert str(error.value) == (
        f"{path}: 1 MiB is over the 1 MiB limit (settings.max_input_bytes): "
        "is this the right file?"
    )


def test_a_file_is_read_whole_across_many_reads(tmp_path):
    text = '{"a": "' + "x" * (3 * 2**20 + 5) + '"}'
    (tmp_path / "long.json").write_text(text, encoding="utf-8")
    assert _io.read_input(tmp_path / "long.json", "not found") == text


def test_text_that_is_not_utf8_or_is_blank_is_refused(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(ValueError) as error:
        _io.read_input(path, "not found")
    assert str(error.value) == f"{path}: not UTF-8 (byte 7); save it as UTF-8"
    path.write_text(" \n\t", encoding="utf-8")
    with pytest.raises(ValueError, match="the file is empty"):
        _io.read_input(path, "not found")


def test_brackets_nested_past_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bordermap_settings, "max_nesting", 3)
    path = tmp_path / "a.json"
    path.write_text("[[[1]]]", encoding="utf-8")
    assert _io.read_input(path, "not found") == "[[[1]]]"
    path.write_text('[[[{"a": "[[["}]]]', encoding="utf-8")
    with pytest.raises(ValueError) as error:
        _io.read_input(path, "not found")
    assert str(error.value) == (
        f"{path}: brackets nested 4 deep, more than the 3 any facts or layer file needs"
    )


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("plain", 0),
        ("[1, [2], {}]", 2),
        ('{"a": "[[[[", "b": [1]}', 2),
        ("a = '[[[' # [[[[\nb = [[1]]", 2),
        ('x = """\n[[[[\n"""\ny = {a = [1]}', 2),
        ("# [[[\nb = [1]", 1),
        ("a = '[[['\nb = [1]", 1),
        ("[][[1]]", 2),
        ("]]] [", 0),
        ("[\ud800]", 1),
        ("{}", 1),
        ('{"a": {"b": {}}, "c": {}}', 3),
        ("a = {b = {c = 1}}", 2),
    ],
)
def test_nesting_depth_counts_brackets_outside_strings_and_comments(text, depth):
    assert _io.nesting_depth(text) == depth


def test_a_file_longer_than_its_size_says_is_refused_at_the_limit(monkeypatch):
    # /proc files say they are empty: the limit holds on what is read, not what is said.
    monkeypatch.setattr(bordermap_settings, "max_input_bytes", 100)
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0 and len(status.read_bytes()) > 100
    with pytest.raises(ValueError) as error:
        _io.read_input(status, "not found")
    assert str(error.value) == (
        f"{status}: more than 0 MiB, over the limit (settings.max_input_bytes): "
        "is this the right file?"
    )


def test_json_escapes_of_a_surrogate_pair_are_one_character_and_a_lone_one_is_refused(tmp_path):
    data, problems = _read_json(tmp_path / "a.json", '["\\ud83d\\ude00"]')
    assert (data, problems) == (["\U0001f600"], [])
    path = tmp_path / "b.json"
    data, problems = _read_json(path, '["\\ud800"]')
    assert data is None
    assert problems == [f"{path}: holds a lone surrogate ('\\ud800'), which is not text"]


def test_a_read_that_fails_says_why(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    path.write_text("[1]", encoding="utf-8")

    def read(handle: int, size: int) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_io.os, "read", read)
    with pytest.raises(ValueError) as error:
        _io.read_input(path, "not found")
    assert str(error.value) == f"{path}: cannot read: Input/output error"


def test_a_file_over_the_limit_says_its_size_and_the_limit_in_mib(tmp_path, monkeypatch):
    monkeypatch.setattr(bordermap_settings, "max_input_bytes", 3 * 2**20)
    path = tmp_path / "big.json"
    with path.open("wb") as file:
        file.truncate(7 * 2**20)  # sparse: 7 MiB said, no data written
    with pytest.raises(ValueError) as error:
        _io.read_input(path, "not found")
    assert str(error.value) == (
        f"{path}: 7 MiB is over the 3 MiB limit (settings.max_input_bytes): "
        "is this the right file?"
    )


def test_a_file_that_grows_while_it_is_read_is_read_to_one_byte_past_the_limit(
    tmp_path, monkeypatch
):
    limit = 3 * 2**20
    monkeypatch.setattr(bordermap_settings, "max_input_bytes", limit)
    path = tmp_path / "growing.json"
    path.write_bytes(b"[" + b" " * (limit - 2) + b"]")  # at the limit when its size is read
    real_read = os.read
    read = []

    def growing_read(handle: int, size: int) -> bytes:
        if not read:  # another program appends to it as the reading starts
            with path.open("ab") as file:
                file.write(b"\n" * (2 * limit))
        chunk = real_read(handle, size)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(_io.os, "read", growing_read)
    with pytest.raises(ValueError) as error:
        _io.read_input(path, "not found")
    assert str(error.value) == (
        f"{path}: more than 3 MiB, over the limit (settings.max_input_bytes): "
        "is this the right file?"
    )
    # Never more than the limit and one byte, whatever the file holds by then.
    assert sum(read) == limit + 1
