"""Layout shared by the web map and the static export: framing, labels, uncertainty areas.

Both renderers place things the same way from the same layers, so the web map and the
printed map frame the same area, label the same features with the same words and shade
the same areas of uncertainty.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from bordermap._types import Feature, UncertaintyArea, UncertaintyAreas
from bordermap.geometry import Coordinate, Line, buffer_polygon, distance_m, point_along
from bordermap.i18n import format_date, format_month, translate

#: Kinds of features the initial view is framed on.
FRAME_KINDS: tuple[str, ...] = ("rail_bridge", "road_bridge")

#: Crossings of other kinds: the first view frames those a map has, with its bridges.
OTHER_CROSSING_KINDS: tuple[str, ...] = (
    "road_rail_bridge",
    "tunnel",
    "ferry",
    "cable_car",
    "pipeline",
    "crossing_point",
    "checkpoint",
)

#: Kinds whose labels the web map's first view makes room for (zooming out a little
#: if it must), besides the crossings (frame_kinds): the tripoint and the countries' names.
FIRST_VIEW_PLACES: tuple[str, ...] = ("tripoint", "country")

#: Statuses a label states, so that an unfinished feature is never mistaken for a built one.
UNFINISHED_STATUSES: tuple[str, ...] = ("planned", "under construction")

#: Margin around the framed features, as a fraction of their extent on each side.
FRAME_MARGIN: float = 0.6

#: Kinds of features that get a permanent label on the map.
LABELLED_KINDS: tuple[str, ...] = (
    "bridge_site",
    "river",
    "rail_bridge",
    "road_bridge",
    "station",
    "settlement",
    "tripoint",
    "river_mouth",
    *OTHER_CROSSING_KINDS,
)


#: Which labels are placed first where space is short: a label of a kind earlier in
#: this list is placed before any of a later kind (the web map and the static export
#: both place them in this order). Kinds not listed come last.
LABEL_PRIORITY: tuple[str, ...] = (
    "road_bridge",
    "rail_bridge",
    "river",
    "country",
    "tripoint",
    "station",
    "settlement",
    "river_mouth",
    "sea",
    "bridge_site",
)

#: Where a label beside a point is tried, in order: right of it, left, above, below.
POINT_DIRECTIONS: tuple[str, ...] = ("right", "left", "top", "bottom")

#: How many characters a line of a label's narrowest form holds at most.
NARROW_LABEL_CHARACTERS: int = 18

#: How many places along a long line (the river) its label may take, at most.
LINE_LABEL_PLACES: int = 60


#: Kinds whose labels are placed as early as another's (the kind of the same rank).
LABEL_PRIORITY_AS: dict[str, str] = {
    "road_rail_bridge": "road_bridge",
    "tunnel": "rail_bridge",
    "ferry": "rail_bridge",
    "cable_car": "rail_bridge",
    "crossing_point": "tripoint",
    "checkpoint": "station",
    "pipeline": "settlement",
}


def label_priority(kind: str) -> int:
    """Return a kind's place in :data:`LABEL_PRIORITY` (unlisted kinds come last)."""
    kind = LABEL_PRIORITY_AS.get(kind, kind)
    return LABEL_PRIORITY.index(kind) if kind in LABEL_PRIORITY else len(LABEL_PRIORITY)


def label_text(feature: Mapping[str, Any], language: str = "en") -> str:
    """Return a feature's label in ``language``, stating its status if unfinished.

    Parameters
    ----------
    feature : mapping
        A GeoJSON feature from the layers.
    language : str
        ``"en"``, ``"ko"`` or ``"ru"``; missing names fall back to English.

    Returns
    -------
    str
        E.g. ``"Road bridge (under construction)"``.
    """
    properties = feature.get("properties") or {}
    text = _label_name(feature, language)
    status = properties.get("status")
    if status in UNFINISHED_STATUSES:
        text += f" ({translate(str(status), language)})"
    return text


