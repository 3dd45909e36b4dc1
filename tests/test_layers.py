"""Tests for bordermap.layers: positions against FACTS.md, GeoJSON shape and files."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import re
import stat

import pytest
from helpers import LAYER_NAMES, TUMEN_CHANNEL_LAT_LON

from bordermap import settings
from bordermap.errors import LayerError
from bordermap.facts import load_facts
from bordermap.geometry import (
    distance_along,
    distance_m,
    geodesic_length,
    point_along,
    side_of_line,
)
from bordermap.layers import build_layers, layer_path, read_layers, render_layers, write_layers

# FACTS.md, ``lat, lon``.
TRIPOINT = (42.418332, 130.637009)
MOUTH = (42.292735, 130.702100)
CHANNEL = TUMEN_CHANNEL_LAT_LON
RAIL_BRIDGE_CENTRE = (42.415167, 130.641056)
KHASAN_STATION = (42.430056, 130.644917)
KHASAN_STATION_RUWIKI = (42.428056, 130.645278)
TUMANGANG_STATION = (42.421389, 130.608056)
TUMANGANG = (42.421683, 130.602551)

# Statuses of a bridge in service ("open" and "existing" both say so).
IN_SERVICE = ("open", "existing")

WGS84_A = 6_378_137.0
WGS84_E2 = 0.00669437999014


def lon_lat(lat_lon):
    lat, lon = lat_lon
    return (lon, lat)


def only_feature(layers, layer_name, feature_id=None):
    features = layers[layer_name]["features"]
    if feature_id is None:
        [feature] = features
        return feature
    [feature] = [feature for feature in features if feature["id"] == feature_id]
    return feature


def all_features(layers):
    return [feature for layer in layers.values() for feature in layer["features"]]


def figure_of(feature, name):
    """The feature's figure whose name starts with ``name``."""
    [found] = [figure for figure in feature.figures if figure.name.startswith(name)]
    return found


