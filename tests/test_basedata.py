"""The base of any region: countries, sea and a wider locator inset, from data on disk.

Small made-up packages (a ``node_modules`` with ``@osm_borders/maritime_10m`` and
``world-atlas`` laid out as npm installs them) test the recipe exactly; the real
packages, which ``scripts/test.sh`` installs from npm into ``scripts/node_modules``
before the tests run (the tests use no network), test ``bordermap new`` on a real
region.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, unpacked

from bordermap import build_map, render_html
from bordermap.base import base_name, read_base
from bordermap.basedata import INSET_SPAN_KM, base_sources, inset_extent, make_base
from bordermap.cli import main
from bordermap.errors import FactsError
from bordermap.facts import load_facts
from bordermap.layers import build_layers
from bordermap.mapspec import activated, spec_of

PACKAGES = REPO / "scripts" / "node_modules"


def _square(west: float, south: float, east: float, north: float) -> list[list[list[float]]]:
    return [[[west, south], [east, south], [east, north], [west, north], [west, south]]]


def _topojson_land(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """Land as world-atlas writes it: one quantized, delta-encoded arc (steps of 0.01°)."""
    ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    steps = [[round(ring[0][0] * 100), round(ring[0][1] * 100)]]
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        steps.append([round((x1 - x0) * 100), round((y1 - y0) * 100)])
    return {
        "type": "Topology",
        "transform": {"scale": [0.01, 0.01], "translate": [0, 0]},
        "objects": {
            "land": {
                "type": "GeometryCollection",
                "geometries": [{"type": "MultiPolygon", "arcs": [[[0]]]}],
            }
        },
        "arcs": [steps],
    }


@pytest.fixture
def packages(tmp_path: Path) -> Path:
    """A made-up node_modules: AA west of BB along 20°E, CC east of them; sea north of 42°N."""
    folder = tmp_path / "node_modules"
    osm = folder / "@osm_borders" / "maritime_10m"
    atlas = folder / "world-atlas"
    for package, version in ((osm, "1.1.0"), (atlas, "2.0.2")):
        package.mkdir(parents=True)
        (package / "package.json").write_text(json.dumps({"version": version}), "utf-8")
    features = [
        {
            "type": "Feature",
            "properties": {"isoA2": code},
            "geometry": {
                "type": "GeometryCollection",
                "geometries": [{"type": "Polygon", "coordinates": _square(*box)}],
            },
        }
        for code, box in (
            ("AA", (16.0, 38.0, 20.0, 43.0)),
            ("BB", (20.0, 38.0, 22.0, 43.0)),
            ("CC", (22.0, 38.0, 26.0, 43.0)),
            ("DD", (40.0, 38.0, 42.0, 43.0)),  # far away: in neither file
        )
    ]
    (osm / "borders.geo.json").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), "utf-8"
    )
    (atlas / "land-10m.json").write_text(json.dumps(_topojson_land(10, 30, 30, 42)), "utf-8")
    return folder


def test_the_inset_is_a_wider_view_than_the_region(packages):
    region = (19.5, 41.0, 20.5, 41.5)
    files, found = make_base(region, base_sources(packages))
    assert [code for code, _ in found] == ["AA", "BB"]
    local, inset = json.loads(files["local.geojson"]), json.loads(files["inset.geojson"])
    assert local["bordermap"]["extent"] == list(region)
    west, south, east, north = inset["bordermap"]["extent"]
    # 700 km by 560 km around 20°E 41.25°N: about 8.4° by 5.0°.
    assert 8.3 < east - west < 8.5 and 4.9 < north - south < 5.1
    assert west < 19.5 - 3 and east > 20.5 + 3 and south < 41 - 2 and north > 41.5 + 2
    by_id = {feature["id"]: feature["properties"] for feature in inset["features"]}
    # CC lies beyond the region but within the inset: drawn there, not named.
    assert set(by_id) == {"inset-sea", "inset-aa", "inset-bb", "inset-cc"}
    assert by_id["inset-cc"]["focus"] is False and "label_at" not in by_id["inset-cc"]
    for code in ("aa", "bb"):
        assert by_id[f"inset-{code}"]["focus"] is True
        _, lat = by_id[f"inset-{code}"]["label_at"]
        assert south < lat < 42  # on its land, south of the coast
    assert 16 < by_id["inset-aa"]["label_at"][0] < 20 < by_id["inset-bb"]["label_at"][0] < 22
    # The coast: land ends at 42°N, so the sea covers the inset's north.
    sea = next(f for f in inset["features"] if f["id"] == "inset-sea")
    assert min(p[1] for p in sea["geometry"]["coordinates"][0]) == pytest.approx(42, abs=1e-3)
    # Local: the region's countries alone; it lies south of the coast, so no sea.
    assert [f["id"] for f in local["features"]] == ["local-aa", "local-bb"]


def test_the_base_records_and_credits_its_sources(packages, tmp_path):
    files, _ = make_base((19.5, 41.0, 20.5, 41.5), base_sources(packages))
    for name in ("local.geojson", "inset.geojson"):
        meta = json.loads(files[name])["bordermap"]
        versions = {source["id"]: source["version"] for source in meta["sources"]}
        assert versions == {
            "osm-borders": "@osm_borders/maritime_10m 1.1.0",
            "natural-earth": "world-atlas 2.0.2",
        }
        licences = [source["licence"] for source in meta["sources"]]
        assert licences[0] == "ODbL-1.0" and licences[1].startswith("public domain")
        assert "OpenStreetMap" in meta["credit"] and "Natural Earth" in meta["credit"]
    readme = files["README.md"]
    assert "world-atlas 2.0.2" in readme and "ODbL-1.0" in readme and "public domain" in readme
    # bordermap reads what it made as strictly as any base.
    (tmp_path / "map" / "base").mkdir(parents=True)
    for name, text in files.items():
        (tmp_path / "map" / "base" / name).write_text(text, "utf-8")
    assert set(read_base(tmp_path / "map")) == {"local", "inset"}


def test_a_missing_package_is_one_line_naming_the_install(tmp_path):
    (tmp_path / "world-atlas").mkdir()
    with pytest.raises(FactsError) as caught:
        base_sources(tmp_path)
    (line,) = caught.value.problems
    assert "@osm_borders/maritime_10m" in line and "npm ci --prefix scripts" in line


def test_the_inset_grows_with_a_large_region():
    west, south, east, north = inset_extent((0.0, 0.0, 20.0, 10.0))
    assert (east - west, north - south) == (80.0, 40.0)
    small = inset_extent((7.7, 48.5, 7.9, 48.65))
    assert small[2] - small[0] == pytest.approx(INSET_SPAN_KM[0] / (111.32 * 0.6613), rel=0.01)


def test_a_base_country_is_named_as_the_map_names_it():
    feature = {"properties": {"kind": "country", "country": "FR", "name_en": "FR"}}
    layers = build_layers(load_facts(REPO / "tests" / "maps" / "synthetic" / "facts.toml"))
    with activated(spec_of(layers)):
        assert base_name(feature, "de") == "Westland"
        assert base_name(feature, "en") == "West Country"
        other = {"properties": {"kind": "country", "country": "CH", "name_en": "CH"}}
        assert base_name(other, "de") == "CH"
    assert base_name(feature, "de") == "FR"  # no map active: the file's name


def test_new_without_packages_takes_the_shipped_base_and_its_inset(tmp_path, monkeypatch):
    shutil.copytree(REPO / "geodata" / "base", tmp_path / "geodata" / "base")
    monkeypatch.chdir(tmp_path)
    region = [130.55, 42.35, 130.75, 42.5]  # the lower Tumen
    assert main(["new", "maps/lower", "--region", ",".join(map(str, region))]) == 0
    inset = json.loads(Path("maps/lower/base/inset.geojson").read_text("utf-8"))
    west, south, east, north = inset["bordermap"]["extent"]
    assert east - west > 8 and north - south > 5  # not the region: a wider view
    codes = [f["properties"]["country"] for f in inset["features"]]
    assert {"KP", "RU", "CN"} <= set(codes)
    # The shipped base's own sources, with their versions, are the new base's.
    versions = {source["id"]: source.get("version") for source in inset["bordermap"]["sources"]}
    assert versions == {
        "osm-borders": "@osm_borders/maritime_10m 1.1.0",
        "natural-earth": "world-atlas 2.0.2",
    }


# --- the real packages (installed by scripts/test.sh; no network here)


@pytest.fixture(scope="module")
def real_packages() -> Path:
    if not (PACKAGES / "world-atlas" / "land-10m.json").is_file():
        reason = "the base data packages are missing: run 'npm ci --prefix scripts'"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"must run in CI: {reason}")
        pytest.skip(reason)
    return PACKAGES


def test_new_makes_a_real_map_with_a_wider_locator_inset(real_packages, tmp_path, capsys):
    folder = tmp_path / "maps" / "strasbourg"
    region = "7.70,48.50,7.90,48.65"  # the Rhine between Strasbourg and Kehl
    args = ["new", str(folder), "--region", region, "--languages", "en,fr,de"]
    assert main([*args, "--packages", str(real_packages)]) == 0
    facts = load_facts(folder / "facts.toml")
    assert facts.spec is not None
    assert {country.code for country in facts.spec.countries} == {"FR", "DE"}
    inset = json.loads((folder / "base" / "inset.geojson").read_text("utf-8"))
    countries = {f["properties"]["country"] for f in inset["features"] if f["id"] != "inset-sea"}
    # 700 km around Strasbourg: its neighbours too, outlined but not the map's.
    assert {"FR", "DE", "CH", "LU", "BE"} <= countries
    west, south, east, north = inset["bordermap"]["extent"]
    assert west < 3.5 and east > 12 and south < 46.2 and north > 50.9
    readme = (folder / "base" / "README.md").read_text("utf-8")
    assert "world-atlas 2.0.2" in readme and "@osm_borders/maritime_10m 1.1.0" in readme
    outputs = tmp_path / "out"
    assert main(["build", "--geodata", str(folder), "--outputs", str(outputs)]) == 0
    page = unpacked((outputs / "strasbourg_border_map.html").read_text("utf-8"))
    assert "Natural Earth" in page and "OpenStreetMap" in page  # credited on the map
    inset_svg = page[page.index('class="bm-inset-map"') :]
    inset_svg = inset_svg[: inset_svg.index("</svg>")]
    # Every country of the inset is drawn: the map's two and at least three others.
    assert inset_svg.count("<path") >= 5


def test_the_synthetic_map_draws_its_inset():
    synthetic = REPO / "tests" / "maps" / "synthetic"
    layers = build_layers(load_facts(synthetic / "facts.toml"))
    base = read_base(synthetic)
    page = unpacked(render_html(build_map(layers, language="de", base=base)))
    inset_svg = page[page.index('class="bm-inset-map"') :]
    inset_svg = inset_svg[: inset_svg.index("</svg>")]
    # The map's two countries, named in German in the inset.
    assert "WESTLAND" in inset_svg and "OSTLAND" in inset_svg
    # A wider view: the inset spans hundreds of km; the region is marked as a box.
    west, south, east, north = base["inset"]["bordermap"]["extent"]
    assert east - west > 20 * (7.9 - 7.7) and north - south > 20 * (48.65 - 48.5)
    assert 'class="bm-inset-extent"' in inset_svg
