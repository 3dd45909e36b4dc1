"""Checks across the facts file: every source, feature and placeholder cited exists."""

from __future__ import annotations

import re

from bordermap._facts_fields import Problems
from bordermap._facts_records import FeatureFacts, Source
from bordermap.schema import GEOMETRY_TYPES, brief

#: ``{status:<feature id>}`` in the map's subject, filled with that feature's status
#: on the map's date (bordermap._html.subject), so that the facts hold no stale status.
_STATUS_PLACEHOLDER = re.compile(r"\{status:([^{}]*)\}")


def check_placeholders(
    texts: dict[str, str], features: list[FeatureFacts], problems: Problems
) -> None:
    """Check that each ``{status:<id>}`` in the map's texts names a feature."""
    known = {feature.id for feature in features}
    for key, text in texts.items():
        for match in _STATUS_PLACEHOLDER.finditer(text or ""):
            if match[1].strip() not in known and match[1].strip() not in problems.left_out:
                problems.add(
                    "[map]",
                    key,
                    f"unknown feature {match[1]!r} in {match[0]!r} (give a feature's id)",
                )


def _citations(feature: FeatureFacts) -> list[tuple[str, str, tuple[str, ...]]]:
    """Return where in a feature sources are cited: (place after the feature, field, ids)."""
    found = [("", "sources", feature.sources)]
    if feature.geometry.point is not None:
        key = "centre_sources" if feature.geometry.method == "crossing" else "sources"
        found.append((", geometry", key, feature.geometry.point.sources))
    for number, alternative in enumerate(feature.geometry.alternatives, start=1):
        found.append((f", geometry, alternative #{number}", "sources", alternative.sources))
    for number, event in enumerate(feature.events, start=1):
        found.append((f", event #{number}", "sources", event.sources))
    for figure in feature.figures:
        for number, value in enumerate(figure.values, start=1):
            found.append((f", figure '{figure.name}', value #{number}", "sources", value.sources))
    return found


def check_references(
    features: list[FeatureFacts], sources: dict[str, Source], problems: Problems
) -> None:
    """Check that every source, river and feature a feature cites exists."""
    by_id = {feature.id: feature for feature in features}
    for feature in features:
        where = f"feature '{feature.id}'"
        for place, key, cited in _citations(feature):
            for source_id in dict.fromkeys(cited):
                if source_id not in sources:
                    problems.add(where + place, key, f"unknown source {brief(source_id)}")
        spec = feature.geometry
        for key in ("feature", "river", "downstream_of"):
            target = getattr(spec, key)
            if target is not None and target not in by_id and target not in problems.left_out:
                problems.add(f"{where}, geometry", key, f"unknown feature {brief(target)}")
        for target in spec.through:
            if target not in by_id and target not in problems.left_out:
                problems.add(f"{where}, geometry", "through", f"unknown feature {brief(target)}")
        if spec.river in by_id and by_id[spec.river].kind != "river":
            problems.add(f"{where}, geometry", "river", f"{brief(spec.river)} is not a river")
        _check_drawn_figures(feature, problems)
        expected_type = GEOMETRY_TYPES[feature.kind]
        made_type = _made_type(feature, by_id)
        if made_type is not None and made_type != expected_type:
            problems.add(
                f"{where}, geometry",
                "method",
                f"a {feature.kind} is drawn as a {expected_type}, this makes a {made_type}",
            )


# Figures whose drawn value the geometry must use, by figure name and geometry field.
_GEOMETRY_FIGURES = {"length": "length_m", "downstream distance": "downstream_m"}


def _check_drawn_figures(feature: FeatureFacts, problems: Problems) -> None:
    """Check that the geometry draws what the figures say is drawn."""
    for position, figure in enumerate(feature.figures):
        for prefix, key in _GEOMETRY_FIGURES.items():
            used = getattr(feature.geometry, key)
            drawn = figure.drawn
            if not figure.name.startswith(prefix) or drawn is None or used is None:
                continue
            if not isinstance(drawn, int | float) or float(drawn) != used:
                problems.add(
                    f"feature '{feature.id}', figure #{position + 1}",
                    "drawn",
                    f"says {brief(drawn)} is drawn but the geometry's {key} is {used:g}",
                )


def _made_type(feature: FeatureFacts, by_id: dict[str, FeatureFacts]) -> str | None:
    """Return the geometry type a feature's method makes (following same_as links)."""
    seen = set()
    while feature.geometry.method == "same_as":
        if feature.id in seen or feature.geometry.feature not in by_id:
            return None
        seen.add(feature.id)
        feature = by_id[feature.geometry.feature]
    return "Point" if feature.geometry.method == "point" else "LineString"
