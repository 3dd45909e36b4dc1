"""The base layers: that they agree with our border and river, record their sources and
licences, name the countries in three languages, and are read as strictly as the layers;
and the TopoJSON decoder of scripts/make_base.py."""

from __future__ import annotations

import importlib.util
import itertools
import json
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import shapely
from helpers import SHIPPED
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, shape
from shapely.ops import unary_union

from bordermap._geojson import dumps_geojson
from bordermap.base import (
    BOUNDARY_STYLE,
    OTHER_LAND_STYLE,
    SEA_STYLE,
    Base,
    base_credit,
    base_name,
    base_path,
    base_style,
    country_styles,
    extent_feature,
    read_base,
)
from bordermap.errors import BordermapError, LayerError
from bordermap.layers import Layers
from bordermap.mapspec import activated
from bordermap.styles import styles

#: Issue 8: no base boundary drawn at local scale strays farther than this from our border.
MAX_DEVIATION_M = 50.0


@pytest.fixture(scope="module")
def base(geodata_dir: Path) -> Base:
    return read_base(geodata_dir)


@pytest.fixture(scope="module")
def make_base(repo_root: Path) -> ModuleType:
    """scripts/make_base.py, imported (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("make_base", repo_root / "scripts/make_base.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _metres() -> Transformer:
    return Transformer.from_crs("EPSG:4326", SHIPPED.projection, always_xy=True)


def _in_metres(geometry: Any) -> Any:
    transformer = _metres()
    return shapely.transform(
        geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def _feature(collection: dict[str, Any], feature_id: str) -> dict[str, Any]:
    return next(f for f in collection["features"] if f["id"] == feature_id)


def _countries(collection: dict[str, Any]) -> dict[str, Any]:
    return {
        f["properties"]["country"]: shape(f["geometry"])
        for f in collection["features"]
        if f["properties"]["kind"] == "country"
    }


def _border_line(layers: Layers) -> LineString:
    feature = next(f for f in layers["border"]["features"] if f["properties"]["kind"] == "border")
    return LineString(feature["geometry"]["coordinates"])


def _point(layers: Layers, kind: str) -> Point:
    feature = next(
        f
        for layer in layers.values()
        for f in layer["features"]
        if f["properties"]["kind"] == kind
    )
    return Point(feature["geometry"]["coordinates"])


# ---------------------------------------------------------------------------
# The base never contradicts our layers
# ---------------------------------------------------------------------------


def test_local_north_korea_russia_boundary_lies_on_our_border(base, shipped_layers):
    """Every vertex of the boundary between the local North Korea and Russia areas
    lies within 50 m of geodata/border.geojson's line, measured in metres (UTM 52N)."""
    countries = _countries(base["local"])
    shared = countries["KP"].boundary.intersection(countries["RU"].boundary)
    border = _in_metres(_border_line(shipped_layers))
    vertices = shapely.get_coordinates(_in_metres(shared))
    assert len(vertices) >= 10
    deviations = [border.distance(Point(vertex)) for vertex in vertices]
    assert max(deviations) <= MAX_DEVIATION_M
    # Not vacuous: the areas meet along the whole border, tripoint to mouth.
    shared_lines = [g for g in getattr(shared, "geoms", [shared]) if g.length > 0]
    assert _in_metres(unary_union(shared_lines)).length == pytest.approx(border.length, rel=0.02)


def test_no_local_boundary_line_strays_from_our_border_or_tripoint(base, shipped_layers):
    """China's boundaries start at our tripoint, and any North Korea–Russia line is ours."""
    border = _in_metres(_border_line(shipped_layers))
    tripoint = _in_metres(_point(shipped_layers, "tripoint"))
    boundaries = [f for f in base["local"]["features"] if f["properties"]["kind"] == "boundary"]
    assert {tuple(f["properties"]["between"]) for f in boundaries} == {("CN", "KP"), ("CN", "RU")}
    for feature in boundaries:
        line = _in_metres(shape(feature["geometry"]))
        assert line.distance(tripoint) <= MAX_DEVIATION_M, feature["id"]
        if set(feature["properties"]["between"]) == {"KP", "RU"}:
            for vertex in shapely.get_coordinates(line):
                assert border.distance(Point(vertex)) <= MAX_DEVIATION_M


