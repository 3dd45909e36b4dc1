"""Deterministic GeoJSON text: keys in order, two-space indent, one position a line."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any, TypeVar

K = TypeVar("K")


def dumps_geojson(collection: Mapping[str, object]) -> str:
    """Return GeoJSON text: keys in insertion order, two-space indent, one position a line."""
    return _Writer().dumps(collection)


def dumps_geojson_all(collections: Mapping[K, Mapping[str, object]]) -> dict[K, str]:
    """Return the GeoJSON text of several collections, as :func:`dumps_geojson` writes each.

    A list of positions that several of them hold (the one list of a river and the
    border drawn on it) is formatted once: a million positions take seconds.
    """
    writer = _Writer()
    return {key: writer.dumps(collection) for key, collection in collections.items()}


class _Writer:
    """Writes GeoJSON text, remembering the text of each long list of positions it wrote."""

    #: Lists of positions at least this long are remembered, by identity.
    REMEMBERED = 1000

    def __init__(self) -> None:
        # (id of the list, depth) -> (the list, kept alive so the id stays its own; text)
        self._written: dict[tuple[int, int], tuple[Any, str]] = {}

    def dumps(self, collection: Mapping[str, object]) -> str:
        # Pieces joined once at the end: a string built level by level would copy a
        # million-position line once per level of nesting.
        out: list[str] = []
        self._write(collection, 0, None, False, out)
        out.append("\n")
        return "".join(out)

    def _write(
        self, value: Any, depth: int, key: str | None, in_geometry: bool, out: list[str]
    ) -> None:
        pad = "  " * depth
        inner = "  " * (depth + 1)
        if key == "coordinates" and in_geometry and _is_positions(value):
            self._write_coordinates(value, depth, out)
        elif isinstance(value, Mapping):
            if not value:
                out.append("{}")
                return
            for k in value:
                if not isinstance(k, str):
                    raise TypeError(f"GeoJSON keys must be text, got {k!r}")
            # A geometry is a mapping with a "type" and "coordinates".
            geometry = isinstance(value.get("type"), str) and "coordinates" in value
            separator = "{\n"
            for k, v in value.items():
                out.append(f"{separator}{inner}{json.dumps(k, ensure_ascii=False)}: ")
                self._write(v, depth + 1, k, geometry, out)
                separator = ",\n"
            out.append(f"\n{pad}}}")
        elif isinstance(value, list | tuple):
            if not value:
                out.append("[]")
            elif all(not isinstance(item, Mapping | list | tuple) for item in value):
                out.append("[" + ", ".join(_scalar(item) for item in value) + "]")
            else:
                separator = "[\n"
                for item in value:
                    out.append(separator + inner)
                    self._write(item, depth + 1, None, False, out)
                    separator = ",\n"
                out.append(f"\n{pad}]")
        else:
            out.append(_scalar(value))

    def _write_coordinates(self, value: Any, depth: int, out: list[str]) -> None:
        """Write a position on one line, and a list of positions one position a line."""
        if value and isinstance(value[0], int | float):
            out.append("[" + ", ".join(_scalar(number) for number in value) + "]")
            return
        pad = "  " * depth
        inner = "  " * (depth + 1)
        if (
            value
            and isinstance(value[0], list | tuple)
            and value[0]
            and isinstance(value[0][0], int | float)
        ):
            remembered = self._written.get((id(value), depth))
            if remembered is not None and remembered[0] is value:
                out.append(remembered[1])
                return
            # A list of positions (a line, a ring): one json.dumps call, not one per
            # number, then one position a line.
            flat = json.dumps(value, allow_nan=False)[1:-1]
            text = f"[\n{inner}" + flat.replace("], [", "],\n" + inner + "[") + f"\n{pad}]"
            if len(value) >= self.REMEMBERED:
                self._written[id(value), depth] = (value, text)
            out.append(text)
            return
        separator = "[\n"
        for item in value:
            out.append(separator + inner)
            self._write_coordinates(item, depth + 1, out)
            separator = ",\n"
        out.append(f"\n{pad}]")


def _is_positions(value: Any) -> bool:
    """Whether ``value`` is a position, or nested lists of positions, of numbers."""
    if not isinstance(value, list | tuple) or not value:
        return False
    kinds = set(map(type, value))
    if kinds <= {int, float}:  # a position (bool is neither)
        return True
    if kinds <= {list, tuple} and min(map(len, value)) > 0:
        # A list of positions, checked at C speed: a river can have a million.
        members = set(map(type, itertools.chain.from_iterable(value)))
        if members <= {int, float}:
            return True
    return all(_is_positions(item) for item in value)


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
