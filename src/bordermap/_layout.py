"""Layout shared by the web map and the static export: framing, labels, uncertainty areas.

Both renderers place things the same way from the same layers, so the web map and the
printed map frame the same area, label the same features with the same words and shade
the same areas of uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from bordermap.geometry import Coordinate, Line, buffer_polygon, distance_m, point_along
from bordermap.i18n import translate

#: Kinds of features the initial view is framed on.
FRAME_KINDS: tuple[str, ...] = ("rail_bridge", "road_bridge")

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
)


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
    text = str(
        properties.get(f"label_{language}")
        or properties.get(f"name_{language}")
        or properties.get("label_en")
        or properties.get("name_en")
        or feature.get("id")
    )
    status = properties.get("status")
    if status in UNFINISHED_STATUSES:
        text += f" ({translate(str(status), language)})"
    return text


class Label:
    """Where a permanent label goes and what it says."""

    def __init__(self, lon: float, lat: float, text: str, direction: str) -> None:
        self.lon, self.lat, self.text, self.direction = lon, lat, text, direction


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


def frame(features: Sequence[tuple[str, Mapping[str, Any]]]) -> tuple[tuple[float, float], ...]:
    """Return ((south, west), (north, east)) around the bridges, else around everything."""
    chosen = [f for _, f in features if (f.get("properties") or {}).get("kind") in FRAME_KINDS]
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
    features: Sequence[tuple[str, Mapping[str, Any]]],
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


def uncertainty_collection(features: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """Return polygons within which each approximate feature may lie."""
    areas = []
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
