"""Tests for bordermap.geometry against published geodesic values and FACTS.md."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from helpers import TUMEN_CHANNEL_LAT_LON
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from bordermap import geometry
from bordermap.geometry import (
    Line,
    azimuth_along,
    buffer_polygon,
    distance_along,
    distance_m,
    geodesic_length,
    line_across,
    point_along,
    round_coordinate,
    round_coordinates,
    side_of_line,
)

# The Tumen River's main channel from the tripoint to the mouth, as FACTS.md lists it
# (``lat, lon`` there), turned into GeoJSON's ``(lon, lat)``.
TUMEN_LAT_LON = TUMEN_CHANNEL_LAT_LON
TUMEN = [(lon, lat) for lat, lon in TUMEN_LAT_LON]
TUMEN_LENGTH = geodesic_length(TUMEN)

# A straight line running due south along a meridian near the border.
SOUTHWARD = [(130.64, 42.42), (130.64, 42.40)]


WGS84_A = 6_378_137.0
WGS84_E2 = 0.00669437999014


def local_bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Bearing from ``a`` to ``b`` in a local tangent plane of the ellipsoid, in [0, 360).

    Independent of pyproj: metres per degree from the WGS 84 radii of curvature, good to
    hundredths of a degree over a few kilometres.
    """
    mean_lat = math.radians((a[1] + b[1]) / 2.0)
    w = math.sqrt(1.0 - WGS84_E2 * math.sin(mean_lat) ** 2)
    meridian_radius = WGS84_A * (1.0 - WGS84_E2) / w**3
    normal_radius = WGS84_A / w
    east = math.radians(b[0] - a[0]) * normal_radius * math.cos(mean_lat)
    north = math.radians(b[1] - a[1]) * meridian_radius
    return math.degrees(math.atan2(east, north)) % 360.0


# --- geodesic_length and distance_m against published values ---------------------------


@pytest.mark.parametrize(
    ("coords", "expected_m", "tolerance_m"),
    [
        # One degree of latitude at the equator (WGS 84): 110,574 m.
        ([(0.0, 0.0), (0.0, 1.0)], 110_574.0, 1.0),
        # One degree of latitude centred on 45°: 111,132 m.
        ([(0.0, 44.5), (0.0, 45.5)], 111_132.0, 1.0),
        # The last degree of latitude before the pole: 111,694 m.
        ([(0.0, 89.0), (0.0, 90.0)], 111_694.0, 1.0),
        # One degree of longitude on the equator: a * pi / 180 = 111,319.491 m.
        ([(0.0, 0.0), (1.0, 0.0)], 6_378_137.0 * math.pi / 180.0, 0.01),
        # The WGS 84 quarter meridian, equator to pole: 10,001,965.729 m.
        ([(0.0, 0.0), (0.0, 90.0)], 10_001_965.729, 0.01),
        # A polyline is the sum of its parts: two half-degree steps make one degree.
        ([(0.0, 0.0), (0.0, 0.5), (0.0, 1.0)], 110_574.0, 1.0),
    ],
)
def test_geodesic_length_matches_published_distances(coords, expected_m, tolerance_m):
    assert geodesic_length(coords) == pytest.approx(expected_m, abs=tolerance_m)


def test_distance_m_wellington_to_salamanca():
    # GeographicLib's documented example: Wellington (41.32S, 174.81E) to Salamanca
    # (40.96N, 5.50W) is 19,959,679.267 m on WGS 84.
    assert distance_m((174.81, -41.32), (-5.50, 40.96)) == pytest.approx(19_959_679.267, abs=0.01)


def test_distance_m_takes_lon_lat_order():
    # One degree of latitude (lat varies) must not be read as one of longitude.
    assert distance_m((0.0, 0.0), (0.0, 1.0)) == pytest.approx(110_574.0, abs=1.0)


@pytest.mark.parametrize("coords", [[], [(130.6, 42.4)]])
def test_geodesic_length_of_fewer_than_two_points_is_zero(coords):
    assert geodesic_length(coords) == 0.0


def test_tumen_channel_is_about_17_7_km():
    # FACTS.md: 17.7 km measured along the OpenStreetMap line.
    assert 17_650 <= TUMEN_LENGTH <= 17_800