def label_forms(feature: Mapping[str, Any], language: str = "en") -> list[str]:
    """Return a feature's label in the forms a renderer may choose from, longest first.

    A bridge's label tells its story at a glance: its length (``≈`` when drawn
    approximately) and its state ("under construction since April 2025", or the
    year it opened), on one line, then on two, then the shortest form that still
    states an unfinished status, and last the same words in short lines. Other
    features have one form, :func:`label_text`. Lines are separated by newlines.

    Parameters
    ----------
    feature : mapping
        A GeoJSON feature from the layers (its ``status`` the one to tell).
    language : str
        ``"en"``, ``"ko"`` or ``"ru"``.

    Returns
    -------
    list of str
        One to four forms, the fullest first.
    """
    properties = feature.get("properties") or {}
    kind = str(properties.get("kind"))
    geometry = feature.get("geometry") or {}
    if not kind.endswith("bridge") or geometry.get("type") != "LineString":
        return [label_text(feature, language)]
    name = _label_name(feature, language)
    length = _label_length(properties, language)
    state, short_state = _label_state(properties, language)
    head = ", ".join(part for part in (name, length) if part)
    forms = [", ".join(part for part in (head, state) if part)]
    if state:
        forms.append(f"{head}\n{state}")
    if short_state and length:
        forms.append(f"{name}\n{short_state}")
    # The narrowest: every word kept, in short lines (for a phone's width).
    forms.append("\n".join(textwrap.wrap(forms[-1].replace("\n", " "), NARROW_LABEL_CHARACTERS)))
    return list(dict.fromkeys(forms))


def _label_name(feature: Mapping[str, Any], language: str) -> str:
    """Return the name a label gives: its label, else its name, in ``language`` or English."""
    properties = feature.get("properties") or {}
    return str(
        properties.get(f"label_{language}")
        or properties.get(f"name_{language}")
        or properties.get("label_en")
        or properties.get("name_en")
        or feature.get("id")
    )


def _label_length(properties: Mapping[str, Any], language: str) -> str:
    """Return a bridge's drawn length for its label: "623 m", or "≈1 km" where disputed."""
    length = properties.get("length_m")
    if not isinstance(length, int | float) or isinstance(length, bool) or length <= 0:
        return ""
    if length >= 1000:
        text = translate("{n} km", language, n=f"{round(float(length) / 100) / 10:g}")
    else:
        text = translate("{n} m", language, n=f"{round(float(length)):d}")
    return translate("≈{length}", language, length=text) if _length_disputed(properties) else text


def _length_disputed(properties: Mapping[str, Any]) -> bool:
    """Whether the sources disagree on the length drawn (so the label says "≈")."""
    return any(
        isinstance(figure, Mapping) and figure.get("name") == "length" and figure.get("disputed")
        for figure in properties.get("figures") or []
    )


def _label_state(properties: Mapping[str, Any], language: str) -> tuple[str, str]:
    """Return a bridge's state for its label, in full and short.

    An unfinished bridge says since when ("under construction since April 2025";
    short: "under construction"); an open one the year it opened ("opened 1959").
    """
    status = str(properties.get("status") or "")
    onsets = sorted(
        str(event.get("date"))
        for event in properties.get("events") or []
        if isinstance(event, Mapping)
        and event.get("status") == status
        and not event.get("expected")
        and event.get("date")
    )
    if status in UNFINISHED_STATUSES:
        word = translate(status, language)
        if not onsets:
            return word, word
        since = format_month(onsets[0], language)
        return translate("{status} since {month}", language, status=word, month=since), word
    if status in ("open", "existing") and onsets:
        year = format_date(onsets[0][:4], language)
        opened = translate("opened {year}", language, year=year)
        return opened, opened
    return "", ""


class Label:
    """Where a permanent label goes and what it says."""

    def __init__(self, lon: float, lat: float, text: str, direction: str) -> None:
        self.lon, self.lat, self.text, self.direction = lon, lat, text, direction


class LabelSpec:
    """A label for a renderer that places labels itself: its texts and candidate places.

    Attributes
    ----------
    feature_id, kind : str
        What it labels.
    priority : int
        From :func:`label_priority`: lower is placed first.
    forms : list of str
        :func:`label_forms`, the fullest first.
    candidates : list of (lat, lon, direction, gap)
        Places to try in order: a position, which side of it the label goes
        (``"right"``, ``"left"``, ``"top"``, ``"bottom"``, ``"topleft"``, ... or
        ``"center"``) and how many pixels clear of the position.
    """

    def __init__(
        self,
        feature_id: str,
        kind: str,
        forms: list[str],
        candidates: list[tuple[float, float, str, float]],
    ) -> None:
        self.feature_id, self.kind, self.forms, self.candidates = (
            feature_id,
            kind,
            forms,
            candidates,
        )
        self.priority = label_priority(kind)


