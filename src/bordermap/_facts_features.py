"""Reading the facts file's sources and features: names, events and figures."""

from __future__ import annotations

from typing import Any

from bordermap._facts_fields import Problems, read_identifier, read_ids, read_list, read_text
from bordermap._facts_geometry import read_geometry
from bordermap._facts_records import Event, FeatureFacts, Figure, FigureValue, Source
from bordermap._rules import EVENT_FIELDS, record_problems, source_fields, value_problem
from bordermap.schema import KINDS, brief


def read_source(source_id: str, raw: object, problems: Problems) -> Source | None:
    """Read one ``[sources.<id>]`` table, checked by the source table of fields."""
    where = f"source '{source_id}'"
    if not isinstance(raw, dict):
        problems.add(where, source_id, "expected a table")
        return None
    fields = source_fields(problems.languages)
    found = record_problems(raw, fields)
    for key, problem in found:
        problems.add(where, key, problem)
    if raw.get("title") is None and raw.get("about") is None:
        problems.add(where, "title", "give the publication's 'title' or say what it is 'about'")
    known = {field.name for field in fields}
    for key in sorted(set(raw) - known):
        problems.add(where, key, f"unknown field (expected one of {', '.join(sorted(known))})")
    bad = {key for key, _ in found}

    def good(key: str) -> str | None:
        return None if key in bad or raw.get(key) is None else str(raw[key])

    return Source(
        id=source_id,
        publisher=good("publisher") or "",
        url=good("url") or "",
        title=good("title"),
        about=good("about"),
        date=good("date"),
        licence=good("licence"),
        credit=good("credit"),
        credit_ko=good("credit_ko"),
        credit_ru=good("credit_ru"),
    )


def read_feature(index: int, raw: object, problems: Problems) -> FeatureFacts | None:
    """Read one ``[[features]]`` table: id, kind, names, sources, events, figures, geometry."""
    where = f"feature #{index + 1}"
    if not isinstance(raw, dict):
        problems.add(where, "features", "expected a table")
        return None
    feature_id = read_identifier(raw, "id", where, problems)
    if feature_id:
        where = f"feature '{feature_id}'"
    kind = read_text(raw, "kind", where, problems)
    if kind and kind not in KINDS:
        problems.add(
            where, "kind", f"unknown kind {brief(kind)} (expected one of {', '.join(KINDS)})"
        )
    layer = read_identifier(raw, "layer", where, problems)
    names = raw.get("name")
    name: dict[str, str] = {}
    if not isinstance(names, dict):
        problems.add(where, "name", f"expected a table with {', '.join(problems.languages)}")
    else:
        for language in problems.languages:
            name[language] = read_text(names, language, where, problems).strip()
    label: dict[str, str] | None = None
    if "label" in raw:
        if not isinstance(raw["label"], dict):
            problems.add(where, "label", f"expected a table with {', '.join(problems.languages)}")
        else:
            label = {
                language: read_text(raw["label"], language, where, problems).strip()
                for language in problems.languages
            }
    description = read_text(raw, "description", where, problems)
    sources = read_ids(raw, "sources", where, problems)
    if not sources:
        problems.add(where, "sources", "every feature needs at least one source")
    events = tuple(
        event
        for position, event_raw in enumerate(read_list(raw, "events", where, problems))
        if (event := read_event(event_raw, f"{where}, event #{position + 1}", problems))
    )
    figures = tuple(
        figure
        for position, figure_raw in enumerate(read_list(raw, "figures", where, problems))
        if (figure := read_figure(figure_raw, f"{where}, figure #{position + 1}", problems))
    )
    geometry = read_geometry(raw.get("geometry"), where, problems)
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
        name_note=read_text(raw, "name_note", where, problems, required=False) or None,
        label=label,
    )


def read_event(raw: object, where: str, problems: Problems) -> Event | None:
    """Read one dated event, checked by the event table of fields."""
    if not isinstance(raw, dict):
        problems.add(where, "events", "expected a table")
        return None
    found = dict(record_problems(raw, EVENT_FIELDS))
    for key, problem in found.items():
        problems.add(where, key, problem)
    sources = () if "sources" in found else tuple(raw.get("sources") or ())
    if not sources and "sources" not in found:
        problems.add(where, "sources", "every event needs a source")
    if "date" in found or "what" in found:
        return None
    status = None if "status" in found else raw.get("status")
    return Event(str(raw["date"]), str(raw["what"]), sources, status, raw.get("expected") is True)


def read_figure(raw: object, where: str, problems: Problems) -> Figure | None:
    """Read one figure: its sourced values, and the one drawn."""
    if not isinstance(raw, dict):
        problems.add(where, "figures", "expected a table")
        return None
    name = read_text(raw, "name", where, problems)
    values: list[FigureValue] = []
    for position, value_raw in enumerate(read_list(raw, "values", where, problems)):
        value_where = f"{where}, value #{position + 1}"
        value = value_raw.get("value") if isinstance(value_raw, dict) else None
        problem = value_problem(value)
        if problem is not None or not isinstance(value, str | int | float):
            problems.add(value_where, "value", str(problem))
            continue
        sources = read_ids(value_raw, "sources", value_where, problems)
        if not sources:
            problems.add(value_where, "sources", "every value needs a source")
        note = read_text(value_raw, "note", value_where, problems, required=False) or None
        values.append(FigureValue(value, sources, note))
    if not values:
        problems.add(where, "values", "a figure needs at least one sourced value")
    drawn = raw.get("drawn")
    if drawn is not None and not (value_problem(drawn) is None and _within_sourced(drawn, values)):
        problems.add(
            where, "drawn", f"{brief(drawn)} is neither a sourced value nor between two of them"
        )
        drawn = None
    if not name or not values:
        return None
    unit = read_text(raw, "unit", where, problems, required=False) or None
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
