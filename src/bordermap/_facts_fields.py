"""Reading the facts file's fields: typed readers that collect every problem, one line each.

Each reader checks its value by a rule of the one validation core
(:mod:`bordermap._rules`) and adds what is wrong to a :class:`Problems`, naming the
file, the feature and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bordermap._rules import (
    MAX_METRES,
    date_problem,
    ids_problem,
    is_finite,
    number_problem,
    text_problem,
)
from bordermap.errors import FactsError
from bordermap.schema import brief, identifier_problem


class Problems:
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
        """Add one problem: the file, where in it, the field, and what is wrong."""
        self.lines.append(f"{self.path}: {where}, field '{field_name}': {message}")

    @property
    def unchecked(self) -> Problems:
        """Where the problems go that the schema does not look for (a line file's contents)."""
        return self

    def raise_if_any(self) -> None:
        """Raise one FactsError listing every problem, if any was found."""
        if self.lines:
            raise FactsError(self.lines)


class SchemaChecked(Problems):
    """The readers' problems once the schema has checked the file: those it said are dropped.

    The readers turn tables into records, leaving out what is bad; the schema
    (:mod:`bordermap._facts_schema`) has already said what. What only a reader can
    find (a line file's contents) goes to ``unchecked``, as do the cross-references.
    """

    def __init__(self, unchecked: Problems) -> None:
        super().__init__(unchecked.path)
        self._unchecked = unchecked
        self.left_out = unchecked.left_out
        # Whether the schema passed the file: then a reader's problem is one the schema
        # does not know, and dropping it would draw the map without the bad value.
        self._schema_passed = not unchecked.lines

    @property
    def unchecked(self) -> Problems:
        """Where the problems go that the schema does not look for."""
        self._unchecked.region = self.region
        self._unchecked.languages = self.languages
        return self._unchecked

    def add(self, where: str, field_name: str, message: str) -> None:
        """Drop a problem the schema has already said; say it if the schema passed the file."""
        if self._schema_passed:
            self._unchecked.add(where, field_name, message)


class Unlisted(Problems):
    """Problems that are found but not listed (a line's bad vertices past the first few)."""

    def add(self, where: str, field_name: str, message: str) -> None:
        """Add one problem: the file, where in it, the field, and what is wrong."""
        pass


def read_text(
    table: dict[str, object], key: str, where: str, problems: Problems, *, required: bool = True
) -> str:
    """Return ``table[key]`` if it is non-empty text, else say so and return ``""``."""
    return _read_checked(table, key, where, problems, text_problem, required=required)


def read_date(
    table: dict[str, object], key: str, where: str, problems: Problems, *, required: bool = True
) -> str:
    """Return ``table[key]`` if it is a date (YYYY, YYYY-MM, YYYY-MM-DD), else ``""``."""
    return _read_checked(table, key, where, problems, date_problem, required=required)


def _read_checked(
    table: dict[str, object],
    key: str,
    where: str,
    problems: Problems,
    rule: Callable[[object], str | None],
    *,
    required: bool,
) -> str:
    """Return ``table[key]`` as text if ``rule`` finds no problem with it, else ``""``."""
    value = table.get(key)
    if value is None:
        if required:
            problems.add(where, key, "missing")
        return ""
    problem = rule(value)
    if problem is not None:
        problems.add(where, key, problem)
        return ""
    return str(value)


def read_number(
    table: dict[str, object],
    key: str,
    where: str,
    problems: Problems,
    *,
    minimum: float = 0.0,
    maximum: float = MAX_METRES,
) -> float | None:
    """Return ``table[key]`` if it is a number in range, else say so and return None."""
    value = table.get(key)
    if value is None:
        return None
    problem = number_problem(value, minimum, maximum)
    if problem is not None:
        problems.add(where, key, problem)
        return None
    assert is_finite(value)  # number_problem said so; this tells mypy
    return float(value)


def read_list(table: dict[str, object], key: str, where: str, problems: Problems) -> list[Any]:
    """Return ``table[key]`` if it is a list (of tables), else say so and return ``[]``."""
    value = table.get(key, [])
    if not isinstance(value, list):
        problems.add(where, key, f"expected a list of tables, got {brief(value)}")
        return []
    return value


def read_identifier(table: dict[str, object], key: str, where: str, problems: Problems) -> str:
    """Return ``table[key]`` if it is an identifier (see schema.IDENTIFIER), else ``""``."""
    return _read_checked(table, key, where, problems, identifier_problem, required=True)


def read_ids(
    table: dict[str, object], key: str, where: str, problems: Problems
) -> tuple[str, ...]:
    """Return ``table[key]`` if it is a list of source ids, else say so and return ``()``."""
    value = table.get(key, [])
    problem = ids_problem(value)
    if problem is not None:
        problems.add(where, key, problem)
        return ()
    assert isinstance(value, list)  # ids_problem said so; this tells mypy
    return tuple(value)
