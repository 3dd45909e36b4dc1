"""The facts file: one human-editable TOML file holding every feature's facts.

:func:`load_facts` reads and checks the whole file, then either returns a
:class:`Facts` or raises one :class:`~bordermap.errors.FactsError` listing every
problem found, each naming the file, the feature and the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bordermap._io import read_input, read_json
from bordermap._layercheck import crs_problem, position_table
from bordermap.errors import FactsError
from bordermap.mapspec import MapSpec, parse_spec
from bordermap.schema import (
    GEOMETRY_TYPES,
    KINDS,
    STATUSES,
    brief,
    identifier_problem,
    parse_date,
)
from bordermap.timeline import status_on

__all__ = [
    "Event",
    "Facts",
    "FeatureFacts",
    "Figure",
    "FigureValue",
    "GeometrySpec",
    "Note",
    "Position",
    "Source",
    "load_facts",
]

GEOMETRY_METHODS = ("line", "point", "same_as", "crossing", "path")


@dataclass(frozen=True)
class Source:
    """A publication that a fact comes from."""

    id: str
    publisher: str
    url: str
    title: str | None = None
    about: str | None = None
    date: str | None = None
    licence: str | None = None
    credit: str | None = None
    credit_ko: str | None = None
    credit_ru: str | None = None

    def as_properties(self) -> dict[str, str]:
        """Return the source as a GeoJSON property value, keys in a fixed order."""
        record = {"id": self.id, "publisher": self.publisher}
        for key in ("title", "about", "date", "licence", "credit", "credit_ko", "credit_ru"):
            value = getattr(self, key)
            if value is not None:
                record[key] = value
        record["url"] = self.url
        return record


@dataclass(frozen=True)
class Event:
    """Something that happened, or is expected, on a date."""

    date: str
    what: str
    sources: tuple[str, ...]
    status: str | None = None
    expected: bool = False


@dataclass(frozen=True)
class FigureValue:
    """One published value of a figure, with its sources."""

    value: float | str
    sources: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class Figure:
    """A figure (length, distance, date) with every value sources give for it."""

    name: str
    values: tuple[FigureValue, ...]
    unit: str | None = None
    drawn: float | str | None = None

    @property
    def disputed(self) -> bool:
        """Whether sources give more than one value."""
        return len({value.value for value in self.values}) > 1


@dataclass(frozen=True)
class Position:
    """A published point, ``lat``/``lon`` in WGS 84."""

    lat: float
    lon: float
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class GeometrySpec:
    """How a feature's geometry is made from the facts.

    ``method`` is one of ``"line"`` (vertices given, ``(lat, lon)``, in the facts
    file or in a GeoJSON file it names), ``"point"`` (a published
    point), ``"same_as"`` (another feature's geometry), ``"crossing"`` (a bridge
    drawn across a river from a centre or a distance downstream of another crossing)
    or ``"path"`` (a schematic line through other features, ``through`` in order,
    approximate within ``accuracy_m``).
    """

    method: str
    note: str | None = None
    vertices: tuple[tuple[float, float], ...] = ()
    point: Position | None = None
    alternatives: tuple[Position, ...] = ()
    feature: str | None = None
    river: str | None = None
    downstream_of: str | None = None
    downstream_m: float | None = None
    length_m: float | None = None
    centre_uncertainty_m: float = 0.0
    bearing_uncertainty_deg: float = 0.0
    through: tuple[str, ...] = ()
    accuracy_m: float | None = None


@dataclass(frozen=True)
class FeatureFacts:
    """Everything the facts file says about one feature."""

    id: str
    layer: str
    kind: str
    name: dict[str, str]
    description: str
    sources: tuple[str, ...]
    geometry: GeometrySpec
    events: tuple[Event, ...] = ()
    figures: tuple[Figure, ...] = ()
    name_note: str | None = None
    label: dict[str, str] | None = None

    def status_on(self, date: dt.date) -> str | None:
        """Return the feature's status on ``date``.

        Parameters
        ----------
        date : datetime.date
            The day to look at.

        Returns
        -------
        str or None
            The status set by the latest event on or before ``date``; "existing"
            for a feature whose events set no status; ``None`` when the feature's
            first status-setting event comes later (it did not exist yet).
        """
        return status_on(
            [
                {"date": event.date, "status": event.status, "expected": event.expected}
                for event in self.events
            ],
            date,
        )

    def cited_sources(self) -> tuple[str, ...]:
        """Return the ids of every source this feature cites anywhere, first use first."""
        ids: list[str] = list(self.sources)
        if self.geometry.point is not None:
            ids.extend(self.geometry.point.sources)
        for alternative in self.geometry.alternatives:
            ids.extend(alternative.sources)
        for event in self.events:
            ids.extend(event.sources)
        for figure in self.figures:
            for value in figure.values:
                ids.extend(value.sources)
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class Note:
    """A sourced remark shown with a layer rather than drawn (e.g. air routes)."""

    layer: str
    date: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """The whole facts file."""

    path: Path
    id: str
    title: str
    subject: str
    as_of: str
    features: tuple[FeatureFacts, ...]
    sources: dict[str, Source] = field(default_factory=dict)
    naming_convention: str | None = None
    region: tuple[float, float, float, float] | None = None
    translations: dict[str, str] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    spec: MapSpec | None = None

    def feature(self, feature_id: str) -> FeatureFacts:
        """Return the feature with id ``feature_id``."""
        for feature in self.features:
            if feature.id == feature_id:
                return feature
        raise KeyError(feature_id)

    @property
    def as_of_date(self) -> dt.date:
        """The "as of" date as a :class:`datetime.date`."""
        return parse_date(self.as_of)


class _Problems:
    """Collects problems so that all of them are reported together."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []
        # The map's region (west, south, east, north), once read: positions far
        # outside it are mistakes, usually latitude and longitude swapped.
        self.region: tuple[float, float, float, float] | None = None
        # The languages every name is given in, from [map] languages.
        self.languages: tuple[str, ...] = ("en",)
        # Ids of features left out for problems already reported: a reference to one
        # is not reported again as an unknown feature.
        self.left_out: set[str] = set()

    def add(self, where: str, field_name: str, message: str) -> None:
        self.lines.append(f"{self.path}: {where}, field '{field_name}': {message}")

    def raise_if_any(self) -> None:
        if self.lines:
            raise FactsError(self.lines)