def test_each_bank_lies_in_its_country(base, shipped_layers):
    countries = _countries(base["local"])
    places = {
        f["id"]: Point(f["geometry"]["coordinates"]) for f in shipped_layers["places"]["features"]
    }
    assert countries["RU"].contains(places["khasan-station"])
    assert countries["KP"].contains(places["tumangang-station"])
    assert countries["KP"].contains(places["tumangang"])
    # The tripoint is where all three meet.
    tripoint = _in_metres(_point(shipped_layers, "tripoint"))
    for code in ("KP", "RU", "CN"):
        assert _in_metres(countries[code]).distance(tripoint) < 1.0, code


def test_the_coast_meets_our_river_mouth(base, shipped_layers):
    countries = _countries(base["local"])
    mouth = _in_metres(_point(shipped_layers, "river_mouth"))
    coast = _in_metres(unary_union([countries["KP"], countries["RU"]]).boundary)
    assert coast.distance(mouth) < 5.0
    sea = shape(_feature(base["local"], "local-sea")["geometry"])
    assert _in_metres(sea).distance(mouth) < 5.0


@pytest.mark.parametrize("scale", ["local", "inset"])
def test_areas_tile_the_extent_without_overlaps(base, scale):
    collection = base[scale]
    areas = [
        shape(f["geometry"])
        for f in collection["features"]
        if f["properties"]["kind"] in ("country", "sea")
    ]
    for first, second in itertools.combinations(areas, 2):
        assert first.intersection(second).area < 1e-7
    west, south, east, north = collection["bordermap"]["extent"]
    total = (east - west) * (north - south)
    assert sum(area.area for area in areas) == pytest.approx(total, rel=0.002)


def test_local_extent_covers_the_map_region(base, shipped_layers):
    region = shipped_layers["border"]["bordermap"]["region"]
    assert base["local"]["bordermap"]["extent"] == region


# ---------------------------------------------------------------------------
# The inset
# ---------------------------------------------------------------------------


def test_inset_holds_the_three_countries_the_sea_and_two_cities(base):
    inset = base["inset"]
    countries = _countries(inset)
    focus = {
        f["properties"]["country"]
        for f in inset["features"]
        if f["properties"]["kind"] == "country" and f["properties"]["focus"]
    }
    assert focus == {"KP", "RU", "CN"}
    assert all(
        "label_at" in f["properties"]
        for f in inset["features"]
        if f["properties"]["kind"] == "country" and f["properties"]["focus"]
    )
    cities = {f["id"]: f for f in inset["features"] if f["properties"]["kind"] == "city"}
    assert set(cities) == {"vladivostok", "pyongyang"}
    vladivostok = cities["vladivostok"]["geometry"]["coordinates"]
    pyongyang = cities["pyongyang"]["geometry"]["coordinates"]
    assert vladivostok == [131.8855, 43.1155]
    assert pyongyang == [125.7625, 39.0392]
    # Each city lies in (or, Vladivostok being on the coast, within 5 km of) its country.
    geod = Geod(ellps="WGS84")
    for key, code in (("vladivostok", "RU"), ("pyongyang", "KP")):
        city = Point(cities[key]["geometry"]["coordinates"])
        nearest = shapely.ops.nearest_points(countries[code], city)[0]
        assert geod.inv(nearest.x, nearest.y, city.x, city.y)[2] < 5000, key
        assert cities[key]["properties"]["sources"][0]["url"].startswith(
            "https://en.wikipedia.org/wiki/"
        )
    assert cities["pyongyang"]["properties"]["capital"] is True
    (sea_name,) = [f for f in inset["features"] if f["properties"]["kind"] == "sea_name"]
    sea = shape(_feature(inset, "inset-sea")["geometry"])
    assert sea.contains(Point(sea_name["geometry"]["coordinates"]))


