"""File helpers: deterministic GeoJSON text and atomic writes."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bordermap.errors import OutputError


def dumps_geojson(collection: Mapping[str, Any]) -> str:
    """Return GeoJSON text: keys in insertion order, two-space indent, one position a line."""
    return _dump(collection, 0, None) + "\n"


def _dump(value: Any, depth: int, key: str | None) -> str:
    pad = "  " * depth
    inner = "  " * (depth + 1)
    if key == "coordinates":
        return _dump_coordinates(value, depth)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, depth + 1, k)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        if all(not isinstance(item, Mapping | list | tuple) for item in value):
            return "[" + ", ".join(_scalar(item) for item in value) + "]"
        items = [f"{inner}{_dump(item, depth + 1, None)}" for item in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return _scalar(value)


def _dump_coordinates(value: Any, depth: int) -> str:
    """Write a position on one line, and a list of positions one position a line."""
    if value and isinstance(value[0], int | float):
        return "[" + ", ".join(_scalar(number) for number in value) + "]"
    pad = "  " * depth
    inner = "  " * (depth + 1)
    items = [f"{inner}{_dump_coordinates(item, depth + 1)}" for item in value]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place.

    A run that fails or is killed while writing leaves the previous file as it was.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise OutputError(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {error.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