class _Unlisted(_Problems):
    """Problems that are found but not listed (a line's bad vertices past the first few)."""

    def add(self, where: str, field_name: str, message: str) -> None:
        pass


def load_facts(path: str | Path) -> Facts:
    """Read and check a facts file.

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML facts file.

    Returns
    -------
    Facts
        The facts, checked: every reference resolves, every coordinate is a WGS 84
        position, every date parses, every source has an http(s) URL.

    Raises
    ------
    FactsError
        Listing every problem found, each naming the file, the feature and the field.
    """
    path = Path(path)
    try:
        text = read_input(path, "facts file not found")
    except ValueError as error:
        raise FactsError(str(error)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem = _toml_error(str(error), text)
        raise FactsError(f"{path}: not valid TOML: {problem}") from None
    return _parse(path, data)


_TOML_POSITION = re.compile(r"^(?P<what>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")


def _toml_error(message: str, text: str) -> str:
    """Say where a TOML mistake is: where it was made, not only where it was noticed.

    A missing ``,``, ``]`` or ``}`` at the end of a line is noticed at the start of
    the next line with content, after any blank and comment lines: then the mistake
    is named at the end of the line before.
    """
    match = _TOML_POSITION.match(message)
    if match is None:
        return brief(message)[1:-1]
    what, line, column = brief(match["what"])[1:-1], int(match["line"]), int(match["column"])
    lines = text.splitlines()
    noticed = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = len(noticed) - len(noticed.lstrip())
    # Only a value left open (an array or inline table) runs on into later lines.
    left_open = what.startswith(("Unclosed", "Invalid value")) or "after a value" in what
    if not left_open or column > indent + 2:  # inside the line: the parser is right
        return f"{what} (at line {line}, column {column})"
    before = line - 1
    while before > 0 and (not lines[before - 1].strip() or lines[before - 1].lstrip()[0] == "#"):
        before -= 1
    if before == 0:
        return f"{what} (at line {line}, column {column})"
    return (
        f"{what} at the end of line {before} (noticed at line {line}, column {column}): "
        f"is a ',', ']' or '}}' missing after line {before}?"
    )


def _parse(path: Path, data: dict[str, Any]) -> Facts:
    problems = _Problems(path)
    map_table = data.get("map")
    if not isinstance(map_table, dict):
        problems.add("[map]", "map", "missing table [map] with id, title, subject and as_of")
        map_table = {}
    title = _text(map_table, "title", "[map]", problems)
    subject = _text(map_table, "subject", "[map]", problems)
    map_id = _text(map_table, "id", "[map]", problems)
    as_of = _date(map_table, "as_of", "[map]", problems)
    convention = _text(map_table, "naming_convention", "[map]", problems, required=False)
    problems.region = _region(map_table, problems)
    spec = parse_spec(map_table, problems, region=problems.region)
    problems.languages = spec.languages
    # Title and subject in the other languages: title_ko, title_ru, subject_ko, ...
    translations = {
        f"{key}_{language}": _text(map_table, f"{key}_{language}", "[map]", problems)
        for key in ("title", "subject")
        for language in spec.languages
        if language != "en"
    }

    sources: dict[str, Source] = {}
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, dict) or not raw_sources:
        problems.add("[sources]", "sources", "no sources: every fact needs one")
        raw_sources = {}
    for source_id, raw in raw_sources.items():
        source = _source(source_id, raw, problems)
        if source is not None:
            sources[source_id] = source

    features: list[FeatureFacts] = []
    raw_features = data.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        problems.add("[[features]]", "features", "no features")
        raw_features = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_features):
        feature = _feature(index, raw, problems)
        if feature is None:
            continue
        if feature.id in seen:
            problems.add(f"feature '{feature.id}'", "id", "duplicate id")
        seen.add(feature.id)
        features.append(feature)

    notes = []
    for index, raw in enumerate(_list(data, "notes", "[[notes]]", problems)):
        where = f"note #{index + 1}"
        if not isinstance(raw, dict):
            problems.add(where, "notes", "expected a table")
            continue
        note = Note(
            layer=_identifier(raw, "layer", where, problems),
            date=_date(raw, "date", where, problems),
            text=_text(raw, "text", where, problems),
            sources=_ids(raw, "sources", where, problems),
        )
        if not note.sources:
            problems.add(where, "sources", "every note needs a source")
        for source_id in note.sources:
            if source_id not in sources:
                problems.add(where, "sources", f"unknown source {brief(source_id)}")
        notes.append(note)

    _check_references(features, sources, problems)
    _check_placeholders({"subject": subject, **translations}, features, problems)
    spec = _with_layers(spec, features, problems)
    problems.raise_if_any()
    return Facts(
        path=path,
        id=map_id,
        title=title,
        subject=subject,
        as_of=as_of,
        features=tuple(features),
        sources=sources,
        naming_convention=convention or None,
        region=problems.region,
        translations=translations,
        notes=tuple(notes),
        spec=spec,
    )