def test_inset_extent_is_north_east_asia(base):
    west, south, east, north = base["inset"]["bordermap"]["extent"]
    for lon, lat in ((131.8855, 43.1155), (125.7625, 39.0392), (130.64, 42.42), (135.0, 40.0)):
        assert west < lon < east and south < lat < north


def test_country_names_in_three_languages(base):
    local = base["local"]
    assert [
        base_name(_feature(local, f"local-{code}"), language)
        for code in ("kp", "ru", "cn")
        for language in ("en", "ko", "ru")
    ] == ["North Korea", "북한", "КНДР", "Russia", "러시아", "Россия", "China", "중국", "Китай"]
    for scale in ("local", "inset"):
        (sea_name,) = [f for f in base[scale]["features"] if f["properties"]["kind"] == "sea_name"]
        assert [base_name(sea_name, language) for language in ("en", "ko", "ru")] == [
            "Sea of Japan",
            "동해 (일본해)",
            "Японское море",
        ]
    assert base_name(_feature(local, "local-kp"), "fr") == "North Korea"


# ---------------------------------------------------------------------------
# Sources, licences, files
# ---------------------------------------------------------------------------


def test_every_file_and_feature_records_source_version_and_licence(base):
    for scale, collection in base.items():
        meta = collection["bordermap"]
        assert meta["base"] == scale
        assert "scripts/make_base.py" in meta["made_by"]
        for source in meta["sources"]:
            assert source["version"] and source["licence"] and source["credit"]
            assert source["url"].startswith("https://")
            assert source["integrity"].startswith("sha512-")
        for feature in collection["features"]:
            assert feature["properties"]["sources"], feature["id"]
            for source in feature["properties"]["sources"]:
                assert source["licence"] and source["credit"] and source["url"]
    local = {s["package"]: s for s in base["local"]["bordermap"]["sources"]}
    assert local["@osm_borders/maritime_10m"]["licence"] == "ODbL-1.0"
    assert "public domain" in local["world-atlas"]["licence"]
    assert [s["package"] for s in base["inset"]["bordermap"]["sources"]] == ["world-atlas"]


def test_package_lock_pins_what_the_files_say(base, repo_root):
    lock = json.loads((repo_root / "scripts/package-lock.json").read_text(encoding="utf-8"))
    for collection in base.values():
        for source in collection["bordermap"]["sources"]:
            locked = lock["packages"][f"node_modules/{source['package']}"]
            assert (locked["version"], locked["integrity"]) == (
                source["version"],
                source["integrity"],
            )


def test_base_credit_names_each_source_once(base):
    assert base_credit(base) == (
        "Land, sea and boundaries: © OpenStreetMap contributors (ODbL); Natural Earth"
    )
    assert base_credit({"inset": base["inset"]}) == "Land, sea and boundaries: Natural Earth"
    assert base_credit({}) == ""


@pytest.mark.parametrize("scale", ["local", "inset"])
def test_files_are_deterministic_geojson(geodata_dir, scale):
    text = base_path(geodata_dir, scale).read_text(encoding="utf-8")
    assert dumps_geojson(json.loads(text)) == text
    assert "NaN" not in text


def test_the_readme_documents_the_command_and_the_licences(geodata_dir):
    readme = (geodata_dir / "base" / "README.md").read_text(encoding="utf-8")
    for words in ("python scripts/make_base.py", "ODbL", "public domain", "world-atlas 2.0.2"):
        assert words in readme


# ---------------------------------------------------------------------------
# Styles
# ---------------------------------------------------------------------------


def test_fills_are_distinct_from_each_other_and_from_the_layers(base):
    with activated(SHIPPED):
        country_style = country_styles()
        assert base_style(_feature(base["local"], "local-kp")) == country_style["KP"]
    fills = [style.fill for style in (*country_style.values(), OTHER_LAND_STYLE, SEA_STYLE)]
    assert len(set(fills)) == len(fills) == 5
    layer_colours = {c for s in styles().values() for c in (s.color, s.fill) if c}
    assert not set(fills) & layer_colours
    assert base_style(_feature(base["inset"], "inset-jp")) is OTHER_LAND_STYLE
    assert base_style(_feature(base["local"], "local-sea")) is SEA_STYLE
    assert base_style(_feature(base["local"], "local-boundary-cn-kp")) is BOUNDARY_STYLE


