"""Checks on the GeoJSON layers, measured from their geometry alone.

The layers may have been edited by hand (in QGIS, say) since
:func:`~bordermap.layers.build_layers` wrote them, so nothing here reads the facts
file: every check measures the geometry and compares it with what the layers
themselves claim (their ``length_m``, their sourced figures). :func:`validate_layers`
never raises on bad data; a broken layer gives failing :class:`Check` results.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import Any

from shapely.geometry import LineString

from bordermap import settings
from bordermap._figures import downstream_figure, longest_sourced_length
from bordermap._layercheck import counted as _count
from bordermap._layercheck import features_of as _features
from bordermap._layercheck import id_of as _feature_id
from bordermap._layercheck import kind_of as _kind
from bordermap._layercheck import label_of as _label
from bordermap._layercheck import properties_of as _properties
from bordermap._layercheck import source_problem as _source_problem
from bordermap._measured import MEASURED as _MEASURED
from bordermap._measured import geometry_problem as _geometry_problem
from bordermap._measured import is_line as _is_line
from bordermap._measured import line_coords as _line_coords
from bordermap._measured import line_of as _line_of
from bordermap._rules import is_finite as _is_finite
from bordermap._types import Layers
from bordermap.geometry import Coordinate, Line, azimuth_along
from bordermap.mapspec import activated, active, spec_of
from bordermap.schema import GEOMETRY_TYPES, brief

__all__ = ["Check", "validate_layers"]

#: The kinds of the river the bridges cross and of the border line (drawn downstream).
_RIVER_KIND, _BORDER_KIND = "river", "border"
_RAIL_BRIDGE, _ROAD_BRIDGE = "rail_bridge", "road_bridge"
_BRIDGE_KINDS = (_RAIL_BRIDGE, _ROAD_BRIDGE, "road_rail_bridge")
#: Sides of a line facing along it (Line.side_of): 1 on the left, -1 on the right.
_SIDES = {1: "left", -1: "right"}
#: Name prefix of the road bridge's figure giving its distance below the rail bridge.
_DOWNSTREAM_FIGURE = "downstream distance"
_DOWNSTREAM_CHECK = "road-bridge-downstream"
#: A bridge meeting the channel at less than this angle runs along the river rather
#: than across it (the shipped bridges are drawn square to it, within ±15°).
_MIN_CROSSING_ANGLE_DEG = 30.0


@dataclasses.dataclass(frozen=True)
class Check:
    """The outcome of one check on the layers.

    Attributes
    ----------
    name : str
        Short stable id of the check, e.g. ``"geometry:border"`` or
        ``"rail-bridge-crosses-river"``.
    passed : bool
        Whether the layers passed it.
    message : str
        One line: what was checked and what was measured; when the check fails,
        the layer, the feature and what is wrong.
    """

    name: str
    passed: bool
    message: str


@dataclasses.dataclass(frozen=True)
class _Line:
    """A river or border line, checked, measured once for every bridge end asking it."""

    id: str
    line: Line

    @property
    def length_m(self) -> float:
        return self.line.length_m

    @functools.cached_property
    def shape(self) -> LineString:
        """The line as shapely's, made once for every bridge crossing it."""
        return LineString(self.line.vertices)


@dataclasses.dataclass(frozen=True)
class _Bridge:
    """A bridge feature and where it crosses the river, if it crosses it once."""

    layer: str
    id: str
    kind: str
    properties: dict[str, Any]
    along_m: float | None


