"""Schemas as tables: the kinds of node a declarative schema is made of, and its checker.

A schema is a :class:`Table` of :class:`Key` s, each naming the :class:`Rule` its value
keeps, or the table, list of tables (:class:`ListOf`), tables by id (:class:`TableOf`),
texts per language (:class:`PerLanguage`) or forms picked by a key (:class:`Choice`)
it holds. :func:`table_problems` walks a parsed document against one in a single pass;
:func:`table_reference` writes it as Markdown. The facts file's schema is
:data:`bordermap._facts_schema.FACTS_SCHEMA`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from bordermap._facts_checks import Context, Found
from bordermap._rules import identifier_problem
from bordermap.schema import brief

__all__ = [
    "Choice",
    "Key",
    "ListOf",
    "PerLanguage",
    "Rule",
    "Table",
    "TableOf",
    "table_problems",
    "table_reference",
]

# --- the kinds of node --------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A rule one value keeps: what it says in the reference, and the check itself."""

    says: str
    check: Callable[[object], str | None]

    def __call__(self, value: object) -> str | None:
        """Say what is wrong with ``value``, or return None."""
        return self.check(value)


@dataclass(frozen=True)
class Key:
    """One field of a table: its name, what its value is, and what is said when it is absent.

    ``value`` is ``None`` for a field a check of its table looks after (the reference
    then says ``says``). ``missing`` is the line given when a required field is absent.
    """

    name: str
    value: Rule | Table | ListOf | TableOf | PerLanguage | Choice | None
    about: str
    required: bool = False
    missing: str = "missing"
    says: str = ""


@dataclass(frozen=True)
class Table:
    """A TOML table: its fields, and the checks that look at several of them at once.

    ``where`` names an instance in the problem lines (``{n}``: its number in its list,
    ``{key}``: its id); ``named_by`` is the field that names it instead (a feature by
    its id) once that is a good identifier. Fields a table does not list are left to
    its checks (a source refuses them).
    """

    title: str
    where: str
    keys: tuple[Key, ...]
    checks: tuple[Callable[[Mapping[str, object], str, Context], Iterator[Found]], ...] = ()
    named_by: str | None = None
    about: str = ""


@dataclass(frozen=True)
class ListOf:
    """A list of tables (``[[features]]``); each is named ``where`` with its number."""

    item: Table
    at_least: int = 0
    too_few: str = ""


@dataclass(frozen=True)
class TableOf:
    """A table of tables by id (``[sources.<id>]``)."""

    item: Table
    at_least: int = 0
    too_few: str = ""


@dataclass(frozen=True)
class PerLanguage:
    """A table with one text in each of the map's languages (``name = {en = …, ko = …}``)."""

    rule: Rule


@dataclass(frozen=True)
class Choice:
    """A table whose ``key`` picks its form (a geometry's ``method``)."""

    key: str
    forms: Mapping[str, Table] = field(default_factory=dict)


# --- checking ----------------------------------------------------------------------------


def _join(where: str, name: str) -> str:
    return f"{where}, {name}" if where else name


def table_problems(
    raw: Mapping[str, object], table: Table, where: str, context: Context
) -> Iterator[Found]:
    """Check one table's fields against ``table``, then its checks; yield what is wrong."""
    if table.named_by is not None and identifier_problem(raw.get(table.named_by)) is None:
        where = f"{table.where.split(' ')[0]} '{raw[table.named_by]}'"
    for key in table.keys:
        if key.value is None:
            continue
        value = raw.get(key.name)
        if value is None:
            if key.required:
                yield _missing_where(key, where), key.name, key.missing
            continue
        yield from _value(value, key, where, context)
    for check in table.checks:
        yield from check(raw, where, context)


def _missing_where(key: Key, where: str) -> str:
    """Where a missing field is said to be missing: a geometry at itself, a table at its name."""
    if isinstance(key.value, Choice):
        return _join(where, "geometry")
    if where:
        return where
    return f"[[{key.name}]]" if isinstance(key.value, ListOf) else f"[{key.name}]"


