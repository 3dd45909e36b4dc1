"""What one :func:`bordermap.validate.validate_layers` call measures, measured once.

The river and the border it shares are asked about by several checks, and a river
of a million vertices takes a second to check or measure: each feature's geometry
problem and each line are remembered for the length of one call (:data:`MEASURED`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from bordermap import _layercheck
from bordermap.geometry import Coordinate, Line


def line_coords(feature: dict[str, Any]) -> list[Coordinate]:
    """Return the ``(lon, lat)`` vertices of a feature whose LineString checked valid."""
    positions = feature["geometry"]["coordinates"]
    return [(float(position[0]), float(position[1])) for position in positions]


#: What one validate_layers call found out about a feature's geometry, by the identity
#: of the object asked about (kept, so that the identity stays its own): the river and
#: the border it shares are asked by several checks, and a river of a million vertices
#: takes a second to check or measure.
MEASURED: ContextVar[dict[tuple[str, int], tuple[Any, Any]] | None] = ContextVar(
    "MEASURED", default=None
)


def _remembered(kind: str, key: object, make: Callable[[], Any]) -> Any:
    """Return ``make()``, made once per validate_layers call for the object ``key``."""
    measured = MEASURED.get()
    if measured is None:
        return make()
    found = measured.get((kind, id(key)))
    if found is None or found[0] is not key:
        found = measured[(kind, id(key))] = (key, make())
    return found[1]


def geometry_problem(feature: dict[str, Any]) -> str | None:
    """Say what is wrong with a feature's geometry (see _layercheck.geometry_problem)."""
    problem: str | None = _remembered(
        "problem", feature, lambda: _layercheck.geometry_problem(feature)
    )
    return problem


def line_of(feature: dict[str, Any]) -> Line:
    """Return a feature whose LineString checked valid as a Line (measured once a call)."""
    positions = feature["geometry"]["coordinates"]
    line: Line = _remembered("line", positions, lambda: _layercheck.line_of(positions))
    return line


def is_line(feature: dict[str, Any]) -> bool:
    """Whether a feature has a valid LineString geometry for its kind."""
    return geometry_problem(feature) is None and feature["geometry"]["type"] == "LineString"