def validate_layers(layers: Layers) -> list[Check]:
    """Check the layers' geometry, measurements and sources.

    The river is the map's ``[map] river`` feature, else its one feature of kind
    ``river``; the border is its ``[map] border``, else its one feature of kind
    ``border``, drawn downstream; ``[[map.countries]]`` say which country holds
    the left bank and which the right (facing downstream).

    Parameters
    ----------
    layers : dict of str to dict
        Layer name to GeoJSON FeatureCollection, as returned by
        :func:`bordermap.layers.read_layers` or :func:`bordermap.layers.build_layers`.

    Returns
    -------
    list of Check
        In this order:

        - ``layers``: every layer of the map (``[map] layers``) is present;
        - ``geometry:<layer>``, one per layer: the layer has features, each with a
          text ``id`` (unique across layers) and a valid, non-empty geometry of the
          type its ``kind`` is drawn as, with finite WGS 84 coordinates;
        - ``lengths:<layer>``: every line's ``length_m`` is its geodesic length
          within ``settings.length_tolerance_m``;
        - ``sources:<layer>``: every feature names at least one source, each with
          a publisher and an http(s) URL;
        - ``sourced-lengths:<layer>``: no approximate line (a schematic path, a
          derived bridge; not a line surveyed in full detail) measures more than
          ``settings.sourced_length_excess`` (25 %) over the longest value of its
          sourced ``length`` figure (a typo in a position a path runs through
          stretches it by kilometres);
        - ``<kind>-crosses-river`` (``rail-bridge-crosses-river``, ...), one per
          bridge: it crosses the river once, at no less than 30° to the channel,
          and its ends lie on opposite banks, one in the country holding the right
          bank (facing downstream along the border line) and one in the country
          holding the left, both beside the border's interior rather than beyond
          its ends;
        - ``road-bridge-downstream``, one per road bridge with a sourced
          "downstream distance" figure: it crosses the river downstream of the rail
          bridge, at an along-river distance within the figure's range (with
          ``settings.length_tolerance_m`` of slack).

        A check that cannot be made (a layer it needs is missing or broken) fails
        and says why.
    """
    token = _MEASURED.set({})
    try:
        with activated(spec_of(layers)):
            return _validate(layers)
    finally:
        _MEASURED.reset(token)


def _validate(layers: Layers) -> list[Check]:
    """Run every check of :func:`validate_layers`, in its order."""
    checks = [_check_layer_names(layers)]
    seen_ids: dict[str, str] = {}
    checks += [_check_geometry(name, layer, seen_ids) for name, layer in layers.items()]
    checks += [_check_lengths(name, layer) for name, layer in layers.items()]
    checks += [_check_sources(name, layer) for name, layer in layers.items()]
    checks += [_check_sourced_lengths(name, layer) for name, layer in layers.items()]
    checks += _check_bridges(layers)
    return checks


# ---------------------------------------------------------------------------
# Per-layer checks
# ---------------------------------------------------------------------------


def _check_layer_names(layers: Layers) -> Check:
    """Check that every layer the map draws is present."""
    missing = [name for name in spec_of(layers).layers if name not in layers]
    if missing:
        return Check(
            "layers",
            False,
            f"missing {_count(len(missing), 'layer')}: {', '.join(missing)} "
            f"(present: {', '.join(layers) or 'none'})",
        )
    return Check("layers", True, f"all {len(layers)} layers present: {', '.join(layers)}")


def _check_geometry(name: str, layer: object, seen_ids: dict[str, str]) -> Check:
    """Check one layer's structure, ids, geometry types and coordinates."""
    check = f"geometry:{name}"
    where = f"layer '{name}'"
    if not isinstance(layer, dict) or layer.get("type") != "FeatureCollection":
        return Check(check, False, f"{where}: not a GeoJSON FeatureCollection")
    raw_features = layer.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        return Check(check, False, f"{where}: no features (expected a non-empty list)")
    problems: list[str] = []
    drawn: list[str] = []
    for index, feature in enumerate(raw_features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"feature #{index + 1}: not a GeoJSON Feature")
            continue
        label = _label(feature, index)
        feature_id = feature.get("id")
        if not isinstance(feature_id, str) or not feature_id.strip():
            problems.append(f"{label}: 'id' must be non-empty text, got {brief(feature_id)}")
        elif feature_id in seen_ids:
            problems.append(f"{label}: id also used in layer '{seen_ids[feature_id]}'")
        else:
            seen_ids[feature_id] = name
        problem = _geometry_problem(feature)
        kind = _kind(feature)
        if problem is not None and isinstance(kind, str) and kind in GEOMETRY_TYPES:
            problems.append(f"{label} ({kind}): {problem}")
        elif problem is not None:
            problems.append(f"{label}: {problem}")
        else:
            drawn.append(_describe_geometry(_feature_id(feature, index), feature["geometry"]))
    if problems:
        return Check(check, False, f"{where}: " + "; ".join(problems))
    return Check(
        check,
        True,
        f"{where}: {_count(len(drawn), 'feature')}, each valid for its kind with WGS 84 "
        f"coordinates: {', '.join(drawn)}",
    )


def _describe_geometry(feature_id: str, geometry: dict[str, Any]) -> str:
    """Say what a valid geometry is, e.g. ``"border LineString (20 vertices)"``."""
    if geometry["type"] == "LineString":
        return f"{feature_id} LineString ({len(geometry['coordinates'])} vertices)"
    return f"{feature_id} {geometry['type']}"