def test_extent_feature_is_a_closed_box():
    feature = extent_feature((130.6, 42.4, 130.7, 42.45))
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert shape(feature["geometry"]).bounds == (130.6, 42.4, 130.7, 42.45)
    with pytest.raises(ValueError, match="west, south, east, north"):
        extent_feature((131, 42, 130, 43))


# ---------------------------------------------------------------------------
# Reading: every problem at once, nothing half-read
# ---------------------------------------------------------------------------


@pytest.fixture
def base_copy(tmp_path: Path, geodata_dir: Path) -> Path:
    shutil.copytree(geodata_dir / "base", tmp_path / "base")
    return tmp_path


def _edit(directory: Path, scale: str, change: Any) -> None:
    path = base_path(directory, scale)
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_read_base_reports_every_problem_at_once(base_copy):
    def break_local(data: dict[str, Any]) -> None:
        data["bordermap"]["sources"][0]["licence"] = ""
        data["features"][1]["properties"]["kind"] = "province"
        data["features"][2]["properties"]["name_ko"] = ""

    def break_inset(data: dict[str, Any]) -> None:
        city = next(f for f in data["features"] if f["id"] == "pyongyang")
        city["geometry"]["coordinates"] = [39.0392, 125.7625]
        data["features"][0]["properties"]["sources"] = []

    _edit(base_copy, "local", break_local)
    _edit(base_copy, "inset", break_inset)
    with pytest.raises(LayerError) as raised:
        read_base(base_copy)
    assert isinstance(raised.value, BordermapError) and isinstance(raised.value, ValueError)
    problems = raised.value.problems
    assert len(problems) == 5, problems
    local, inset = str(base_path(base_copy, "local")), str(base_path(base_copy, "inset"))
    assert any(
        p.startswith(local) and "bordermap.sources[0]" in p and "licence" in p for p in problems
    )
    assert any(p.startswith(local) and "'province'" in p for p in problems)
    assert any(p.startswith(local) and "local-ru" in p and "name_ko" in p for p in problems)
    assert any(
        p.startswith(inset) and "feature 'pyongyang'" in p and "swapped" in p for p in problems
    )
    assert any(p.startswith(inset) and "field 'sources'" in p for p in problems)


def test_missing_base_says_how_to_make_it(tmp_path):
    with pytest.raises(LayerError) as raised:
        read_base(tmp_path)
    assert len(raised.value.problems) == 2
    assert all("python scripts/make_base.py" in p for p in raised.value.problems)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("{", "not valid JSON"),
        ('{"type": "FeatureCollection", "features": [NaN]}', "NaN is not a number JSON allows"),
        ('{"type": "Feature"}', "expected a GeoJSON FeatureCollection"),
    ],
)
def test_malformed_files_are_refused(base_copy, text, message):
    base_path(base_copy, "inset").write_text(text, encoding="utf-8")
    with pytest.raises(LayerError, match=message):
        read_base(base_copy)


def test_an_invalid_polygon_is_refused(base_copy):
    def bow_tie(data: dict[str, Any]) -> None:
        country = next(f for f in data["features"] if f["id"] == "local-cn")
        country["geometry"] = {
            "type": "Polygon",
            "coordinates": [
                [[130.1, 42.1], [130.2, 42.2], [130.2, 42.1], [130.1, 42.2], [130.1, 42.1]]
            ],
        }

    _edit(base_copy, "local", bow_tie)
    with pytest.raises(LayerError, match=r"local-cn.*not valid"):
        read_base(base_copy)


# ---------------------------------------------------------------------------
# The TopoJSON decoder of scripts/make_base.py
# ---------------------------------------------------------------------------

