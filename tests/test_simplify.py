"""Web-ready geometry: the deviation bound, what stays exact, topology, speed at 10^6 vertices.

Every deviation is measured here independently of bordermap.simplify: the lines are
projected to UTM 52N with pyproj and compared with shapely's Hausdorff distance (or,
for a million vertices, the distance from each original vertex to the simplified line).
"""

from __future__ import annotations

import copy
import itertools
import math
import warnings
from typing import Any

import numpy as np
import pytest
import shapely
from helpers import SHIPPED
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from bordermap import settings as bordermap_settings
from bordermap.geometry import distance_m
from bordermap.simplify import web_ready

MAX_DEVIATION_M = bordermap_settings.web_max_deviation_m
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32652", always_xy=True)
FROM_UTM = Transformer.from_crs("EPSG:32652", "EPSG:4326", always_xy=True)
# A spot on the Tumen, in UTM 52N metres, for lines made in local metres.
ORIGIN = np.array([648_000.0, 4_695_000.0])
BRIDGE_KINDS = ("rail_bridge", "road_bridge")


def test_the_settings_these_tests_rely_on():
    assert SHIPPED.projection == "EPSG:32652"  # measured in below (the UTM zone of the region)
    assert bordermap_settings.web_max_deviation_m == 2.0  # the default bound


# --------------------------------------------------------------------------- helpers


def _utm(coordinates: Any) -> np.ndarray:
    lonlat = np.asarray(coordinates, dtype=float).reshape(-1, 2)
    xs, ys = TO_UTM.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([xs, ys])


def _lonlat(xy: np.ndarray) -> list[list[float]]:
    return _lonlat_array(xy).tolist()


def _lonlat_array(xy: np.ndarray) -> np.ndarray:
    lons, lats = FROM_UTM.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lons, lats])


def _line_feature(feature_id: str, coordinates: Any, kind: str = "river") -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature_id,
        "properties": {"kind": kind, "name_en": feature_id},
        "geometry": {"type": "LineString", "coordinates": coordinates},
    }


def _layers(*features: dict[str, Any]) -> dict[str, Any]:
    return {"lines": {"type": "FeatureCollection", "features": list(features)}}


def _coords(layers: dict[str, Any], feature_id: str) -> list[Any]:
    for layer in layers.values():
        for feature in layer["features"]:
            if feature["id"] == feature_id:
                return list(feature["geometry"]["coordinates"])
    raise KeyError(feature_id)


def _hausdorff_m(original: Any, simplified: Any, densify: float | None = None) -> float:
    a = shapely.linestrings(_utm(original))
    b = shapely.linestrings(_utm(simplified))
    return float(shapely.hausdorff_distance(a, b, densify=densify))


def _farthest_vertex_m(original: Any, simplified: Any) -> float:
    """Return the largest distance from an original vertex to the simplified line."""
    xy = _utm(simplified)
    segments = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
    tree = shapely.STRtree(segments)
    _, distances = tree.query_nearest(shapely.points(_utm(original)), return_distance=True)
    return float(distances.max())


def _noisy_channel(
    channel: Any, vertices: int, *, seed: int = 1, noise_m: float = 0.3
) -> list[list[float]]:
    """Return the channel resampled at ``vertices`` points, meandering and noisy."""
    xy = _utm(channel)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    s = np.linspace(0.0, along[-1], vertices)
    base = np.column_stack([np.interp(s, along, xy[:, 0]), np.interp(s, along, xy[:, 1])])
    tangent = np.gradient(base, axis=0)
    tangent /= np.hypot(tangent[:, 0], tangent[:, 1])[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    rng = np.random.default_rng(seed)
    offset = 4.0 * np.sin(s / 60.0) + 1.5 * np.sin(s / 9.0) + rng.normal(0.0, noise_m, vertices)
    offset *= np.clip(np.minimum(s, along[-1] - s) / 100.0, 0.0, 1.0)  # ends stay put
    coordinates = np.round(_lonlat_array(base + offset[:, None] * normal), 6).tolist()
    coordinates[0], coordinates[-1] = list(channel[0]), list(channel[-1])
    return coordinates  # at 6 decimals, as in the layers


def _with_river(layers: dict[str, Any], coordinates: list[list[float]]) -> dict[str, Any]:
    """Put a river geometry into the river and the border drawn on it."""
    for layer in layers.values():
        for feature in layer["features"]:
            if feature["properties"]["kind"] in ("river", "border"):
                feature["geometry"] = {"type": "LineString", "coordinates": coordinates}
    return layers


def _crossings(layers: dict[str, Any]) -> dict[str, int]:
    """Return how many times each bridge crosses the river, in UTM."""
    river = next(
        shapely.linestrings(_utm(f["geometry"]["coordinates"]))
        for layer in layers.values()
        for f in layer["features"]
        if f["properties"]["kind"] == "river"
    )
    counts = {}
    for layer in layers.values():
        for feature in layer["features"]:
            if feature["properties"]["kind"] in BRIDGE_KINDS:
                bridge = shapely.linestrings(_utm(feature["geometry"]["coordinates"]))
                meeting = shapely.intersection(bridge, river)
                counts[feature["id"]] = int(shapely.get_num_geometries(meeting))
    return counts


# --------------------------------------------------------------------------- the bound


@settings(max_examples=80, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.floats(-40, 40, allow_nan=False, allow_infinity=False),
            st.floats(-40, 40, allow_nan=False, allow_infinity=False),
        ),
        min_size=2,
        max_size=80,
    ),
    bound=st.sampled_from([0.3, 1.0, 2.0, 7.5, 40.0]),
)
def test_a_wiggly_line_stays_within_the_bound(steps, bound):
    xy = ORIGIN + np.vstack([[0.0, 0.0], np.cumsum(np.asarray(steps), axis=0)])
    original = _lonlat(xy)
    web, deviations = web_ready(_layers(_line_feature("wiggle", original)), max_deviation_m=bound)
    simplified = _coords(web, "wiggle")
    assert deviations["wiggle"] <= bound
    measured = _hausdorff_m(original, simplified, densify=0.02)
    assert measured <= bound + 1e-6
    assert measured <= deviations["wiggle"] + 1e-6  # the reported figure is an upper bound
    assert simplified[0] == original[0] and simplified[-1] == original[-1]
    assert 2 <= len(simplified) <= len(original)
    if shapely.is_simple(shapely.linestrings(_utm(original))):
        assert shapely.is_simple(shapely.linestrings(_utm(simplified)))