def _with_layers(spec: MapSpec, features: list[FeatureFacts], problems: _Problems) -> MapSpec:
    """Return the spec with its layers: as [map] lists them, else as the features name them."""
    named = list(dict.fromkeys(feature.layer for feature in features if feature.layer))
    if not spec.layers:
        return dataclasses.replace(spec, layers=tuple(named))
    for layer in named:
        if layer not in spec.layers:
            problems.add("[map]", "layers", f"does not list layer {brief(layer)} of the features")
    return spec


def _text(
    table: dict[str, Any], key: str, where: str, problems: _Problems, *, required: bool = True
) -> str:
    value = table.get(key)
    if value is None:
        if required:
            problems.add(where, key, "missing")
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.add(where, key, f"expected non-empty text, got {brief(value)}")
        return ""
    return value


def _date(
    table: dict[str, Any], key: str, where: str, problems: _Problems, *, required: bool = True
) -> str:
    value = table.get(key)
    if value is None:
        if required:
            problems.add(where, key, "missing")
        return ""
    try:
        parse_date(value)
    except ValueError as error:
        problems.add(where, key, str(error))
        return ""
    return str(value)


#: The largest distance in metres a facts file may give (a map of one region).
_MAX_METRES = 1_000_000.0


def _number(
    table: dict[str, Any],
    key: str,
    where: str,
    problems: _Problems,
    *,
    minimum: float = 0.0,
    maximum: float = _MAX_METRES,
) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if not _finite(value) or not minimum <= value <= maximum:
        problems.add(
            where,
            key,
            f"expected a number from {minimum:g} to {maximum:g}, got {brief(value)}",
        )
        return None
    return float(value)


