"""The command line answers --help and --version without importing the heavy libraries.

Each command runs in a fresh ``python -X importtime -m bordermap`` process, whose
import log (on stderr) names every module the process imported. test_cli.py checks
``bordermap --help`` through runpy; these cover --version and every command's --help.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bordermap import __version__
from bordermap.cli import build_parser

HEAVY = {"geopandas", "folium", "matplotlib", "pandas", "shapely", "pyproj", "branca"}


def _commands() -> list[str]:
    parser = build_parser()
    (subparsers,) = (
        action for action in parser._actions if isinstance(action.choices, dict)
    )  # the one action holding the commands
    return sorted(subparsers.choices)


def _run(*arguments: str) -> tuple[str, set[str]]:
    """Run ``python -m bordermap ARGUMENTS``; return its output and the packages it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bordermap", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {
        match.group(1).split(".")[0]
        for match in re.finditer(r"^import time:.*\|\s*(\S+)\s*$", result.stderr, re.MULTILINE)
    }
    assert "bordermap" in imported  # the log is read correctly
    return result.stdout, imported


def test_every_command_is_covered():
    assert {"build", "layers", "map", "export", "validate"} <= set(_commands())


def test_version_imports_no_heavy_library():
    out, imported = _run("--version")
    assert out.strip() == f"bordermap {__version__}"
    assert not imported & HEAVY, sorted(imported & HEAVY)


@pytest.mark.parametrize("command", _commands())
def test_command_help_imports_no_heavy_library(command):
    out, imported = _run(command, "--help")
    assert out.startswith(f"usage: bordermap {command}")
    assert not imported & HEAVY, sorted(imported & HEAVY)
