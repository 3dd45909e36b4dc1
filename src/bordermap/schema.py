"""The vocabulary shared by facts, layers, validation and styles.

Kept in one place so that the facts file, the GeoJSON layers and the map agree on
which kinds, statuses and properties exist.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeGuard

__all__ = [
    "GEOMETRY_TYPES",
    "IDENTIFIER",
    "KINDS",
    "STATUSES",
    "brief",
    "identifier_problem",
    "is_identifier",
    "parse_date",
]

#: Feature kinds and the GeoJSON geometry type each is drawn as.
GEOMETRY_TYPES: dict[str, str] = {
    "river": "LineString",
    "border": "LineString",
    "rail_bridge": "LineString",
    "road_bridge": "LineString",
    "tripoint": "Point",
    "river_mouth": "Point",
    "station": "Point",
    "settlement": "Point",
    "railway": "LineString",
    "bridge_site": "Point",
    # Border infrastructure in general: any crossing's map may use these.
    "road_rail_bridge": "LineString",
    "tunnel": "LineString",
    "ferry": "LineString",
    "cable_car": "LineString",
    "pipeline": "LineString",
    "crossing_point": "Point",
    "checkpoint": "Point",
}

KINDS: tuple[str, ...] = tuple(GEOMETRY_TYPES)

#: Statuses a feature may have; a feature whose events set none is "existing".
STATUSES: tuple[str, ...] = ("planned", "under construction", "open", "existing", "closed")

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")

#: What a layer name or a feature id may be: it becomes a file name, a key in the
#: page's scripts and a CSS attribute value, so it is kept to a small, safe alphabet.
IDENTIFIER = re.compile(r"[a-z][a-z0-9_-]{0,63}")

#: Values quoted in a problem line are cut to this many characters.
BRIEF_CHARS = 80


def brief(value: object) -> str:
    """Return ``repr(value)``, cut to :data:`BRIEF_CHARS` characters, on one line.

    A problem line quotes the bad value; a 10 MB value must not become a 10 MB line.
    """
    if isinstance(value, str) and len(value) > BRIEF_CHARS:
        value = value[: BRIEF_CHARS + 1]  # repr of a huge string is not made whole
    elif isinstance(value, list | tuple | dict) and len(value) > BRIEF_CHARS:
        value = type(value).__name__ + f" of {len(value):,} items"
        return value
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # deeply nested, or an int too long to print
        return f"<{type(value).__name__}>"
    if len(text) > BRIEF_CHARS:
        text = text[: BRIEF_CHARS - 1] + "…"
    return text


def is_identifier(value: object) -> TypeGuard[str]:
    """Whether ``value`` is text matching ``[a-z][a-z0-9_-]{0,63}``."""
    return isinstance(value, str) and IDENTIFIER.fullmatch(value) is not None


def identifier_problem(value: object) -> str | None:
    """Say why ``value`` is not an identifier (a layer name, a feature id), or return None.

    Parameters
    ----------
    value : object
        The value read.

    Returns
    -------
    str or None
        ``None`` for text matching ``[a-z][a-z0-9_-]{0,63}``, else what is wrong.
    """
    if is_identifier(value):
        return None
    return (
        f"expected an identifier: a lowercase letter, then up to 63 lowercase letters, "
        f"digits, '_' or '-', got {brief(value)}"
    )


def parse_date(text: object) -> dt.date:
    """Parse a date written "YYYY", "YYYY-MM" or "YYYY-MM-DD".

    Parameters
    ----------
    text : str
        The date, as precise as its source.

    Returns
    -------
    datetime.date
        The first day of the period the text names.

    Raises
    ------
    ValueError
        If the text is not a date in one of those forms.
    """
    match = _DATE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {brief(text)}")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            f"{brief(text)} is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)"
        ) from None