def _check_lengths(name: str, layer: object) -> Check:
    """Check that every line's ``length_m`` is its geodesic length."""
    check = f"lengths:{name}"
    where = f"layer '{name}'"
    tolerance = settings.length_tolerance_m
    problems: list[str] = []
    measured: list[str] = []
    skipped = 0
    for index, feature in _features(layer):
        kind = _kind(feature)
        if not isinstance(kind, str) or GEOMETRY_TYPES.get(kind) != "LineString":
            continue
        if not _is_line(feature):
            skipped += 1
            continue
        label = _label(feature, index)
        length = _line_of(feature).length_m
        stated = _properties(feature).get("length_m")
        if not _is_finite(stated):
            problems.append(
                f"{label}: 'length_m' must be a finite number, got {brief(stated)} "
                f"(the line measures {length:.1f} m)"
            )
        elif abs(stated - length) > tolerance:
            problems.append(
                f"{label}: length_m {stated:.1f} m but the line measures {length:.1f} m "
                f"(off by {stated - length:+.1f} m, tolerance ±{tolerance:g} m)"
            )
        else:
            measured.append(f"{_feature_id(feature, index)} {length:.1f} m")
    note = f" ({_count(skipped, 'line')} with broken geometry not measured)" if skipped else ""
    if problems:
        return Check(check, False, f"{where}: " + "; ".join(problems) + note)
    if not measured:
        return Check(check, True, f"{where}: no lines to measure{note}")
    return Check(
        check,
        True,
        f"{where}: length_m matches the geodesic length within ±{tolerance:g} m: "
        f"{', '.join(measured)}{note}",
    )


def _check_sources(name: str, layer: object) -> Check:
    """Check that every feature names at least one source with a publisher and a URL."""
    check = f"sources:{name}"
    where = f"layer '{name}'"
    problems: list[str] = []
    features = _features(layer)
    cited = 0
    for index, feature in features:
        label = _label(feature, index)
        sources = _properties(feature).get("sources")
        if not isinstance(sources, list) or not sources:
            problems.append(f"{label}: no sources (every feature must name at least one)")
            continue
        for index, source in enumerate(sources):
            problem = _source_problem(source)
            if problem is not None:
                problems.append(f"{label}, source #{index + 1}: {problem}")
        cited += len(sources)
    if problems:
        return Check(check, False, f"{where}: " + "; ".join(problems))
    return Check(
        check,
        True,
        f"{where}: each of {_count(len(features), 'feature')} names at least one source "
        f"with a publisher and an http(s) URL ({_count(cited, 'citation')})",
    )


def _check_sourced_lengths(name: str, layer: object) -> Check:
    """Check that no line is far longer than the longest length its sources give."""
    check = f"sourced-lengths:{name}"
    where = f"layer '{name}'"
    excess = settings.sourced_length_excess
    problems: list[str] = []
    compared: list[str] = []
    for index, feature in _features(layer):
        longest = longest_sourced_length(_properties(feature))
        # Only lines drawn from a few positions (schematic paths, derived bridges): a
        # river surveyed in full detail rightly measures longer than round figures.
        if longest is None or not _is_line(feature) or not _properties(feature).get("approximate"):
            continue
        label = _label(feature, index)
        length = _line_of(feature).length_m
        limit = longest * (1 + excess) + settings.length_tolerance_m
        if length > limit:
            problems.append(
                f"{label}: the line measures {length:.1f} m, far longer than the "
                f"{longest:g} m its sources give (more than {excess:.0%} over): "
                f"is a position it runs through wrong?"
            )
        else:
            compared.append(f"{_feature_id(feature, index)} {length:.1f} m ≤ {limit:.0f} m")
    if problems:
        return Check(check, False, f"{where}: " + "; ".join(problems))
    if not compared:
        return Check(check, True, f"{where}: no approximate line with a sourced length")
    return Check(
        check,
        True,
        f"{where}: no line longer than its sources' longest length by more than "
        f"{excess:.0%}: {', '.join(compared)}",
    )


# ---------------------------------------------------------------------------
# The bridges, the river and the border
# ---------------------------------------------------------------------------


def _the_map_line(layers: Layers, kind: str, feature_id: str | None) -> _Line | str:
    """Return the map's one valid line of ``kind`` (or with id ``feature_id``), or say why not."""
    for name, layer in layers.items():
        for index, feature in _features(layer):
            if (feature_id is None and _kind(feature) == kind) or (
                feature_id is not None and _feature_id(feature, index) == feature_id
            ):
                return _the_line(layers, name, kind)
    if feature_id is not None:
        return f"no feature '{feature_id}' ([map] {kind}) in any layer"
    return f"no feature of kind '{kind}' in any layer"