def test_a_synthetic_tumen_of_100_000_vertices(shipped_layers):
    channel = _coords(shipped_layers, "tumen-river")
    river = _noisy_channel(channel, 100_000)
    web, deviations = web_ready(_layers(_line_feature("river", river)))
    simplified = _coords(web, "river")
    assert 0 < deviations["river"] <= MAX_DEVIATION_M
    assert _hausdorff_m(river, simplified) <= MAX_DEVIATION_M + 1e-6
    assert _farthest_vertex_m(river, simplified) <= deviations["river"] + 1e-6
    assert len(simplified) < len(river) / 20
    assert simplified[0] == river[0] and simplified[-1] == river[-1]
    # Kept vertices are the river's own (6 decimals already suit a 2 m bound).
    assert {tuple(c) for c in simplified} <= {tuple(c) for c in river}


def test_a_million_vertices_simplify_to_far_fewer_within_the_bound(shipped_layers):
    channel = _coords(shipped_layers, "tumen-river")
    river = _noisy_channel(channel, 1_000_000, noise_m=0.05)
    web, deviations = web_ready(_layers(_line_feature("river", river)))
    simplified = _coords(web, "river")
    assert len(simplified) < len(river) / 200
    assert deviations["river"] <= MAX_DEVIATION_M
    assert _farthest_vertex_m(river, simplified) <= MAX_DEVIATION_M + 1e-6


@pytest.mark.parametrize("bound", [0.5, 2.0, 10.0, 60.0])
def test_a_larger_bound_keeps_fewer_vertices_and_fewer_decimals(shipped_layers, bound):
    river = _noisy_channel(_coords(shipped_layers, "tumen-river"), 20_000)
    web, deviations = web_ready(_layers(_line_feature("river", river)), max_deviation_m=bound)
    simplified = _coords(web, "river")
    assert _hausdorff_m(river, simplified) <= min(deviations["river"], bound) + 1e-6
    decimals = max(len(repr(value).split(".")[1]) for c in simplified[1:-1] for value in c)
    # Rounding may use at most a quarter of the bound: 6 decimals (about 0.1 m) up to
    # about 3 m, fewer above.
    assert decimals <= (6 if bound < 3.2 else 5 if bound < 32 else 4)


def test_zero_keeps_every_vertex(shipped_layers):
    river = _noisy_channel(_coords(shipped_layers, "tumen-river"), 1_000)
    web, deviations = web_ready(_layers(_line_feature("river", river)), max_deviation_m=0)
    assert _coords(web, "river") == river and deviations == {"river": 0.0}


@pytest.mark.parametrize("bound", [-1.0, math.nan, math.inf, "2", True])
def test_a_bad_bound_is_refused_naming_it(shipped_layers, bound):
    with pytest.raises(ValueError, match="max_deviation_m") as raised:
        web_ready(shipped_layers, max_deviation_m=bound)
    assert repr(bound) in str(raised.value)


# --------------------------------------------------------------------------- what stays


def test_the_shipped_layers(shipped_layers):
    before = copy.deepcopy(shipped_layers)
    web, deviations = web_ready(shipped_layers)
    assert shipped_layers == before  # the layers themselves keep full detail
    assert set(deviations) == {
        f["id"] for layer in shipped_layers.values() for f in layer["features"]
    }
    assert all(0.0 <= value <= MAX_DEVIATION_M for value in deviations.values())
    assert list(web) == list(shipped_layers)
    for name, layer in shipped_layers.items():
        assert list(web[name]) == list(layer)
        for original, drawn in zip(layer["features"], web[name]["features"], strict=True):
            assert list(drawn) == list(original)  # same keys, same order
            assert drawn["properties"] == original["properties"]
            assert drawn["properties"] is not original["properties"]  # a copy
            geometry = original["geometry"]
            if geometry["type"] == "Point" or len(geometry["coordinates"]) == 2:
                assert drawn["geometry"] == geometry, original["id"]
                assert deviations[original["id"]] == 0.0
    once = {"friendship-bridge": 1, "road-bridge": 1}
    assert _crossings(web) == _crossings(shipped_layers) == once


@pytest.mark.parametrize("bound", [2.0, 30.0, 150.0])
def test_bridges_still_cross_a_simplified_river_once(shipped_layers, bound):
    layers = copy.deepcopy(shipped_layers)
    _with_river(layers, _noisy_channel(_coords(layers, "tumen-river"), 100_000))
    assert set(_crossings(layers).values()) == {1}
    web, deviations = web_ready(layers, max_deviation_m=bound)
    assert _crossings(web) == _crossings(layers)
    # The river keeps full detail only near the bridges and places (a zone that grows
    # with the bound).
    assert len(_coords(web, "tumen-river")) < 100_000 / (20 if bound < 100 else 5)
    for layer_name in ("rail_bridge", "road_bridge", "places"):
        assert web[layer_name]["features"] == layers[layer_name]["features"]
    assert max(deviations.values()) <= bound


def test_the_border_stays_identical_to_the_river(shipped_layers):
    layers = _with_river(
        copy.deepcopy(shipped_layers),
        _noisy_channel(_coords(shipped_layers, "tumen-river"), 30_000),
    )
    web, deviations = web_ready(layers)
    assert _coords(web, "kp-ru-border") == _coords(web, "tumen-river")
    assert deviations["kp-ru-border"] == deviations["tumen-river"] > 0


