"""The shapes of the GeoJSON that bordermap writes and reads, for the type checker.

Also the style records the web map's scripts read (:class:`LeafletStyle`,
:class:`CasingStyle`), made from a :class:`bordermap.styles.Style`.

One definition used by every module: a layer is a :class:`FeatureCollection`, the
layers of a map are :data:`Layers`. These are plain ``dict`` objects at run time
(``TypedDict``), so nothing here checks data: :mod:`bordermap._layercheck` does that
when a layer is read.

Where keys depend on the map (``name_<language>``, ``label_<language>``, a layer's
translated titles), the record stays a ``dict`` of ``str``: :data:`Properties`,
:data:`LayerMetadata`.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

__all__ = [
    "AlternativeRecord",
    "AreaOf",
    "CasingStyle",
    "EventRecord",
    "Feature",
    "FeatureCollection",
    "FigureRecord",
    "FigureValueRecord",
    "Geometry",
    "LayerMetadata",
    "Layers",
    "LeafletStyle",
    "LineString",
    "MultiLineString",
    "MultiPoint",
    "MultiPolygon",
    "NoteRecord",
    "Point",
    "Polygon",
    "Position",
    "Properties",
    "UncertaintyArea",
    "UncertaintyAreas",
]

#: A GeoJSON position: ``[lon, lat]`` in WGS 84 degrees.
Position = list[float]


class Point(TypedDict):
    """A GeoJSON Point."""

    type: Literal["Point"]
    coordinates: Position


class MultiPoint(TypedDict):
    """A GeoJSON MultiPoint."""

    type: Literal["MultiPoint"]
    coordinates: list[Position]


class LineString(TypedDict):
    """A GeoJSON LineString."""

    type: Literal["LineString"]
    coordinates: list[Position]


class MultiLineString(TypedDict):
    """A GeoJSON MultiLineString."""

    type: Literal["MultiLineString"]
    coordinates: list[list[Position]]


class Polygon(TypedDict):
    """A GeoJSON Polygon: its outer ring, then any holes."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]]


class MultiPolygon(TypedDict):
    """A GeoJSON MultiPolygon."""

    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]]


#: The geometries a layer may hold (:data:`bordermap._layercheck.NESTING`).
Geometry = Point | MultiPoint | LineString | MultiLineString | Polygon | MultiPolygon

#: A feature's properties: ``name_<language>``, ``kind``, ``status``, ``sources``, ...
#: (the keys depend on the map's languages; see ``docs/`` and :mod:`bordermap.layers`).
Properties = dict[str, Any]

#: A layer's ``bordermap`` member: the map, its title (and translations), the spec, ...
LayerMetadata = dict[str, Any]


class Feature(TypedDict):
    """A GeoJSON Feature as a layer holds it."""

    type: Literal["Feature"]
    id: NotRequired[str]
    properties: Properties
    geometry: Geometry


class FeatureCollection(TypedDict):
    """A GeoJSON FeatureCollection: one layer."""

    type: Literal["FeatureCollection"]
    name: NotRequired[str]
    bordermap: NotRequired[LayerMetadata]
    features: list[Feature]


#: Layer name -> FeatureCollection (a plain ``dict``), in the map's layer order.
Layers = dict[str, FeatureCollection]


class AreaOf(TypedDict):
    """An uncertainty area's properties: whose position it bounds, and how far."""

    of: str | None
    accuracy_m: float


class UncertaintyArea(TypedDict):
    """A polygon within which an approximate feature may lie (drawn, never a layer's)."""

    type: Literal["Feature"]
    id: str
    properties: AreaOf
    geometry: Polygon


class UncertaintyAreas(TypedDict):
    """The uncertainty areas of the features drawn, as one FeatureCollection."""

    type: Literal["FeatureCollection"]
    features: list[UncertaintyArea]


class EventRecord(TypedDict):
    """An event in a feature's ``events`` property."""

    date: str
    what: str
    status: NotRequired[str]
    expected: NotRequired[bool]
    sources: list[str]


class FigureValueRecord(TypedDict):
    """One published value of a figure, with its sources."""

    value: float | str
    note: NotRequired[str]
    sources: list[str]


class FigureRecord(TypedDict):
    """A figure in a feature's ``figures`` property."""

    name: str
    unit: NotRequired[str]
    drawn: NotRequired[float | str]
    disputed: bool
    values: list[FigureValueRecord]


class AlternativeRecord(TypedDict):
    """Another published position of a point, in ``position_alternatives``."""

    lat: float
    lon: float
    distance_m: float
    sources: list[str]


class NoteRecord(TypedDict):
    """A dated note about a layer, in its ``bordermap`` member's ``notes``."""

    date: str
    text: str
    sources: list[dict[str, str]]


class LeafletStyle(TypedDict):
    """A style as Leaflet's path options: what the page draws a feature or area with."""

    color: str
    weight: float
    opacity: float
    lineCap: str
    dashArray: NotRequired[str]
    fill: NotRequired[bool]
    fillColor: NotRequired[str]
    fillOpacity: NotRequired[float]
    stroke: NotRequired[bool]
    className: NotRequired[str]


class CasingStyle(TypedDict):
    """The wider, darker line drawn beneath a line so that it shows on any basemap."""

    color: str
    weight: float
    opacity: float
    className: str
