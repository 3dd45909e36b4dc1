"""The layer check reads sound polygons from their array: it says what shape() would."""

from __future__ import annotations

from typing import Any

import pytest
from shapely import force_2d
from shapely.geometry import shape
from shapely.validation import explain_validity

from bordermap._layercheck import _polygonal, drawn_problem, flatten_positions
from bordermap._rules import position_table

SQUARE = [[130.0, 42.0], [131.0, 42.0], [131.0, 43.0], [130.0, 43.0], [130.0, 42.0]]
HOLE = [[130.2, 42.2], [130.4, 42.2], [130.4, 42.4], [130.2, 42.2]]
BOWTIE = [[130.0, 42.0], [131.0, 43.0], [131.0, 42.0], [130.0, 43.0], [130.0, 42.0]]
FAR = [[132.0, 42.0], [132.5, 42.0], [132.5, 42.5], [132.0, 42.0]]
OVERLAPPING = [[130.5, 42.5], [131.5, 42.5], [131.5, 43.5], [130.5, 42.5]]

GEOMETRIES: list[dict[str, Any]] = [
    {"type": "Polygon", "coordinates": [SQUARE, HOLE]},
    {"type": "Polygon", "coordinates": [BOWTIE]},
    {"type": "Polygon", "coordinates": [SQUARE, [[130.5, 42.5], [131.5, 42.5], [131.5, 43.5]]]},
    {
        "type": "Polygon",
        "coordinates": [
            [[130.0, 42.0, 5.0], [131.0, 42.0, 5.0], [131.0, 43.0, 5.0], [130.0, 42.0, 5.0]]
        ],
    },
    {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE], [FAR]]},
    {"type": "MultiPolygon", "coordinates": [[SQUARE], [OVERLAPPING]]},
    {"type": "MultiPolygon", "coordinates": [[BOWTIE], [FAR]]},
]


def _said_by_shape(geometry: dict[str, Any]) -> str | None:
    """What the check says when it reads the geometry with shape() (its reading before)."""
    kind = geometry["type"]
    try:
        drawn = shape(geometry)
    except (ValueError, TypeError) as error:
        return f"{kind} cannot be read: {' '.join(str(error).split())}"
    if drawn.is_empty:
        return f"{kind} is empty"
    if not drawn.is_valid:
        return f"{kind} is not valid: {explain_validity(drawn)}"
    return None


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_a_polygon_read_from_its_array_is_judged_as_shape_reads_it(geometry):
    depth = 2 if geometry["type"] == "Polygon" else 3
    positions = flatten_positions(geometry["coordinates"], depth)
    assert positions is not None
    assert drawn_problem(geometry, positions) == _said_by_shape(geometry)


def test_the_array_reading_is_the_same_shape():
    # The same rings, positions and order; an altitude is dropped (it never bore on validity).
    for geometry in GEOMETRIES:
        depth = 2 if geometry["type"] == "Polygon" else 3
        table = position_table(flatten_positions(geometry["coordinates"], depth))
        built = _polygonal(geometry, table)
        if built is not None:  # a ring too short is left to shape()
            assert built.wkt == force_2d(shape(geometry)).wkt


def test_a_ring_too_short_is_left_to_shape():
    geometry = {"type": "Polygon", "coordinates": [[[130.0, 42.0], [131.0, 42.0], [130.0, 42.0]]]}
    table = position_table(geometry["coordinates"][0])
    assert _polygonal(geometry, table) is None
    assert drawn_problem(geometry, geometry["coordinates"][0]) == _said_by_shape(geometry)