def test_a_reversed_line_is_simplified_as_the_line_reversed(shipped_layers):
    river = _noisy_channel(_coords(shipped_layers, "tumen-river"), 30_000)
    web, _ = web_ready(
        _layers(_line_feature("downstream", river), _line_feature("upstream", river[::-1]))
    )
    assert _coords(web, "upstream") == _coords(web, "downstream")[::-1]


def test_the_same_input_gives_the_same_output(shipped_layers):
    layers = _with_river(
        copy.deepcopy(shipped_layers),
        _noisy_channel(_coords(shipped_layers, "tumen-river"), 30_000),
    )
    assert web_ready(layers) == web_ready(copy.deepcopy(layers))


# --------------------------------------------------------------------------- topology


def _local(points: list[tuple[float, float]]) -> list[list[float]]:
    return _lonlat(ORIGIN + np.asarray(points, dtype=float))


def test_a_bridge_over_a_small_bend_still_crosses_it():
    # The river runs east with a 1.5 m bend; a short footbridge crosses the bend only.
    river = _local(
        [
            (0, 0), (10, 0.3), (20, 0), (30, 0.2), (40, 0), (49, 0), (50, 1.5), (51, 0),
            (60, 0), (70, 0.3), (80, 0), (100, 0),
        ]
    )  # fmt: skip
    bridge = _local([(50, 0.5), (50, 3.0)])
    layers = _layers(_line_feature("river", river), _line_feature("bridge", bridge, "rail_bridge"))
    # Without care the bend goes (it is within the bound) and the bridge crosses nothing.
    flat = shapely.simplify(shapely.linestrings(_utm(river)), 2.0)
    assert not shapely.intersects(flat, shapely.linestrings(_utm(bridge)))
    web, deviations = web_ready(layers)
    assert _crossings(web) == {"bridge": 1}
    assert _coords(web, "bridge") == bridge
    assert len(_coords(web, "river")) < len(river)  # the rest is simplified
    assert deviations["river"] <= MAX_DEVIATION_M


def test_a_place_beside_the_river_keeps_its_distance_to_it():
    river = _local([(0, 0), (30, 0), (49, 0), (50, 1.8), (51, 0), (70, 0), (100, 0.5)])
    place = {
        "type": "Feature",
        "id": "place",
        "properties": {"kind": "station"},
        "geometry": {"type": "Point", "coordinates": _local([(50, 2.5)])[0]},
    }
    web, _ = web_ready(_layers(_line_feature("river", river), place))
    point = shapely.points(_utm(place["geometry"]["coordinates"]))
    before = shapely.distance(point, shapely.linestrings(_utm(river)))
    after = shapely.distance(point, shapely.linestrings(_utm(_coords(web, "river"))))
    assert after == pytest.approx(before, abs=1e-9)


def test_a_hairpin_does_not_cross_itself():
    # Out east along y = 0 past a 5 m spike, back west along y = 4 with a 1.8 m notch
    # that wraps around the spike's tip: flattening the notch would cut through it.
    hairpin = _local(
        [
            (0, 0), (49, 0), (50, 5), (51, 0), (100, 0),
            (100, 4), (52, 4), (51.5, 5.8), (48.5, 5.8), (48, 4), (0, 4),
        ]
    )  # fmt: skip
    xy = shapely.linestrings(_utm(hairpin))
    assert shapely.is_simple(xy)
    assert not shapely.is_simple(shapely.simplify(xy, 2.0, preserve_topology=False))
    web, deviations = web_ready(_layers(_line_feature("hairpin", hairpin)))
    simplified = _coords(web, "hairpin")
    assert shapely.is_simple(shapely.linestrings(_utm(simplified)))
    assert len(simplified) < len(hairpin)  # simplified still, keeping clear of the spike
    assert _hausdorff_m(hairpin, simplified, densify=0.01) <= deviations["hairpin"] + 1e-6
    assert deviations["hairpin"] <= MAX_DEVIATION_M


# --------------------------------------------------------------------------- the retry path


def _wiggle() -> list[list[float]]:
    steps = np.column_stack([np.full(60, 7.0), 3.0 * np.sin(np.arange(60))])
    return _lonlat(ORIGIN + np.vstack([[0.0, 0.0], np.cumsum(steps, axis=0)]))


def test_a_result_over_the_bound_is_retried_at_half_the_tolerance(monkeypatch):
    # Floating-point error may push a simplified line just past its bound: inject that
    # (the first measured deviation is over), and the line is simplified again with
    # half the tolerance, and the line drawn is within the bound.
    from bordermap import simplify

    tolerances: list[float] = []
    real_kept, real_deviation = simplify._kept_vertices, simplify._deviation
    measured: list[float] = []

    def kept(xy: Any, pinned: Any, tolerance: float) -> Any:
        tolerances.append(tolerance)
        return real_kept(xy, pinned, tolerance)

    def deviation(xy: Any, kept: Any) -> float:
        found = real_deviation(xy, kept)
        measured.append(found)
        return found + (10.0 if len(measured) == 1 else 0.0)  # the first is "over"

    monkeypatch.setattr(simplify, "_kept_vertices", kept)
    monkeypatch.setattr(simplify, "_deviation", deviation)
    original = _wiggle()
    web, deviations = web_ready(_layers(_line_feature("wiggle", original)), max_deviation_m=2.0)
    assert len(tolerances) == 2
    assert tolerances[1] == pytest.approx(tolerances[0] / 2)
    assert deviations["wiggle"] <= 2.0
    simplified = _coords(web, "wiggle")
    assert len(simplified) < len(original)  # simplified, at the second attempt
    assert _hausdorff_m(original, simplified, densify=0.02) <= 2.0 + 1e-6


