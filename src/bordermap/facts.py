"""The facts file: one human-editable TOML file holding every feature's facts.

:func:`load_facts` reads and checks the whole file, then either returns a
:class:`Facts` or raises one :class:`~bordermap.errors.FactsError` listing every
problem found, each naming the file, the feature and the field.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from bordermap._facts_features import read_feature, read_source
from bordermap._facts_fields import (
    Problems,
    SchemaChecked,
    read_date,
    read_identifier,
    read_ids,
    read_list,
    read_text,
)
from bordermap._facts_geometry import read_region
from bordermap._facts_records import (
    Event,
    Facts,
    FeatureFacts,
    Figure,
    FigureValue,
    GeometrySpec,
    Note,
    Position,
    Source,
)
from bordermap._facts_references import check_placeholders, check_references
from bordermap._facts_schema import schema_problems
from bordermap._io import read_input
from bordermap.errors import FactsError
from bordermap.i18n import missing_translations
from bordermap.mapspec import MapSpec, parse_spec
from bordermap.schema import brief

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
    # Every table, list and field against the schema first, in one pass; then the
    # readers, which say only what the schema cannot: references, duplicate ids, what
    # a line's file holds. Every problem of both is reported together.
    problems = Problems(path)
    problems.lines = schema_problems(path, data)
    return _parse(path, data, problems)


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


def _parse(path: Path, data: dict[str, Any], said: Problems) -> Facts:
    """Read the facts into records; ``said`` gets what the schema could not say."""
    problems = SchemaChecked(said)
    map_table = data.get("map")
    if not isinstance(map_table, dict):
        problems.add("[map]", "map", "missing table [map] with id, title, subject and as_of")
        map_table = {}
    title = read_text(map_table, "title", "[map]", problems)
    subject = read_text(map_table, "subject", "[map]", problems)
    map_id = read_text(map_table, "id", "[map]", problems)
    as_of = read_date(map_table, "as_of", "[map]", problems)
    convention = read_text(map_table, "naming_convention", "[map]", problems, required=False)
    problems.region = read_region(map_table, problems)
    spec = parse_spec(map_table, problems, region=problems.region)
    problems.languages = spec.languages
    # Title and subject in the other languages: title_ko, title_ru, subject_ko, ...
    translations = {
        f"{key}_{language}": read_text(map_table, f"{key}_{language}", "[map]", problems)
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
        source = read_source(source_id, raw, problems)
        if source is not None:
            sources[source_id] = source

    features: list[FeatureFacts] = []
    raw_features = data.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        problems.add("[[features]]", "features", "no features")
        raw_features = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_features):
        feature = read_feature(index, raw, problems)
        if feature is None:
            continue
        if feature.id in seen:
            problems.unchecked.add(f"feature '{feature.id}'", "id", "duplicate id")
        seen.add(feature.id)
        features.append(feature)

    notes = _notes(data, sources, problems)
    check_references(features, sources, problems.unchecked)
    check_placeholders({"subject": subject, **translations}, features, problems.unchecked)
    spec = _with_layers(spec, features, problems.unchecked)
    figures = (figure.name for feature in features for figure in feature.figures)
    untranslated = [f"{path}: {line}" for line in missing_translations(spec, figures)]
    problems.unchecked.lines += untranslated
    problems.unchecked.raise_if_any()
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


def _with_layers(spec: MapSpec, features: list[FeatureFacts], problems: Problems) -> MapSpec:
    """Return the spec with its layers: as [map] lists them, else as the features name them."""
    named = list(dict.fromkeys(feature.layer for feature in features if feature.layer))
    if not spec.layers:
        return dataclasses.replace(spec, layers=tuple(named))
    for layer in named:
        if layer not in spec.layers:
            problems.add("[map]", "layers", f"does not list layer {brief(layer)} of the features")
    return spec


def _notes(data: dict[str, Any], sources: dict[str, Source], problems: Problems) -> list[Note]:
    """Read the ``[[notes]]``: links the map does not draw (air routes), each sourced."""
    notes = []
    for index, raw in enumerate(read_list(data, "notes", "[[notes]]", problems)):
        where = f"note #{index + 1}"
        if not isinstance(raw, dict):
            problems.add(where, "notes", "expected a table")
            continue
        note = Note(
            layer=read_identifier(raw, "layer", where, problems),
            date=read_date(raw, "date", where, problems),
            text=read_text(raw, "text", where, problems),
            sources=read_ids(raw, "sources", where, problems),
        )
        if not note.sources:
            problems.add(where, "sources", "every note needs a source")
        for source_id in note.sources:
            if source_id not in sources:
                problems.unchecked.add(where, "sources", f"unknown source {brief(source_id)}")
        notes.append(note)
    return notes
