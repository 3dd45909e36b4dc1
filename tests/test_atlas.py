"""Several maps in one repository: ``bordermap new``, ``bordermap build --all`` and the index."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import REPO

from bordermap import load_facts, read_layers
from bordermap.atlas import IndexEntry, index_html, map_directories
from bordermap.cli import main

SYNTHETIC = REPO / "tests" / "maps" / "synthetic"


def _square(west: float, south: float, east: float, north: float) -> list[list[list[float]]]:
    return [[[west, south], [east, south], [east, north], [west, north], [west, south]]]


@pytest.fixture
def borders(tmp_path: Path) -> Path:
    """Country areas as @osm_borders/maritime_10m writes them: AA west of BB, along 20°E."""
    features = [
        {
            "type": "Feature",
            "properties": {"isoA3": code3, "isoA2": code},
            "geometry": {
                "type": "GeometryCollection",
                "geometries": [{"type": "Polygon", "coordinates": _square(*box)}],
            },
        }
        for code, code3, box in (
            ("AA", "AAA", (18.0, 40.0, 20.0, 42.0)),
            ("BB", "BBB", (20.0, 40.0, 22.0, 42.0)),
            ("CC", "CCC", (30.0, 40.0, 32.0, 42.0)),  # outside the region
        )
    ]
    path = tmp_path / "borders.geo.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def test_new_scaffolds_a_map_that_builds_and_validates(tmp_path, borders, capsys):
    folder = tmp_path / "maps" / "test_crossing"
    args = ["new", str(folder), "--region", "19.5,40.5,20.5,41.5", "--languages", "en,fr,de"]
    assert main([*args, "--borders", str(borders)]) == 0
    facts = load_facts(folder / "facts.toml")
    assert facts.spec is not None
    assert facts.spec.id == "test_crossing" and facts.spec.languages == ("en", "fr", "de")
    assert facts.spec.projection == "EPSG:32634"  # 20°E: UTM zone 34N
    # The line runs north along 20°E (as the shared edge is written): AA holds the left bank.
    banks = {country.code: country.bank for country in facts.spec.countries}
    assert banks in ({"AA": "left", "BB": "right"}, {"AA": "right", "BB": "left"})
    line = json.loads((folder / "border_line.geojson").read_text("utf-8"))["geometry"]
    assert {round(lon, 6) for lon, _ in line["coordinates"]} == {20.0}
    start, end = line["coordinates"][0][1], line["coordinates"][-1][1]
    assert banks["AA"] == ("left" if end > start else "right")
    geodata, outputs = str(folder), str(tmp_path / "out")
    assert main(["build", "--geodata", geodata, "--outputs", outputs]) == 0
    assert main(["validate", "--geodata", geodata]) == 0
    assert (tmp_path / "out" / "test_crossing_border_map.html").exists()
    # Its base holds the region's two countries, credited to OpenStreetMap.
    local = json.loads((folder / "base" / "local.geojson").read_text("utf-8"))
    assert [f["properties"]["country"] for f in local["features"]] == ["AA", "BB"]
    assert "OpenStreetMap" in local["bordermap"]["credit"]
    # A second run refuses to replace the facts file.
    capsys.readouterr()
    assert main([*args, "--borders", str(borders)]) == 2
    assert "exists" in capsys.readouterr().err


def test_new_needs_two_countries_in_the_region(tmp_path, borders, capsys):
    args = ["new", str(tmp_path / "m"), "--region", "18.2,40.5,19.5,41.5", "--borders"]
    assert main([*args, str(borders)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs two" in err
    assert not (tmp_path / "m").exists()


def test_build_all_builds_every_map_and_an_index(tmp_path, borders, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SYNTHETIC, tmp_path / "geodata")
    region = "19.5,40.5,20.5,41.5"
    assert main(["new", "maps/second", "--region", region, "--borders", str(borders)]) == 0
    assert map_directories() == [Path("geodata"), Path("maps/second")]
    assert main(["build", "--all", "--no-base"]) == 0
    outputs = tmp_path / "outputs"
    for name in ("synthetic_border_map", "second_border_map"):
        assert (outputs / f"{name}.html").exists()
        assert (outputs / f"{name}.thumb.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(path.name for path in (tmp_path / "maps" / "second").glob("*.geojson")) == [
        "border.geojson",
        "border_line.geojson",
    ]
    index = (outputs / "index.html").read_text("utf-8")
    synthetic_title = read_layers(tmp_path / "geodata")["river"]["bordermap"]["title"]
    assert synthetic_title in index
    assert index.index('href="synthetic_border_map.html"') < index.index(
        'href="second_border_map.html"'
    )
    assert 'src="second_border_map.thumb.png"' in index


@pytest.mark.parametrize(
    ("second_output", "expected"),
    [
        ("synthetic_border_map", "is also the outputs' name of geodata/facts.toml"),
        ("index", "is the index page's name (index.html)"),
    ],
)
def test_build_all_refuses_maps_that_would_write_the_same_files(
    tmp_path, borders, monkeypatch, capsys, second_output, expected
):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SYNTHETIC, tmp_path / "geodata")
    assert (
        main(["new", "maps/second", "--region", "19.5,40.5,20.5,41.5", "--borders", str(borders)])
        == 0
    )
    facts = tmp_path / "maps" / "second" / "facts.toml"
    text = facts.read_text("utf-8")
    facts.write_text(text.replace("[map]\n", f'[map]\noutput = "{second_output}"\n', 1), "utf-8")
    capsys.readouterr()
    assert main(["build", "--all", "--no-base"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"bordermap: error: maps/second/facts.toml: [map], field 'output': "
        f"{second_output!r} {expected}"
        + ("; each map needs its own\n" if "also" in expected else "; choose another\n")
    )
    assert not (tmp_path / "outputs").exists()  # refused before any map is built


def test_index_escapes_what_it_is_given():
    page = index_html(
        [IndexEntry(title="<script>alert(1)</script>", as_of="2026", page='x".html')]
    )
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert 'href="x&#34;.html"' in page


def test_the_outputs_name_is_read_from_regular_files_only(tmp_path):
    from bordermap.mapspec import output_in

    shutil.copy(SYNTHETIC / "facts.toml", tmp_path / "facts.toml")
    assert output_in(tmp_path) == "synthetic_border_map"
    (tmp_path / "facts.toml").unlink()
    os.mkfifo(tmp_path / "facts.toml")  # read as before, this would wait for a writer
    assert output_in(tmp_path) == "border_map"
