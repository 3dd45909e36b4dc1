"""Bad input gets one clear line per problem, exit status 2, and previous outputs untouched.

Each case breaks a copy of the shipped facts file or of a layer file in one way a
user might, runs the command that reads it, and checks the exit status, that the
message names the file, the feature and the field, and that nothing else changed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bordermap.cli import main

pytestmark = pytest.mark.hostile

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with layers and a map already built, to copy for each case."""
    root = tmp_path_factory.mktemp("built")
    (root / "geodata").mkdir()
    shutil.copy(REPO / "geodata" / "facts.toml", root / "geodata" / "facts.toml")
    assert (
        main(["build", "--geodata", str(root / "geodata"), "--outputs", str(root / "outputs")])
        == 0
    )
    return root


@pytest.fixture()
def project(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built, tmp_path, dirs_exist_ok=True)
    return tmp_path


def _snapshot(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


def _run(project: Path, command: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    status = main(
        [command, "--geodata", str(project / "geodata"), "--outputs", str(project / "outputs")]
    )
    return status, capsys.readouterr().err


def _edit_layer(project: Path, name: str, change: Callable[[dict[str, Any]], None]) -> Path:
    path = project / "geodata" / f"{name}.geojson"
    layer = json.loads(path.read_text(encoding="utf-8"))
    change(layer)
    path.write_text(json.dumps(layer, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _feature(layer: dict[str, Any], feature_id: str) -> dict[str, Any]:
    return next(f for f in layer["features"] if f["id"] == feature_id)


def _set_road(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(layer: dict[str, Any]) -> None:
        _feature(layer, "road-bridge")[key] = value

    return change


def _set_road_property(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(layer: dict[str, Any]) -> None:
        _feature(layer, "road-bridge")["properties"][key] = value

    return change


def _swap_mouth(layer: dict[str, Any]) -> None:
    _feature(layer, "tumen-mouth")["geometry"]["coordinates"].reverse()


def _duplicate_id(layer: dict[str, Any]) -> None:
    _feature(layer, "tumangang")["id"] = "tumangang-station"


def _first_source(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(layer: dict[str, Any]) -> None:
        source = _feature(layer, "road-bridge")["properties"]["sources"][0]
        if value is None:
            del source[key]
        else:
            source[key] = value

    return change


def _delete_property(key: str) -> Callable[[dict[str, Any]], None]:
    def change(layer: dict[str, Any]) -> None:
        del _feature(layer, "road-bridge")["properties"][key]

    return change


def _bad_date(layer: dict[str, Any]) -> None:
    _feature(layer, "road-bridge")["properties"]["events"][0]["date"] = "19 June 2024"


LAYER_CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str, str]] = [
    # (case, change to road_bridge or places, layer, field, words in the message)
    (
        "wrong geometry type",
        _set_road("geometry", {"type": "Point", "coordinates": [130.64, 42.41]}),
        "road_bridge",
        "geometry",
        "has a Point geometry, but a road_bridge needs a LineString",
    ),
    (
        "one-point line",
        _set_road("geometry", {"type": "LineString", "coordinates": [[130.64, 42.41]]}),
        "road_bridge",
        "geometry",
        "at least two positions",
    ),
    ("null geometry", _set_road("geometry", None), "road_bridge", "geometry", "null geometry"),
    (
        "longitude out of range",
        _set_road(
            "geometry", {"type": "LineString", "coordinates": [[200.0, 42.41], [130.65, 42.42]]}
        ),
        "road_bridge",
        "geometry",
        "outside WGS 84 range ±180",
    ),
    (
        "projected coordinates",
        _set_road(
            "geometry",
            {"type": "LineString", "coordinates": [[635000.0, 4697000.0], [636000.0, 4697500.0]]},
        ),
        "road_bridge",
        "geometry",
        "projected metres",
    ),
    ("swapped lat/lon", _swap_mouth, "places", "geometry", "lat and lon look swapped"),
    ("missing name", _delete_property("name_ko"), "road_bridge", "name_ko", "missing"),
    ("missing kind", _delete_property("kind"), "road_bridge", "kind", "unknown kind None"),
    (
        "unknown status",
        _set_road_property("status", "finished"),
        "road_bridge",
        "status",
        "unknown status 'finished'",
    ),
    ("date that does not parse", _bad_date, "road_bridge", "events[0].date", "19 June 2024"),
    (
        "length contradicting geometry",
        _set_road_property("length_m", 850),
        "road_bridge",
        "length_m",
        "says 850 m but the geometry measures 1000.0 m",
    ),
    (
        "source without URL",
        _first_source("url", None),
        "road_bridge",
        "sources[0]",
        "'url': missing",
    ),
    (
        "non-http URL",
        _first_source("url", "javascript:alert(1)"),
        "road_bridge",
        "sources[0]",
        "javascript:alert(1)",
    ),
    (
        "no sources",
        _set_road_property("sources", []),
        "road_bridge",
        "sources",
        "at least one source",
    ),
    ("duplicate ids", _duplicate_id, "places", "id", "duplicate id"),
]


@pytest.mark.parametrize("command", ["map", "validate", "export"])
@pytest.mark.parametrize(
    ("case", "change", "layer", "field", "words"),
    LAYER_CASES,
    ids=[case[0] for case in LAYER_CASES],
)
def test_bad_layer_file(project, capsys, command, case, change, layer, field, words):
    path = _edit_layer(project, layer, change)
    before = _snapshot(project)
    status, err = _run(project, command, capsys)
    assert status == 2, err
    assert "Traceback" not in err
    line = next((line for line in err.splitlines() if f"field '{field}'" in line), "")
    assert line.startswith(f"bordermap: error: {path}: feature '"), err
    assert words in line, err
    assert _snapshot(project) == before


def _write_layer_text(project: Path, text: str | bytes) -> Path:
    path = project / "geodata" / "road_bridge.geojson"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "content", "words"),
    [
        ("malformed JSON", '{"type": "FeatureCollection", "features": [', "not valid JSON"),
        ("empty file", "", "the file is empty"),
        ("NaN", '{"type": "FeatureCollection", "features": [{"x": NaN}]}', "NaN is not a number"),
        (
            "Infinity",
            '{"type": "FeatureCollection", "features": [{"x": -Infinity}]}',
            "-Infinity is not a number",
        ),
        ("not UTF-8", "Tumen – Туманная".encode("cp1251", "replace"), "not UTF-8"),
        ("no features", '{"type": "FeatureCollection", "features": []}', "has no features"),
        ("not a FeatureCollection", '{"type": "Feature"}', "expected a GeoJSON FeatureCollection"),
        (
            "non-WGS 84 crs",
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32652"}},
                    "features": [],
                }
            ),
            "field 'crs'",
        ),
    ],
)
def test_bad_layer_file_content(project, capsys, case, content, words):
    path = _write_layer_text(project, content)
    before = _snapshot(project)
    for command in ("map", "validate", "export"):
        status, err = _run(project, command, capsys)
        assert status == 2 and "Traceback" not in err
        assert f"bordermap: error: {path}:" in err and words in err, err
    assert _snapshot(project) == before


def test_missing_layer_file(project, capsys):
    (project / "geodata" / "places.geojson").unlink()
    before = _snapshot(project)
    status, err = _run(project, "map", capsys)
    assert status == 2 and "places.geojson: layer file not found" in err
    assert _snapshot(project) == before


def test_huge_file_is_refused_without_reading_it(project, capsys):
    path = project / "geodata" / "road_bridge.geojson"
    with path.open("r+b") as stream:
        stream.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing on disk
    before_map = (project / "outputs" / "tumen_border_map.html").read_bytes()
    status, err = _run(project, "map", capsys)
    assert status == 2 and "100 MiB is over the 64 MiB limit" in err
    assert (project / "outputs" / "tumen_border_map.html").read_bytes() == before_map


def test_all_problems_are_reported_together(project, capsys):
    _edit_layer(project, "road_bridge", _set_road_property("status", "finished"))
    _edit_layer(project, "places", _swap_mouth)
    (project / "geodata" / "border.geojson").write_text("", encoding="utf-8")
    status, err = _run(project, "map", capsys)
    assert status == 2
    lines = err.splitlines()
    assert len(lines) == 3
    assert any("road_bridge.geojson" in line and "status" in line for line in lines)
    assert any("places.geojson" in line and "swapped" in line for line in lines)
    assert any("border.geojson" in line and "empty" in line for line in lines)


# ---------------------------------------------------------------------------
# The facts file
# ---------------------------------------------------------------------------


FACTS_CASES = [
    # (case, old text, new text, words in the message)
    (
        "swapped lat/lon",
        "lat = 42.415167\nlon = 130.641056",
        "lat = 130.641056\nlon = 42.415167",
        "friendship-bridge', geometry, field 'lat': 130.641056 is outside WGS 84 range ±90 "
        "(lat and lon look swapped)",
    ),
    (
        "projected coordinates",
        "lat = 42.421389\nlon = 130.608056",
        "lat = 4697000.0\nlon = 635000.0",
        "look like projected metres",
    ),
    (
        "outside the region",
        "lat = 42.421683\nlon = 130.602551",
        "lat = 42.421683\nlon = 13.602551",
        "far outside the map's region",
    ),
    ("NaN", "lat = 42.421683", "lat = nan", "expected a finite number, got nan"),
    ("one-point line", "  [42.411224, 130.646762],\n", "", None),
    ("unknown status", 'status = "planned"', 'status = "approved"', "unknown status 'approved'"),
    ("bad date", 'date = "2025-04-30"', 'date = "30/04/2025"', "'30/04/2025'"),
    (
        "source without URL",
        'url = "https://tass.com/politics/1951527"\n',
        "",
        "field 'url': missing",
    ),
    (
        "javascript URL",
        'url = "https://tass.com/politics/1951527"',
        'url = "javascript:alert(1)"',
        "field 'url': expected an http(s) link, got 'javascript:alert(1)'",
    ),
    ("duplicate id", 'id = "tumangang"\n', 'id = "tumangang-station"\n', "duplicate id"),
    ("missing Korean name", 'ko = "두만강역", ', "", "field 'ko': missing"),
    ("malformed TOML", "[map]\n", "[map\n", "not valid TOML"),
]


@pytest.mark.parametrize(
    ("case", "old", "new", "words"), FACTS_CASES, ids=[case[0] for case in FACTS_CASES]
)
def test_bad_facts_file(project, capsys, case, old, new, words):
    facts = project / "geodata" / "facts.toml"
    text = facts.read_text(encoding="utf-8")
    if case == "one-point line":
        # Keep only the first vertex of the river.
        start = text.index("lat_lon = [") + len("lat_lon = [")
        end = text.index("]\n\n", start)
        text = text[:start] + "\n  [42.418332, 130.637009],\n" + text[end:]
        words = "a line needs at least two [lat, lon] vertices"
    else:
        assert old in text, old
        text = text.replace(old, new, 1)
    facts.write_text(text, encoding="utf-8")
    before = _snapshot(project)
    for command in ("layers", "build"):
        status, err = _run(project, command, capsys)
        assert status == 2, err
        assert "Traceback" not in err
        assert err.startswith(f"bordermap: error: {facts}:"), err
        assert words in err, err
    assert _snapshot(project) == before


@pytest.mark.parametrize(
    ("case", "content", "words"),
    [
        ("empty", b"", "the file is empty"),
        ("not UTF-8", '[map]\ntitle = "Туманная"'.encode("cp1251"), "not UTF-8"),
    ],
)
def test_unreadable_facts_file(project, capsys, case, content, words):
    (project / "geodata" / "facts.toml").write_bytes(content)
    before = _snapshot(project)
    status, err = _run(project, "build", capsys)
    assert status == 2 and words in err and err.count("\n") == 1
    assert _snapshot(project) == before


def test_huge_facts_file(project, capsys):
    facts = project / "geodata" / "facts.toml"
    with facts.open("r+b") as stream:
        stream.truncate(100 * 1024 * 1024)
    before = {p: p.read_bytes() for p in (project / "outputs").iterdir()}
    status, err = _run(project, "build", capsys)
    assert status == 2 and "100 MiB is over the 64 MiB limit" in err
    assert {p: p.read_bytes() for p in (project / "outputs").iterdir()} == before


def test_missing_facts_file(project, capsys):
    os.remove(project / "geodata" / "facts.toml")
    status, err = _run(project, "layers", capsys)
    assert status == 2 and "facts.toml: facts file not found" in err
