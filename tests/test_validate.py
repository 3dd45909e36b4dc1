"""Tests for bordermap.validate: the shipped layers pass, each realistic break fails."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import LAYER_NAMES
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bordermap import settings
from bordermap.errors import LayerError
from bordermap.facts import Facts, load_facts
from bordermap.geometry import (
    Coordinate,
    azimuth_along,
    distance_along,
    geodesic_length,
    line_across,
    point_along,
    round_coordinate,
)
from bordermap.layers import Layers, build_layers, read_layers
from bordermap.validate import Check, validate_layers

GEODATA = Path(__file__).parents[1] / "geodata"

RIVER, BORDER, RAIL, ROAD = "tumen-river", "kp-ru-border", "friendship-bridge", "road-bridge"
CROSSING_CHECKS = {"rail-bridge-crosses-river", "road-bridge-crosses-river"}
DOWNSTREAM = "road-bridge-downstream"


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts(GEODATA / "facts.toml")


@pytest.fixture(scope="module")
def shipped(facts: Facts) -> Layers:
    return build_layers(facts)


@pytest.fixture
def layers(shipped: Layers) -> Layers:
    """A copy of the layers built from the facts, for a test to break."""
    return copy.deepcopy(shipped)


# ---------------------------------------------------------------------------
# Helpers: find features, redraw bridges with the geometry helpers
# ---------------------------------------------------------------------------


def failures(checks: list[Check]) -> dict[str, str]:
    return {check.name: check.message for check in checks if not check.passed}


def message(checks: list[Check], name: str) -> str:
    (found,) = [check.message for check in checks if check.name == name]
    return found


def feature(layers: Layers, feature_id: str) -> dict[str, Any]:
    found: dict[str, Any]
    (found,) = [
        item for layer in layers.values() for item in layer["features"] if item["id"] == feature_id
    ]
    return found


def layer_of(layers: Layers, feature_id: str) -> str:
    (found,) = [
        name
        for name, layer in layers.items()
        if any(item["id"] == feature_id for item in layer["features"])
    ]
    return found


def river(layers: Layers) -> list[Coordinate]:
    return [tuple(position) for position in feature(layers, RIVER)["geometry"]["coordinates"]]


def redraw(item: dict[str, Any], coords: list[Coordinate]) -> None:
    """Give a line feature new coordinates, keeping its length_m right as an editor would."""
    rounded = [round_coordinate(coord) for coord in coords]
    item["geometry"]["coordinates"] = [list(coord) for coord in rounded]
    item["properties"]["length_m"] = round(geodesic_length(rounded), settings.length_decimals)


def across_river(
    layers: Layers, along: float, length: float, *, turn: float = 0.0, aside: float = 0.0
) -> list[Coordinate]:
    """Draw a bridge ``along`` metres down the river, as build_layers does.

    ``turn`` rotates it (degrees clockwise) from square to the channel; ``aside``
    moves its centre that many metres off the channel, to the left bank (Russia)
    when positive.
    """
    channel = river(layers)
    centre = point_along(channel, along)
    azimuth = azimuth_along(channel, along, settings.river_direction_span_m)
    if aside:
        right, left = line_across(centre, azimuth, 2 * abs(aside))
        centre = left if aside > 0 else right
    return line_across(centre, azimuth + turn, length)


def rail_along(facts: Facts, layers: Layers) -> float:
    """Where the facts put the Friendship Bridge's centre, in metres down the river."""
    centre = facts.feature(RAIL).geometry.point
    assert centre is not None
    return distance_along(river(layers), (centre.lon, centre.lat))


def drawn_length(facts: Facts, feature_id: str) -> float:
    length = facts.feature(feature_id).geometry.length_m
    assert length is not None
    return length


def sourced_downstream_range(facts: Facts) -> tuple[float, float]:
    (figure,) = [
        figure
        for figure in facts.feature(ROAD).figures
        if figure.name.startswith("downstream distance")
    ]
    numbers = [float(value.value) for value in figure.values]
    return min(numbers), max(numbers)