def replace_once(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def coords_of(feature):
    return [tuple(position) for position in feature["geometry"]["coordinates"]]


def river_coords(layers):
    return coords_of(only_feature(layers, "tumen_river"))


def midpoint(line):
    return point_along(line, geodesic_length(line) / 2.0)


def local_bearing(a, b):
    """Bearing from ``a`` to ``b`` (``lon, lat``) in a local tangent plane, in [0, 360)."""
    mean_lat = math.radians((a[1] + b[1]) / 2.0)
    w = math.sqrt(1.0 - WGS84_E2 * math.sin(mean_lat) ** 2)
    east = math.radians(b[0] - a[0]) * WGS84_A / w * math.cos(mean_lat)
    north = math.radians(b[1] - a[1]) * WGS84_A * (1.0 - WGS84_E2) / w**3
    return math.degrees(math.atan2(east, north)) % 360.0


def river_segment_bearing(river, along):
    """Bearing of the river's segment on which ``along`` metres falls."""
    walked = 0.0
    for start, end in itertools.pairwise(river):
        segment = distance_m(start, end)
        if walked + segment >= along:
            return local_bearing(start, end)
        walked += segment
    raise AssertionError("past the river's end")


def angle_between_lines(a, b):
    """Angle between two undirected directions (degrees), in [0, 90]."""
    difference = abs(a - b) % 180.0
    return min(difference, 180.0 - difference)


# --- the river and the border -----------------------------------------------------------


def test_river_follows_the_channel_points(layers):
    river = river_coords(layers)
    assert len(river) == 20
    for drawn, published in zip(river, CHANNEL, strict=True):
        assert drawn == pytest.approx(lon_lat(published), abs=1e-9)


def test_river_runs_from_the_tripoint_to_the_mouth(layers):
    river = river_coords(layers)
    assert river[0] == pytest.approx(lon_lat(TRIPOINT), abs=1e-9)
    assert river[-1] == pytest.approx(lon_lat(MOUTH), abs=1e-9)


def test_river_is_about_17_7_km(layers):
    feature = only_feature(layers, "tumen_river")
    assert 17_600 <= geodesic_length(river_coords(layers)) <= 17_900
    assert 17_600 <= feature["properties"]["length_m"] <= 17_900


def test_border_is_drawn_on_the_channel(layers):
    border = only_feature(layers, "border", "kp-ru-border")
    assert coords_of(border) == river_coords(layers)
    assert border["properties"]["kind"] == "border"


def test_border_keeps_both_published_lengths(layers):
    border = only_feature(layers, "border", "kp-ru-border")
    [length] = border["properties"]["figures"]
    assert {value["value"] for value in length["values"]} == {17000, 15000}
    assert length["disputed"] is True


@pytest.mark.parametrize(
    ("layer_name", "feature_id", "published"),
    [
        ("border", "tripoint", TRIPOINT),
        ("places", "tripoint-place", TRIPOINT),
        ("places", "tumen-mouth", MOUTH),
        ("places", "khasan-station", KHASAN_STATION),
        ("places", "tumangang-station", TUMANGANG_STATION),
        ("places", "tumangang", TUMANGANG),
    ],
)
def test_places_are_at_the_published_points(layers, layer_name, feature_id, published):
    feature = only_feature(layers, layer_name, feature_id)
    assert feature["geometry"]["type"] == "Point"
    position = tuple(feature["geometry"]["coordinates"])
    assert distance_m(position, lon_lat(published)) <= settings.position_tolerance_m
    assert distance_m(position, lon_lat(published)) < 1.0  # published points are drawn as is


def test_khasan_station_shows_the_disagreement(layers):
    station = only_feature(layers, "places", "khasan-station")
    properties = station["properties"]
    assert properties["approximate"] is True
    # FACTS.md: the Russian Wikipedia position is about 220 m away.
    assert 200 <= properties["accuracy_m"] <= 250
    [alternative] = properties["position_alternatives"]
    assert (alternative["lat"], alternative["lon"]) == KHASAN_STATION_RUWIKI
    assert 200 <= alternative["distance_m"] <= 240
    assert alternative["sources"] == ["ruwiki-khasan-station"]


def test_stations_are_on_their_own_banks(layers):
    river = river_coords(layers)
    khasan = tuple(only_feature(layers, "places", "khasan-station")["geometry"]["coordinates"])
    tumangang = tuple(
        only_feature(layers, "places", "tumangang-station")["geometry"]["coordinates"]
    )
    assert side_of_line(river, khasan) == 1  # Russia: left bank
    assert side_of_line(river, tumangang) == -1  # North Korea: right bank


# --- the rail bridge --------------------------------------------------------------------


def test_rail_bridge_centre_is_the_published_position(layers):
    bridge = coords_of(only_feature(layers, "rail_bridge"))
    assert distance_m(midpoint(bridge), lon_lat(RAIL_BRIDGE_CENTRE)) <= 100.0


def test_rail_bridge_is_623_m_long(layers):
    feature = only_feature(layers, "rail_bridge")
    assert geodesic_length(coords_of(feature)) == pytest.approx(623.0, abs=1.0)
    assert feature["properties"]["length_m"] == pytest.approx(623.0, abs=1.0)


def test_rail_bridge_is_about_480_m_below_the_tripoint(layers):
    along = distance_along(
        river_coords(layers), midpoint(coords_of(only_feature(layers, "rail_bridge")))
    )
    assert 430 <= along <= 530


def test_rail_bridge_facts(layers):
    properties = only_feature(layers, "rail_bridge")["properties"]
    assert properties["kind"] == "rail_bridge"
    assert properties["status"] in IN_SERVICE
    assert any(
        event["date"] == "1959-08-09" and event.get("status") in IN_SERVICE
        for event in properties["events"]
    )


# --- the road bridge --------------------------------------------------------------------


def test_road_bridge_is_1000_m_long(layers):
    feature = only_feature(layers, "road_bridge")
    assert geodesic_length(coords_of(feature)) == pytest.approx(1000.0, abs=1.0)
    assert feature["properties"]["length_m"] == pytest.approx(1000.0, abs=1.0)


def test_road_bridge_is_under_construction_and_approximate(layers):
    properties = only_feature(layers, "road_bridge")["properties"]
    assert properties["status"] == "under construction"
    assert properties["approximate"] is True
    assert properties["accuracy_m"] > 0
    assert properties["accuracy_note"]


def test_road_bridge_accuracy_adds_up_every_uncertainty(facts, layers):
    # The uncertainties add up: the sources' downstream distances (400 to 500 m, drawn
    # at 415) put the centre up to 85 m off; the longest sourced length (1005 m, drawn
    # at 1000) puts each end 2.5 m beyond the drawn line (the shorter ones lie within
    # it); the unpublished bearing (±15°) swings each end of a 1 km bridge by
    # 500 m x sin 15°.
    road = facts.feature("road-bridge")
    distances = [value.value for value in figure_of(road, "downstream distance").values]
    lengths = [value.value for value in figure_of(road, "length").values]
    drawn_distance, drawn_length = road.geometry.downstream_m, road.geometry.length_m
    position = max(abs(distance - drawn_distance) for distance in distances)
    ends = max(length - drawn_length for length in lengths) / 2
    bearing = drawn_length / 2 * math.sin(math.radians(road.geometry.bearing_uncertainty_deg))
    assert (position, ends) == (85, 2.5)
    properties = only_feature(layers, "road_bridge")["properties"]
    assert properties["accuracy_m"] == math.ceil((position + ends + bearing) / 10) * 10
    assert properties["accuracy_m"] % 10 == 0  # rounded up to tens of metres
    assert "downstream" in properties["accuracy_note"]
    assert "geometry_note" in properties


def test_only_lengths_beyond_the_drawn_one_widen_a_bridge_s_accuracy(
    facts, facts_text, write_facts
):
    # The Friendship Bridge is drawn 623 m long on its published centre; sources also
    # say 590 m and 400 m, which lie within the drawn line and so add nothing. A
    # source saying 723 m puts each end 50 m beyond it.
    rail = facts.feature("friendship-bridge")
    assert min(value.value for value in figure_of(rail, "length").values) < rail.geometry.length_m
    centre = rail.geometry.centre_uncertainty_m
    bearing = rail.geometry.length_m / 2 * math.sin(math.radians(15))
    shipped = only_feature(build_layers(facts), "rail_bridge")["properties"]
    assert shipped["accuracy_m"] == math.ceil((centre + bearing) / 10) * 10
    assert "lengths" not in shipped["accuracy_note"]
    longer = replace_once(
        facts_text,
        '{ value = 590, note = "with a height of 11 m and a width of 8 m"',
        '{ value = 723, note = "with a height of 11 m and a width of 8 m"',
    )
    widened = only_feature(build_layers(load_facts(write_facts(longer))), "rail_bridge")
    assert widened["properties"]["accuracy_m"] == math.ceil((centre + bearing + 50) / 10) * 10
    assert "50 m at each end from the sources' lengths" in widened["properties"]["accuracy_note"]


def test_road_bridge_keeps_the_sources_disagreements(layers):
    figures = {
        figure["name"]: figure
        for figure in only_feature(layers, "road_bridge")["properties"]["figures"]
    }
    length = figures["length"]
    assert length["disputed"] is True
    assert length["drawn"] == 1000
    values = {value["value"]: value for value in length["values"]}
    assert {1000, 850, 800} <= set(values)
    assert all(values[number]["sources"] for number in (1000, 850, 800))


def test_road_bridge_is_400_to_500_m_downstream_of_the_rail_bridge(layers):
    river = river_coords(layers)
    rail = distance_along(river, midpoint(coords_of(only_feature(layers, "rail_bridge"))))
    road = distance_along(river, midpoint(coords_of(only_feature(layers, "road_bridge"))))
    assert 400 <= road - rail <= 500


def test_road_bridge_is_drawn_its_facts_distance_below_the_rail_bridge(facts, layers):
    # Not just within the sources' range: exactly the distance the facts draw
    # (geometry.downstream_m), measured along the river between the two centres.
    drawn = facts.feature("road-bridge").geometry.downstream_m
    assert drawn is not None
    river = river_coords(layers)
    rail = distance_along(river, midpoint(coords_of(only_feature(layers, "rail_bridge"))))
    road = distance_along(river, midpoint(coords_of(only_feature(layers, "road_bridge"))))
    assert road - rail == pytest.approx(drawn, abs=1.0)


def test_road_bridge_centre_is_on_the_channel(layers):
    river = river_coords(layers)
    centre = midpoint(coords_of(only_feature(layers, "road_bridge")))
    on_river = point_along(river, distance_along(river, centre))
    assert distance_m(centre, on_river) < 5.0


@pytest.mark.parametrize("layer_name", ["rail_bridge", "road_bridge"])
def test_bridges_are_square_to_the_river(layers, layer_name):
    river = river_coords(layers)
    bridge = coords_of(only_feature(layers, layer_name))
    along = distance_along(river, midpoint(bridge))
    river_bearing = river_segment_bearing(river, along)
    bridge_bearing = local_bearing(bridge[0], bridge[1])
    assert angle_between_lines(bridge_bearing, river_bearing) == pytest.approx(90.0, abs=10.0)


@pytest.mark.parametrize("layer_name", ["rail_bridge", "road_bridge"])
def test_bridges_start_on_the_north_korean_bank(layers, layer_name):
    river = river_coords(layers)
    first, second = coords_of(only_feature(layers, layer_name))
    assert side_of_line(river, first) == -1
    assert side_of_line(river, second) == 1
    # Independently of side_of_line: North Korea is to the south-west here.
    assert first[0] < second[0]
    assert first[1] < second[1]
    station = lon_lat(TUMANGANG_STATION)
    assert distance_m(first, station) < distance_m(second, station)


def test_bridges_cross_the_river(layers):
    river = river_coords(layers)
    for layer_name in ("rail_bridge", "road_bridge"):
        bridge = coords_of(only_feature(layers, layer_name))
        assert side_of_line(river, bridge[0]) != side_of_line(river, bridge[1])


# --- every feature ----------------------------------------------------------------------


def test_length_m_is_the_geodesic_length_of_the_geometry(layers):
    lines = [f for f in all_features(layers) if f["geometry"]["type"] == "LineString"]
    assert {f["id"] for f in lines} >= {"tumen-river", "friendship-bridge", "road-bridge"}
    for feature in lines:
        expected = geodesic_length(coords_of(feature))
        assert feature["properties"]["length_m"] == pytest.approx(expected, abs=0.05)


def test_points_have_no_length(layers):
    for feature in all_features(layers):
        if feature["geometry"]["type"] == "Point":
            assert "length_m" not in feature["properties"]


def test_coordinates_are_lon_lat_with_at_most_six_decimals(layers):
    for feature in all_features(layers):
        geometry = feature["geometry"]
        positions = (
            [geometry["coordinates"]] if geometry["type"] == "Point" else geometry["coordinates"]
        )
        for position in positions:
            assert len(position) == 2
            lon, lat = position
            # [lon, lat] near the Tumen (lon ~130.6, lat ~42.4; the context layer's
            # Quanhe bridges lie upstream at 42.57 N).
            assert lon == pytest.approx(130.6, abs=0.15), feature["id"]
            assert lat == pytest.approx(42.45, abs=0.2), feature["id"]
            assert round(lon, 6) == lon
            assert round(lat, 6) == lat


def test_written_files_have_at_most_six_decimals(layers, tmp_path):
    write_layers(layers, tmp_path)
    for name in LAYER_NAMES:
        text = layer_path(tmp_path, name).read_text(encoding="utf-8")
        for number in re.findall(r"-?\d+\.(\d+)", text):
            assert len(number) <= 6, (name, number)


def test_every_feature_has_its_properties(layers, facts):
    for feature in all_features(layers):
        properties = feature["properties"]
        assert isinstance(feature["id"], str)
        assert feature["id"]
        for key in ("name_en", "name_ko", "name_ru", "kind", "status", "description"):
            assert isinstance(properties[key], str), (feature["id"], key)
            assert properties[key], (feature["id"], key)
        assert properties["sources"], feature["id"]
        for source in properties["sources"]:
            assert source["url"].startswith(("https://", "http://")), source
            assert source["id"] in facts.sources
            assert source["publisher"]


def test_every_cited_source_is_listed_on_the_feature(layers):
    for feature in all_features(layers):
        listed = {source["id"] for source in feature["properties"]["sources"]}
        properties = feature["properties"]
        cited = set()
        for event in properties["events"]:
            cited.update(event["sources"])
        for figure in properties["figures"]:
            for value in figure["values"]:
                cited.update(value["sources"])
        cited.update(properties.get("position_sources", []))
        for alternative in properties.get("position_alternatives", []):
            cited.update(alternative["sources"])
        assert cited <= listed, feature["id"]


def test_openstreetmap_layers_credit_openstreetmap(layers):
    river = only_feature(layers, "tumen_river")
    credits = [source.get("credit") for source in river["properties"]["sources"]]
    assert any("© OpenStreetMap contributors" in (credit or "") for credit in credits)


def test_layer_names_and_order(layers):
    assert list(layers)[: len(LAYER_NAMES)] == list(LAYER_NAMES)
    for name, layer in layers.items():
        assert layer["name"] == name


# --- GeoJSON structure (RFC 7946) -------------------------------------------------------


def test_layers_are_rfc7946_feature_collections(layers):
    for name, layer in layers.items():
        assert layer["type"] == "FeatureCollection", name
        assert "crs" not in layer
        assert isinstance(layer["features"], list)
        assert layer["features"], name
        for feature in layer["features"]:
            assert feature["type"] == "Feature"
            assert set(feature) >= {"type", "id", "properties", "geometry"}
            assert "crs" not in feature
            assert isinstance(feature["id"], str | int)
            assert isinstance(feature["properties"], dict)
            geometry = feature["geometry"]
            assert geometry["type"] in ("Point", "LineString")
            if geometry["type"] == "LineString":
                assert len(geometry["coordinates"]) >= 2
            else:
                assert all(isinstance(value, float) for value in geometry["coordinates"])


def test_feature_ids_are_unique(layers):
    ids = [feature["id"] for feature in all_features(layers)]
    assert len(ids) == len(set(ids))


def test_layers_are_plain_json(layers):
    assert json.loads(json.dumps(layers, allow_nan=False)) == layers


# --- files ------------------------------------------------------------------------------


def test_write_layers_is_byte_for_byte_reproducible(layers, tmp_path):
    first = write_layers(layers, tmp_path / "first")
    second = write_layers(layers, tmp_path / "second")
    assert [path.name for path in first] == [f"{name}.geojson" for name in layers]
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    again = write_layers(layers, tmp_path / "first")
    for path in again:
        assert path.read_bytes() == (tmp_path / "second" / path.name).read_bytes()
    leftovers = [path.name for path in (tmp_path / "first").iterdir() if path.name.startswith(".")]
    assert leftovers == []


def test_written_files_are_readable_by_everyone(layers, tmp_path):
    # Temporary files start private (0600); published layers must not stay that way.
    for path in write_layers(layers, tmp_path):
        assert stat.S_IMODE(path.stat().st_mode) & 0o444 == 0o444


def test_written_files_are_the_rendered_layers(layers, tmp_path):
    rendered = render_layers(layers, tmp_path)
    for path in write_layers(layers, tmp_path):
        assert path.read_bytes() == rendered[path].encode("utf-8")
        assert path.read_bytes().endswith(b"}\n")
        # The layer as dumps_geojson writes it, and the file's own SHA-256 in its metadata.
        text = path.read_text(encoding="utf-8")
        written = json.loads(text)
        digest = written["bordermap"].pop("written_sha256")
        name = path.name.removesuffix(".geojson")
        assert written == layers[name]
        unstamped = text.replace(digest, "0" * 64)
        assert hashlib.sha256(unstamped.encode("utf-8")).hexdigest() == digest
        assert read_layers(tmp_path)[name] == layers[name]


def test_building_twice_gives_the_same_layers(facts, layers):
    assert build_layers(facts) == layers


def test_read_layers_round_trips(layers, tmp_path):
    write_layers(layers, tmp_path)
    assert read_layers(tmp_path) == layers


def test_read_layers_gives_the_layers_in_the_maps_order(layers, facts_text, tmp_path):
    (tmp_path / "facts.toml").write_text(facts_text, encoding="utf-8")  # the map's order
    write_layers(dict(reversed(list(layers.items()))), tmp_path)
    read = read_layers(tmp_path)
    assert list(read)[: len(LAYER_NAMES)] == list(LAYER_NAMES)


def test_read_layers_names_a_missing_file(layers, tmp_path):
    write_layers(layers, tmp_path)
    missing = layer_path(tmp_path, "road_bridge")
    missing.unlink()
    with pytest.raises(LayerError) as caught:
        read_layers(tmp_path)
    assert str(missing) in str(caught.value)
    assert len(caught.value.problems) == 1


def test_read_layers_names_invalid_json(layers, tmp_path):
    write_layers(layers, tmp_path)
    broken = layer_path(tmp_path, "places")
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(LayerError) as caught:
        read_layers(tmp_path)
    assert str(broken) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_read_layers_reports_every_bad_file(tmp_path, facts_text):
    (tmp_path / "facts.toml").write_text(facts_text, encoding="utf-8")  # names the layers
    layer_path(tmp_path, "border").write_text("[]", encoding="utf-8")
    with pytest.raises(LayerError) as caught:
        read_layers(tmp_path)
    message = str(caught.value)
    for name in LAYER_NAMES:
        assert str(layer_path(tmp_path, name)) in message
    assert len(caught.value.problems) == len(LAYER_NAMES)


# --- facts drive the geometry -----------------------------------------------------------


def test_moving_the_road_bridge_in_the_facts_moves_it_along_the_river(
    layers, facts_text, write_facts
):
    text = facts_text
    for old, new in (("downstream_m = 415", "downstream_m = 465"), ("drawn = 415", "drawn = 465")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    moved = build_layers(load_facts(write_facts(text)))
    river = river_coords(layers)
    before = midpoint(coords_of(only_feature(layers, "road_bridge")))
    after = midpoint(coords_of(only_feature(moved, "road_bridge")))
    shift = distance_along(river, after) - distance_along(river, before)
    assert shift == pytest.approx(50.0, abs=1.0)
    assert distance_m(before, after) == pytest.approx(50.0, abs=2.0)
    # Nothing else moved.
    assert (
        only_feature(moved, "rail_bridge")["geometry"]
        == only_feature(layers, "rail_bridge")["geometry"]
    )


def test_lengthening_the_road_bridge_in_the_facts(facts_text, write_facts):
    text = facts_text.replace("length_m = 1000", "length_m = 850").replace(
        "drawn = 1000", "drawn = 850"
    )
    moved = build_layers(load_facts(write_facts(text)))
    assert only_feature(moved, "road_bridge")["properties"]["length_m"] == pytest.approx(
        850.0, abs=0.5
    )


def test_road_bridge_is_left_out_before_it_was_agreed(facts, facts_text, write_facts):
    text = replace_once(facts_text, f'as_of = "{facts.as_of}"', 'as_of = "2024-01-01"')
    early = build_layers(load_facts(write_facts(text)))
    assert early["road_bridge"]["features"] == []
    assert only_feature(early, "rail_bridge")["properties"]["status"] in IN_SERVICE


def test_road_bridge_is_planned_in_mid_2024(facts, facts_text, write_facts):
    text = replace_once(facts_text, f'as_of = "{facts.as_of}"', 'as_of = "2024-07-01"')
    planned = build_layers(load_facts(write_facts(text)))
    assert only_feature(planned, "road_bridge")["properties"]["status"] == "planned"


def test_build_layers_does_not_modify_its_input(facts):
    before = copy.deepcopy(facts)
    build_layers(facts)
    assert facts == before


def test_the_border_shares_the_rivers_coordinates(shipped_layers):
    # Drawn the same (same_as), written and measured once: one list, not a copy.
    river = shipped_layers["tumen_river"]["features"][0]["geometry"]["coordinates"]
    border = shipped_layers["border"]["features"][0]["geometry"]["coordinates"]
    assert border is river


# --- edited layer files -----------------------------------------------------------------


def test_edited_layers_tells_each_kind_of_change_apart(layers, tmp_path):
    from bordermap._geojson import dumps_geojson
    from bordermap.layers import edited_layers

    write_layers(layers, tmp_path)
    assert edited_layers(tmp_path) == []
    river, border, places = (
        layer_path(tmp_path, name) for name in ("tumen_river", "border", "places")
    )
    rail, road = layer_path(tmp_path, "rail_bridge"), layer_path(tmp_path, "road_bridge")
    # A hand edit keeps the record, which no longer matches the text.
    river.write_text(river.read_text(encoding="utf-8").replace("Tumen", "Tuman", 1), "utf-8")
    # A save by another tool drops the record and lays the file out its own way.
    data = json.loads(border.read_text(encoding="utf-8"))
    del data["bordermap"]["written_sha256"]
    border.write_text(json.dumps(data), encoding="utf-8")
    # A file written before the record, laid out as bordermap lays it out: not edited.
    data = json.loads(places.read_text(encoding="utf-8"))
    del data["bordermap"]["written_sha256"]
    places.write_text(dumps_geojson(data), encoding="utf-8")
    rail.write_bytes(b"\xff\xfe not UTF-8")
    road.unlink()  # a missing file is not an edited one
    assert sorted(edited_layers(tmp_path)) == sorted(
        [
            f"{river}: edited since bordermap wrote it",
            f"{border}: not as bordermap wrote it (saved by another tool?)",
            f"{rail}: cannot be read as bordermap wrote it",
        ]
    )
    assert edited_layers(tmp_path, ["places", "road_bridge"]) == []
    assert edited_layers(tmp_path, ["border"]) == [
        f"{border}: not as bordermap wrote it (saved by another tool?)"
    ]


def test_each_written_file_records_the_sha256_of_its_own_text(layers, tmp_path):
    for path, text in render_layers(layers, tmp_path).items():
        digest = json.loads(text)["bordermap"]["written_sha256"]
        unstamped = text.replace(digest, "0" * 64, 1)
        assert hashlib.sha256(unstamped.encode("utf-8")).hexdigest() == digest, path.name
        assert text.count(digest) == 1


def test_each_layer_records_the_map_it_belongs_to(facts, layers):
    # Every member of a layer's "bordermap" record, from the facts it was built from.
    for name, layer in layers.items():
        assert list(layer) == ["type", "name", "bordermap", "features"], name
        assert layer["type"] == "FeatureCollection" and layer["name"] == name
        record = layer["bordermap"]
        assert record["map"] == facts.id
        assert record["title"] == facts.title
        assert record["subject"] == facts.subject
        for key, value in facts.translations.items():
            assert record[key] == value, (name, key)
        assert record["as_of"] == facts.as_of
        assert record["facts"] == facts.path.name
        assert record["region"] == list(facts.region)
        notes = [note for note in facts.notes if note.layer == name]
        if not notes:
            assert "notes" not in record, name
            continue
        assert record["notes"] == [
            {
                "date": note.date,
                "text": note.text,
                "sources": [facts.sources[key].as_properties() for key in note.sources],
            }
            for note in notes
        ]
    assert any("notes" in layer["bordermap"] for layer in layers.values())


def test_each_feature_carries_its_facts_in_a_fixed_order(facts, layers):
    from pyproj import Geod

    geod = Geod(ellps=settings.ellipsoid)
    drawn = {feature["id"]: feature for feature in all_features(layers)}
    for fact in facts.features:
        if fact.status_on(facts.as_of_date) is None:
            assert fact.id not in drawn
            continue
        feature = drawn[fact.id]
        properties = feature["properties"]
        assert [properties.pop(f"name_{lang}") for lang in ("en", "ko", "ru")] == [
            fact.name[lang] for lang in ("en", "ko", "ru")
        ]
        assert properties.pop("name_note", None) == (fact.name_note or None)
        for language, text in (fact.label or {}).items():
            assert properties.pop(f"label_{language}") == text
        assert properties.pop("kind") == fact.kind
        assert properties.pop("status") == fact.status_on(facts.as_of_date)
        assert properties.pop("description") == fact.description
        events = properties.pop("events")
        assert [event["date"] for event in events] == [event.date for event in fact.events]
        for record, event in zip(events, fact.events, strict=True):
            assert record.pop("what") == event.what
            assert record.pop("status", None) == (event.status or None)
            assert record.pop("expected", False) is bool(event.expected)
            assert record.pop("sources") == list(event.sources)
        figures = properties.pop("figures")
        assert [figure["name"] for figure in figures] == [figure.name for figure in fact.figures]
        for record, figure in zip(figures, fact.figures, strict=True):
            assert record.get("unit") == (figure.unit or None)
            assert record.get("drawn") == figure.drawn
            assert record["disputed"] is figure.disputed
            assert record["values"] == [
                {
                    "value": value.value,
                    **({"note": value.note} if value.note else {}),
                    "sources": list(value.sources),
                }
                for value in figure.values
            ]
        geometry = feature["geometry"]
        if geometry["type"] == "LineString":
            assert isinstance(properties.pop("length_m"), float)
        approximate = properties.pop("approximate")
        assert approximate is ("accuracy_m" in properties) is ("accuracy_note" in properties)
        properties.pop("accuracy_m", None), properties.pop("accuracy_note", None)
        assert properties.pop("geometry_note", None) == (fact.geometry.note or None)
        alternatives = properties.pop("position_alternatives", [])
        assert len(alternatives) == len(fact.geometry.alternatives or ())
        for record, other in zip(alternatives, fact.geometry.alternatives or (), strict=True):
            lon, lat = geometry["coordinates"]
            distance = geod.inv(lon, lat, other.lon, other.lat)[2]
            assert (record["lat"], record["lon"]) == (other.lat, other.lon)
            assert record["distance_m"] == pytest.approx(distance, abs=0.1)
            assert record["sources"] == list(other.sources)
        point = fact.geometry.point
        expected_sources = list(point.sources) if point is not None and point.sources else None
        assert properties.pop("position_sources", None) == expected_sources
        assert properties.pop("sources") == [
            facts.sources[key].as_properties() for key in fact.cited_sources()
        ]
        assert properties == {}, (fact.id, properties)  # nothing else


# --- reading: what each problem says (direct, for mutation testing) ----------------------


def test_read_layers_of_an_empty_folder_says_how_to_make_them(tmp_path):
    with pytest.raises(LayerError) as caught:
        read_layers(tmp_path)
    assert caught.value.problems == [
        f"{tmp_path}: no layers: no facts file naming them ({settings.facts_file}) "
        "and no .geojson files (run 'bordermap layers' to make them)"
    ]


def test_read_layers_says_how_to_make_a_missing_layer(layers, tmp_path):
    write_layers(layers, tmp_path)
    layer_path(tmp_path, "tumen_river").unlink()
    with pytest.raises(LayerError) as caught:
        read_layers(tmp_path, ("tumen_river",))
    assert caught.value.problems == [
        f"{layer_path(tmp_path, 'tumen_river')}: "
        "layer file not found (run 'bordermap layers' to make it)"
    ]


def test_read_layers_reads_only_the_layers_asked_for(layers, tmp_path):
    write_layers(layers, tmp_path)
    assert read_layers(tmp_path, ("tumen_river", "border")) == {
        "tumen_river": layers["tumen_river"],
        "border": layers["border"],
    }


def test_read_layers_reads_a_layer_without_the_written_record(layers, tmp_path):
    # A layer saved by another tool has no record of the text bordermap wrote.
    path = layer_path(tmp_path, "tumen_river")
    path.write_text(json.dumps(layers["tumen_river"]), encoding="utf-8")
    assert read_layers(tmp_path, ("tumen_river",)) == {"tumen_river": layers["tumen_river"]}


def test_text_that_is_not_json_is_not_laid_out_by_bordermap():
    from bordermap.layers import _formatted_by_bordermap

    assert _formatted_by_bordermap('{"type": ') is False
    assert _formatted_by_bordermap("[1, 2]") is False


def test_edited_layers_goes_on_past_a_missing_file(layers, tmp_path):
    write_layers(layers, tmp_path)
    layer_path(tmp_path, "border").unlink()
    river = layer_path(tmp_path, "tumen_river")
    river.write_text(river.read_text(encoding="utf-8").replace("1", "2", 1), encoding="utf-8")
    from bordermap.layers import edited_layers

    assert edited_layers(tmp_path, ["border", "tumen_river"]) == [
        f"{river}: edited since bordermap wrote it"
    ]


def test_features_drawn_where_published_are_exact(facts):
    # Built here, not taken from the session's layers: mutation testing then runs this
    # test for each mutant of the code that builds them (docs/mutation.md).
    layers = build_layers(facts)
    exact = {
        feature["id"]: feature["properties"]
        for name in ("tumen_river", "border")
        for feature in layers[name]["features"]
    }
    assert set(exact) == {"tumen-river", "kp-ru-border", "tripoint"}
    for properties in exact.values():
        assert properties["approximate"] is False
        assert "accuracy_m" not in properties and "accuracy_note" not in properties


def test_each_layer_names_itself_its_map_and_its_facts(facts):
    layers = build_layers(facts)  # built here: see the test above
    for name, layer in layers.items():
        assert layer["name"] == name
        meta = layer["bordermap"]
        assert meta["map"] == facts.id
        assert (meta["title"], meta["subject"], meta["as_of"]) == (
            facts.title,
            facts.subject,
            facts.as_of,
        )
        assert meta["facts"] == "facts.toml"


def test_facts_without_a_map_table_make_a_map_named_after_their_id(facts):
    import dataclasses

    layers = build_layers(dataclasses.replace(facts, spec=None))
    spec = layers["tumen_river"]["bordermap"]["spec"]
    assert spec["output"] == f"{facts.id}_border_map"
    assert layers["tumen_river"]["bordermap"]["map"] == facts.id


def test_a_property_named_like_the_written_record_is_kept(layers, tmp_path):
    zeros = "0" * 64
    layers["places"]["features"][0]["properties"]["written_sha256"] = zeros
    write_layers(layers, tmp_path)
    read = read_layers(tmp_path)
    assert read["places"]["features"][0]["properties"]["written_sha256"] == zeros
    assert read == layers


def test_a_layer_without_metadata_is_written_with_its_record(tmp_path):
    from bordermap.layers import render_layers

    layer = {"type": "FeatureCollection", "features": []}
    ((path, text),) = render_layers({"extra": layer}, tmp_path).items()
    assert path == tmp_path / "extra.geojson"
    record = json.loads(text)["bordermap"]["written_sha256"]
    assert re.fullmatch("[0-9a-f]{64}", record) and record != "0" * 64


@pytest.mark.parametrize("name", ["../x", "Base", "a/b", ""])
def test_a_layer_name_that_is_not_an_identifier_is_refused(tmp_path, name):
    with pytest.raises(LayerError) as caught:
        layer_path(tmp_path, name)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path}: layer name: expected an identifier")
    assert repr(name) in message


def test_each_layer_has_the_region_the_map_description_and_its_notes(facts):
    layers = build_layers(facts)  # built here: see above
    for name, layer in layers.items():
        meta = layer["bordermap"]
        assert meta["region"] == list(facts.region)
        assert meta["spec"] == facts.spec.as_metadata()
        notes = [note for note in facts.notes if note.layer == name]
        assert [(note["date"], note["text"]) for note in meta.get("notes", [])] == [
            (note.date, note.text) for note in notes
        ]
        for written, note in zip(meta.get("notes", []), notes, strict=True):
            assert [s["id"] for s in written["sources"]] == list(note.sources)
    assert [len(layer["bordermap"].get("notes", [])) for layer in layers.values()].count(0) == 5


def test_facts_without_a_region_make_layers_without_one(facts):
    import dataclasses

    layers = build_layers(dataclasses.replace(facts, region=None))
    assert all("region" not in layer["bordermap"] for layer in layers.values())
