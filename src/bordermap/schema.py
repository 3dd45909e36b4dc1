"""The vocabulary shared by facts, layers, validation and styles.

Kept in one place so that the facts file, the GeoJSON layers and the map agree on
which kinds, statuses and properties exist.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["GEOMETRY_TYPES", "KINDS", "LANGUAGES", "STATUSES", "parse_date"]

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
}

KINDS: tuple[str, ...] = tuple(GEOMETRY_TYPES)

#: Statuses a feature may have; a feature whose events set none is "existing".
STATUSES: tuple[str, ...] = ("planned", "under construction", "open", "existing", "closed")

#: Languages every feature is named in.
LANGUAGES: tuple[str, ...] = ("en", "ko", "ru")

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


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
    match = _DATE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