def _the_line(layers: Layers, layer_name: str, kind: str) -> _Line | str:
    """Return the one valid line of ``kind`` in a layer, or say why there is none."""
    if layer_name not in layers:
        return f"layer '{layer_name}' is missing"
    found = [
        (index, feature)
        for index, feature in _features(layers[layer_name])
        if _kind(feature) == kind
    ]
    if len(found) != 1:
        return f"layer '{layer_name}' has {len(found)} features of kind '{kind}', expected one"
    index, feature = found[0]
    problem = _geometry_problem(feature)
    if problem is not None:
        return f"layer '{layer_name}', {_label(feature, index)}: {problem}"
    return _Line(_feature_id(feature, index), _line_of(feature))


def _check_bridges(layers: Layers) -> list[Check]:
    """Check every bridge's crossing, then the road bridge's distance downstream."""
    spec = spec_of(layers)
    river = _the_map_line(layers, _RIVER_KIND, spec.river)
    border = _the_map_line(layers, _BORDER_KIND, spec.border)
    checks: list[Check] = []
    bridges: list[_Bridge] = []
    for kind in _BRIDGE_KINDS:
        found = [
            (layer_name, index, feature)
            for layer_name, layer in layers.items()
            for index, feature in _features(layer)
            if _kind(feature) == kind
        ]
        for layer_name, index, feature in found:
            bridge = _Bridge(
                layer_name, _feature_id(feature, index), kind, _properties(feature), None
            )
            check, along = _check_crossing(bridge, feature, river, border)
            checks.append(check)
            bridges.append(dataclasses.replace(bridge, along_m=along))
    roads = [bridge for bridge in bridges if bridge.kind == _ROAD_BRIDGE]
    rails = [bridge for bridge in bridges if bridge.kind == _RAIL_BRIDGE]
    # Only a road bridge placed by its distance below the rail bridge has one to check.
    checks += [
        _check_downstream(road, rails, river)
        for road in roads
        if any(
            isinstance(figure, dict) and str(figure.get("name", "")).startswith(_DOWNSTREAM_FIGURE)
            for figure in road.properties.get("figures") or []
        )
    ]
    return checks


def _crossing_name(kind: str) -> str:
    """Return the name of the crossing check for a bridge kind."""
    return f"{kind.replace('_', '-')}-crosses-river"


def _check_crossing(
    bridge: _Bridge, feature: dict[str, Any], river: _Line | str, border: _Line | str
) -> tuple[Check, float | None]:
    """Check that one bridge crosses the river once, from one bank to the other.

    Returns the check and, if the bridge crosses the river exactly once, how far
    along the river it does (whether or not its ends are right).
    """
    name = _crossing_name(bridge.kind)
    where = f"{bridge.id} (layer '{bridge.layer}')"
    problem = _geometry_problem(feature)
    if problem is not None:
        return Check(name, False, f"{where}: cannot check the crossing: {problem}"), None
    coords = _line_coords(feature)
    problems: list[str] = []
    measured: list[str] = []

    along: float | None = None
    if isinstance(river, str):
        problems.append(f"cannot check the crossing: {river}")
    else:
        along, crossing_problem, crossing = _river_crossing(coords, river)
        problems += [crossing_problem] if crossing_problem else []
        measured += [crossing] if crossing else []

    countries: list[str | None] = []
    if isinstance(border, str):
        problems.append(f"cannot check the banks: {border}")
    else:
        ends = []
        for end, position in (("start", coords[0]), ("end", coords[-1])):
            country, place, bank_problem = _bank(border, position)
            countries.append(country)
            ends.append(f"{end} {place}")
            if bank_problem is not None:
                problems.append(f"its {end} lies {bank_problem}")
        if countries[0] is not None and countries[0] == countries[1]:
            problems.append(f"both ends are in {countries[0]}")
        measured.append("ends: " + ", ".join(ends))

    if problems:
        return Check(name, False, f"{where}: {'; '.join(problems)} ({'; '.join(measured)})"), along
    message = (
        f"{where} {measured[0]}; ends on opposite banks ({countries[0]}, {countries[1]}), "
        f"{measured[1].removeprefix('ends: ')}"
    )
    return Check(name, True, message), along