def label_specs(
    features: Sequence[tuple[str, Feature]],
    view: tuple[tuple[float, float], ...],
    language: str = "en",
    marker_gap: float = 12.0,
) -> list[LabelSpec]:
    """Return the labels of the labelled features with their places to try, in priority order.

    A point is tried right of its marker, then left, above and below; a bridge
    beyond its eastern end, its western end, then on either side of its middle,
    then around its ends; a long line (the river) centred on it, first where
    :func:`label_anchors` puts it, then at up to :data:`LINE_LABEL_PLACES` places
    along it, nearest that first. The same place in two layers (the tripoint) is
    labelled once.

    Parameters
    ----------
    features : sequence of (layer name, feature)
        The features drawn.
    view : ((south, west), (north, east))
        The initial view, as :func:`frame` gives it.
    language : str
        The labels' language.
    marker_gap : float, default 12
        Pixels between a point's position and its label (the marker's radius and a gap).

    Returns
    -------
    list of LabelSpec
        Ordered by priority, then by the features' order.
    """
    anchors = label_anchors(features, view, language)
    specs: list[LabelSpec] = []
    for _, feature in features:
        feature_id = str(feature.get("id"))
        if feature_id not in anchors:
            continue
        kind = str((feature.get("properties") or {}).get("kind"))
        coords = feature_coords(feature)
        if len(coords) == 1:
            lon, lat = coords[0]
            candidates = [(lat, lon, side, marker_gap) for side in POINT_DIRECTIONS]
        elif len(coords) == 2:
            candidates = _short_line_candidates(coords)
        else:
            candidates = _long_line_candidates(coords, anchors[feature_id])
        specs.append(LabelSpec(feature_id, kind, label_forms(feature, language), candidates))
    return sorted(specs, key=lambda spec: spec.priority)


def _short_line_candidates(coords: Sequence[Coordinate]) -> list[tuple[float, float, str, float]]:
    """Places beside a bridge: beyond either end, across its middle, then around its ends.

    Across the middle means on either side of the line (above-left and below-right of
    a bridge running south-west to north-east), where the label cannot cover it.
    """
    west, east = sorted(coords[:2])
    middle = point_along(coords, distance_m(*coords) / 2)
    rising = east[1] >= west[1]
    across = ("topleft", "bottomright") if rising else ("topright", "bottomleft")
    beyond_east = "topright" if rising else "bottomright"
    beyond_west = "bottomleft" if rising else "topleft"
    places = [(east, "right"), (west, "left"), *((middle, side) for side in across)]
    places += [(east, beyond_east), (west, beyond_west)]
    places += [(point, side) for point in (east, west) for side in ("top", "bottom")]
    gap = 6.0
    return [(point[1], point[0], side, gap) for point, side in places]