def measured(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    return float(match.group(1))


# ---------------------------------------------------------------------------
# The shipped layers pass
# ---------------------------------------------------------------------------

EXPECTED_NAMES = [
    "layers",
    *(f"geometry:{name}" for name in LAYER_NAMES),
    *(f"lengths:{name}" for name in LAYER_NAMES),
    *(f"sources:{name}" for name in LAYER_NAMES),
    *(f"sourced-lengths:{name}" for name in LAYER_NAMES),
    "rail-bridge-crosses-river",
    "road-bridge-crosses-river",
    DOWNSTREAM,
]


def test_built_layers_pass_every_check(layers: Layers) -> None:
    checks = validate_layers(layers)
    assert failures(checks) == {}
    assert [check.name for check in checks] == EXPECTED_NAMES
    assert all(check.message and "\n" not in check.message for check in checks)


def test_shipped_layer_files_pass_every_check() -> None:
    checks = validate_layers(read_layers(GEODATA))
    assert failures(checks) == {}
    assert [check.name for check in checks] == EXPECTED_NAMES


def test_a_one_digit_latitude_typo_is_caught_from_two_sides(tmp_path: Path) -> None:
    # The reproduction of issue 13: 42.515167 for 42.415167 puts the Friendship Bridge
    # 11 km inside Russia and stretches the railway through it from 4.7 to 20.8 km.
    text = (GEODATA / "facts.toml").read_text(encoding="utf-8")
    assert text.count("lat = 42.415167") == 1
    (tmp_path / "facts.toml").write_text(
        text.replace("lat = 42.415167", "lat = 42.515167"), encoding="utf-8"
    )
    checks = validate_layers(build_layers(load_facts(tmp_path / "facts.toml")))
    failed = failures(checks)
    assert "rail-bridge-crosses-river" in failed
    assert "does not cross tumen-river" in failed["rail-bridge-crosses-river"]
    assert "sourced-lengths:context" in failed
    railway = failed["sourced-lengths:context"]
    assert "khasan-tumangang-railway" in railway and "5000 m its sources give" in railway
    assert measured(r"measures (\d+\.\d) m", railway) > 20_000


def test_a_path_far_longer_than_its_sourced_length_fails(layers: Layers) -> None:
    railway = feature(layers, "khasan-tumangang-railway")
    (sourced,) = [f for f in railway["properties"]["figures"] if f["name"] == "length"]
    longest = max(value["value"] for value in sourced["values"])
    start, *_, end = railway["geometry"]["coordinates"]
    # Within 25 % over the sourced length passes; 30 % over fails.
    for factor, passes in ((1.2, True), (1.3, False)):
        redraw(railway, _path_of_length([tuple(start), tuple(end)], longest * factor))
        checks = validate_layers(layers)
        assert ("sourced-lengths:context" not in failures(checks)) is passes, factor


def test_a_river_surveyed_in_detail_may_measure_longer_than_round_figures(
    layers: Layers,
) -> None:
    # The border's sources say 15 and 17 km; a full-detail channel with its meanders
    # measures more, and is not an approximate line: it is not compared.
    border = feature(layers, BORDER)
    assert border["properties"]["approximate"] is False
    start, *_, end = border["geometry"]["coordinates"]
    redraw(border, _path_of_length([tuple(start), tuple(end)], 17_000 * 1.5))
    assert "sourced-lengths:border" not in failures(validate_layers(layers))
    border["properties"]["approximate"] = True
    border["properties"]["accuracy_m"] = 10.0
    assert "sourced-lengths:border" in failures(validate_layers(layers))


def _path_of_length(ends: list[Coordinate], length: float) -> list[Coordinate]:
    """A path between two ends through a point beside their middle, ``length`` metres long."""
    (start, end) = ends
    chord = geodesic_length(ends)
    middle = point_along(ends, chord / 2)
    azimuth = azimuth_along(ends, chord / 2, chord)
    # Each leg is the hypotenuse of a right triangle on half the chord.
    offset = math.sqrt(max((length / 2) ** 2 - (chord / 2) ** 2, 0.0))
    _, aside = line_across(middle, azimuth, 2 * offset)
    return [start, aside, end]


def test_check_is_a_frozen_record() -> None:
    check = Check("geometry:border", True, "layer 'border': fine")
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.passed = False  # type: ignore[misc]


def test_messages_report_measurements_that_agree_with_the_facts(
    layers: Layers, facts: Facts
) -> None:
    checks = validate_layers(layers)
    # FACTS.md: the road bridge is about 400 m (Interfax) or 500 m (ASIAPRESS) downstream.
    low, high = sourced_downstream_range(facts)
    assert (low, high) == (400, 500)
    downstream = measured(
        r"(\d+\.\d) m downstream of friendship-bridge", message(checks, DOWNSTREAM)
    )
    assert low <= downstream <= high
    # FACTS.md: the Friendship Bridge's centre is about 480 m downstream of the tripoint,
    # published to the second of arc (centre_uncertainty_m in the facts).
    rail_crossing = measured(
        r"crosses tumen-river once, (\d+\.\d) m along it",
        message(checks, "rail-bridge-crosses-river"),
    )
    assert rail_crossing == pytest.approx(
        480, abs=facts.feature(RAIL).geometry.centre_uncertainty_m
    )
    assert "(North Korea, Russia)" in message(checks, "rail-bridge-crosses-river")
    # FACTS.md: 623 m long; the border measures 17.7 km along the OpenStreetMap line.
    assert f"friendship-bridge {drawn_length(facts, RAIL):.1f} m" in message(
        checks, "lengths:rail_bridge"
    )
    border = measured(r"kp-ru-border (\d+\.\d) m", message(checks, "lengths:border"))
    assert border == pytest.approx(17_700, abs=100)


# ---------------------------------------------------------------------------
# Each break fails its check, naming the feature
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (2000.0, "downstream"),  # 2 km: far beyond any source
        (-200.0, "upstream"),  # above the rail bridge, still below the tripoint
        ("below-sources", "downstream"),  # downstream, but nearer than any source says
    ],
    ids=["2km-downstream", "upstream", "nearer-than-sources"],
)
def test_road_bridge_moved_along_the_river_fails_downstream_check(
    layers: Layers, facts: Facts, offset: float | str, words: str
) -> None:
    low, _ = sourced_downstream_range(facts)
    distance = low - 100.0 if offset == "below-sources" else float(offset)
    road = feature(layers, ROAD)
    redraw(
        road,
        across_river(layers, rail_along(facts, layers) + distance, drawn_length(facts, ROAD)),
    )
    checks = validate_layers(layers)
    assert failures(checks).keys() == {DOWNSTREAM}
    text = message(checks, DOWNSTREAM)
    assert text.startswith("road-bridge (layer 'road_bridge')")
    found = measured(rf"(\d+\.\d) m {words} of friendship-bridge", text)
    # The redrawn bridge crosses within a metre or so of where it was placed.
    assert found == pytest.approx(abs(distance), abs=2.0)


