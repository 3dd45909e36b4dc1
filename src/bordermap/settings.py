"""Settings that users may change: plain, typed, documented values.

Change them before calling the library, e.g. ``bordermap.settings.web_map_width = 800``.
"""

from __future__ import annotations

#: File name of the facts file inside the geodata directory.
facts_file: str = "facts.toml"

#: Layers the web map offers switched off, and static exports leave out by default.
hidden_layers: tuple[str, ...] = ("context",)

#: Decimal places kept in GeoJSON coordinates (6 decimals is about 0.1 m).
coordinate_decimals: int = 6

#: Decimal places kept in lengths and distances, in metres.
length_decimals: int = 1

#: Projected CRS for planar work (nearest points, sides, buffers, simplification),
#: e.g. ``"EPSG:32633"``. ``None``: the map's (``[map] projection`` in its facts
#: file, else the UTM zone of the centre of its ``region``).
projected_crs: str | None = None

#: Ellipsoid for geodesic lengths and positions.
ellipsoid: str = "WGS84"

#: Half-span, in metres along the river, over which the river's direction is taken
#: when a bridge is drawn square to it (smooths out short bends of the channel).
river_direction_span_m: float = 250.0

#: A computed ``length_m`` may differ from its geometry by this much before
#: ``validate`` calls it wrong (coordinates are rounded to 6 decimals).
length_tolerance_m: float = 1.0

#: An approximate line (a schematic path, a derived bridge) may measure at most this
#: fraction more than the longest length its sources give (a "length" figure) before
#: ``validate`` calls it wrong: a path of straight lines is shorter than the track,
#: never much longer (a typo in a position it runs through makes it kilometres longer).
sourced_length_excess: float = 0.25

#: A published position may be this far from the drawn one before tests fail.
position_tolerance_m: float = 100.0

#: Largest facts or layer file read, in bytes: a larger one is refused before it is
#: read (a river of a million vertices is about 40 MB of GeoJSON).
max_input_bytes: int = 64 * 1024 * 1024

#: Deepest nesting of brackets in a facts or layer file (a MultiPolygon needs 4, the
#: whole file a few more): a file nested deeper is refused before it is parsed.
max_nesting: int = 32

#: The web map draws long lines simplified, never farther than this from the layers'
#: full detail, in metres (the GeoJSON layers keep every vertex).
web_max_deviation_m: float = 2.0