# --- point_along and distance_along ------------------------------------------------------


def test_point_along_start_and_end_are_the_ends():
    assert point_along(TUMEN, 0.0) == pytest.approx(TUMEN[0], abs=1e-9)
    assert point_along(TUMEN, TUMEN_LENGTH) == pytest.approx(TUMEN[-1], abs=1e-9)


def test_point_along_clamps_to_the_ends():
    assert point_along(TUMEN, -500.0) == pytest.approx(TUMEN[0], abs=1e-9)
    assert point_along(TUMEN, TUMEN_LENGTH + 500.0) == pytest.approx(TUMEN[-1], abs=1e-9)


def test_point_along_a_meridian_moves_by_the_published_degree():
    # 110,574 m down the equator-to-north meridian is one degree of latitude.
    lon, lat = point_along([(0.0, 0.0), (0.0, 2.0)], 110_574.0)
    assert lon == pytest.approx(0.0, abs=1e-9)
    assert lat == pytest.approx(1.0, abs=1e-5)


def test_point_along_lands_on_a_vertex_at_its_distance():
    head = geodesic_length(TUMEN[:5])
    assert distance_m(point_along(TUMEN, head), TUMEN[4]) < 0.01


@pytest.mark.parametrize("distance", [0.0, 1.0, 484.0, 1_234.5, 8_000.0, 17_000.0])
def test_point_along_then_distance_along_round_trip(distance):
    assert distance_along(TUMEN, point_along(TUMEN, distance)) == pytest.approx(distance, abs=0.5)


@pytest.mark.parametrize("fraction", [0.25, 0.5, 0.75])
def test_round_trip_within_every_segment_is_centimetre_exact(fraction):
    # Both directions measure geodesically, so even 2 km segments agree to centimetres
    # (a planar measure in UTM would be off by decimetres this far from zone 52's meridian).
    for index in range(len(TUMEN) - 1):
        head = geodesic_length(TUMEN[: index + 1])
        distance = head + fraction * distance_m(TUMEN[index], TUMEN[index + 1])
        back = distance_along(TUMEN, point_along(TUMEN, distance))
        assert back == pytest.approx(distance, abs=0.05), index


@pytest.mark.parametrize("before_m", [0.1, 1.0, 2.0])
def test_point_along_just_before_a_vertex(before_m):
    for index in range(1, len(TUMEN)):
        head = geodesic_length(TUMEN[: index + 1])
        point = point_along(TUMEN, head - before_m)
        assert distance_m(point, TUMEN[index]) == pytest.approx(before_m, abs=0.01), index


def test_distance_along_of_vertices_is_cumulative_length():
    for index in range(len(TUMEN)):
        expected = geodesic_length(TUMEN[: index + 1])
        assert distance_along(TUMEN, TUMEN[index]) == pytest.approx(expected, abs=0.5)


def test_distance_along_projects_a_point_off_the_line():
    # A point 100 m east of the 1 km mark of a southward meridian projects onto it.
    on_line = point_along(SOUTHWARD, 1_000.0)
    beside = point_along([on_line, (on_line[0] + 0.01, on_line[1])], 100.0)
    assert distance_m(on_line, beside) == pytest.approx(100.0, abs=0.01)
    assert distance_along(SOUTHWARD, beside) == pytest.approx(1_000.0, abs=0.5)


def test_distance_along_clamps_beyond_the_ends():
    assert distance_along(SOUTHWARD, (130.64, 42.43)) == pytest.approx(0.0, abs=0.5)
    end = geodesic_length(SOUTHWARD)
    assert distance_along(SOUTHWARD, (130.64, 42.39)) == pytest.approx(end, abs=0.5)


def test_friendship_bridge_is_about_480_m_below_the_tripoint():
    # FACTS.md: the bridge centre lies on the channel about 480 m downstream of the tripoint.
    along = distance_along(TUMEN, (130.641056, 42.415167))
    assert 430 <= along <= 530


def test_azimuth_along_a_southward_line_is_south():
    assert abs(azimuth_along(SOUTHWARD, 1_000.0, 250.0)) == pytest.approx(180.0, abs=0.01)


