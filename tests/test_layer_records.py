"""What a reader of a layer sees, for small facts made in each test.

Each test builds its layers itself from a few features made in code (not the session's
shipped layers), so mutation testing runs it against every change to the code that
builds them (docs/mutation.md). Expected values come from the facts given here, from
pyproj directly or from arithmetic written out beside them.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod

from bordermap import settings
from bordermap.errors import CoordinatePrecisionWarning, FactsError
from bordermap.facts import (
    Event,
    Facts,
    FeatureFacts,
    Figure,
    FigureValue,
    GeometrySpec,
    Note,
    Position,
    Source,
)
from bordermap.layers import build_layers
from bordermap.mapspec import MapSpec

FACTS_PATH = Path("/maps/small/facts.toml")
SOURCES = {
    key: Source(id=key, publisher=f"Publisher {key}", url=f"https://example.org/{key}")
    for key in ("s1", "s2", "s3", "s4")
}
GEOD = Geod(ellps="WGS84")


def feature(feature_id: str, geometry: GeometrySpec, **more: Any) -> FeatureFacts:
    """A feature in layer "things" with the fields every feature has, and ``more``."""
    fields: dict[str, Any] = {
        "layer": "things",
        "kind": "thing",
        "name": {"en": feature_id.title()},
        "description": f"About {feature_id}.",
        "sources": ("s1",),
        **more,
    }
    return FeatureFacts(id=feature_id, geometry=geometry, **fields)


def facts_of(*features: FeatureFacts, **more: Any) -> Facts:
    fields: dict[str, Any] = {
        "path": FACTS_PATH,
        "id": "small",
        "title": "A small map",
        "subject": "Things",
        "as_of": "2025-06-01",
        "sources": SOURCES,
        **more,
    }
    return Facts(features=features, **fields)


def point(lon: float, lat: float, *, sources: tuple[str, ...] = (), **more: Any) -> GeometrySpec:
    return GeometrySpec(method="point", point=Position(lat=lat, lon=lon, sources=sources), **more)


def line(*lon_lat: tuple[float, float]) -> GeometrySpec:
    return GeometrySpec(method="line", vertices=tuple((lat, lon) for lon, lat in lon_lat))


def same_as(other: str) -> GeometrySpec:
    return GeometrySpec(method="same_as", feature=other)


def drawn(layers: dict[str, Any], feature_id: str) -> dict[str, Any]:
    [found] = [
        one for layer in layers.values() for one in layer["features"] if one["id"] == feature_id
    ]
    return found


def source(key: str) -> dict[str, str]:
    return {"id": key, "publisher": f"Publisher {key}", "url": f"https://example.org/{key}"}


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


# --- a feature's properties ---------------------------------------------------------------


def test_a_point_carries_every_fact_in_a_fixed_order():
    other_one = Position(lat=42.4021, lon=130.6013, sources=("s2",))
    other_two = Position(lat=42.3993, lon=130.5987, sources=("s3", "s2"))
    geometry = point(
        130.6,
        42.4,
        sources=("s4", "s1"),
        note="from the timetable's map",
        alternatives=(other_one, other_two),
    )
    station = feature(
        "station",
        geometry,
        name={"en": "Station", "ru": "Станция"},
        name_note="spelt as on the sign",
        label={"en": "Stn"},
        events=(
            Event(date="1950-01-01", what="Opened", sources=("s2",), status="open"),
            Event(date="2030-01-01", what="To close", sources=("s4",), expected=True),
        ),
        figures=(
            Figure(
                name="platforms",
                unit="count",
                drawn=2,
                values=(
                    FigureValue(value=2, sources=("s1",), note="in 2020"),
                    FigureValue(value=3, sources=("s3",)),
                ),
            ),
        ),
    )
    record = drawn(build_layers(facts_of(station)), "station")
    distances = [metres((130.6, 42.4), (other.lon, other.lat)) for other in (other_one, other_two)]
    tenths = [round(distance, 1) for distance in distances]
    assert all(tenth != round(tenth) for tenth in tenths)  # so a lost decimal shows
    properties = record["properties"]
    assert list(properties) == [
        "name_en",
        "name_ru",
        "name_note",
        "label_en",
        "kind",
        "status",
        "description",
        "events",
        "figures",
        "approximate",
        "accuracy_m",
        "accuracy_note",
        "geometry_note",
        "position_alternatives",
        "position_sources",
        "sources",
    ]
    assert properties == {
        "name_en": "Station",
        "name_ru": "Станция",
        "name_note": "spelt as on the sign",
        "label_en": "Stn",
        "kind": "thing",
        "status": "open",
        "description": "About station.",
        "events": [
            {"date": "1950-01-01", "what": "Opened", "status": "open", "sources": ["s2"]},
            {"date": "2030-01-01", "what": "To close", "expected": True, "sources": ["s4"]},
        ],
        "figures": [
            {
                "name": "platforms",
                "unit": "count",
                "drawn": 2,
                "disputed": True,
                "values": [
                    {"value": 2, "note": "in 2020", "sources": ["s1"]},
                    {"value": 3, "sources": ["s3"]},
                ],
            }
        ],
        "approximate": True,
        "accuracy_m": math.ceil(max(distances) / 10) * 10,
        "accuracy_note": "sources disagree on the position; the farthest other is this far",
        "geometry_note": "from the timetable's map",
        "position_alternatives": [
            {"lat": 42.4021, "lon": 130.6013, "distance_m": tenths[0], "sources": ["s2"]},
            {"lat": 42.3993, "lon": 130.5987, "distance_m": tenths[1], "sources": ["s3", "s2"]},
        ],
        "position_sources": ["s4", "s1"],
        "sources": [source("s1"), source("s4"), source("s2"), source("s3")],
    }
    assert [type(other["distance_m"]) for other in properties["position_alternatives"]] == [
        float,
        float,
    ]
    assert [list(event) for event in properties["events"]] == [
        ["date", "what", "status", "sources"],
        ["date", "what", "expected", "sources"],
    ]
    [figure] = properties["figures"]
    assert list(figure) == ["name", "unit", "drawn", "disputed", "values"]
    assert [list(value) for value in figure["values"]] == [
        ["value", "note", "sources"],
        ["value", "sources"],
    ]
    assert list(record) == ["type", "id", "properties", "geometry"]
    assert record["geometry"] == {"type": "Point", "coordinates": [130.6, 42.4]}


def test_a_line_with_the_least_facts_carries_only_what_it_has():
    # No name note, label, events, geometry note, alternatives or published position;
    # a figure without unit or drawn value, given one value by one source.
    river = feature(
        "river",
        line((130.0, 42.0), (130.0, 42.01)),
        figures=(Figure(name="length", values=(FigureValue(value=1100, sources=("s2",)),)),),
    )
    layers = build_layers(facts_of(river))
    record = drawn(layers, "river")
    assert record["properties"] == {
        "name_en": "River",
        "kind": "thing",
        "status": "existing",
        "description": "About river.",
        "events": [],
        "figures": [
            {
                "name": "length",
                "disputed": False,
                "values": [{"value": 1100, "sources": ["s2"]}],
            }
        ],
        "length_m": round(metres((130.0, 42.0), (130.0, 42.01)), 1),
        "approximate": False,
        "sources": [source("s1"), source("s2")],
    }
    assert record["geometry"] == {
        "type": "LineString",
        "coordinates": [[130.0, 42.0], [130.0, 42.01]],
    }
    assert list(layers) == ["things"]
    assert "notes" not in layers["things"]["bordermap"]  # no notes: no member at all


def test_a_layer_lists_its_own_notes_with_their_sources():
    note = Note(layer="things", date="2024-05-01", text="Flights resumed.", sources=("s3",))
    other = Note(layer="elsewhere", date="2024-06-01", text="Not here.", sources=("s2",))
    layers = build_layers(facts_of(feature("spot", point(130.0, 42.0)), notes=(note, other)))
    assert layers["things"]["bordermap"]["notes"] == [
        {"date": "2024-05-01", "text": "Flights resumed.", "sources": [source("s3")]}
    ]


# --- drawing order: a feature drawn from others listed after it ---------------------------


def test_a_feature_can_be_drawn_the_same_as_one_listed_after_it():
    # Each is drawn from the next, the last one given: the chain is followed to the end.
    spot = point(130.0, 42.0, alternatives=(Position(lat=42.001, lon=130.0),))
    layers = build_layers(
        facts_of(
            feature("copy-of-copy", same_as("copy")),
            feature("copy", same_as("spot")),
            feature("spot", spot),
        )
    )
    farthest = math.ceil(metres((130.0, 42.0), (130.0, 42.001)) / 10) * 10
    for feature_id in ("copy-of-copy", "copy", "spot"):
        record = drawn(layers, feature_id)
        assert record["geometry"] == {"type": "Point", "coordinates": [130.0, 42.0]}, feature_id
        assert record["properties"]["accuracy_m"] == farthest, feature_id


def test_features_drawn_from_each_other_in_a_circle_are_refused():
    facts = facts_of(feature("a", same_as("b")), feature("b", same_as("a")))
    with pytest.raises(FactsError) as caught:
        build_layers(facts)
    assert str(caught.value) == f"{FACTS_PATH}: feature 'a', field 'geometry': cycle a -> b -> a"


# --- crossings ----------------------------------------------------------------------------

# A straight river flowing due north for 0.1 degrees of latitude.
SOURCE_END, MOUTH = (130.0, 42.0), (130.0, 42.1)


def river(feature_id: str = "river") -> FeatureFacts:
    return feature(feature_id, line(SOURCE_END, MOUTH), kind="river")


def crossing(**geometry: Any) -> GeometrySpec:
    return GeometrySpec(method="crossing", **{"river": "river", "length_m": 600.0, **geometry})


def centred(lon: float, lat: float, **geometry: Any) -> GeometrySpec:
    return crossing(point=Position(lat=lat, lon=lon), **geometry)


def lengths(*values: float) -> Figure:
    return Figure(name="length", values=tuple(FigureValue(v, ("s2",)) for v in values))


def distances(*values: float) -> Figure:
    name = "downstream distance (from the upper bridge)"
    return Figure(name=name, values=tuple(FigureValue(v, ("s3",)) for v in values))


def centre_of(record: dict[str, Any]) -> tuple[float, float]:
    """The midpoint of a drawn bridge, halfway along the geodesic between its ends."""
    (lon1, lat1), (lon2, lat2) = record["geometry"]["coordinates"]
    azimuth, _, length = GEOD.inv(lon1, lat1, lon2, lat2)
    lon, lat, _ = GEOD.fwd(lon1, lat1, azimuth, length / 2.0)
    return (lon, lat)


def accuracy(record: dict[str, Any]) -> tuple[object, ...]:
    properties = record["properties"]
    return tuple(properties.get(key) for key in ("approximate", "accuracy_m", "accuracy_note"))


def test_a_bridge_on_its_published_centre_adds_up_every_uncertainty():
    # 40 m about the centre; each end of 600 m swung by ±10°: 300 m x sin 10° = 52.09 m;
    # a source's 640 m puts each end 20 m beyond the drawn line (500 m lies within it).
    # 40 + 52.09 + 20 = 112.09, rounded up to 120.
    bridge = centred(130.0, 42.05, centre_uncertainty_m=40.0, bearing_uncertainty_deg=10.0)
    layers = build_layers(
        facts_of(feature("bridge", bridge, figures=(lengths(600, 640, 500),)), river())
    )
    record = drawn(layers, "bridge")
    assert accuracy(record) == (
        True,
        120.0,
        "sum of 40 m from the published centre, 52 m at the ends from ±10° of bearing, "
        "20 m at each end from the sources' lengths",
    )
    # Square to the river, right bank (east, facing downstream) first.
    east, west = record["geometry"]["coordinates"]
    for end, bearing in ((east, 90.0), (west, -90.0)):
        expected = GEOD.fwd(130.0, 42.05, bearing, 300.0)[:2]
        assert metres(tuple(end), expected) < 0.1


def test_a_bridge_downstream_of_another_is_as_uncertain_as_the_sources_distances():
    # Listed before the bridge it is placed from, which is listed before its river,
    # itself drawn the same as the river: each is drawn when first needed.
    lower = crossing(river="channel", downstream_of="upper", downstream_m=1000.0)
    upper = centred(130.0, 42.02, river="channel")
    facts = facts_of(
        feature("lower", lower, figures=(distances(1000, 960, 1000.6),)),
        feature("upper", upper),
        feature("channel", same_as("river")),
        river(),
    )
    layers = build_layers(facts)
    # Sources say 960 to 1000.6 m: the centre may be 40 m off (the farthest either way).
    assert accuracy(drawn(layers, "lower")) == (
        True,
        40.0,
        "sum of 40 m from the sources' distances downstream",
    )
    # Due north along the river, 1000 m from the upper bridge's centre.
    expected = GEOD.fwd(130.0, 42.02, 0.0, 1000.0)[:2]
    assert metres(centre_of(drawn(layers, "lower")), expected) < 0.5
    # Nothing uncertain about the upper one: not approximate at all.
    assert accuracy(drawn(layers, "upper")) == (False, None, None)


def test_sources_less_than_a_metre_apart_still_make_a_bridge_approximate():
    lower = crossing(downstream_of="upper", downstream_m=1000.0)
    facts = facts_of(
        feature("lower", lower, figures=(distances(1000, 1000.6),)),
        feature("upper", centred(130.0, 42.02)),
        river(),
    )
    # 0.6 m, written to the metre and rounded up to the next ten.
    assert accuracy(drawn(build_layers(facts), "lower")) == (
        True,
        10.0,
        "sum of 1 m from the sources' distances downstream",
    )


def test_a_bridge_may_stand_at_the_very_end_of_its_river():
    river_length = metres(SOURCE_END, MOUTH)
    lower = crossing(downstream_of="upper", downstream_m=river_length)
    facts = facts_of(feature("upper", centred(*SOURCE_END)), feature("lower", lower), river())
    assert metres(centre_of(drawn(build_layers(facts), "lower")), MOUTH) < 0.5


def test_a_bridge_past_the_end_of_its_river_is_refused():
    lower = crossing(downstream_of="upper", downstream_m=20_000.0)
    facts = facts_of(feature("upper", centred(130.0, 42.02)), feature("lower", lower), river())
    with pytest.raises(FactsError) as caught:
        build_layers(facts)
    assert str(caught.value) == (
        f"{FACTS_PATH}: feature 'lower', geometry, field 'downstream_m': "
        "20000 m downstream is past the river's end"
    )


def test_a_bridge_downstream_of_what_is_not_a_crossing_is_refused():
    lower = crossing(downstream_of="spot", downstream_m=100.0)
    facts = facts_of(feature("spot", point(130.0, 42.02)), feature("lower", lower), river())
    with pytest.raises(FactsError) as caught:
        build_layers(facts)
    assert str(caught.value) == (
        f"{FACTS_PATH}: feature 'lower', geometry, field 'downstream_of': 'spot' is not a crossing"
    )


# --- schematic paths ----------------------------------------------------------------------


def path_through(*parts: FeatureFacts, also: tuple[FeatureFacts, ...] = ()) -> list[list[float]]:
    """The coordinates of a path through ``parts``, listed before them (and ``also``)."""
    through = tuple(part.id for part in parts)
    route = feature("route", GeometrySpec(method="path", through=through, accuracy_m=25.0))
    record = drawn(build_layers(facts_of(route, *parts, *also)), "route")
    assert accuracy(record) == (
        True,
        25.0,
        "schematic: straight lines between the features it joins",
    )
    coordinates: list[list[float]] = record["geometry"]["coordinates"]
    return coordinates


def test_a_path_turns_each_line_to_continue_it_and_meets_each_part_once():
    # A line as given; a point (drawn the same as one listed later) where the line ends;
    # a two-vertex line given from its far end, so turned round.
    assert path_through(
        feature("road", line((130.0, 42.0), (130.01, 42.0))),
        feature("halt", same_as("stop")),
        feature("bridge", line((130.03, 42.0), (130.02, 42.0))),
        also=(feature("stop", point(130.01, 42.0)),),
    ) == [[130.0, 42.0], [130.01, 42.0], [130.02, 42.0], [130.03, 42.0]]


def test_a_path_turns_a_line_by_its_ends_alone():
    # Given from its far end: its end is nearer the path than its start (1.4 km against
    # 2.5 km), though its second vertex and its last but one are farther (4.3, 4.0 km).
    given = [(130.03, 42.0), (130.05, 42.01), (130.04, 42.02), (130.01, 42.01)]
    path = path_through(feature("start", point(130.0, 42.0)), feature("track", line(*given)))
    assert path == [[130.0, 42.0], *[list(vertex) for vertex in reversed(given)]]


def test_a_path_keeps_a_line_whose_start_is_nearer():
    # Its start is nearer than its end (0.8 against 2.0 km), its second vertex farther.
    given = [(130.01, 42.0), (130.05, 42.0), (130.02, 42.01)]
    path = path_through(feature("start", point(130.0, 42.0)), feature("track", line(*given)))
    assert path == [[130.0, 42.0], *[list(vertex) for vertex in given]]


def test_a_path_keeps_a_loop_as_given():
    # Both ends of a loop are as near: it is not turned.
    given = [(130.01, 42.0), (130.02, 42.01), (130.02, 41.99), (130.01, 42.0)]
    path = path_through(feature("start", point(130.0, 42.0)), feature("loop", line(*given)))
    assert path == [[130.0, 42.0], *[list(vertex) for vertex in given]]


# --- what rounding does to a given line ---------------------------------------------------

# Two vertices given at 7 decimals: rounded to 6, each moves 4 cm away from the other.
GIVEN = ((130.0000004, 42.0000004), (130.0000996, 42.0000996))
WRITTEN = ((130.0, 42.0), (130.0001, 42.0001))


def lengthening() -> tuple[float, float]:
    given, written = metres(*GIVEN), metres(*WRITTEN)
    return given, written


def test_a_line_rounding_lengthens_past_the_tolerance_is_warned_about(monkeypatch):
    given, written = lengthening()
    monkeypatch.setattr(settings, "length_tolerance_m", 0.01)  # a few cm is too much here
    with pytest.warns(CoordinatePrecisionWarning) as caught:
        layers = build_layers(facts_of(feature("short", line(*GIVEN))))
    assert drawn(layers, "short")["geometry"]["coordinates"] == [list(p) for p in WRITTEN]
    [warning] = caught.list
    assert str(warning.message) == (
        f"{FACTS_PATH}: feature 'short', field 'geometry': its 2 vertices lie closer "
        f"together (median {given:.2f} m apart) than 6 decimals can write them: the "
        f"layer's line measures {written:,.1f} m, {written - given:,.1f} m more than the "
        f"line given ({given:,.1f} m). Thin the line to vertices a metre or more apart."
    )


def test_a_line_rounding_lengthens_by_just_the_tolerance_is_not_warned_about(monkeypatch):
    given, written = lengthening()
    monkeypatch.setattr(settings, "length_tolerance_m", written - given)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoordinatePrecisionWarning)
        build_layers(facts_of(feature("short", line(*GIVEN))))
    monkeypatch.setattr(settings, "length_tolerance_m", math.nextafter(written - given, 0.0))
    with pytest.warns(CoordinatePrecisionWarning):
        build_layers(facts_of(feature("short", line(*GIVEN))))


# --- the map's projection -----------------------------------------------------------------


def test_a_bridge_is_placed_along_its_river_in_the_map_s_projection(monkeypatch):
    # A river flowing north-east; the upper bridge's centre lies 3 km off it. Where along
    # the river that centre falls depends on the plane it is projected in: an equal-area
    # projection (EPSG:6933) stretches east-west here, unlike the default UTM zone.
    diagonal = feature("river", line((130.0, 42.0), (130.05, 42.05)), kind="river")
    upper = centred(130.03, 42.02)
    lower = crossing(downstream_of="upper", downstream_m=500.0)
    plain = facts_of(diagonal, feature("upper", upper), feature("lower", lower))
    projected = dataclasses.replace(
        plain, spec=MapSpec(id="small", output="small_border_map", projection="EPSG:6933")
    )
    in_the_map_s_projection = drawn(build_layers(projected), "lower")["geometry"]
    in_utm = drawn(build_layers(plain), "lower")["geometry"]
    monkeypatch.setattr(settings, "projected_crs", "EPSG:6933")
    as_set = drawn(build_layers(plain), "lower")["geometry"]
    assert in_the_map_s_projection == as_set
    assert metres(centre_of({"geometry": as_set}), centre_of({"geometry": in_utm})) > 100.0