def test_bridge_turned_to_run_along_the_river_fails_crossing_check(
    layers: Layers, facts: Facts
) -> None:
    # Turned 90° and set 20 m off the channel: a line beside the river, not across it.
    redraw(
        feature(layers, RAIL),
        across_river(
            layers, rail_along(facts, layers), drawn_length(facts, RAIL), turn=90.0, aside=20.0
        ),
    )
    checks = validate_layers(layers)
    # Without a crossing there is nothing to measure the road bridge from.
    assert failures(checks).keys() == {"rail-bridge-crosses-river", DOWNSTREAM}
    assert message(checks, "rail-bridge-crosses-river").startswith(
        "friendship-bridge (layer 'rail_bridge'): does not cross tumen-river"
    )
    assert "cannot measure: friendship-bridge" in message(checks, DOWNSTREAM)


def test_bridge_crossing_at_a_shallow_angle_fails_crossing_check(
    layers: Layers, facts: Facts
) -> None:
    # Turned 75° about its crossing: it still crosses once, from bank to bank, but
    # runs 15° off the channel, along the river more than across it.
    redraw(
        feature(layers, RAIL),
        across_river(layers, rail_along(facts, layers), drawn_length(facts, RAIL), turn=75.0),
    )
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"rail-bridge-crosses-river"}
    text = message(checks, "rail-bridge-crosses-river")
    assert text.startswith("friendship-bridge (layer 'rail_bridge'): meets tumen-river at 15°")


def test_bridge_with_both_ends_in_russia_fails_crossing_check(
    layers: Layers, facts: Facts
) -> None:
    length = drawn_length(facts, ROAD)
    along = rail_along(facts, layers) + sum(sourced_downstream_range(facts)) / 2
    redraw(feature(layers, ROAD), across_river(layers, along, length, aside=length / 2 + 100))
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"road-bridge-crosses-river", DOWNSTREAM}
    text = message(checks, "road-bridge-crosses-river")
    assert text.startswith("road-bridge (layer 'road_bridge'): does not cross tumen-river")
    assert "both ends are in Russia" in text
    assert "start in Russia" in text and "end in Russia" in text


def test_bridge_above_the_tripoint_fails_crossing_check(layers: Layers, facts: Facts) -> None:
    # Moved 300 m upstream of the tripoint, onto the China-North Korea stretch.
    channel = river(layers)
    azimuth = azimuth_along(channel, 0.0, settings.river_direction_span_m)
    _, upstream = line_across(channel[0], azimuth - 90.0, 2 * 300.0)
    redraw(feature(layers, RAIL), line_across(upstream, azimuth, drawn_length(facts, RAIL)))
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"rail-bridge-crosses-river", DOWNSTREAM}
    text = message(checks, "rail-bridge-crosses-river")
    assert text.startswith("friendship-bridge (layer 'rail_bridge'): does not cross tumen-river")
    assert "its start lies beyond the tripoint end of kp-ru-border" in text
    assert "China" in text