def test_azimuth_along_the_first_tumen_reach_is_south_east():
    # The channel below the tripoint runs from 130.637E to 130.647E while falling 0.007
    # of a degree: south-east.
    azimuth = azimuth_along(TUMEN, 400.0, 250.0)
    assert azimuth == pytest.approx(local_bearing(TUMEN[0], TUMEN[1]), abs=0.5)
    assert 90 < azimuth < 180


# --- line_across ------------------------------------------------------------------------


def test_line_across_has_the_requested_length_and_centre():
    centre = (130.641056, 42.415167)
    ends = line_across(centre, 135.0, 623.0)
    assert len(ends) == 2
    assert geodesic_length(ends) == pytest.approx(623.0, abs=0.01)
    assert distance_m(ends[0], centre) == pytest.approx(311.5, abs=0.01)
    assert distance_m(ends[1], centre) == pytest.approx(311.5, abs=0.01)
    assert distance_m(point_along(ends, 311.5), centre) < 0.01


@pytest.mark.parametrize("azimuth", [0.0, 45.0, 135.0, 180.0, -90.0, 250.0])
def test_line_across_is_square_to_the_azimuth(azimuth):
    ends = line_across((130.64, 42.41), azimuth, 1_000.0)
    across = local_bearing(ends[0], ends[1])
    difference = (across - azimuth) % 360.0
    # First end on the right, so walking from it to the second end faces azimuth - 90°.
    assert difference == pytest.approx(270.0, abs=0.02)


def test_line_across_a_southward_line_starts_on_its_right():
    centre = point_along(SOUTHWARD, 1_000.0)
    ends = line_across(centre, 180.0, 600.0)
    # Facing south, the right is the west.
    assert ends[0][0] < centre[0] < ends[1][0]
    assert side_of_line(SOUTHWARD, ends[0]) == -1
    assert side_of_line(SOUTHWARD, ends[1]) == 1


def test_line_across_the_tumen_starts_on_the_north_korean_bank():
    # North Korea is on the right (south-west) bank facing downstream.
    along = distance_along(TUMEN, (130.641056, 42.415167))
    centre = point_along(TUMEN, along)
    ends = line_across(centre, azimuth_along(TUMEN, along, 250.0), 623.0)
    assert side_of_line(TUMEN, ends[0]) == -1
    assert side_of_line(TUMEN, ends[1]) == 1
    tumangang_station = (130.608056, 42.421389)
    assert distance_m(ends[0], tumangang_station) < distance_m(ends[1], tumangang_station)


# --- side_of_line -----------------------------------------------------------------------


def test_side_of_line_signs_on_a_southward_line():
    # Facing south, east is on the left (+1) and west on the right (-1).
    assert side_of_line(SOUTHWARD, (130.65, 42.41)) == 1
    assert side_of_line(SOUTHWARD, (130.63, 42.41)) == -1


def test_side_of_line_is_zero_on_a_vertex():
    assert side_of_line(SOUTHWARD, SOUTHWARD[0]) == 0
    assert side_of_line(SOUTHWARD, SOUTHWARD[1]) == 0
    assert side_of_line(TUMEN, TUMEN[7]) == 0


def test_side_of_line_flips_with_the_line_direction():
    northward = list(reversed(SOUTHWARD))
    assert side_of_line(northward, (130.65, 42.41)) == -1
    assert side_of_line(northward, (130.63, 42.41)) == 1


def test_side_of_line_of_the_tumen_banks():
    # FACTS.md: the stations and treaty markers on each bank.
    assert side_of_line(TUMEN, (130.608056, 42.421389)) == -1  # Tumangang station, North Korea
    assert side_of_line(TUMEN, (130.644917, 42.430056)) == 1  # Khasan station, Russia
    assert side_of_line(TUMEN, (130.635139, 42.416528)) == -1  # Korean marker, right bank
    assert side_of_line(TUMEN, (130.639275, 42.419787)) == 1  # marker no. 423, left bank


def test_side_of_line_judges_against_the_nearest_segment():
    # A bend: south, then east. A point south of the second leg is east of the first
    # (its left) but must be judged against the nearer second leg, whose right it is on.
    bend = [(130.60, 42.42), (130.60, 42.40), (130.64, 42.40)]
    assert side_of_line(bend, (130.63, 42.39)) == -1
    assert side_of_line(bend, (130.63, 42.405)) == 1


