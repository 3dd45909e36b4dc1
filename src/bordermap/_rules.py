"""The one validation core: each rule about input written once, for every reader.

The facts file (:mod:`bordermap.facts`), GeoJSON layers (:mod:`bordermap._layercheck`,
:mod:`bordermap.validate`), base files (:mod:`bordermap.base`), the command line and
the page's links all check positions, URLs, ids, names, lengths and dates through
the functions here. Each rule returns ``None`` for a good value or one line saying
what is wrong, quoting the value cut to 80 characters (:func:`bordermap.schema.brief`);
the reader adds the file, the feature and the field.

Records are described by a small declarative table of :class:`Field` (see
:data:`SOURCE_FIELDS`), checked by :func:`record_problems`.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard
from urllib.parse import urlsplit

import numpy as np
from numpy.typing import NDArray

from bordermap.schema import STATUSES, brief, identifier_problem, parse_date

__all__ = [
    "EVENT_FIELDS",
    "MAX_METRES",
    "SOURCE_FIELDS",
    "Field",
    "any_text_problem",
    "date_problem",
    "flag_problem",
    "http_url",
    "identifier_problem",
    "ids_problem",
    "in_box",
    "is_finite",
    "link_problem",
    "lonlat_problem",
    "name_fields",
    "number_problem",
    "position_problem",
    "position_table",
    "record_problems",
    "region_box",
    "region_problem",
    "source_fields",
    "status_problem",
    "text_problem",
    "url_problem",
    "value_problem",
]

#: The largest distance in metres any file may give (a map of one region).
MAX_METRES = 1_000_000.0

#: The largest figure a source may give: beyond this no number is a measurement.
_MAX_FIGURE = 1e15

Box = tuple[float, float, float, float]


# --- values -----------------------------------------------------------------------------


def is_finite(value: object) -> TypeGuard[float]:
    """Whether ``value`` is a finite number (``bool`` is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float, e.g. 1e400 written in full
        return False


def text_problem(value: object) -> str | None:
    """Say why ``value`` is not non-empty text (a name, a title), or return None."""
    if isinstance(value, str) and value.strip():
        return None
    return f"expected non-empty text, got {brief(value)}"


def any_text_problem(value: object) -> str | None:
    """Say why ``value`` is not text (which may be empty: a note), or return None."""
    return None if isinstance(value, str) else f"expected text, got {brief(value)}"


def number_problem(value: object, minimum: float = 0.0, maximum: float = MAX_METRES) -> str | None:
    """Say why ``value`` is not a number from ``minimum`` to ``maximum``, or return None."""
    if is_finite(value) and minimum <= value <= maximum:
        return None
    return f"expected a number from {minimum:g} to {maximum:g}, got {brief(value)}"


def flag_problem(value: object) -> str | None:
    """Say why ``value`` is not true or false, or return None."""
    return None if isinstance(value, bool) else f"expected true or false, got {brief(value)}"


def ids_problem(value: object) -> str | None:
    """Say why ``value`` is not a list of source ids (text), or return None."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return None
    return f"expected a list of source ids, got {brief(value)}"


def value_problem(value: object) -> str | None:
    """Say why ``value`` is not a figure's value (a finite number or text), or return None."""
    if isinstance(value, str) and value.strip():
        return None
    if is_finite(value) and abs(value) <= _MAX_FIGURE:
        return None
    return f"expected a number or text, got {brief(value)}"


def status_problem(value: object) -> str | None:
    """Say why ``value`` is not one of :data:`bordermap.schema.STATUSES`, or return None."""
    if isinstance(value, str) and value in STATUSES:
        return None
    return f"unknown status {brief(value)} (expected one of {', '.join(STATUSES)})"


def date_problem(value: object) -> str | None:
    """Say why ``value`` is not a date "YYYY", "YYYY-MM" or "YYYY-MM-DD", or return None."""
    try:
        parse_date(value)
    except ValueError as error:
        return str(error)
    return None


def http_url(value: object) -> str | None:
    """Return ``value`` if it is an http(s) URL with a host, else None.

    The only links a page or a record may hold: no ``javascript:``, ``data:`` or
    ``file:``, no user name or password before the host (which can disguise it), no
    port out of range, no space or invisible character inside; leading and trailing
    spaces are dropped.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    # Spaces, control and invisible format characters (a right-to-left override
    # makes a link read as another) have no place in an address.
    if any(unicodedata.category(char)[0] in "CZ" for char in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:  # e.g. an unclosed [ in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if "@" in parts.netloc:  # "https://trusted.org@elsewhere.net" goes elsewhere
        return None
    return url


def url_problem(value: object) -> str | None:
    """Say why ``value`` is not an http(s) link, or return None."""
    return None if http_url(value) else f"expected an http(s) link, got {brief(value)}"


def link_problem(value: object) -> str | None:
    """Say why ``value`` is neither a relative URL nor an http(s) one, or return None.

    For the addresses a page links to that the user gives (``--base-url``): no
    scheme but http(s) (no ``javascript:``), no protocol-relative ``//host``, and
    no spaces, quotes or angle brackets.
    """
    if (
        isinstance(value, str)
        and not any(ord(c) < 33 or c in "<>\"'`\\" for c in value)
        and not value.startswith("//")
        and (":" not in value.split("/")[0] or http_url(value) is not None)
    ):
        return None
    return f"expected a relative or http(s) URL, got {brief(value)}"


# --- positions --------------------------------------------------------------------------


def region_box(region: object) -> Box | None:
    """Return a valid ``[west, south, east, north]`` region as a tuple, else None."""
    if (
        isinstance(region, list | tuple)
        and len(region) == 4
        and all(is_finite(value) for value in region)
        and region[0] < region[2]
        and region[1] < region[3]
    ):
        return (float(region[0]), float(region[1]), float(region[2]), float(region[3]))
    return None


def region_problem(region: object) -> str | None:
    """Say why ``region`` is not ``[west, south, east, north]`` in degrees, or return None."""
    box = region_box(region)
    if box is not None and box[0] >= -180 and box[2] <= 180 and box[1] >= -90 and box[3] <= 90:
        return None
    return f"expected [west, south, east, north] in degrees, got {brief(region)}"


def in_box(box: Box, lon: float, lat: float) -> bool:
    """Whether ``(lon, lat)`` lies inside ``(west, south, east, north)``."""
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def position_problem(lat: object, lon: object, region: object = None) -> tuple[str, str] | None:
    """Say which of a position's fields is wrong and why, or return None.

    A WGS 84 position has a finite latitude within ±90 and longitude within ±180, and
    lies inside ``region`` (``[west, south, east, north]``) when that is a valid box.
    Out of range, it is examined for the two usual mistakes: latitude and longitude
    swapped, and projected metres instead of degrees.

    Returns
    -------
    tuple of (str, str) or None
        ``("lat" or "lon", what is wrong)``.
    """
    if not is_finite(lat):
        return ("lat", f"expected a finite number, got {brief(lat)}")
    if not is_finite(lon):
        return ("lon", f"expected a finite number, got {brief(lon)}")
    box = region_box(region)
    if abs(lat) > 360 or abs(lon) > 360:
        return (
            "lat" if abs(lat) > 360 else "lon",
            f"{lat!r}, {lon!r} look like projected metres (UTM?), not WGS 84 degrees",
        )
    swapped = (box is not None and in_box(box, lat, lon)) or abs(lat) > 90 >= abs(lon)
    said = " (lat and lon look swapped)" if swapped else ""
    if abs(lat) > 90:
        return ("lat", f"{lat!r} is outside WGS 84 range ±90{said}")
    if abs(lon) > 180:
        return ("lon", f"{lon!r} is outside WGS 84 range ±180")
    if box is not None and not in_box(box, lon, lat):
        return (
            "lat",
            f"{lat!r}, {lon!r} is far outside the map's region {list(box)!r}"
            + (said or "; is it the right place?"),
        )
    return None


def lonlat_problem(position: object, region: object = None) -> str | None:
    """Say what is wrong with a GeoJSON ``[lon, lat]`` position (RFC 7946), or return None."""
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        return f"is not a [lon, lat] position: {brief(position)}"
    problem = position_problem(position[1], position[0], region)
    if problem is None:
        return None
    return f"[lon, lat] = {brief(list(position[:2]))}: {problem[1]}"


def position_table(
    positions: object,
    region: object = None,
    *,
    lon_first: bool = True,
    sizes: tuple[int, ...] = (2, 3),
) -> NDArray[np.float64] | None:
    """Return the positions as an ``(n, 2)`` array of ``[lon, lat]`` if all are sound.

    :func:`position_problem` for a whole line at once (a river in full detail has a
    million positions): each is a list of ``sizes`` numbers (``int`` or ``float``:
    not ``bool``, not text), finite, in WGS 84 range and inside ``region`` when that
    is a valid box. ``lon_first=False`` reads ``[lat, lon]``. An altitude is dropped.

    Returns None when any position is not sound, and for valid but unusual input
    (positions of mixed sizes): look at them one by one to say what is wrong.
    """
    if not isinstance(positions, list) or not positions:
        return None
    if not set(map(type, positions)) <= {list, tuple}:
        return None
    lengths = set(map(len, positions))
    if len(lengths) != 1 or not lengths <= set(sizes):
        return None
    if not set(map(type, itertools.chain.from_iterable(positions))) <= {int, float}:
        return None
    try:
        table = np.asarray(positions, dtype=float)[:, :2]
    except (OverflowError, ValueError):  # an int too large for a float
        return None
    if not lon_first:
        table = table[:, ::-1]
    lon, lat = table[:, 0], table[:, 1]
    west, south, east, north = region_box(region) or (-180.0, -90.0, 180.0, 90.0)
    sound = (
        np.isfinite(table).all(axis=1)
        & (np.abs(lon) <= 180.0)
        & (np.abs(lat) <= 90.0)
        & (lon >= west)
        & (lon <= east)
        & (lat >= south)
        & (lat <= north)
    )
    return table if bool(sound.all()) else None


# --- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a record: its name, the rule its value keeps, and whether it is needed."""

    name: str
    rule: Callable[[object], str | None]
    required: bool = False


def record_problems(
    record: Mapping[str, object], fields: Sequence[Field], *, required: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Check a record against a table of fields; return ``(field, problem)`` pairs.

    ``required`` names fields needed here beyond those the table requires (a base
    file's sources must give their licence and credit). A field that is absent is
    only a problem when it is required; ``None`` counts as absent.
    """
    found = []
    for field in fields:
        value = record.get(field.name)
        if value is None:
            if field.required or field.name in required:
                found.append((field.name, "missing"))
            continue
        problem = field.rule(value)
        if problem is not None:
            found.append((field.name, problem))
    return found


#: What a source record holds, in the facts file, a layer and a base file alike
#: (besides credits in the map's other languages: :func:`source_fields`).
SOURCE_FIELDS: tuple[Field, ...] = (
    Field("publisher", text_problem, required=True),
    Field("url", url_problem, required=True),
    Field("title", text_problem),
    Field("about", text_problem),
    Field("date", date_problem),
    Field("licence", text_problem),
    Field("credit", text_problem),
)


def source_fields(languages: Sequence[str]) -> tuple[Field, ...]:
    """Return a source's fields for a map in ``languages``: a credit line in each."""
    credits = (Field(f"credit_{language}", text_problem) for language in languages)
    return (*SOURCE_FIELDS, *(field for field in credits if field.name != "credit_en"))


def name_fields(languages: Sequence[str]) -> tuple[Field, ...]:
    """Return the names every feature has: one per language the map is written in."""
    return tuple(Field(f"name_{language}", text_problem, required=True) for language in languages)


#: What a dated event records, in the facts file and a layer alike.
EVENT_FIELDS: tuple[Field, ...] = (
    Field("date", date_problem, required=True),
    Field("what", text_problem, required=True),
    Field("status", status_problem),
    Field("expected", flag_problem),
    Field("sources", ids_problem),
)