@pytest.mark.parametrize("feature_id", [RIVER, BORDER, RAIL, ROAD])
def test_wrong_length_m_fails_lengths_check(layers: Layers, feature_id: str) -> None:
    feature(layers, feature_id)["properties"]["length_m"] += 50.0
    checks = validate_layers(layers)
    name = f"lengths:{layer_of(layers, feature_id)}"
    assert failures(checks).keys() == {name}
    text = message(checks, name)
    assert f"feature '{feature_id}': length_m" in text
    assert "off by +50.0 m" in text


def test_missing_length_m_fails_lengths_check(layers: Layers) -> None:
    del feature(layers, ROAD)["properties"]["length_m"]
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"lengths:road_bridge"}
    assert "feature 'road-bridge': 'length_m' must be a finite number, got None" in message(
        checks, "lengths:road_bridge"
    )


@pytest.mark.parametrize("feature_id", [ROAD, "tumangang-station", BORDER])
@pytest.mark.parametrize("emptied", ["deleted", "empty list"])
def test_feature_without_sources_fails_sources_check(
    layers: Layers, feature_id: str, emptied: str
) -> None:
    properties = feature(layers, feature_id)["properties"]
    if emptied == "deleted":
        del properties["sources"]
    else:
        properties["sources"] = []
    checks = validate_layers(layers)
    name = f"sources:{layer_of(layers, feature_id)}"
    assert failures(checks).keys() == {name}
    assert f"feature '{feature_id}': no sources" in message(checks, name)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"url": "ftp://tass.com/politics/1951527"}, "'url': expected an http(s) link"),
        ({"url": "tass.com/politics/1951527"}, "'url': expected an http(s) link"),
        ({"publisher": " "}, "'publisher': expected non-empty text, got ' '"),
    ],
)
def test_source_without_publisher_or_link_fails_sources_check(
    layers: Layers, change: dict[str, str], complaint: str
) -> None:
    feature(layers, ROAD)["properties"]["sources"][0].update(change)
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"sources:road_bridge"}
    assert f"feature 'road-bridge', source #1: {complaint}" in message(
        checks, "sources:road_bridge"
    )


def test_empty_layer_fails_geometry_check(layers: Layers) -> None:
    layers["places"]["features"] = []
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"geometry:places"}
    assert message(checks, "geometry:places") == (
        "layer 'places': no features (expected a non-empty list)"
    )


def test_bridge_drawn_as_a_point_fails_geometry_check(layers: Layers, facts: Facts) -> None:
    road = feature(layers, ROAD)
    centre = point_along(river(layers), rail_along(facts, layers) + 450.0)
    road["geometry"] = {"type": "Point", "coordinates": list(round_coordinate(centre))}
    checks = validate_layers(layers)
    # A point crosses nothing, so the bridge checks that need its line fail too.
    assert failures(checks).keys() == {
        "geometry:road_bridge",
        "road-bridge-crosses-river",
        DOWNSTREAM,
    }
    assert message(checks, "geometry:road_bridge") == (
        "layer 'road_bridge': feature 'road-bridge' (road_bridge): has a Point geometry, "
        "but a road_bridge needs a LineString"
    )
    assert "cannot check the crossing" in message(checks, "road-bridge-crosses-river")
    assert "cannot measure: road-bridge" in message(checks, DOWNSTREAM)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_coordinate_fails_geometry_check(layers: Layers, bad: float) -> None:
    feature(layers, "khasan-station")["geometry"]["coordinates"][0] = bad
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"geometry:places"}
    text = message(checks, "geometry:places")
    assert "feature 'khasan-station' (station): position #1 [lon, lat] = " in text
    assert "expected a finite number" in text
    assert repr(bad) in text


def test_nan_fails_geometry_check_and_a_file_with_nan_is_refused(
    layers: Layers, tmp_path: Path
) -> None:
    # Python's json writes and reads NaN, so a careless script can leave one in a file.
    feature(layers, "tumangang")["geometry"]["coordinates"][1] = math.nan
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"geometry:places"}
    assert "feature 'tumangang' (settlement): position #1" in message(checks, "geometry:places")
    for name, layer in layers.items():
        (tmp_path / f"{name}.geojson").write_text(json.dumps(layer), encoding="utf-8")
    with pytest.raises(LayerError, match=r"places\.geojson: NaN is not a number JSON allows"):
        read_layers(tmp_path)