# --- round_coordinate -------------------------------------------------------------------


def test_round_coordinate_keeps_six_decimals():
    assert round_coordinate((130.12345678, 42.98765432)) == (130.123457, 42.987654)


def test_round_coordinate_takes_decimals():
    assert round_coordinate((130.12345678, 42.98765432), 2) == (130.12, 42.99)


def test_round_coordinate_returns_a_tuple_of_floats():
    rounded = round_coordinate([130, 42])
    assert rounded == (130.0, 42.0)
    assert isinstance(rounded, tuple)
    assert all(type(value) is float for value in rounded)


@pytest.mark.parametrize("value", [-0.0, -0.0000001, -0.0000004])
def test_round_coordinate_normalises_negative_zero(value):
    lon, lat = round_coordinate((value, value))
    assert (lon, lat) == (0.0, 0.0)
    assert math.copysign(1.0, lon) == 1.0
    assert math.copysign(1.0, lat) == 1.0
    assert str(lon) == "0.0"


def test_round_coordinate_keeps_real_negatives():
    assert round_coordinate((-5.5000004, -41.3200006)) == (-5.5, -41.320001)


# --- round_coordinates: many at once, exactly as round_coordinate ----------------------


def test_round_coordinates_agrees_with_round_coordinate_on_ties():
    # Decimal ties at the 7th place: which way each goes depends on the float's exact
    # binary value, which Python's round() honours and a scaled numpy round may not.
    values = [
        130.6370095,
        42.4183325,
        130.0000005,
        0.0000005,
        -0.0000005,
        42.1234565,
        130.7021005,
        -41.3200005,
        179.9999995,
        89.9999995,
    ]
    coords = [(a, b) for a, b in zip(values, values[::-1], strict=True)]
    rounded = round_coordinates(coords)
    assert [tuple(row) for row in rounded.tolist()] == [round_coordinate(c) for c in coords]


def test_round_coordinates_has_no_negative_zero():
    rounded = round_coordinates([(-0.0000001, -0.0)])
    assert all(math.copysign(1.0, value) == 1.0 for value in rounded.ravel())


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-180.0, max_value=180.0, allow_nan=False),
            st.floats(min_value=-90.0, max_value=90.0, allow_nan=False),
        ),
        min_size=1,
        max_size=20,
    ),
    st.integers(min_value=0, max_value=7),
)
def test_property_round_coordinates_is_round_coordinate(coords, decimals):
    # Many near-ties: values with one decimal more than kept, ending in 5.
    coords += [(round(lon, decimals + 1), round(lat, decimals + 1)) for lon, lat in coords]
    expected = [round_coordinate(c, decimals) for c in coords]
    got = [tuple(row) for row in round_coordinates(coords, decimals).tolist()]
    assert got == expected


# --- Line: measured once, asked many times ----------------------------------------------


def test_line_answers_as_the_functions_do():
    line = Line(TUMEN)
    assert line.length_m == geodesic_length(TUMEN)
    for distance in (0.0, 480.0, 5_000.0, TUMEN_LENGTH):
        assert line.point_at(distance) == point_along(TUMEN, distance)
        assert line.azimuth_at(distance, 250.0) == azimuth_along(TUMEN, distance, 250.0)
    bridge = (130.6442, 42.4213)
    assert line.distance_to(bridge) == distance_along(TUMEN, bridge)
    assert line.side_of(bridge) == side_of_line(TUMEN, bridge)


def test_line_needs_two_vertices():
    with pytest.raises(ValueError, match="at least two vertices"):
        Line([(130.64, 42.42)])


def test_line_with_a_repeated_vertex():
    # A zero-length segment (a vertex given twice) neither divides by zero nor shifts
    # distances: the line measures as if the repeat were not there.
    repeated = [SOUTHWARD[0], SOUTHWARD[0], SOUTHWARD[1]]
    line = Line(repeated)
    assert line.length_m == pytest.approx(geodesic_length(SOUTHWARD), abs=1e-9)
    middle = point_along(SOUTHWARD, 1_000.0)
    assert line.point_at(1_000.0) == pytest.approx(middle, abs=1e-12)
    assert line.distance_to(middle) == pytest.approx(1_000.0, abs=0.01)
    assert line.side_of((130.65, 42.41)) == side_of_line(SOUTHWARD, (130.65, 42.41))


