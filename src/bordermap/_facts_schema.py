"""The facts file's schema: one declarative table of every table, list and field in it.

:data:`FACTS_SCHEMA` says what the facts file may hold: the top-level tables, ``[map]``,
``[sources.<id>]``, ``[[features]]`` with their names, events, figures and each form of
geometry, and ``[[notes]]``. Each field names the rule of the one validation core
(:mod:`bordermap._rules`) its value keeps; the few rules that look at several fields
of a table at once (a position's latitude and longitude, a line's vertices, "this or
that") are named checks of their table.

:func:`schema_problems` checks a parsed facts file against the schema in one pass,
before anything is read from it, and returns every violation as one line naming the
file, the feature and the field. :func:`schema_markdown` writes the schema as the
reference page ``docs/facts-schema.md`` (a test keeps the page current).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bordermap import _facts_checks as checks
from bordermap._rules import (
    EVENT_FIELDS,
    MAX_METRES,
    SOURCE_FIELDS,
    date_problem,
    flag_problem,
    identifier_problem,
    ids_problem,
    number_problem,
    region_problem,
    status_problem,
    text_problem,
    url_problem,
    value_problem,
)
from bordermap._table_schema import (
    Choice,
    Key,
    ListOf,
    PerLanguage,
    Rule,
    Table,
    TableOf,
    table_problems,
    table_reference,
)
from bordermap.schema import KINDS, STATUSES

__all__ = ["FACTS_SCHEMA", "schema_markdown", "schema_problems"]


# --- rules ----------------------------------------------------------------------------------

TEXT = Rule("text", text_problem)
DATE = Rule('date: "YYYY", "YYYY-MM" or "YYYY-MM-DD"', date_problem)
URL = Rule("http(s) link", url_problem)
FLAG = Rule("true or false", flag_problem)
IDENTIFIER = Rule("identifier: a-z, then up to 63 of a-z 0-9 _ -", identifier_problem)
STATUS = Rule(f"one of {', '.join(STATUSES)}", status_problem)
VALUE = Rule("number or text", value_problem)
REGION = Rule("[west, south, east, north] in degrees", region_problem)
KIND = Rule(f"one of {', '.join(KINDS)}", checks.kind_problem)


def number(minimum: float = 0.0, maximum: float = MAX_METRES, unit: str = "") -> Rule:
    """Return the rule of a number from ``minimum`` to ``maximum``."""
    return Rule(
        f"number from {_figure(minimum)} to {_figure(maximum)}{unit}",
        functools.partial(number_problem, minimum=minimum, maximum=maximum),
    )


def _figure(number: float) -> str:
    """Write a bound as the reference gives it: 1,000,000 rather than 1e+06."""
    return f"{number:,.0f}" if number == int(number) else f"{number:g}"


def sourced(missing: str) -> Rule:
    """Return the rule of a non-empty list of source ids; ``missing`` says when it is empty."""

    def check(value: Any) -> str | None:
        return ids_problem(value) or (None if value else missing)

    return Rule("list of source ids, at least one", check)


#: The rules of the shared tables of fields, by name, for the reference.
_SHARED_SAYS = {
    text_problem: TEXT.says,
    date_problem: DATE.says,
    url_problem: URL.says,
    flag_problem: FLAG.says,
    status_problem: STATUS.says,
    ids_problem: "list of source ids",
}


def _shared(fields: Any, about: Mapping[str, str]) -> tuple[Key, ...]:
    """Return a shared table of fields (:mod:`bordermap._rules`) as keys of the schema."""
    return tuple(
        Key(f.name, Rule(_SHARED_SAYS[f.rule], f.rule), about[f.name], required=f.required)
        for f in fields
    )


# --- the facts file --------------------------------------------------------------------------

SOURCE = Table(
    "[sources.<id>]",
    "source '{key}'",
    (
        *_shared(
            SOURCE_FIELDS,
            {
                "publisher": "who published it",
                "url": "where to read it",
                "title": "the publication's title (or say what it is `about`)",
                "about": "what it is, when it has no title",
                "date": "when it was published",
                "licence": "the licence of data taken from it",
                "credit": "the credit line the licence asks for",
            },
        ),
        Key(
            "credit_<language>",
            None,
            "the credit line in another of the map's languages",
            says="text",
        ),
    ),
    checks=(checks.source_title, checks.source_fields_known),
    about="A publication a fact comes from, by id; every fact cites at least one.",
)

EVENT = Table(
    "[[features.events]]",
    "event #{n}",
    (
        *_shared(
            EVENT_FIELDS,
            {
                "date": "when it happened, or is expected",
                "what": "what happened",
                "status": "the feature's status from then on",
                "expected": "whether it is expected rather than done",
                "sources": "who says so",
            },
        ),
    ),
    checks=(checks.event_sources,),
    about="Something that happened to a feature, or is expected, on a date.",
)

FIGURE_VALUE = Table(
    "[[features.figures.values]]",
    "value #{n}",
    (
        Key(
            "value",
            VALUE,
            "the value a source gives",
            required=True,
            missing="expected a number or text, got None",
        ),
        Key(
            "sources",
            sourced("every value needs a source"),
            "who gives it",
            required=True,
            missing="every value needs a source",
        ),
        Key("note", TEXT, "a remark on this value"),
    ),
    about="One published value of a figure.",
)

FIGURE = Table(
    "[[features.figures]]",
    "figure #{n}",
    (
        Key("name", TEXT, "what is measured (`length`, `downstream of …`)", required=True),
        Key("unit", TEXT, "its unit (`m` for metres)"),
        Key(
            "values",
            ListOf(FIGURE_VALUE, 1, "a figure needs at least one sourced value"),
            "every value sources give",
            required=True,
            missing="a figure needs at least one sourced value",
        ),
        Key(
            "drawn",
            None,
            "the value drawn: a sourced one, or a number between two",
            says="number or text",
        ),
    ),
    checks=(checks.figure_drawn,),
    about="A figure (a length, a distance) with every value sources give for it.",
)

POSITION = Table(
    "[[features.geometry.alternatives]]",
    "alternative #{n}",
    (
        Key("lat", None, "latitude, WGS 84", required=True, says="number, degrees"),
        Key("lon", None, "longitude, WGS 84", required=True, says="number, degrees"),
        Key(
            "sources",
            sourced("every position needs a source"),
            "who gives it",
            required=True,
            missing="every position needs a source",
        ),
    ),
    checks=(checks.position,),
    about="Another position a source gives for a point.",
)

_NOTE_KEY = Key("note", TEXT, "how the geometry was made, for the reader")

GEOMETRY = Choice(
    "method",
    {
        "line": Table(
            '[features.geometry] method = "line"',
            "geometry",
            (
                Key("lat_lon", None, "the vertices, as written", says="list of [lat, lon]"),
                Key(
                    "file",
                    None,
                    "or a GeoJSON LineString beside the facts file",
                    says="path inside the facts file's folder",
                ),
                _NOTE_KEY,
            ),
            checks=(checks.line,),
            about="A line through vertices: `lat_lon` or `file`, not both.",
        ),
        "point": Table(
            '[features.geometry] method = "point"',
            "geometry",
            (
                Key("lat", None, "latitude, WGS 84", required=True, says="number, degrees"),
                Key("lon", None, "longitude, WGS 84", required=True, says="number, degrees"),
                Key(
                    "sources",
                    sourced("every published position needs a source"),
                    "who gives the position",
                    required=True,
                    missing="every published position needs a source",
                ),
                Key("alternatives", ListOf(POSITION), "positions other sources give"),
                _NOTE_KEY,
            ),
            checks=(checks.position,),
            about="A published point.",
        ),
        "same_as": Table(
            '[features.geometry] method = "same_as"',
            "geometry",
            (
                Key("feature", TEXT, "the feature whose geometry this one shares", required=True),
                _NOTE_KEY,
            ),
            about="Another feature's geometry.",
        ),
        "crossing": Table(
            '[features.geometry] method = "crossing"',
            "geometry",
            (
                Key("river", TEXT, "the river's feature id", required=True),
                Key(
                    "length_m",
                    number(1.0, unit=" m"),
                    "the drawn length",
                    required=True,
                    missing="a crossing needs the drawn length in metres",
                ),
                Key("lat", None, "the centre's latitude", says="number, degrees"),
                Key("lon", None, "the centre's longitude", says="number, degrees"),
                Key(
                    "centre_sources",
                    Rule("list of source ids", ids_problem),
                    "who gives the centre",
                ),
                Key("downstream_of", TEXT, "or: the crossing upstream of this one"),
                Key("downstream_m", number(unit=" m"), "and how far below it"),
                Key(
                    "centre_uncertainty_m",
                    number(0.0, checks.MAX_UNCERTAINTY_M, " m"),
                    "how far off the centre may be",
                ),
                Key(
                    "bearing_uncertainty_deg",
                    number(0.0, 90.0, "°"),
                    "how far off its bearing may be",
                ),
                _NOTE_KEY,
            ),
            checks=(checks.crossing,),
            about="A bridge across a river: at a centre, or a distance below another.",
        ),
        "path": Table(
            '[features.geometry] method = "path"',
            "geometry",
            (
                Key(
                    "through",
                    None,
                    "the features it passes, in order",
                    required=True,
                    says="list of at least two feature ids",
                    missing="a path goes through at least two feature ids",
                ),
                Key(
                    "accuracy_m",
                    number(unit=" m"),
                    "how far off it may be",
                    required=True,
                    missing="a schematic path must say how far off it may be",
                ),
                _NOTE_KEY,
            ),
            checks=(checks.path,),
            about="A schematic line through other features.",
        ),
    },
)

FEATURE = Table(
    "[[features]]",
    "feature #{n}",
    (
        Key("id", IDENTIFIER, "unique across the map", required=True),
        Key("kind", KIND, "what it is: its style and legend entry", required=True),
        Key("layer", IDENTIFIER, "the layer (GeoJSON file) it is drawn in", required=True),
        Key("name", PerLanguage(TEXT), "its name in each of the map's languages", required=True),
        Key("label", PerLanguage(TEXT), "a shorter label in each language"),
        Key("name_note", TEXT, "a remark on the name"),
        Key("description", TEXT, "one or two sentences", required=True),
        Key(
            "sources",
            sourced("every feature needs at least one source"),
            "who says it is there",
            required=True,
            missing="every feature needs at least one source",
        ),
        Key("events", ListOf(EVENT), "what happened to it, when"),
        Key("figures", ListOf(FIGURE), "its sourced figures"),
        Key(
            "geometry",
            GEOMETRY,
            "how it is drawn",
            required=True,
            missing="missing table [features.geometry]",
        ),
    ),
    named_by="id",
    about="One feature of the map.",
)

NOTE = Table(
    "[[notes]]",
    "note #{n}",
    (
        Key("layer", IDENTIFIER, "the layer it is shown with", required=True),
        Key("date", DATE, "when", required=True),
        Key("text", TEXT, "the remark", required=True),
        Key(
            "sources",
            sourced("every note needs a source"),
            "who says so",
            required=True,
            missing="every note needs a source",
        ),
    ),
    about="A sourced remark shown with a layer rather than drawn (an air route).",
)

MAP = Table(
    "[map]",
    "[map]",
    (
        Key("id", TEXT, "the map's id", required=True),
        Key("title", TEXT, "its title", required=True),
        Key(
            "subject",
            TEXT,
            "what it shows; `{status:<id>}` names a feature's status",
            required=True,
        ),
        Key("as_of", DATE, "the date the facts are known on", required=True),
        Key("naming_convention", TEXT, "how places are named"),
        Key("region", REGION, "the box every position lies in"),
        Key("title_<language>", None, "the title in another of the map's languages", says="text"),
        Key("subject_<language>", None, "the subject in another language", says="text"),
        *(Key(name, None, about, says=says) for name, says, about in checks.MAP_DESCRIPTION),
    ),
    checks=(checks.translations, checks.map_description),
    about="What the map is: read first; its languages and region apply to every other table.",
)

#: The whole facts file.
FACTS_SCHEMA = Table(
    "facts file",
    "",
    (
        Key(
            "map",
            MAP,
            "the map",
            required=True,
            missing="missing table [map] with id, title, subject and as_of",
        ),
        Key(
            "sources",
            TableOf(SOURCE, 1, "no sources: every fact needs one"),
            "the publications, by id",
            required=True,
            missing="no sources: every fact needs one",
        ),
        Key(
            "features",
            ListOf(FEATURE, 1, "no features"),
            "the features",
            required=True,
            missing="no features",
        ),
        Key("notes", ListOf(NOTE), "remarks shown with a layer"),
    ),
    about="The top-level tables.",
)


# --- checking --------------------------------------------------------------------------------


def schema_problems(path: Path, data: Mapping[str, Any]) -> list[str]:
    """Check a parsed facts file against :data:`FACTS_SCHEMA`; return one line per violation.

    ``[map]`` is checked first: its languages and region apply to the names and
    positions of every other table. Each line reads ``<file>: <where>, field '<field>':
    <what is wrong>``, quoting values cut to 80 characters.
    """
    context = checks.context_of(path, data.get("map"))
    return [
        f"{path}: {where}, field '{name}': {message}"
        for where, name, message in table_problems(data, FACTS_SCHEMA, "", context)
    ]


def schema_markdown() -> str:
    """Return the schema as Markdown: ``docs/facts-schema.md``, one section per table."""
    lines = [
        "# The facts file's schema",
        "",
        "<!-- Written by `python -m bordermap._facts_schema > docs/facts-schema.md` from",
        "     FACTS_SCHEMA in src/bordermap/_facts_schema.py; a test keeps it current. -->",
        "",
        "Every facts file is checked against this schema in one pass before anything is",
        "read from it. Each violation is one line naming the file, the feature and the",
        "field (at most 50 lines, then the count of the rest; values cut to 80",
        "characters), and the command exits with status 2. `[map]` is read first: its",
        "`languages` are those every name is given in, and every position lies inside its",
        "`region`. What a schema cannot say is checked next and reported with it:",
        "cross-references (sources cited, features named by `same_as`, `river`,",
        "`downstream_of`, `through`, placeholders), duplicate ids, the layers `[map]`",
        "lists, and what a line's `file` holds.",
        *table_reference(FACTS_SCHEMA),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(schema_markdown(), end="")
