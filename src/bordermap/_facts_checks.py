"""The checks of the facts file's schema that look at several fields of a table at once.

Each check is named by a table of :data:`bordermap._facts_schema.FACTS_SCHEMA` and
yields ``(where, field, problem)`` for what is wrong; the rules of single values are
those of :mod:`bordermap._rules`. :class:`Context` carries what ``[map]`` says about
every other table: the map's languages and region, and which facts file it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bordermap._facts_fields import Problems
from bordermap._facts_geometry import inside, read_vertices
from bordermap._rules import (
    ids_problem,
    position_problem,
    region_box,
    source_fields,
    text_problem,
    value_problem,
)
from bordermap.mapspec import parse_spec
from bordermap.schema import KINDS, brief

#: A problem found: where in the file, the field, and what is wrong.
Found = tuple[str, str, str]

#: The most a crossing's centre may be uncertain by, in metres: more is not a position.
MAX_UNCERTAINTY_M = 100_000.0

#: The fields of ``[map]`` that describe the map (:func:`bordermap.mapspec.parse_spec`
#: checks them): name, what the value is, what it means.
MAP_DESCRIPTION: tuple[tuple[str, str, str], ...] = (
    ("languages", "list of language codes, with en", "the languages of names and words"),
    ("output", "identifier", "the map's file name (default `<id>_border_map`)"),
    ("layers", "list of identifiers", "the layers, in drawing order"),
    ("layer_titles", "table of texts", "a title for each layer"),
    ("legend", "table of texts", "legend entries"),
    ("words", "tables `[map.words.<language>]` of texts", "interface words of this map"),
    ("countries", "[[map.countries]]: code, name, bank, fill", "the countries and banks"),
    ("projection", "`EPSG:<code>`", "the planar CRS (default: UTM zone of the region)"),
    ("river", "identifier", "the river's feature id"),
    ("border", "identifier", "the border's feature id"),
)


@dataclass(frozen=True)
class Context:
    """What ``[map]`` says about the other tables, and which facts file it is."""

    path: Path
    languages: tuple[str, ...] = ("en",)
    region: tuple[float, float, float, float] | None = None


class _Collected(Problems):
    """Problems kept as ``(where, field, problem)`` (a reader's checks, reused here)."""

    def __init__(self, path: Path, region: tuple[float, float, float, float] | None) -> None:
        super().__init__(path)
        self.region = region
        self.found: list[Found] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        """Keep one problem."""
        self.found.append((where, field_name, message))


def context_of(path: Path, map_table: object) -> Context:
    """Return what ``[map]`` says about every other table (its good values only)."""
    if not isinstance(map_table, dict):
        return Context(path)
    region = region_box(map_table.get("region"))
    spec = parse_spec(map_table, _Collected(path, None), region=region)
    return Context(path, spec.languages, region)


def kind_problem(value: object) -> str | None:
    """Say why ``value`` is not one of :data:`bordermap.schema.KINDS`, or return None."""
    problem = text_problem(value)
    if problem is None and value not in KINDS:
        return f"unknown kind {brief(value)} (expected one of {', '.join(KINDS)})"
    return problem


# --- [map] ------------------------------------------------------------------------------


def translations(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check the title and subject in each of the map's languages but English."""
    for key in ("title", "subject"):
        for language in context.languages:
            name = f"{key}_{language}"
            if language == "en":
                continue
            value = table.get(name)
            problem = "missing" if value is None else text_problem(value)
            if problem is not None:
                yield where, name, problem


def map_description(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check the map's description: languages, layers, countries, words (mapspec)."""
    collected = _Collected(context.path, context.region)
    parse_spec(table, collected, region=context.region)
    yield from collected.found


# --- sources, events, figures ------------------------------------------------------------


def source_fields_known(
    table: Mapping[str, object], where: str, context: Context
) -> Iterator[Found]:
    """Check the credit line in each language, and that no field is unknown."""
    fields = source_fields(context.languages)
    for field in fields:
        value = table.get(field.name)
        if field.name.startswith("credit_") and value is not None:
            problem = field.rule(value)
            if problem is not None:
                yield where, field.name, problem
    known = {field.name for field in fields}
    for key in sorted(set(table) - known):
        yield where, key, f"unknown field (expected one of {', '.join(sorted(known))})"


def source_title(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check that a source gives its title, or says what it is about."""
    if table.get("title") is None and table.get("about") is None:
        yield where, "title", "give the publication's 'title' or say what it is 'about'"


def event_sources(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check that every event cites a source."""
    sources = table.get("sources")
    if ids_problem(sources) is not None and sources is not None:
        return  # said by the field's rule
    if not sources:
        yield where, "sources", "every event needs a source"


def figure_drawn(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check that the value drawn is a sourced one, or a number between two."""
    drawn = table.get("drawn")
    if drawn is None:
        return
    values = table.get("values")
    sourced = [
        entry["value"]
        for entry in (values if isinstance(values, list) else [])
        if isinstance(entry, dict) and value_problem(entry.get("value")) is None
    ]
    if not sourced or (value_problem(drawn) is None and _within(drawn, sourced)):
        return  # with no sourced value, that is what is said
    yield where, "drawn", f"{brief(drawn)} is neither a sourced value nor between two of them"


def _within(drawn: object, values: list[object]) -> bool:
    """Whether ``drawn`` is one of ``values``, or a number within their range."""
    if drawn in values:
        return True
    numbers = [value for value in values if isinstance(value, int | float)]
    return (
        isinstance(drawn, int | float)
        and not isinstance(drawn, bool)
        and bool(numbers)
        and min(numbers) <= drawn <= max(numbers)
    )


# --- geometry ----------------------------------------------------------------------------


def position(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check a point's ``lat`` and ``lon``: WGS 84, inside the map's region."""
    lat, lon = table.get("lat"), table.get("lon")
    if lat is None or lon is None:
        yield where, "lat" if lat is None else "lon", "missing"
        return
    problem = position_problem(lat, lon, context.region)
    if problem is not None:
        yield where, *problem


def crossing(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check a crossing's centre, or the crossing it lies below and how far."""
    has_centre = "lat" in table or "lon" in table
    if has_centre:
        problem = position_problem(table.get("lat"), table.get("lon"), context.region)
        if problem is not None:
            yield where, *problem
    downstream_of = table.get("downstream_of")
    if has_centre == (downstream_of is not None):
        yield where, "lat", "give either the centre (lat, lon) or downstream_of"
    if downstream_of is not None and table.get("downstream_m") is None:
        yield where, "downstream_m", "downstream_of needs the distance in metres"


def path(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check that a schematic path goes through at least two features."""
    through = table.get("through")
    if (
        not isinstance(through, list)
        or len(through) < 2
        or not all(isinstance(item, str) for item in through)
    ):
        yield where, "through", "a path goes through at least two feature ids"


def line(table: Mapping[str, object], where: str, context: Context) -> Iterator[Found]:
    """Check a line's vertices: ``lat_lon``, or a ``file`` inside the facts' folder."""
    if ("lat_lon" in table) == ("file" in table):
        yield (
            where,
            "lat_lon",
            "give the line's vertices either as lat_lon = [[lat, lon], ...] or as "
            'file = "<GeoJSON file>", not both',
        )
        return
    if "lat_lon" in table:
        collected = _Collected(context.path, context.region)
        read_vertices(table["lat_lon"], "lat_lon", where, collected)
        yield from collected.found
        return
    value, folder = table["file"], context.path.parent
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        yield where, "file", f"expected the path of a GeoJSON file, got {brief(value)}"
    elif not inside(folder, folder / value):
        yield (
            where,
            "file",
            f"{brief(value)} is outside the facts file's folder {folder}: "
            "give a path inside it, relative to the facts file",
        )