# Two unit squares side by side, both rings clockwise, sharing the edge x = 1 (arc 1):
# the west square runs it southward, the east one northward (as ~1). Quantized and
# delta-encoded: scale 0.5, translate (10, 20), so integer 2 is 1.0 degree.
QUANTIZED = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "arcs": [
        [[2, 0], [-2, 0], [0, 2], [2, 0]],  # (11,20) -> (10,20) -> (10,21) -> (11,21)
        [[2, 2], [0, -2]],  # (11,21) -> (11,20): the shared edge
        [[2, 2], [2, 0], [0, -2], [-2, 0]],  # (11,21) -> (12,21) -> (12,20) -> (11,20)
    ],
    "objects": {
        "squares": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "id": "W", "properties": {"name": "west"}, "arcs": [[0, 1]]},
                {"type": "Polygon", "id": "E", "arcs": [[2, ~1]]},
                {"type": "Point", "coordinates": [4, 2]},
                {"type": "LineString", "arcs": [~1]},
                {"type": None},
            ],
        }
    },
}


def test_topojson_decoder_delta_decodes_stitches_and_reverses_arcs(make_base):
    west, east, point, line, empty = make_base.decode_object(QUANTIZED, "squares")
    assert west["id"] == "W" and west["properties"] == {"name": "west"}
    assert west["geometry"] == {
        "type": "Polygon",
        "coordinates": [[[11.0, 20.0], [10.0, 20.0], [10.0, 21.0], [11.0, 21.0], [11.0, 20.0]]],
    }
    # ~1 is arc 1 reversed; the shared end is not repeated.
    assert east["geometry"]["coordinates"] == [
        [[11.0, 21.0], [12.0, 21.0], [12.0, 20.0], [11.0, 20.0], [11.0, 21.0]]
    ]
    assert shape(west["geometry"]).area == shape(east["geometry"]).area == 1.0
    assert shape(west["geometry"]).intersection(shape(east["geometry"])).length == 1.0
    # Points are quantized but never delta-encoded.
    assert point["geometry"] == {"type": "Point", "coordinates": [12.0, 21.0]}
    assert line["geometry"]["coordinates"] == [[11.0, 20.0], [11.0, 21.0]]
    assert empty["geometry"] is None


def test_topojson_decoder_reads_unquantized_topologies(make_base):
    topology = {
        "type": "Topology",
        "arcs": [[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 0.5]]],
        "objects": {"one": {"type": "MultiPolygon", "arcs": [[[0]]]}},
    }
    (feature,) = make_base.decode_object(topology, "one")
    assert feature["geometry"]["coordinates"] == [
        [[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 0.5]]]
    ]


def test_simplified_arcs_keep_shared_boundaries_shared(make_base):
    topology = json.loads(json.dumps(QUANTIZED))
    arcs = make_base.decode_arcs(topology)
    arcs[1] = [(11.0, 21.0), (11.0001, 20.5), (11.0, 20.0)]  # a kink simplification removes
    simplified = make_base.simplify_arcs(arcs, 100.0)
    assert simplified[1] == [(11.0, 21.0), (11.0, 20.0)]
    west, east, *_ = make_base.decode_object(topology, "squares", simplified)
    shared = shape(west["geometry"]).intersection(shape(east["geometry"]))
    assert shared.length == pytest.approx(1.0)


# ---------------------------------------------------------------------------
# Helpers for renderers that cannot measure text (the web map)
# ---------------------------------------------------------------------------

VIEW = (130.628, 42.405, 130.66, 42.428)  # about the bridges


