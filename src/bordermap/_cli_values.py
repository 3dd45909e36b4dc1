"""What the command line's values mean: dates, formats, numbers, links and areas.

Each reader is an argparse ``type``: it returns the value or raises
:class:`argparse.ArgumentTypeError` with one line saying what was expected.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable, Sequence

from bordermap.schema import brief, parse_date

__all__ = [
    "EXPORT_FORMATS",
    "IMAGE_FORMATS",
    "attach_signed_values",
    "base_url",
    "bbox",
    "day",
    "formats",
    "whole_number",
]

IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: bordermap.gis.GIS_FORMATS, without importing it.
EXPORT_FORMATS: tuple[str, ...] = (*IMAGE_FORMATS, "gpkg", "kml")


def day(text: str) -> dt.date:
    """Read a day written ``YYYY-MM-DD`` (not a month or a year alone)."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):  # a day: no month or year alone
        try:
            return parse_date(text)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {brief(text)}")


def formats(text: str) -> tuple[str, ...]:
    """Read comma-separated export formats, each once, in the order given."""
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in EXPORT_FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"expected formats from {', '.join(EXPORT_FORMATS)}, got {brief(text)}"
        )
    return chosen


def whole_number(option: str, low: int, high: int) -> Callable[[str], int]:
    """Return an argument type for a whole number from ``low`` to ``high``."""

    def read(text: str) -> int:
        value = int(text) if re.fullmatch(r"[0-9]{1,9}", text.strip()) else 0
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a positive whole number from {low} to {high}, got {brief(text)}"
            )
        return value

    read.__name__ = option  # argparse names the option by it in its messages
    return read


def base_url(text: str) -> str:
    """Accept a relative URL or an http(s) one with a host, nothing else (no javascript:)."""
    from bordermap._rules import link_problem

    problem = link_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def bbox(text: str) -> tuple[float, float, float, float]:
    """Read an area written ``W,S,E,N`` in degrees, west < east and south < north."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected four numbers W,S,E,N in degrees, got {brief(text)}"
        ) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise argparse.ArgumentTypeError(
            f"expected west < east within ±180 and south < north within ±90 (lon, lat order "
            f"W,S,E,N), got {brief(text)}"
        )
    return (west, south, east, north)


#: Options whose value is a list of numbers that may begin with a minus sign (a region
#: west of Greenwich or south of the equator), which argparse would take for an option.
SIGNED_LISTS = frozenset({"--bbox", "--region"})


def attach_signed_values(argv: Sequence[str]) -> list[str]:
    """Write ``--region -73.9,40.5,...`` as ``--region=-73.9,40.5,...``, as argparse needs."""
    attached: list[str] = []
    arguments = iter(argv)
    for argument in arguments:
        if argument in SIGNED_LISTS:
            value = next(arguments, None)
            if value is not None and re.match(r"-\.?\d", value):
                attached.append(f"{argument}={value}")
                continue
            attached.extend([argument] if value is None else [argument, value])
        else:
            attached.append(argument)
    return attached