def test_a_line_never_within_the_bound_is_left_as_it_is(monkeypatch):
    from bordermap import simplify

    attempts: list[float] = []
    real_kept = simplify._kept_vertices

    def kept(xy: Any, pinned: Any, tolerance: float) -> Any:
        attempts.append(tolerance)
        return real_kept(xy, pinned, tolerance)

    monkeypatch.setattr(simplify, "_kept_vertices", kept)
    monkeypatch.setattr(simplify, "_deviation", lambda xy, kept: 1e9)  # always over
    original = _wiggle()
    web, deviations = web_ready(_layers(_line_feature("wiggle", original)), max_deviation_m=2.0)
    assert len(attempts) == 4  # halving the tolerance each time
    assert [a / attempts[0] for a in attempts] == pytest.approx([1, 0.5, 0.25, 0.125])
    assert _coords(web, "wiggle") == original  # every vertex, unrounded
    assert deviations["wiggle"] == 0.0


def test_a_closed_loop_is_simplified_within_the_bound_without_a_warning():
    # Its ends coincide: the chord between the kept ends has no length (0 / 0 guarded).
    ring = [[130.6, 42.4], [130.61, 42.4], [130.61, 42.41], [130.605, 42.405], [130.6, 42.4]]
    feature = {
        "type": "Feature",
        "id": "loop",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": ring},
    }
    layers = {"l": {"type": "FeatureCollection", "features": [feature]}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drawn, deviations = web_ready(layers, max_deviation_m=5000.0)
    line = drawn["l"]["features"][0]["geometry"]["coordinates"]
    assert line[0] == ring[0] and line[-1] == ring[-1]
    # The farthest vertex from the drawn (collapsed) line is the ring's far corner.
    assert 0 < deviations["loop"] <= 5000.0
    assert deviations["loop"] >= distance_m((130.6, 42.4), (130.61, 42.41)) - 1


def _point_feature(feature_id: str, xy: tuple[float, float]) -> dict[str, Any]:
    (coordinates,) = _lonlat(np.array([xy]) + ORIGIN)
    return {
        "type": "Feature",
        "id": feature_id,
        "properties": {"kind": "station", "name_en": feature_id},
        "geometry": {"type": "Point", "coordinates": coordinates},
    }


def test_vertices_near_a_point_are_kept_and_those_farther_off_are_not():
    # A line zigzagging 0.5 m either side of a straight course, a vertex every 10 m:
    # within the 2 m bound, every zigzag may go, but not near a point: the segments
    # within 1.5 times the bound of it keep their vertices; 2 times is not near.
    local = np.array([[10.0 * i, 0.5 * (-1) ** i] for i in range(101)])
    line = _lonlat(local + ORIGIN)
    near, off = (500.0, 2.0), (250.0, 5.0)
    layers = _layers(
        _line_feature("line", line),
        _point_feature("near", near),
        _point_feature("off", off),
    )
    drawn, deviations = web_ready(layers, max_deviation_m=2.0)
    kept = {tuple(position) for position in _coords(drawn, "line")}
    segments = shapely.linestrings(np.stack([local[:-1], local[1:]], axis=1))
    close = shapely.distance(segments, shapely.points(near)) <= 1.5 * 2.0
    assert close.sum() >= 2
    for index in np.flatnonzero(close):
        assert tuple(line[index]) in kept and tuple(line[index + 1]) in kept
    assert (shapely.distance(segments, shapely.points(off)) > 1.5 * 2.0).all()
    assert not [x for x, _ in local if 200 < x < 300 and tuple(line[int(x / 10)]) in kept]
    assert deviations["line"] <= 2.0
    assert deviations["near"] == deviations["off"] == 0.0


def test_the_drawn_lines_are_linestrings_and_a_feature_without_id_is_counted_from_one():
    local = np.array([[10.0 * i, 0.5 * (-1) ** i] for i in range(30)])
    feature = _line_feature("x", _lonlat(local + ORIGIN))
    del feature["id"]
    drawn, deviations = web_ready(_layers(feature), max_deviation_m=2.0)
    geometry = drawn["lines"]["features"][0]["geometry"]
    assert geometry["type"] == "LineString"
    assert len(geometry["coordinates"]) == 2
    assert list(deviations) == ["lines#1"]


# --------------------------------------------------------------------------- small lines
#
# Lines of a few vertices whose right answer is worked out by hand: a middle vertex so
# many metres off the chord between the ends is dropped within the bound and kept
# beyond it. Offsets are measured again here (UTM 52N, shapely), not taken as built.


def _bent(offset_m: float, *, decimals: int | None = None) -> list[list[float]]:
    """Return a 100 m line whose middle vertex lies ``offset_m`` off the chord."""
    line = _local([(0.0, 0.0), (50.0, offset_m), (100.0, 0.0)])
    return line if decimals is None else np.round(line, decimals).tolist()


def _offset_m(line: list[list[float]]) -> float:
    """Return how far the middle vertex of a three-vertex line is from its chord, in UTM."""
    return _hausdorff_m(line, [line[0], line[-1]])


def _drawn(layers: dict[str, Any], bound: float = MAX_DEVIATION_M) -> tuple[Any, Any]:
    return web_ready(layers, max_deviation_m=bound)


def _decimals_of(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


@pytest.mark.parametrize(
    ("offset", "bound", "kept"), [(1.6, 2.0, False), (0.3, 0.5, False), (0.7, 0.5, True)]
)
def test_a_middle_vertex_goes_within_the_bound_and_stays_beyond_it(offset, bound, kept):
    line = _bent(offset)
    assert _offset_m(line) == pytest.approx(offset, abs=1e-6)
    web, deviations = _drawn(_layers(_line_feature("bent", line)), bound)
    drawn = _coords(web, "bent")
    assert drawn[0] == line[0] and drawn[-1] == line[-1]  # the ends exactly
    if kept:
        assert len(drawn) == 3
        assert deviations["bent"] <= bound
    else:
        assert len(drawn) == 2
        # The drawn line is the chord: the deviation is the middle vertex's offset.
        assert deviations["bent"] == pytest.approx(offset, abs=1e-6)


def test_the_bound_is_measured_in_the_maps_projection():
    # At 60 degrees north Web Mercator stretches lengths twice: a vertex 1.5 m off in
    # UTM is about 3 m off there. A map in Web Mercator keeps it at a 2 m bound; a map
    # without a projection of its own works in the UTM zone and drops it.
    to_mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32635", always_xy=True)
    from_utm = Transformer.from_crs("EPSG:32635", "EPSG:4326", always_xy=True)
    start = np.array(to_utm.transform(25.0, 60.0))
    local = start + np.array([(0.0, 0.0), (50.0, 1.5), (100.0, 0.0)])
    line = np.column_stack(from_utm.transform(local[:, 0], local[:, 1])).tolist()
    mercator = shapely.linestrings(np.column_stack(to_mercator.transform(*np.array(line).T)))
    chord = shapely.linestrings(shapely.get_coordinates(mercator)[[0, -1]])
    assert 2.9 < shapely.hausdorff_distance(mercator, chord) < 3.1

    plain = _layers(_line_feature("bent", line))
    web, deviations = _drawn(plain)
    assert len(_coords(web, "bent")) == 2
    assert deviations["bent"] == pytest.approx(1.5, abs=1e-3)

    in_mercator = copy.deepcopy(plain)
    in_mercator["lines"]["bordermap"] = {"spec": {"projection": "EPSG:3857"}}
    web, deviations = _drawn(in_mercator)
    assert len(_coords(web, "bent")) == 3
    assert deviations["bent"] <= MAX_DEVIATION_M


def test_a_vertex_within_the_bound_goes_whole_when_nothing_is_rounded():
    # At 6 decimals already, rounding moves nothing: the whole bound is there for
    # Douglas-Peucker, and a vertex 1.96 m off goes.
    line = _bent(1.96, decimals=6)
    assert 1.93 < _offset_m(line) < 1.99
    web, deviations = _drawn(_layers(_line_feature("bent", line)))
    assert _coords(web, "bent") == [line[0], line[-1]]
    assert deviations["bent"] == pytest.approx(_offset_m(line), abs=1e-6)


def test_rounding_keeps_its_share_of_the_bound():
    # At full precision the kept vertices are rounded to 6 decimals, which may move a
    # position by up to half a millionth of a degree each way: 0.5e-6 * 111.7 km *
    # sqrt(2), about 0.08 m. That much of the 2 m bound is kept for rounding, so a
    # vertex 1.96 m off stays (rounded), while one 1.6 m off goes.
    line = _bent(1.96)
    web, deviations = _drawn(_layers(_line_feature("bent", line)))
    drawn = _coords(web, "bent")
    assert len(drawn) == 3
    assert drawn[1] == np.round(line[1], 6).tolist() != line[1]
    assert 0 < deviations["bent"] <= MAX_DEVIATION_M
    assert _hausdorff_m(line, drawn) <= deviations["bent"] + 1e-6


def test_a_far_middle_vertex_between_the_ends_is_kept_and_rounded():
    line = _bent(50.0)
    web, deviations = _drawn(_layers(_line_feature("bent", line)))
    drawn = _coords(web, "bent")
    assert drawn == [line[0], np.round(line[1], 6).tolist(), line[2]]
    # Nothing is simplified away: the line may lie as far off as rounding moved it.
    moved = float(np.hypot(*(_utm(drawn[1]) - _utm(line[1]))[0]))
    assert 0 < moved < 0.08
    assert deviations["bent"] == pytest.approx(moved, abs=1e-9)
    assert _hausdorff_m(line, drawn) <= deviations["bent"] + 1e-9


def test_the_deviation_is_measured_to_a_short_kept_segment():
    # The ends 0.6 m apart, the middle vertex 1 m to the side of their midpoint: the
    # drawn line lies 1 m from it (not 1.04 m, its distance from the start).
    line = _local([(0.0, 0.0), (0.3, 1.0), (0.6, 0.0)])
    web, deviations = _drawn(_layers(_line_feature("short", line)))
    assert _coords(web, "short") == [line[0], line[-1]]
    assert deviations["short"] == pytest.approx(1.0, abs=1e-6)


def test_the_deviation_of_a_vertex_behind_the_start_is_its_distance_to_the_start():
    # The middle vertex lies 1 m back and 1 m to the side of the start: sqrt(2) m
    # from the drawn line, not the 1 m of its distance to the line's extension.
    line = _local([(0.0, 0.0), (-1.0, 1.0), (100.0, 0.0)])
    web, deviations = _drawn(_layers(_line_feature("back", line)))
    drawn = _coords(web, "back")
    assert drawn == [line[0], line[-1]]
    assert deviations["back"] == pytest.approx(math.sqrt(2.0), abs=1e-3)
    assert _hausdorff_m(line, drawn) <= deviations["back"] + 1e-6


def test_zero_keeps_even_a_repeated_vertex():
    line = _local([(0.0, 0.0), (50.0, 0.1), (50.0, 0.1), (100.0, 0.0)])
    web, deviations = _drawn(_layers(_line_feature("same", line)), 0.0)
    assert _coords(web, "same") == line and deviations == {"same": 0.0}


def test_repeated_vertices_are_dropped():
    a, b = _local([(0.0, 0.0), (100.0, 0.0)])
    web, deviations = _drawn(_layers(_line_feature("ab", [a, a, b, b])))
    assert _coords(web, "ab") == [a, b]
    assert deviations["ab"] == 0.0


def test_a_repeated_vertex_near_a_point_is_dropped_too():
    # The vertices near a point are kept as they are, but once each.
    line = _local([(0.0, 0.0), (50.0, 30.0), (50.0, 30.0), (100.0, 0.0)])
    web, _ = _drawn(_layers(_line_feature("peak", line), _point_feature("hut", (50.0, 31.0))))
    assert _coords(web, "peak") == [line[0], line[1], line[3]]


def _zigzag(vertices: int = 101, *, sign: float = 1.0) -> np.ndarray:
    """Return a line in local metres, a vertex every 10 m, 0.5 m either side of y = 0."""
    return np.array([[10.0 * i, sign * 0.5 * (-1) ** i] for i in range(vertices)])


def _assert_kept_near(
    local: np.ndarray, line: list[list[float]], drawn: list[Any], other: Any, distance: float
) -> None:
    """Assert both ends of every segment within ``distance`` of ``other`` are drawn."""
    kept = {tuple(position) for position in drawn}
    segments = shapely.linestrings(np.stack([local[:-1], local[1:]], axis=1))
    close = np.flatnonzero(shapely.distance(segments, other) <= distance)
    assert close.size >= 2
    for index in close:
        assert tuple(line[index]) in kept and tuple(line[index + 1]) in kept, index


@pytest.mark.parametrize(
    ("sign", "lat"),
    [
        pytest.param(1.0, 42.4, id="point-below"),
        pytest.param(-1.0, 42.4, id="point-above"),
        pytest.param(1.0, 1.0, id="near-the-equator"),
    ],
)
def test_vertices_near_a_point_on_either_side_are_kept(sign, lat):
    # The zigzag's vertex at x = 510 m lies 2.5 m from the point, on the point's side:
    # the segments either side of it keep their vertices; far from the point they go.
    origin = np.array(TO_UTM.transform(130.6, lat))
    local = _zigzag(sign=sign)
    line = _lonlat(origin + local)
    point = np.array([510.0, -sign * 3.0])
    (position,) = _lonlat(origin + point[None, :])
    hut = {
        "type": "Feature",
        "id": "hut",
        "properties": {"kind": "station"},
        "geometry": {"type": "Point", "coordinates": position},
    }
    web, deviations = _drawn(_layers(_line_feature("line", line), hut))
    drawn = _coords(web, "line")
    _assert_kept_near(local, line, drawn, shapely.points(point), 1.5 * MAX_DEVIATION_M)
    assert not [x for x, _ in local if 200 < x < 300 and line[int(x / 10)] in drawn]
    assert deviations["line"] <= MAX_DEVIATION_M


def test_a_line_keeps_more_room_beside_another_line_than_beside_a_point():
    # Beside another simplified line the vertices within 2.5 times the bound stay;
    # beside a point only those within 1.5 times: here a line 4.2 m off the zigzag's
    # course keeps its vertices there (3.7 m away), a point as far off does not.
    local = _zigzag()
    line = _lonlat(ORIGIN + local)
    beside = np.array([[400.0, 4.2], [500.0, 4.2], [600.0, 4.2]])
    layers = _layers(
        _line_feature("line", line),
        _line_feature("beside", _lonlat(ORIGIN + beside), "road"),
        _point_feature("hut", (250.0, 4.2)),
    )
    web, _ = _drawn(layers)
    drawn = _coords(web, "line")
    _assert_kept_near(local, line, drawn, shapely.linestrings(beside), 2.5 * MAX_DEVIATION_M)
    assert not [x for x, _ in local if 200 < x < 300 and line[int(x / 10)] in drawn]


def test_vertices_near_a_polygon_are_kept_whatever_comes_before_it():
    # An area the line passes 1.5 m from keeps the line's vertices there, though a
    # shape that cannot be read and an area far off come first.
    local = _zigzag()
    line = _lonlat(ORIGIN + local)

    def area(feature_id: str, corners: list[tuple[float, float]]) -> dict[str, Any]:
        return {
            "type": "Feature",
            "id": feature_id,
            "properties": {"kind": "area"},
            "geometry": {"type": "Polygon", "coordinates": [_local(corners + corners[:1])]},
        }

    unreadable = {
        "type": "Feature",
        "id": "unreadable",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": "not positions"},
    }
    square = [(500.0, 2.0), (520.0, 2.0), (520.0, 22.0), (500.0, 22.0)]
    far = [(200.0, 60.0), (220.0, 60.0), (220.0, 80.0), (200.0, 80.0)]
    layers = _layers(
        _line_feature("line", line), unreadable, area("far", far), area("near", square)
    )
    web, deviations = _drawn(layers)
    drawn = _coords(web, "line")
    polygon = shapely.polygons(square)
    _assert_kept_near(local, line, drawn, polygon, 1.5 * MAX_DEVIATION_M)
    assert len(drawn) < 30
    assert web["lines"]["features"][1:] == layers["lines"]["features"][1:]
    assert deviations["near"] == deviations["far"] == deviations["unreadable"] == 0.0


def test_shapes_other_than_long_lines_are_left_as_they_are():
    line = _lonlat(ORIGIN + _zigzag(30))
    (here,) = _local([(5.0, 50.0)])
    odd = {
        "nothing": None,
        "flat": {"type": "LineString", "coordinates": here},
        "one": {"type": "Point", "coordinates": [here]},
        "raised": {
            "type": "LineString",
            "coordinates": [[*position, 10.0] for position in line],
        },
        "several": {"type": "MultiPoint", "coordinates": _local([(0.0, 50.0), (9.0, 50.0)])},
        "ragged": {"type": "LineString", "coordinates": [here, here[:1], here]},
        "infinite": {"type": "LineString", "coordinates": [here, [math.inf, 42.4], here]},
        "typeless": {"coordinates": line},
    }
    features = [_line_feature("line", line)] + [
        {"type": "Feature", "id": key, "properties": {}, "geometry": geometry}
        for key, geometry in odd.items()
    ]
    layers = _layers(*features)
    before = copy.deepcopy(layers)
    web, deviations = _drawn(layers)
    assert layers == before
    assert len(_coords(web, "line")) == 2  # the zigzag is within the bound of its chord
    assert web["lines"]["features"][1:] == layers["lines"]["features"][1:]
    assert {key: deviations[key] for key in odd} == dict.fromkeys(odd, 0.0)


def test_a_line_in_whole_degrees_is_the_same_line_in_decimals():
    # The same three positions written as integers and as floats are one line: it is
    # simplified once (its middle vertex, on a parallel, is some 500 m off the chord).
    whole = [[130, 42], [131, 42], [132, 42]]
    decimal = [[130.0, 42.0], [131.0, 42.0], [132.0, 42.0]]
    assert 300 < _hausdorff_m(whole, [whole[0], whole[-1]]) < 700
    layers = _layers(_line_feature("whole", whole), _line_feature("decimal", decimal))
    web, deviations = _drawn(layers, 1000.0)
    assert _coords(web, "whole") == _coords(web, "decimal") == [[130, 42], [132, 42]]
    assert deviations["whole"] == deviations["decimal"] > 300


def test_a_feature_id_used_twice_reports_its_largest_deviation():
    line = _lonlat(ORIGIN + _zigzag(30))
    same_id = _point_feature("twice", (0.0, 50.0))
    layers = _layers(_line_feature("twice", line))
    layers["places"] = {"type": "FeatureCollection", "features": [same_id]}
    web, deviations = _drawn(layers)
    assert len(_coords(web, "twice")) == 2
    assert deviations == {"twice": pytest.approx(_hausdorff_m(line, _coords(web, "twice")))}
    assert deviations["twice"] > 0.4


def test_the_copies_share_nothing_with_the_layers():
    line = _lonlat(ORIGIN + _zigzag(30))
    feature = _line_feature("line", line)
    feature["properties"]["sources"] = ["a", "b"]
    point = _point_feature("hut", (0.0, 50.0))
    layers = _layers(feature, point)
    layers["lines"]["bbox"] = [130.0, 42.0, 131.0, 43.0]
    layers["lines"]["name"] = "lines"
    layers["lines"]["notes"] = {"seen": ["2025"]}
    before = copy.deepcopy(layers)
    web, _ = _drawn(layers)
    copied = web["lines"]
    assert {key: copied[key] for key in copied if key != "features"} == {
        key: value for key, value in before["lines"].items() if key != "features"
    }
    assert copied["features"][1] == before["lines"]["features"][1]
    copied["bbox"].append(0.0)
    copied["notes"]["seen"].append("2026")
    copied["features"][0]["properties"]["sources"].append("c")
    copied["features"][1]["geometry"]["coordinates"].append(0.0)
    copied["features"][1]["properties"]["name_en"] = "changed"
    assert layers == before


# Rounding to d decimals moves a position by up to 0.5 * 10^-d degrees each way, at
# most 0.5 * 10^-d * 111.7 km * sqrt(2) (0.79 m for 5 decimals, 7.9 m for 4).
_FIVE_DECIMALS_M = 0.5 * 10.0**-5 * 111_700.0 * math.sqrt(2.0)


@pytest.mark.parametrize(
    ("bound", "decimals"),
    [(3.1, 6), (3.5, 5), (4 * _FIVE_DECIMALS_M, 5), (40.0, 4)],
    ids=["3.1", "3.5", "exactly-four-times", "40"],
)
def test_the_kept_vertices_are_rounded_to_the_fewest_decimals_for_the_bound(bound, decimals):
    # The fewest decimals whose rounding moves a position by a quarter of the bound at
    # most (a quarter exactly is still within).
    local = np.array([[50.0 * i, 100.0 * (-1) ** i] for i in range(21)])
    line = _lonlat(ORIGIN + local)
    web, deviations = _drawn(_layers(_line_feature("zigzag", line)), bound)
    drawn = _coords(web, "zigzag")
    assert len(drawn) == len(line)  # every corner stays
    assert max(_decimals_of(value) for position in drawn[1:-1] for value in position) == decimals
    assert drawn[1:-1] == np.round(line[1:-1], decimals).tolist()
    assert 0 < deviations["zigzag"] <= bound / 4


def test_below_a_third_of_a_metre_no_rounding_fits_and_the_vertices_stay_exact():
    # Even 6 decimals may move a position by 0.08 m, more than a quarter of 0.2 m.
    local = np.array([[50.0 * i, 20.0 * (-1) ** i] for i in range(21)])
    line = _lonlat(ORIGIN + local)
    web, deviations = _drawn(_layers(_line_feature("zigzag", line)), 0.2)
    assert _coords(web, "zigzag") == line
    assert deviations["zigzag"] == 0.0


def test_a_line_and_the_line_reversed_are_drawn_alike_and_as_the_line_alone():
    # In Web Mercator a parallel is straight: the middle vertices, both 4.5 m from the
    # chord, are equally far, and Douglas-Peucker keeps the first it meets: the line
    # and its reverse, simplified each on its own, would not be drawn alike.
    line = [[130.6, 42.4], [130.6012, 42.40003], [130.6016, 42.40003], [130.603, 42.4]]
    mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    xy = shapely.linestrings(np.column_stack(mercator.transform(*np.array(line).T)))
    forward = shapely.get_coordinates(shapely.simplify(xy, 2.0, preserve_topology=False))
    backward = shapely.get_coordinates(
        shapely.simplify(shapely.reverse(xy), 2.0, preserve_topology=False)
    )
    assert len(forward) == len(backward) == 3 and (forward != backward[::-1]).any()

    def layers(*features: dict[str, Any]) -> dict[str, Any]:
        made = _layers(*features)
        made["lines"]["bordermap"] = {"spec": {"projection": "EPSG:3857"}}
        return made

    # The first of the two is drawn as it is alone; the second is that, reversed.
    for first, second in (("line", "reverse"), ("reverse", "line")):
        coordinates = {"line": line, "reverse": line[::-1]}
        alone, _ = _drawn(layers(_line_feature(first, coordinates[first])))
        drawn = _coords(alone, first)
        assert len(drawn) == 3
        web, deviations = _drawn(
            layers(*(_line_feature(key, coordinates[key]) for key in (first, second)))
        )
        assert _coords(web, first) == drawn
        assert _coords(web, second) == drawn[::-1]
        assert deviations[first] == deviations[second] > 0


# --------------------------------------------------------------------------- topology, small


def _zigzag_path(corners: list[tuple[float, float]], step: float = 10.0) -> list[Any]:
    """Return local positions along the corners, 0.5 m either side every ``step`` m."""
    positions: list[Any] = []
    for start, end in itertools.pairwise(corners):
        a, b = np.array(start), np.array(end)
        length = float(np.hypot(*(b - a)))
        along, across = (b - a) / length, np.array([(a - b)[1], (b - a)[0]]) / length
        count = max(int(length / step), 1)
        for i in range(count):
            side = 0.0 if i == 0 else 0.5 * (-1) ** i
            positions.append(tuple(a + along * length * i / count + side * across))
    positions.append(tuple(corners[-1]))
    return positions


def test_a_spike_is_not_folded_back_onto_itself():
    # Out east just south of a parallel and back west just north of it, to a point on
    # the way out: in Web Mercator, where a parallel is straight, the chord drawn back
    # would lie on the chord drawn out.
    line = [
        [130.6, 42.4],
        [130.601, 42.39999],
        [130.602, 42.4],
        [130.6015, 42.40001],
        [130.601, 42.4],
    ]
    mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    xy = shapely.linestrings(np.column_stack(mercator.transform(*np.array(line).T)))
    assert shapely.is_simple(xy)
    flat = shapely.simplify(xy, 2.0, preserve_topology=False)
    assert len(shapely.get_coordinates(flat)) == 3 and not shapely.is_simple(flat)
    layers = _layers(_line_feature("spike", line))
    layers["lines"]["bordermap"] = {"spec": {"projection": "EPSG:3857"}}
    web, deviations = _drawn(layers)
    drawn = _coords(web, "spike")
    drawn_xy = shapely.linestrings(np.column_stack(mercator.transform(*np.array(drawn).T)))
    assert shapely.is_simple(drawn_xy)
    assert len(drawn) < len(line)
    assert shapely.hausdorff_distance(xy, drawn_xy, densify=0.01) <= deviations["spike"] + 1e-6
    assert deviations["spike"] <= MAX_DEVIATION_M


def test_segments_whose_boxes_overlap_are_simplified_all_the_same():
    # A diagonal out, a side back and a short leg inside the diagonal's box: they do
    # not meet, and the zigzags along them go.
    corners = [(0.0, 0.0), (100.0, 100.0), (100.0, 0.0), (60.0, 10.0)]
    line = _local(_zigzag_path(corners))
    web, deviations = _drawn(_layers(_line_feature("line", line)))
    drawn = _coords(web, "line")
    assert len(drawn) == len(corners)
    assert _hausdorff_m(line, drawn, densify=0.01) <= deviations["line"] + 1e-6
    assert deviations["line"] <= MAX_DEVIATION_M


def _figure_eight(on_grid: set[str]) -> tuple[list[Any], dict[str, int]]:
    """Return a line crossing itself once, between corners b-c and d-e, and its corners.

    From the start it runs south-west to corner a, east along a zigzag to b, across
    to c, south to d, across to e (crossing b-c) and back west along a zigzag. The
    corners named in ``on_grid`` are at 6 decimals; the others at full precision.
    """
    start = [(-60.0, -60.0)]
    out = _zigzag_path([(0.0, 0.0), (100.0, 0.0)])
    back = _zigzag_path([(100.0, 100.0), (0.0, 100.0)])
    local = start + out + [(200.0, 100.0), (200.0, 0.0)] + back
    corners = {
        "a": 1,
        "b": len(out),
        "c": len(out) + 1,
        "d": len(out) + 2,
        "e": len(out) + 3,
    }
    line = _local(local)
    for name in on_grid:
        line[corners[name]] = np.round(line[corners[name]], 6).tolist()
    return line, corners


@pytest.mark.parametrize(
    ("on_grid", "rounded"),
    [
        pytest.param({"b", "c", "d", "e"}, True, id="crossing-at-6-decimals"),
        pytest.param(set(), False, id="crossing-at-full-precision"),
        pytest.param({"c", "e"}, False, id="crossing-half-at-6-decimals"),
    ],
)
def test_a_line_crossing_itself_is_rounded_only_where_its_crossing_stays(on_grid, rounded):
    # Only the corners are drawn. Rounding them would move the crossing, unless the
    # corners of both crossing segments are at 6 decimals already: then corner a
    # alone is rounded (it is out of the crossing); otherwise nothing is.
    line, corners = _figure_eight(on_grid)
    xy = shapely.linestrings(_utm(line))
    assert not shapely.is_simple(xy)
    web, deviations = _drawn(_layers(_line_feature("eight", line)))
    drawn = _coords(web, "eight")
    kept = [line[0]] + [line[corners[name]] for name in "abcde"] + [line[-1]]
    if rounded:
        kept[1] = np.round(kept[1], 6).tolist()
        assert kept[1] != line[corners["a"]]
    assert drawn == kept
    assert not shapely.is_simple(shapely.linestrings(_utm(drawn)))  # it still crosses
    assert _hausdorff_m(line, drawn, densify=0.01) <= deviations["eight"] + 1e-6
    assert deviations["eight"] <= MAX_DEVIATION_M


@pytest.mark.parametrize(
    "geometry",
    [
        pytest.param({"type": "MultiPoint", "coordinates": []}, id="empty-multipoint"),
        pytest.param({"type": "Polygon", "coordinates": []}, id="empty-polygon"),
        pytest.param({"type": "GeometryCollection", "geometries": []}, id="empty-collection"),
        pytest.param({"type": "LineString", "coordinates": [[130.8, 42.5]]}, id="one-position"),
    ],
)
def test_a_shape_with_nothing_to_draw_beside_a_long_line_is_left_as_it_is(geometry):
    # Such a shape used to stop web_ready with an IndexError or a GEOSException.
    line = _lonlat(ORIGIN + _zigzag(30))
    layers = _layers(
        _line_feature("line", line),
        {"type": "Feature", "id": "odd", "properties": {}, "geometry": geometry},
    )
    web, deviations = _drawn(layers)
    assert len(_coords(web, "line")) == 2
    assert web["lines"]["features"][1] == layers["lines"]["features"][1]
    assert deviations["odd"] == 0.0
