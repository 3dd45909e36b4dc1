"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Debian's Chromium, driven by Playwright (its own browser download fails here).
CHROMIUM = os.environ.get("BORDERMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_unavailable(reason: str) -> None:
    """Skip a browser test where no browser is found, but fail under CI (CI=true)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


def cli_args(project: Path, command: str, *extra: str) -> list[str]:
    """Return the arguments of ``bordermap <command>`` on a project's directories."""
    return [
        command,
        "--geodata",
        str(project / "geodata"),
        "--outputs",
        str(project / "outputs"),
        *extra,
    ]