def test_long_line_round_trip():
    # A line of 100,000 vertices (a river surveyed every 20 cm): every answer agrees
    # with the geometry, and none walks the vertices in Python.
    lats = [42.42 - index * 1.8e-6 for index in range(100_000)]
    long_line = Line(
        [(130.64 + 1e-4 * math.sin(index / 500.0), lat) for index, lat in enumerate(lats)]
    )
    for distance in (0.0, 3_333.3, 12_000.0, long_line.length_m):
        point = long_line.point_at(distance)
        assert long_line.distance_to(point) == pytest.approx(distance, abs=0.01)
    assert long_line.side_of((130.70, 42.33)) == 1  # east of a southward line: its left
    assert long_line.side_of((130.58, 42.33)) == -1


# --- properties -------------------------------------------------------------------------


@settings(deadline=None, max_examples=200)
@given(st.floats(min_value=0.0, max_value=TUMEN_LENGTH, allow_nan=False))
def test_property_point_along_distance_along_round_trip(distance):
    assert abs(distance_along(TUMEN, point_along(TUMEN, distance)) - distance) <= 0.5


@settings(deadline=None, max_examples=200)
@given(
    length=st.floats(min_value=1.0, max_value=5_000.0, allow_nan=False),
    azimuth=st.floats(min_value=-180.0, max_value=360.0, allow_nan=False),
    lon=st.floats(min_value=130.5, max_value=130.8, allow_nan=False),
    lat=st.floats(min_value=42.2, max_value=42.5, allow_nan=False),
)
def test_property_line_across_has_the_requested_length(length, azimuth, lon, lat):
    ends = line_across((lon, lat), azimuth, length)
    assert abs(geodesic_length(ends) - length) <= 0.01
    assert abs(distance_m(ends[0], (lon, lat)) - distance_m(ends[1], (lon, lat))) <= 0.01


@settings(deadline=None, max_examples=100)
@given(
    distance=st.floats(min_value=0.0, max_value=TUMEN_LENGTH, allow_nan=False),
    length=st.floats(min_value=1.0, max_value=5_000.0, allow_nan=False),
)
def test_property_results_are_deterministic(distance, length):
    first = point_along(TUMEN, distance)
    assert point_along(TUMEN, distance) == first
    assert distance_along(TUMEN, first) == distance_along(TUMEN, first)
    azimuth = azimuth_along(TUMEN, distance, 250.0)
    assert azimuth_along(TUMEN, distance, 250.0) == azimuth
    assert line_across(first, azimuth, length) == line_across(first, azimuth, length)
    assert side_of_line(TUMEN, first) == side_of_line(TUMEN, first)


@settings(deadline=None, max_examples=100)
@given(
    lon=st.floats(min_value=-180.0, max_value=180.0, allow_nan=False),
    lat=st.floats(min_value=-90.0, max_value=90.0, allow_nan=False),
)
def test_property_round_coordinate_has_at_most_six_decimals(lon, lat):
    rounded = round_coordinate((lon, lat))
    for original, value in zip((lon, lat), rounded, strict=True):
        assert abs(value - original) <= 0.5e-6 + 1e-12
        assert round(value, 6) == value
        assert math.copysign(1.0, value) == 1.0 or value != 0.0