def _value(value: object, key: Key, where: str, context: Context) -> Iterator[Found]:
    """Check one field's value against what the schema says it is."""
    node = key.value
    if isinstance(node, Rule):
        problem = node(value)
        if problem is not None:
            yield where or f"[{key.name}]", key.name, problem
    elif isinstance(node, Table):
        if not isinstance(value, dict):
            said = key.missing if key.required else f"expected a table, got {brief(value)}"
            yield where or f"[{key.name}]", key.name, said
        else:
            yield from table_problems(value, node, node.where, context)
    elif isinstance(node, ListOf):
        yield from _list(value, key, node, where, context)
    elif isinstance(node, TableOf):
        yield from _tables(value, key, node, where, context)
    elif isinstance(node, PerLanguage):
        yield from _languages(value, key, node, where, context)
    elif isinstance(node, Choice):
        yield from _choice(value, node, _join(where, "geometry"), context)


def _list(value: object, key: Key, node: ListOf, where: str, context: Context) -> Iterator[Found]:
    """Check a list of tables, each named by its number."""
    here = where or f"[[{key.name}]]"
    if not isinstance(value, list):
        yield here, key.name, f"expected a list of tables, got {brief(value)}"
        return
    if len(value) < node.at_least:
        yield here, key.name, node.too_few
    for index, item in enumerate(value):
        item_where = _join(where, node.item.where.format(n=index + 1))
        if not isinstance(item, dict):
            yield item_where, key.name, "expected a table"
            continue
        yield from table_problems(item, node.item, item_where, context)


def _tables(
    value: object, key: Key, node: TableOf, where: str, context: Context
) -> Iterator[Found]:
    """Check a table of tables by id, each named by its id."""
    if not isinstance(value, dict) or len(value) < node.at_least:
        yield where or f"[{key.name}]", key.name, node.too_few
        return
    for name, item in value.items():
        item_where = _join(where, node.item.where.format(key=name))
        if not isinstance(item, dict):
            yield item_where, name, "expected a table"
            continue
        yield from table_problems(item, node.item, item_where, context)


def _languages(
    value: object, key: Key, node: PerLanguage, where: str, context: Context
) -> Iterator[Found]:
    """Check a table of texts, one in each of the map's languages."""
    if not isinstance(value, dict):
        yield where, key.name, f"expected a table with {', '.join(context.languages)}"
        return
    for language in context.languages:
        text = value.get(language)
        problem = "missing" if text is None else node.rule(text)
        if problem is not None:
            yield where, language, problem


def _choice(value: object, node: Choice, where: str, context: Context) -> Iterator[Found]:
    """Check a table whose ``node.key`` picks its form."""
    if not isinstance(value, dict):
        yield where, "geometry", "missing table [features.geometry]"
        return
    form = value.get(node.key)
    if not isinstance(form, str) or form not in node.forms:
        yield where, node.key, f"expected one of {tuple(node.forms)}, got {brief(form)}"
        return
    yield from table_problems(value, node.forms[form], where, context)


# --- the reference page ----------------------------------------------------------------------


def table_reference(schema: Table) -> list[str]:
    """Return ``schema`` as Markdown lines: one section per table, each field a row."""
    lines: list[str] = []
    for table in _tables_of(schema):
        lines += ["", f"## `{table.title}`", "", table.about, ""]
        lines += ["| field | value | needed | what it is |", "|---|---|---|---|"]
        for key in table.keys:
            needed = "yes" if key.required else ""
            lines.append(f"| `{key.name}` | {_says(key)} | {needed} | {key.about} |")
        if table.checks:
            lines += ["", "Checked together:", ""]
            lines += [f"- {_first_line(check.__doc__)}" for check in table.checks]
    return lines


def _tables_of(table: Table) -> Iterator[Table]:
    """Every table of the schema, each once, in the order the file is read."""
    yield table
    for key in table.keys:
        node = key.value
        if isinstance(node, Table):
            yield from _tables_of(node)
        elif isinstance(node, ListOf | TableOf):
            yield from _tables_of(node.item)
        elif isinstance(node, Choice):
            for form in node.forms.values():
                yield from _tables_of(form)


def _says(key: Key) -> str:
    """Return what a field's value is, in the reference's words."""
    node = key.value
    if isinstance(node, Rule):
        return node.says
    if isinstance(node, Table):
        return f"table `{node.title}`"
    if isinstance(node, ListOf):
        return f"list of tables `{node.item.title}`"
    if isinstance(node, TableOf):
        return f"tables `{node.item.title}` by id"
    if isinstance(node, PerLanguage):
        return f"table: {node.rule.says} in each of the map's languages"
    if isinstance(node, Choice):
        return f"table; `{node.key}` is one of " + ", ".join(f"`{f}`" for f in node.forms)
    return key.says


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0].replace("``", "`")
