"""Shared fixtures: the shipped facts file, its text, and the layers built from it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from bordermap.facts import Facts, load_facts
from bordermap.layers import Layers, build_layers

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository checkout (holding ``geodata/`` and ``src/``)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def geodata_dir(repo_root: Path) -> Path:
    """The committed geodata directory."""
    return repo_root / "geodata"


@pytest.fixture(scope="session")
def facts_path(geodata_dir: Path) -> Path:
    """The shipped facts file."""
    return geodata_dir / "facts.toml"


@pytest.fixture(scope="session")
def facts_text(facts_path: Path) -> str:
    """The shipped facts file's TOML text, for writing modified copies."""
    return facts_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def facts(facts_path: Path) -> Facts:
    """The shipped facts, loaded and checked."""
    return load_facts(facts_path)


@pytest.fixture(scope="session")
def shipped_layers(facts: Facts) -> Layers:
    """The layers built from the shipped facts, built once; do not modify."""
    return build_layers(facts)


@pytest.fixture
def layers(shipped_layers: Layers) -> Layers:
    """The layers built from the shipped facts, a fresh copy that a test may modify."""
    return copy.deepcopy(shipped_layers)


@pytest.fixture
def write_facts(tmp_path: Path) -> Callable[[str | bytes], Path]:
    """Return a function that writes facts text (or raw bytes) to ``tmp_path/facts.toml``."""

    def write(content: str | bytes) -> Path:
        path = tmp_path / "facts.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write
