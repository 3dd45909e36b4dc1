"""A feature's sourced figures, as the checks compare them with what is drawn.

:mod:`bordermap.validate` compares a line's length with the longest sourced length, and
a bridge's distance below another with its sourced range.
"""

from __future__ import annotations

from bordermap._rules import is_finite
from bordermap._types import Properties
from bordermap.schema import brief

__all__ = ["downstream_figure", "longest_sourced_length"]


def longest_sourced_length(properties: Properties) -> float | None:
    """Return the longest value of a feature's sourced ``length`` figure in metres, if any."""
    figures = properties.get("figures")
    numbers = [
        float(entry["value"])
        for figure in (figures if isinstance(figures, list) else [])
        if isinstance(figure, dict)
        and figure.get("name") == "length"
        and figure.get("unit", "m") == "m"
        and isinstance(figure.get("values"), list)
        for entry in figure["values"]
        if isinstance(entry, dict) and is_finite(entry.get("value")) and entry["value"] > 0
    ]
    return max(numbers) if numbers else None


def downstream_figure(properties: Properties, prefix: str) -> tuple[str, float, float] | str:
    """Return the name and range of the sourced figure named ``prefix ...``, or a problem.

    Used for a bridge's distance downstream of another, compared with the drawn one.
    """
    figures = properties.get("figures")
    figure = next(
        (
            figure
            for figure in (figures if isinstance(figures, list) else [])
            if isinstance(figure, dict)
            and isinstance(figure.get("name"), str)
            and figure["name"].startswith(prefix)
        ),
        None,
    )
    if figure is None:
        return f"no figure named '{prefix} ...' to compare with"
    unit = figure.get("unit", "m")
    if unit != "m":
        return f"figure '{figure['name']}' is in {brief(unit)}, expected metres ('m')"
    values = figure.get("values")
    numbers = [
        float(entry["value"])
        for entry in (values if isinstance(values, list) else [])
        if isinstance(entry, dict) and is_finite(entry.get("value"))
    ]
    if not numbers:
        return f"figure '{figure['name']}' has no numeric values to compare with"
    return figure["name"], min(numbers), max(numbers)