def _ring_area(ring):
    """Twice the signed area of a (lon, lat) ring: positive when counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))


def test_buffer_of_a_point_is_a_closed_counter_clockwise_circle_of_the_radius():
    centre = (130.64, 42.42)
    ring = buffer_polygon([centre], 200.0)
    # A circle drawn with 16 segments a quarter (shapely's quad_segs), closed.
    assert len(ring) == 4 * 16 + 1
    assert ring[0] == ring[-1]
    assert _ring_area(ring) > 0
    # Radius in the UTM zone's metres: geodesic distance differs by its scale factor
    # (under 0.1 %) and by the rounding to 6 decimals (under 0.1 m).
    for vertex in ring:
        assert distance_m(centre, vertex) == pytest.approx(200.0, abs=0.3)
        assert vertex == round_coordinate(vertex)


def test_buffer_of_a_line_is_the_area_within_the_distance_of_every_vertex():
    line = [(130.60, 42.40), (130.62, 42.41)]
    ring = buffer_polygon(line, 100.0)
    assert ring[0] == ring[-1]
    assert _ring_area(ring) > 0
    # Every vertex of the ring is 100 m from the line, none nearer to either end only.
    for vertex in ring:
        gap = min(distance_m(vertex, end) for end in line)
        along = distance_along(line, vertex)
        if 0 < along < geodesic_length(line):
            gap = min(gap, distance_m(vertex, point_along(line, along)))
        assert gap == pytest.approx(100.0, abs=0.5)
    # Both ends are inside: the ring reaches 100 m beyond each end of the line.
    lons = [lon for lon, _ in ring]
    assert min(lons) < line[0][0] < line[1][0] < max(lons)


def test_buffer_rings_are_rounded_to_the_settings_decimals():
    ring = buffer_polygon([(130.64, 42.42)], 50.0)
    for lon, lat in ring:
        assert round(lon, 6) == lon and round(lat, 6) == lat
    assert any(round(lon, 5) != lon for lon, _ in ring)


# --- near vertices, near ends, near the line ---------------------------------------------

WGS84 = Geod(ellps="WGS84")


def walk(start: tuple[float, float], *steps: tuple[float, float]) -> tuple[float, float]:
    """The point reached from ``start`` by geodesic steps of ``(azimuth, metres)``."""
    lon, lat = start
    for azimuth, metres in steps:
        lon, lat, _ = WGS84.fwd(lon, lat, azimuth, metres)
    return (float(lon), float(lat))


def test_side_of_a_point_a_centimetre_from_the_line():
    # A 50 m reach running south: 1 cm east of its middle is its left, 1 cm west its right.
    start = (130.64, 42.42)
    reach = Line([start, walk(start, (180.0, 50.0))])
    assert reach.side_of(walk(start, (180.0, 25.0), (90.0, 0.01))) == 1
    assert reach.side_of(walk(start, (180.0, 25.0), (270.0, 0.01))) == -1


def test_side_of_beside_a_short_segment_is_judged_against_it():
    # A 0.9 m step north, then 100 m west. A point 0.2 m east of the step is on its right;
    # the west leg, 0.36 m away from it at the corner, would put it on its left.
    start = (130.64, 42.42)
    corner = walk(start, (0.0, 0.9))
    line = Line([start, corner, walk(corner, (270.0, 100.0))])
    assert line.side_of(walk(start, (0.0, 0.6), (90.0, 0.2))) == -1
    assert line.side_of(walk(start, (0.0, 0.6), (270.0, 0.2))) == 1


def test_side_of_past_the_end_of_a_segment_is_judged_against_the_next():
    # 100 m east, then 100 m north. A point 150 m east and 20 m north of the start is
    # 50 m east of the north leg (its right), past the end of the east leg: only that
    # leg's extension, which the line does not have, would put it 20 m to its left.
    start = (130.64, 42.42)
    corner = walk(start, (90.0, 100.0))
    line = Line([start, corner, walk(corner, (0.0, 100.0))])
    assert line.side_of(walk(start, (90.0, 150.0), (0.0, 20.0))) == -1
    assert line.side_of(walk(start, (90.0, 50.0), (0.0, 20.0))) == 1


# A line across the meridian of 132°E, the edge between UTM zones 52 and 53: its planar
# questions are answered in its first vertex's zone, 52 (zone = (lon + 180) // 6 + 1).
ACROSS_ZONES = [(131.9, 42.4), (132.1, 42.4)]


def test_line_crs_is_the_utm_zone_of_its_first_vertex():
    assert Line(TUMEN).crs == "EPSG:32652"
    assert Line(ACROSS_ZONES).crs == "EPSG:32652"
    assert Line(list(reversed(ACROSS_ZONES))).crs == "EPSG:32653"


def test_a_point_beyond_a_utm_zone_edge_is_asked_about_in_the_line_s_zone():
    line = Line(ACROSS_ZONES)
    point = (132.05, 42.4)  # in zone 53, three quarters of the way along
    _, _, expected = WGS84.inv(131.9, 42.4, *point)
    assert line.distance_to(point) == pytest.approx(expected, abs=1.0)
    assert distance_along(ACROSS_ZONES, point) == pytest.approx(expected, abs=1.0)
    # Facing east, north is on the left.
    assert line.side_of((132.05, 42.41)) == 1
    assert line.side_of((132.05, 42.39)) == -1
    assert side_of_line(ACROSS_ZONES, (132.05, 42.39)) == -1


def test_settings_projected_crs_is_read_when_a_line_is_made(monkeypatch):
    point = (130.65, 42.41)
    before = Line(SOUTHWARD)
    assert before.crs == "EPSG:32652"
    monkeypatch.setattr("bordermap.settings.projected_crs", "EPSG:32653")
    after = Line(SOUTHWARD)
    assert after.crs == "EPSG:32653"
    # Either zone's metres give the same answers at this scale.
    assert after.side_of(point) == before.side_of(point) == 1
    assert after.distance_to(point) == pytest.approx(before.distance_to(point), abs=0.5)


def test_distance_to_a_point_beyond_the_end_is_the_length():
    # A 2.5 km line running west; points past either end project onto that end.
    line = Line([(130.688, 42.393), (130.658, 42.392)])
    _, _, length = WGS84.inv(130.688, 42.393, 130.658, 42.392)
    assert line.distance_to((130.650, 42.392)) == pytest.approx(length, abs=0.01)
    assert line.distance_to((130.650, 42.3918)) == pytest.approx(length, abs=0.01)
    assert line.distance_to((130.700, 42.393)) == 0.0


def test_distance_to_with_a_repeated_first_vertex():
    # The zero-length first segment neither divides by zero nor moves the start.
    line = Line([SOUTHWARD[0], SOUTHWARD[0], SOUTHWARD[1]])
    assert line.distance_to(SOUTHWARD[0]) == 0.0
    assert line.distance_to((130.64, 42.43)) == 0.0  # north of the start
    assert line.distance_to((130.641, 42.4205)) == 0.0
    _, _, length = WGS84.inv(*SOUTHWARD[0], *SOUTHWARD[1])
    assert line.distance_to((130.64, 42.39)) == pytest.approx(length, abs=0.01)


@pytest.mark.parametrize(
    "coords",
    [
        TUMEN,
        SOUTHWARD,
        [(130.691, 42.342), (130.688, 42.316), (130.618, 42.323)],
        [(130.698, 42.396), (130.616, 42.375), (130.672, 42.346)],
        [(130.602, 42.356), (130.614, 42.306), (130.603, 42.316), (130.61, 42.364)],
    ],
)
def test_point_at_the_length_is_exactly_the_last_vertex(coords):
    # Not a geodesic walked from the last-but-one vertex (which can miss by an ulp): the
    # end of a line meets whatever is drawn to its last vertex exactly.
    line = Line(coords)
    assert line.point_at(line.length_m) == coords[-1]
    assert point_along(coords, geodesic_length(coords)) == coords[-1]


def test_point_at_an_unknown_distance_is_unknown():
    lon, lat = Line(TUMEN).point_at(math.nan)
    assert math.isnan(lon) and math.isnan(lat)


def test_the_functions_take_a_line_as_well_as_coordinates():
    line = Line(SOUTHWARD)
    lon, lat, _ = WGS84.fwd(130.64, 42.42, 180.0, 1_000.0)
    _, _, length = WGS84.inv(*SOUTHWARD[0], *SOUTHWARD[1])
    assert geodesic_length(line) == pytest.approx(length, abs=1e-6)
    assert point_along(line, 1_000.0) == pytest.approx((lon, lat), abs=1e-9)
    assert distance_along(line, (130.65, lat)) == pytest.approx(1_000.0, abs=0.5)
    assert abs(azimuth_along(line, 1_000.0, 250.0)) == pytest.approx(180.0, abs=0.01)
    assert side_of_line(line, (130.65, 42.41)) == 1
    assert side_of_line(line, (130.63, 42.41)) == -1


def test_a_line_of_whole_degrees_has_float_vertices():
    # TOML reads 130 as an integer; the line's vertices are floats all the same, so
    # that positions written from them read 130.0, as GeoJSON coordinates do.
    line = Line([(130, 42), (131, 42)])
    assert json.dumps(line.vertices.tolist()) == "[[130.0, 42.0], [131.0, 42.0]]"


# --- round_coordinates: what it is given and how it works ------------------------------


def test_round_coordinates_of_single_precision_values():
    # A float32 array (as some readers give) is rounded as its values read in double
    # precision, not in single precision where 130.123457 cannot be written.
    coords = np.array([(130.1234567, 42.9876543), (130.6370095, 42.4183325)], dtype=np.float32)
    expected = [round_coordinate((float(lon), float(lat))) for lon, lat in coords]
    rounded = round_coordinates(coords)
    assert [tuple(row) for row in rounded.tolist()] == expected
    assert rounded.dtype == np.float64


def test_round_coordinates_of_whole_degrees():
    rounded = round_coordinates([(130, 42), (-5, 0)])
    assert json.dumps(rounded.tolist()) == "[[130.0, 42.0], [-5.0, 0.0]]"


def test_round_coordinates_rounds_in_numpy_and_only_near_ties_in_python(monkeypatch):
    # A river of a million vertices is rounded in one numpy call: Python's round() is
    # asked only where the two could disagree, at a half in the last kept place.
    asked: list[float] = []

    def counting_round(value, places):
        asked.append(value)
        return round(value, places)

    monkeypatch.setattr(geometry, "round", counting_round, raising=False)
    # Whole micro-degrees plus 0.03 or 0.97 of one: nowhere near a half.
    plain = [
        (130.6 + index * 1.1e-5 + 3e-8, 42.4 - index * 2.9e-5 - 3e-8) for index in range(1_000)
    ]
    rounded = round_coordinates([*plain, (130.0000005, 42.25)])
    assert asked == [130.0000005]
    assert rounded.tolist()[-1] == [round(130.0000005, 6), 42.25]


# --- the projected CRS: transformers cached by CRS, settings read when used ---------------


def test_transformers_are_cached_by_their_crs_pair():
    to_52 = geometry.transformer("EPSG:4326", "EPSG:32652")
    assert geometry.transformer("EPSG:4326", "EPSG:32652") is to_52
    assert geometry.transformer("EPSG:4326", "EPSG:32653") is not to_52
    # On zone 52's central meridian (129°E) x is the false easting and y the meridian arc
    # from the equator, scaled by 0.9996: hand-worked UTM, the arc measured by Geod.
    _, _, arc = WGS84.inv(129.0, 0.0, 129.0, 42.42)
    x, y = to_52.transform(129.0, 42.42)
    assert x == pytest.approx(500_000.0, abs=1e-6)
    assert y == pytest.approx(0.9996 * arc, abs=1e-3)


def _mean_radius(centre, ring):
    return sum(distance_m(centre, vertex) for vertex in ring[:-1]) / (len(ring) - 1)


def utm_scale(lon: float, lat: float, central_meridian: float) -> float:
    """Transverse Mercator point scale factor of UTM, to the fourth order in longitude."""
    phi, dlon = math.radians(lat), math.radians(lon - central_meridian)
    cos2 = math.cos(phi) ** 2
    eta2 = WGS84_E2 / (1.0 - WGS84_E2) * cos2
    tan2 = math.tan(phi) ** 2
    return 0.9996 * (
        1.0 + (1.0 + eta2) * cos2 * dlon**2 / 2.0 + cos2**2 * dlon**4 * (5.0 - 4.0 * tan2) / 24.0
    )


def test_buffer_radius_is_in_the_projected_crs_metres(monkeypatch):
    # 200 m in UTM metres is 200 / k on the ground, k the zone's scale factor here:
    # 0.99982 in zone 52 (1.64° east of 129°E), 1.00118 in zone 53 (4.36° west of 135°E).
    centre = (130.64, 42.42)
    zone_52 = _mean_radius(centre, buffer_polygon([centre], 200.0))
    assert zone_52 == pytest.approx(200.0 / utm_scale(*centre, 129.0), abs=0.02)
    monkeypatch.setattr("bordermap.settings.projected_crs", "EPSG:32653")
    zone_53 = _mean_radius(centre, buffer_polygon([centre], 200.0))
    assert zone_53 == pytest.approx(200.0 / utm_scale(*centre, 135.0), abs=0.02)
    assert zone_52 - zone_53 == pytest.approx(0.27, abs=0.03)