def _finite(value: Any) -> bool:
    """Whether ``value`` is a finite number (not bool; an int too large for a float is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _list(table: dict[str, Any], key: str, where: str, problems: _Problems) -> list[Any]:
    """Return ``table[key]`` if it is a list (of tables), else say so and return ``[]``."""
    value = table.get(key, [])
    if not isinstance(value, list):
        problems.add(where, key, f"expected a list of tables, got {brief(value)}")
        return []
    return value


def _identifier(table: dict[str, Any], key: str, where: str, problems: _Problems) -> str:
    """Return ``table[key]`` if it is an identifier (see schema.IDENTIFIER), else ``""``."""
    value = table.get(key)
    if value is None:
        problems.add(where, key, "missing")
        return ""
    problem = identifier_problem(value)
    if problem is not None:
        problems.add(where, key, problem)
        return ""
    return str(value)


def _ids(table: dict[str, Any], key: str, where: str, problems: _Problems) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.add(where, key, f"expected a list of source ids, got {brief(value)}")
        return ()
    return tuple(value)


def _source(source_id: str, raw: Any, problems: _Problems) -> Source | None:
    where = f"source '{source_id}'"
    if not isinstance(raw, dict):
        problems.add(where, source_id, "expected a table")
        return None
    publisher = _text(raw, "publisher", where, problems)
    url = _text(raw, "url", where, problems)
    if url and not url.lower().startswith(("http://", "https://")):
        problems.add(where, "url", f"only http(s) links are allowed, got {brief(url)}")
    title = _text(raw, "title", where, problems, required=False)
    about = _text(raw, "about", where, problems, required=False)
    if not title and not about:
        problems.add(where, "title", "give the publication's 'title' or say what it is 'about'")
    date = _date(raw, "date", where, problems, required=False)
    known = {"publisher", "url", "title", "about", "date", "licence", "credit"}
    known |= {f"credit_{language}" for language in problems.languages if language != "en"}
    for key in sorted(set(raw) - known):
        problems.add(where, key, f"unknown field (expected one of {', '.join(sorted(known))})")
    return Source(
        id=source_id,
        publisher=publisher,
        url=url,
        title=title or None,
        about=about or None,
        date=date or None,
        licence=_text(raw, "licence", where, problems, required=False) or None,
        credit=_text(raw, "credit", where, problems, required=False) or None,
        credit_ko=_text(raw, "credit_ko", where, problems, required=False) or None,
        credit_ru=_text(raw, "credit_ru", where, problems, required=False) or None,
    )


def _position(raw: dict[str, Any], where: str, problems: _Problems) -> Position | None:
    lat, lon = raw.get("lat"), raw.get("lon")
    if lat is None or lon is None:
        problems.add(where, "lat" if lat is None else "lon", "missing")
        return None
    return _checked_position(lat, lon, _ids(raw, "sources", where, problems), where, problems)


def _region(
    table: dict[str, Any], problems: _Problems
) -> tuple[float, float, float, float] | None:
    region = table.get("region")
    if region is None:
        return None
    if (
        not isinstance(region, list)
        or len(region) != 4
        or not all(_finite(v) for v in region)
        or not (-180 <= region[0] < region[2] <= 180 and -90 <= region[1] < region[3] <= 90)
    ):
        problems.add(
            "[map]",
            "region",
            f"expected [west, south, east, north] in degrees, got {brief(region)}",
        )
        return None
    return (float(region[0]), float(region[1]), float(region[2]), float(region[3]))


def _checked_position(
    lat: Any, lon: Any, sources: tuple[str, ...], where: str, problems: _Problems
) -> Position | None:
    for key, value in (("lat", lat), ("lon", lon)):
        if not _finite(value):
            problems.add(where, key, f"expected a finite number, got {brief(value)}")
            return None
    hint = _position_hint(float(lat), float(lon), problems.region)
    if hint is not None:
        problems.add(where, hint[0], hint[1])
        return None
    return Position(float(lat), float(lon), sources)


def _position_hint(
    lat: float, lon: float, region: tuple[float, float, float, float] | None
) -> tuple[str, str] | None:
    """Say which field of a position is wrong and why, or return ``None``."""

    def inside(lat: float, lon: float) -> bool:
        return (
            region is not None and region[0] <= lon <= region[2] and region[1] <= lat <= region[3]
        )

    if abs(lat) > 360 or abs(lon) > 360:
        return (
            "lat" if abs(lat) > 360 else "lon",
            f"{lat!r}, {lon!r} look like projected metres, not WGS 84 degrees",
        )
    swapped = (
        " (lat and lon look swapped)" if inside(lon, lat) or abs(lat) > 90 >= abs(lon) else ""
    )
    if abs(lat) > 90:
        return ("lat", f"{lat!r} is outside WGS 84 range ±90{swapped}")
    if abs(lon) > 180:
        return ("lon", f"{lon!r} is outside WGS 84 range ±180")
    if region is not None and not inside(lat, lon):
        return (
            "lat",
            f"{lat!r}, {lon!r} is far outside the map's region {list(region)!r}"
            + (swapped or "; is it the right place?"),
        )
    return None


def _feature(index: int, raw: Any, problems: _Problems) -> FeatureFacts | None:
    where = f"feature #{index + 1}"
    if not isinstance(raw, dict):
        problems.add(where, "features", "expected a table")
        return None
    feature_id = _identifier(raw, "id", where, problems)
    if feature_id:
        where = f"feature '{feature_id}'"
    kind = _text(raw, "kind", where, problems)
    if kind and kind not in KINDS:
        problems.add(
            where, "kind", f"unknown kind {brief(kind)} (expected one of {', '.join(KINDS)})"
        )
    layer = _identifier(raw, "layer", where, problems)
    names = raw.get("name")
    name: dict[str, str] = {}
    if not isinstance(names, dict):
        problems.add(where, "name", f"expected a table with {', '.join(problems.languages)}")
    else:
        for language in problems.languages:
            name[language] = _text(names, language, where, problems).strip()
    label: dict[str, str] | None = None
    if "label" in raw:
        if not isinstance(raw["label"], dict):
            problems.add(where, "label", f"expected a table with {', '.join(problems.languages)}")
        else:
            label = {
                language: _text(raw["label"], language, where, problems).strip()
                for language in problems.languages
            }
    description = _text(raw, "description", where, problems)
    sources = _ids(raw, "sources", where, problems)
    if not sources:
        problems.add(where, "sources", "every feature needs at least one source")
    events = tuple(
        event
        for position, event_raw in enumerate(_list(raw, "events", where, problems))
        if (event := _event(event_raw, f"{where}, event #{position + 1}", problems))
    )
    figures = tuple(
        figure
        for position, figure_raw in enumerate(_list(raw, "figures", where, problems))
        if (figure := _figure(figure_raw, f"{where}, figure #{position + 1}", problems))
    )
    geometry = _geometry(raw.get("geometry"), where, problems)
    if geometry is None or not (feature_id and layer and kind in KINDS):
        if feature_id:
            problems.left_out.add(feature_id)
        return None
    return FeatureFacts(
        id=feature_id,
        layer=layer,
        kind=kind,
        name=name,
        description=description,
        sources=sources,
        geometry=geometry,
        events=events,
        figures=figures,
        name_note=_text(raw, "name_note", where, problems, required=False) or None,
        label=label,
    )


def _event(raw: Any, where: str, problems: _Problems) -> Event | None:
    if not isinstance(raw, dict):
        problems.add(where, "events", "expected a table")
        return None
    date = _date(raw, "date", where, problems)
    what = _text(raw, "what", where, problems)
    status = raw.get("status")
    if status is not None and status not in STATUSES:
        problems.add(
            where, "status", f"unknown status {brief(status)} (expected one of {STATUSES})"
        )
        status = None
    expected = raw.get("expected", False)
    if not isinstance(expected, bool):
        problems.add(where, "expected", f"expected true or false, got {brief(expected)}")
    sources = _ids(raw, "sources", where, problems)
    if not sources:
        problems.add(where, "sources", "every event needs a source")
    if not (date and what):
        return None
    return Event(date, what, sources, status, expected is True)


def _figure(raw: Any, where: str, problems: _Problems) -> Figure | None:
    if not isinstance(raw, dict):
        problems.add(where, "figures", "expected a table")
        return None
    name = _text(raw, "name", where, problems)
    values: list[FigureValue] = []
    for position, value_raw in enumerate(_list(raw, "values", where, problems)):
        value_where = f"{where}, value #{position + 1}"
        value = value_raw.get("value") if isinstance(value_raw, dict) else None
        if not isinstance(value, str | int | float) or not (
            (not isinstance(value, str) and _finite(value) and abs(value) <= 1e15)
            or (isinstance(value, str) and value.strip())
        ):
            problems.add(value_where, "value", f"expected a number or text, got {brief(value)}")
            continue
        sources = _ids(value_raw, "sources", value_where, problems)
        if not sources:
            problems.add(value_where, "sources", "every value needs a source")
        note = _text(value_raw, "note", value_where, problems, required=False) or None
        values.append(FigureValue(value, sources, note))
    if not values:
        problems.add(where, "values", "a figure needs at least one sourced value")
    drawn = raw.get("drawn")
    if drawn is not None and not (
        (_finite(drawn) or isinstance(drawn, str)) and _within_sourced(drawn, values)
    ):
        problems.add(
            where, "drawn", f"{brief(drawn)} is neither a sourced value nor between two of them"
        )
        drawn = None
    if not name or not values:
        return None
    unit = _text(raw, "unit", where, problems, required=False) or None
    return Figure(name, tuple(values), unit, drawn)


def _within_sourced(drawn: Any, values: list[FigureValue]) -> bool:
    """Whether ``drawn`` is a sourced value, or a number within the sourced range."""
    if drawn in {value.value for value in values}:
        return True
    numbers = [value.value for value in values if isinstance(value.value, int | float)]
    return (
        isinstance(drawn, int | float)
        and not isinstance(drawn, bool)
        and bool(numbers)
        and min(numbers) <= drawn <= max(numbers)
    )


def _geometry(raw: Any, where: str, problems: _Problems) -> GeometrySpec | None:
    where = f"{where}, geometry"
    if not isinstance(raw, dict):
        problems.add(where, "geometry", "missing table [features.geometry]")
        return None
    method = raw.get("method")
    if method not in GEOMETRY_METHODS:
        problems.add(where, "method", f"expected one of {GEOMETRY_METHODS}, got {brief(method)}")
        return None
    note = _text(raw, "note", where, problems, required=False) or None
    if method == "line":
        if ("lat_lon" in raw) == ("file" in raw):
            problems.add(
                where,
                "lat_lon",
                "give the line's vertices either as lat_lon = [[lat, lon], ...] or as "
                'file = "<GeoJSON file>", not both',
            )
            return None
        if "file" in raw:
            path, positions = _line_file(raw["file"], where, problems)
            vertices = _vertices(positions, "file", f"{where}, {path}", problems)
        else:
            vertices = _vertices(raw["lat_lon"], "lat_lon", where, problems)
        return None if vertices is None else GeometrySpec(method, note, vertices=vertices)
    if method == "point":
        point = _position(raw, where, problems)
        alternatives = []
        for position, alternative in enumerate(_list(raw, "alternatives", where, problems)):
            alternative_where = f"{where}, alternative #{position + 1}"
            if not isinstance(alternative, dict):
                problems.add(alternative_where, "alternatives", "expected a table")
                continue
            checked_alternative = _position(alternative, alternative_where, problems)
            if checked_alternative is not None:
                if not checked_alternative.sources:
                    problems.add(alternative_where, "sources", "every position needs a source")
                alternatives.append(checked_alternative)
        if point is not None and not point.sources:
            problems.add(where, "sources", "every published position needs a source")
        return GeometrySpec(method, note, point=point, alternatives=tuple(alternatives))
    if method == "path":
        through = raw.get("through")
        if (
            not isinstance(through, list)
            or len(through) < 2
            or not all(isinstance(item, str) for item in through)
        ):
            problems.add(where, "through", "a path goes through at least two feature ids")
            return None
        accuracy = _number(raw, "accuracy_m", where, problems)
        if accuracy is None:
            problems.add(where, "accuracy_m", "a schematic path must say how far off it may be")
        return GeometrySpec(method, note, through=tuple(through), accuracy_m=accuracy)
    if method == "same_as":
        feature = _text(raw, "feature", where, problems)
        return GeometrySpec(method, note, feature=feature)
    # A crossing: a bridge drawn across a river.
    river = _text(raw, "river", where, problems)
    length = _number(raw, "length_m", where, problems, minimum=1.0)
    if length is None:
        problems.add(where, "length_m", "a crossing needs the drawn length in metres")
    centre = None
    if "lat" in raw or "lon" in raw:
        centre = _checked_position(
            raw.get("lat"),
            raw.get("lon"),
            _ids(raw, "centre_sources", where, problems),
            where,
            problems,
        )
    downstream_of = _text(raw, "downstream_of", where, problems, required=False) or None
    downstream_m = _number(raw, "downstream_m", where, problems)
    has_centre = "lat" in raw or "lon" in raw
    if has_centre == (downstream_of is not None):
        problems.add(where, "lat", "give either the centre (lat, lon) or downstream_of")
    if downstream_of is not None and downstream_m is None:
        problems.add(where, "downstream_m", "downstream_of needs the distance in metres")
    return GeometrySpec(
        method,
        note,
        point=centre,
        river=river,
        downstream_of=downstream_of,
        downstream_m=downstream_m,
        length_m=length,
        centre_uncertainty_m=_number(
            raw, "centre_uncertainty_m", where, problems, maximum=_MAX_UNCERTAINTY_M
        )
        or 0.0,
        bearing_uncertainty_deg=_number(
            raw, "bearing_uncertainty_deg", where, problems, maximum=90.0
        )
        or 0.0,
    )


#: The most a crossing's centre may be uncertain by, in metres: more is not a position.
_MAX_UNCERTAINTY_M = 100_000.0

#: How many bad vertices of one line are reported one by one; the rest are counted.
_VERTEX_PROBLEMS_SHOWN = 5


def _vertices(
    positions: Any, field_name: str, where: str, problems: _Problems
) -> tuple[tuple[float, float], ...] | None:
    """Check a line's positions and return them as ``(lat, lon)`` pairs.

    ``field_name`` is ``"lat_lon"`` for ``[lat, lon]`` pairs written in the facts
    file, ``"file"`` for the ``[lon, lat]`` positions of a GeoJSON file (RFC 7946
    order; an altitude is dropped), which ``where`` then names.
    """
    if positions is None:  # the file could not be read: already said why
        return None
    order = "[lat, lon]" if field_name == "lat_lon" else "[lon, lat]"
    if not isinstance(positions, list) or len(positions) < 2:
        problems.add(where, field_name, f"a line needs at least two {order} vertices")
        return None
    sizes = (2, 3) if field_name == "file" else (2,)
    table = position_table(positions, problems.region, lon_first=field_name == "file", sizes=sizes)
    if table is not None:
        return tuple(zip(table[:, 1].tolist(), table[:, 0].tolist(), strict=True))
    # Something is wrong: look at the positions one by one to say what and where.
    # After the first few bad vertices the rest are only counted.
    unshown = _Unlisted(problems.path)
    unshown.region = problems.region
    checked = []
    bad = 0
    for index, position in enumerate(positions):
        vertex_where = f"{where}, vertex #{index + 1}"
        said = problems if bad < _VERTEX_PROBLEMS_SHOWN else unshown
        if not isinstance(position, list) or len(position) not in sizes:
            bad += 1
            said.add(vertex_where, field_name, f"expected {order}, got {brief(position)}")
            continue
        lat, lon = position[:2] if field_name == "lat_lon" else position[1::-1]
        point = _checked_position(lat, lon, (), vertex_where, said)
        if point is None:
            bad += 1
            continue
        checked.append((point.lat, point.lon))
    if bad > _VERTEX_PROBLEMS_SHOWN:
        problems.add(
            where,
            field_name,
            f"and {bad - _VERTEX_PROBLEMS_SHOWN:,} more of its {len(positions):,} vertices "
            "have problems like these",
        )
    return tuple(checked)


def _line_file(value: Any, where: str, problems: _Problems) -> tuple[Path | None, Any]:
    """Read the positions of a line from a GeoJSON file named in the facts file.

    The file holds one LineString: as a geometry, a Feature, or a FeatureCollection
    of one feature, in WGS 84 ``[lon, lat]`` (as OpenStreetMap extracts come). Its
    path is relative to the facts file. Returns the path and the LineString's
    coordinates, unchecked (``None`` when they cannot be had: the problem is added).
    """
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        problems.add(where, "file", f"expected the path of a GeoJSON file, got {brief(value)}")
        return None, None
    folder = problems.path.parent
    path = folder / value
    if not _inside(folder, path):
        problems.add(
            where,
            "file",
            f"{brief(value)} is outside the facts file's folder {folder}: "
            "give a path inside it, relative to the facts file",
        )
        return None, None
    unread: list[str] = []
    data = read_json(path, unread, "geometry file not found")
    for line in unread:
        problems.add(where, "file", line)
    if data is None:
        return path, None
    crs = crs_problem(data.get("crs") if isinstance(data, dict) else None)
    if crs is not None:
        problems.add(where, "file", f"{path}: {crs}")
        return path, None
    geometry = data
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            count = len(features) if isinstance(features, list) else 0
            problems.add(
                where, "file", f"{path}: expected one feature, a LineString; found {count}"
            )
            return path, None
        geometry = features[0]
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
    if kind != "LineString" or not isinstance(geometry, dict):
        problems.add(
            where,
            "file",
            f"{path}: expected a GeoJSON LineString (a geometry, a Feature or a "
            f"FeatureCollection of one), got {brief(kind)}",
        )
        return path, None
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list):
        problems.add(where, "file", f"{path}: the LineString has no coordinates")
        return path, None
    return path, coordinates


def _inside(folder: Path, path: Path) -> bool:
    """Whether ``path`` (symbolic links followed) lies inside ``folder``."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long
        return False


#: ``{status:<feature id>}`` in the map's subject, filled with that feature's status
#: on the map's date (bordermap._html.subject), so that the facts hold no stale status.
_STATUS_PLACEHOLDER = re.compile(r"\{status:([^{}]*)\}")


def _check_placeholders(
    texts: dict[str, str], features: list[FeatureFacts], problems: _Problems
) -> None:
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


def _check_references(
    features: list[FeatureFacts], sources: dict[str, Source], problems: _Problems
) -> None:
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


def _check_drawn_figures(feature: FeatureFacts, problems: _Problems) -> None:
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