def test_swapped_lat_lon_fails_geometry_check(layers: Layers) -> None:
    coordinates = feature(layers, "tumen-mouth")["geometry"]["coordinates"]
    coordinates.reverse()
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"geometry:places"}
    lon, lat = coordinates
    assert (
        f"feature 'tumen-mouth' (river_mouth): position #1 [lon, lat] = [{lon!r}, {lat!r}]: "
        f"{lat!r} is outside WGS 84 range ±90 (lat and lon look swapped)"
    ) in message(checks, "geometry:places")


def test_bridge_with_a_nan_vertex_fails_geometry_and_bridge_checks(layers: Layers) -> None:
    feature(layers, RAIL)["geometry"]["coordinates"][1][1] = math.nan
    checks = validate_layers(layers)
    assert failures(checks).keys() == {
        "geometry:rail_bridge",
        "rail-bridge-crosses-river",
        DOWNSTREAM,
    }
    assert "feature 'friendship-bridge' (rail_bridge): position #2" in message(
        checks, "geometry:rail_bridge"
    )
    # The length check leaves the broken line to the geometry check.
    assert "1 line with broken geometry not measured" in message(checks, "lengths:rail_bridge")


def test_duplicate_id_fails_geometry_check(layers: Layers) -> None:
    feature(layers, "tumangang")["id"] = "tumangang-station"
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"geometry:places"}
    assert "feature 'tumangang-station': id also used in layer 'places'" in message(
        checks, "geometry:places"
    )


def test_feature_without_id_fails_geometry_check(layers: Layers) -> None:
    del feature(layers, "tumen-mouth")["id"]
    checks = validate_layers(layers)
    assert failures(checks).keys() == {"geometry:places"}
    assert "feature #5: 'id' must be non-empty text, got None" in message(
        checks, "geometry:places"
    )


@pytest.mark.parametrize("missing", ["tumen_river", "border"])
def test_missing_river_or_border_layer_fails_without_raising(layers: Layers, missing: str) -> None:
    del layers[missing]
    checks = validate_layers(layers)
    expected = {"layers", *CROSSING_CHECKS}
    if missing == "tumen_river":  # the distance downstream is measured along the river
        expected.add(DOWNSTREAM)
    assert failures(checks).keys() == expected
    assert f"missing 1 layer: {missing}" in message(checks, "layers")
    feature_id = {"tumen_river": "tumen-river", "border": "kp-ru-border"}[missing]
    for name in expected - {"layers"}:
        assert f"no feature '{feature_id}'" in message(checks, name)


def test_missing_bridge_layers_fail_without_raising(layers: Layers) -> None:
    # The map's layers are missing; the bridges' own checks have no bridge to check
    # (a map of another crossing may have no bridge of a kind).
    del layers["rail_bridge"], layers["road_bridge"]
    checks = validate_layers(layers)
    assert failures(checks) == {
        "layers": (
            "missing 2 layers: rail_bridge, road_bridge "
            "(present: tumen_river, border, places, context)"
        ),
    }
    assert not [check for check in checks if "bridge" in check.name]


# ---------------------------------------------------------------------------
# Whatever is in the layers, validation reports rather than raises
# ---------------------------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(10**400),
    st.floats(),
    st.text(max_size=4),
    st.lists(st.floats(), max_size=3),
    st.lists(st.lists(st.integers(-200, 200), max_size=3), max_size=3),
    st.dictionaries(st.sampled_from(["type", "coordinates", "value", "url"]), st.integers()),
)


MEASURED = {"geometry", "length_m", "figures", "sources", "kind", "id"}


def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Yield the path to every value nested in ``value`` (not ``value`` itself)."""
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    for key, item in items:
        yield (*path, key)
        yield from paths(item, (*path, key))


@hypothesis_settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_junk_anywhere_gives_checks_not_exceptions(shipped: Layers, data: st.DataObject) -> None:
    layers = copy.deepcopy(shipped)
    for _ in range(data.draw(st.integers(1, 3))):
        everywhere = list(paths(layers))
        # Half the time, aim at what the checks measure rather than at the prose.
        measured = [path for path in everywhere if MEASURED.intersection(path)]
        path = data.draw(st.sampled_from(everywhere) | st.sampled_from(measured))
        parent: Any = layers
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = data.draw(JUNK)
    checks = validate_layers(layers)
    assert checks[0].name == "layers"
    assert all(isinstance(check, Check) and check.message for check in checks)