def test_area_label_points_lie_in_their_area_and_the_view(base, shipped_layers):
    from bordermap._layout import feature_coords
    from bordermap.base import area_label_points

    avoid = [feature_coords(f) for layer in shipped_layers.values() for f in layer["features"]]
    points = area_label_points(base["local"], VIEW, avoid=avoid)
    assert {"local-kp", "local-ru", "local-cn"} <= set(points)
    assert "local-sea-of-japan" not in points  # no sea in this view
    countries = {f["id"]: shape(f["geometry"]) for f in base["local"]["features"]}
    west, south, east, north = VIEW
    river = _in_metres(_border_line(shipped_layers))
    for feature_id, (lon, lat) in points.items():
        assert countries[feature_id].contains(Point(lon, lat)), feature_id
        assert west < lon < east and south < lat < north
    for feature_id in ("local-kp", "local-ru"):
        assert river.distance(_in_metres(Point(points[feature_id]))) > 100
    wide = area_label_points(base["local"], (130.55, 42.27, 130.75, 42.45))
    sea = shape(_feature(base["local"], "local-sea")["geometry"])
    assert sea.contains(Point(wide["local-sea-of-japan"]))


def test_inset_svg_draws_the_inset_and_escapes_the_names(base):
    import copy
    import xml.etree.ElementTree as ET

    from bordermap.base import inset_svg

    svg = inset_svg(base["inset"], VIEW, language="ko")
    root = ET.fromstring(svg)
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"북한", "러시아", "중국", "동해 (일본해)", "블라디보스토크", "평양"} <= set(texts)
    (extent,) = [e for e in root.iter() if e.get("class") == "bm-inset-extent"]
    assert float(extent.get("width") or 0) >= 8
    x = float(extent.get("x") or 0) + float(extent.get("width") or 0) / 2
    # The box is where the Tumen is: Web Mercator x of 130.644°E, in the SVG's units.
    x0, unit = float(extent.get("data-x0") or 0), float(extent.get("data-unit") or 1)
    expected = Transformer.from_crs(4326, 3857, always_xy=True).transform(130.644, 42.4)[0] - x0
    assert x == pytest.approx(expected / unit, abs=0.2)
    hostile = copy.deepcopy(base["inset"])
    hostile["features"][-1]["properties"]["name_en"] = '<script>alert(1)</script>"'
    markup = inset_svg(hostile, VIEW)
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def _absolute(path: str) -> list[tuple[float, float]]:
    """Read back "M x,y l dx,dy ... Z" as absolute points."""
    import re

    start, steps = path[1:-1].split("l")
    x, y = (float(v) for v in start.split(","))
    points = [(x, y)]
    for step in steps.split(" "):
        dx, dy = (float(v) for v in re.split(",", step))
        x, y = x + dx, y + dy
        points.append((round(x, 1), round(y, 1)))
    return points


def test_inset_rings_are_simplified_within_half_a_pixel_without_drift():
    import math

    from shapely.geometry import LineString, Point

    from bordermap._inset import INSET_TOLERANCE, _inset_ring

    # A wiggly coast: 2,000 points, most of them closer than a pixel to their neighbours.
    ring = [
        (50 + 30 * math.cos(t) + 0.05 * math.sin(40 * t), 50 + 30 * math.sin(t))
        for t in (2 * math.pi * i / 2000 for i in range(2000))
    ]
    ring.append(ring[0])
    path = _inset_ring(ring)
    points = _absolute(path)
    assert 20 < len(points) < 400
    drawn = LineString(points)
    # Every given point is within the tolerance (and the tenths' rounding) of the path.
    assert max(drawn.distance(Point(p)) for p in ring) <= INSET_TOLERANCE + 0.08
    # Relative steps add up to the last point exactly: no rounding error builds up.
    assert points[-1] == (round(ring[-1][0], 1), round(ring[-1][1], 1))
    # An island smaller than a pixel is not drawn.
    assert _inset_ring([(1, 1), (1.1, 1), (1.1, 1.1), (1, 1)]) == ""


def test_inset_svg_is_small(geodata_dir):
    from bordermap.base import inset_svg, read_base

    svg = inset_svg(read_base(geodata_dir)["inset"], (130.6, 42.38, 130.7, 42.44))
    # It was 73 kB with every vertex of Natural Earth's 1:10m outlines at 0.1 unit, and
    # 30 kB simplified within a quarter of a unit.
    assert len(svg) < 20_000