def _river_crossing(
    coords: Sequence[Coordinate], river: _Line
) -> tuple[float | None, str | None, str | None]:
    """Find where a bridge crosses the river.

    Returns how far along the river it crosses (if exactly once), what is wrong
    with the crossing (or ``None``) and what was measured (or ``None``).
    """
    meeting = LineString(coords).intersection(river.shape)
    if meeting.is_empty:
        return None, f"does not cross {river.id}", None
    if meeting.geom_type == "MultiPoint":
        return None, f"crosses {river.id} {len(meeting.geoms)} times, not once", None
    if meeting.geom_type != "Point":
        return None, f"runs along {river.id} ({meeting.geom_type} in common), not across it", None
    along = river.line.distance_to((meeting.x, meeting.y))
    angle = _crossing_angle(coords, river, along)
    measured = (
        f"crosses {river.id} once, {along:.1f} m along it from its start, "
        f"at {angle:.0f}° to the channel"
    )
    if angle < _MIN_CROSSING_ANGLE_DEG:
        problem = (
            f"meets {river.id} at {angle:.0f}° to the channel, less than "
            f"{_MIN_CROSSING_ANGLE_DEG:g}°: it runs along the river, not across it"
        )
        return along, problem, measured
    return along, None, measured


def _crossing_angle(coords: Sequence[Coordinate], river: _Line, along: float) -> float:
    """Return the angle, 0° to 90°, between a bridge's chord and the river where it crosses."""
    # azimuth_along clamps to the line's ends, so an infinite span gives the whole chord.
    bridge_azimuth = azimuth_along(coords, 0.0, math.inf)
    river_azimuth = river.line.azimuth_at(along, settings.river_direction_span_m)
    difference = (bridge_azimuth - river_azimuth) % 180.0
    return min(difference, 180.0 - difference)


def _bank(border: _Line, position: Coordinate) -> tuple[str | None, str, str | None]:
    """Return the country a bridge end is in, where it lies, and what is wrong with that."""
    along = border.line.distance_to(position)
    # A point beyond either end of the border projects onto that end exactly.
    if along <= 0.0:
        where = f"beyond the tripoint end of {border.id}"
        return None, where, f"{where}, where the far bank is {_third_country()}"
    if along >= border.length_m - 1e-6:
        where = f"beyond the mouth end of {border.id}"
        return None, where, where
    side = border.line.side_of(position)
    if side == 0:
        where = f"on {border.id} itself, {along:.1f} m along it"
        return None, where, f"{where}, on neither bank"
    spec = active()
    country = spec.country_on(_SIDES[side]) if spec is not None else None
    name = country.name.get("en", country.code) if country else f"the {_SIDES[side]} bank"
    return name, f"in {name} ({along:.1f} m along {border.id})", None


def _third_country() -> str:
    """Name the country beyond the border line's start: the map's one without a bank."""
    spec = active()
    others = [country for country in (spec.countries if spec else ()) if country.bank is None]
    if len(others) == 1:
        return others[0].name.get("en", others[0].code)
    return "another country's"


def _check_downstream(road: _Bridge, rails: list[_Bridge], river: _Line | str) -> Check:
    """Check a road bridge's along-river distance below the rail bridge."""
    where = f"{road.id} (layer '{road.layer}')"

    def failed(problem: str) -> Check:
        return Check(_DOWNSTREAM_CHECK, False, f"{where}: {problem}")

    sourced = downstream_figure(road.properties, _DOWNSTREAM_FIGURE)
    if isinstance(sourced, str):
        return failed(sourced)
    if isinstance(river, str):
        return failed(f"cannot measure along the river: {river}")
    if len(rails) != 1:
        return failed(f"expected one feature of kind '{_RAIL_BRIDGE}', found {len(rails)}")
    rail = rails[0]
    if rail.along_m is None or road.along_m is None:
        unmeasured = rail if rail.along_m is None else road
        return failed(
            f"cannot measure: {unmeasured.id} has no single crossing of {river.id} "
            f"(see {_crossing_name(unmeasured.kind)})"
        )
    figure_name, low, high = sourced
    distance = road.along_m - rail.along_m
    span = f"{low:g} m" if low == high else f"{low:g} to {high:g} m"
    said = f"sources ('{figure_name}') say {span}"
    if distance <= 0:
        return failed(
            f"crosses {river.id} {-distance:.1f} m upstream of {rail.id}, not downstream; {said}"
        )
    tolerance = settings.length_tolerance_m
    if not low - tolerance <= distance <= high + tolerance:
        return failed(
            f"crosses {river.id} {distance:.1f} m downstream of {rail.id}, "
            f"outside the sourced range; {said}"
        )
    return Check(
        _DOWNSTREAM_CHECK,
        True,
        f"{where} crosses {river.id} {distance:.1f} m downstream of {rail.id}, "
        f"within the sourced range; {said}",
    )