def _long_line_candidates(
    coords: Sequence[Coordinate], anchor: Label
) -> list[tuple[float, float, str, float]]:
    """Places along a long line, centred on it: the anchor first, then nearest it first."""
    line = Line(coords)
    step = max(line.length_m / LINE_LABEL_PLACES, 50.0)
    points = [line.point_at(index * step) for index in range(int(line.length_m // step) + 1)]
    start = (anchor.lon, anchor.lat)
    points.sort(key=lambda point: distance_m(start, point))
    return [(lat, lon, "center", 0.0) for lon, lat in [start, *points]]


# ---------------------------------------------------------------------------


def feature_coords(feature: Mapping[str, Any]) -> list[Coordinate]:
    """Return a Point's or LineString's ``(lon, lat)`` positions; none for other geometry."""
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Point":
        return [(float(coordinates[0]), float(coordinates[1]))]
    if geometry.get("type") == "LineString":
        return [(float(c[0]), float(c[1])) for c in coordinates]
    return []


def frame_kinds(features: Sequence[tuple[str, Feature]]) -> tuple[str, ...]:
    """Return the kinds the first view is framed on: the bridges and the map's other crossings."""
    present = {(feature.get("properties") or {}).get("kind") for _, feature in features}
    return (*FRAME_KINDS, *(kind for kind in OTHER_CROSSING_KINDS if kind in present))


def frame(features: Sequence[tuple[str, Feature]]) -> tuple[tuple[float, float], ...]:
    """Return ((south, west), (north, east)) around the crossings, else around everything."""
    kinds = frame_kinds(features)
    chosen = [f for _, f in features if (f.get("properties") or {}).get("kind") in kinds]
    points = [c for f in (chosen or [f for _, f in features]) for c in feature_coords(f)]
    if not points:
        raise ValueError("nothing to draw: every layer is empty")
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    # Leave room around the bridges for their labels, the title and the legend.
    pad_lat = (max(lats) - min(lats)) * FRAME_MARGIN
    pad_lon = (max(lons) - min(lons)) * FRAME_MARGIN
    return ((min(lats) - pad_lat, min(lons) - pad_lon), (max(lats) + pad_lat, max(lons) + pad_lon))


def label_anchors(
    features: Sequence[tuple[str, Feature]],
    view: tuple[tuple[float, float], ...],
    language: str = "en",
) -> dict[str, Label]:
    """Place a label for each labelled feature.

    Points are labelled beside themselves and short lines (bridges) beside their
    left-bank end. A long line (the river) is labelled at the point of it, inside
    the initial view, that lies farthest from everything else drawn, so that its
    label covers neither bridge.
    """
    labels: dict[str, Label] = {}
    obstacles: list[Coordinate] = []
    long_lines = []
    for _, feature in features:
        properties = feature.get("properties") or {}
        kind = properties.get("kind")
        coords = feature_coords(feature)
        if kind not in LABELLED_KINDS or not coords:
            obstacles.extend(coords)
            continue
        text = label_text(feature, language)
        if any(label.text == text for label in labels.values()):
            continue  # the same place in two layers (the tripoint) is labelled once
        if len(coords) == 1:
            labels[str(feature.get("id"))] = Label(*coords[0], text, "right")
            obstacles.extend(coords)
        elif len(coords) == 2:
            labels[str(feature.get("id"))] = Label(*coords[-1], text, "right")
            obstacles.extend([coords[0], point_along(coords, distance_m(*coords) / 2), coords[1]])
        else:
            long_lines.append((feature, coords, text))
    (south, west), (north, east) = view
    margin_lat, margin_lon = (north - south) * 0.15, (east - west) * 0.15
    for feature, coords, text in long_lines:
        line = Line(coords)  # measured once for the hundreds of candidates along it
        candidates = [line.point_at(step * 25.0) for step in range(int(line.length_m // 25) + 1)]
        inside = [
            c
            for c in candidates
            if south + margin_lat <= c[1] <= north - margin_lat
            and west + margin_lon <= c[0] <= east - margin_lon
        ] or candidates
        best = max(
            inside,
            key=lambda c: min((distance_m(c, o) for o in obstacles), default=math.inf),
        )
        labels[str(feature.get("id"))] = Label(*best, text, "center")
    return labels


def uncertainty_collection(features: Sequence[tuple[str, Feature]]) -> UncertaintyAreas:
    """Return polygons within which each approximate feature may lie."""
    areas: list[UncertaintyArea] = []
    for _, feature in features:
        properties = feature.get("properties") or {}
        accuracy = properties.get("accuracy_m")
        if not properties.get("approximate") or not isinstance(accuracy, int | float):
            continue
        if properties.get("kind") == "tripoint":
            continue
        ring = buffer_polygon(feature_coords(feature), float(accuracy))
        areas.append(
            {
                "type": "Feature",
                "id": f"{feature.get('id')}-uncertainty",
                "properties": {"of": feature.get("id"), "accuracy_m": accuracy},
                "geometry": {"type": "Polygon", "coordinates": [[list(c) for c in ring]]},
            }
        )
    return {"type": "FeatureCollection", "features": areas}
