"""Shared fixtures: the shipped facts file, its text, and the layers built from it."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, REPO, browser_unavailable
from hypothesis import settings

from bordermap.facts import Facts, load_facts
from bordermap.layers import Layers, build_layers

REPO_ROOT = Path(__file__).resolve().parent.parent

# No example database: hypothesis would write one into the checkout (.hypothesis/) and
# replay its examples against code and data that have since changed. Each run draws
# afresh; a failure prints the example and the seed that reproduce it.
settings.register_profile("bordermap", database=None, print_blob=True)
settings.load_profile("bordermap")


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), through Playwright; see helpers.browser_unavailable."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        browser_unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A working directory holding a copy of the shipped facts file and base layers."""
    (tmp_path / "geodata").mkdir()
    shutil.copy(REPO / "geodata" / "facts.toml", tmp_path / "geodata" / "facts.toml")
    shutil.copytree(REPO / "geodata" / "base", tmp_path / "geodata" / "base")
    return tmp_path
