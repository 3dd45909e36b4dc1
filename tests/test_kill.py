"""Nothing lost: a build killed at any moment, or failing, leaves the previous outputs.

A project is built once (layers, map, images, embed snippet); then a fact changes, so
that a new build changes some files. The new build is run in this process, and the set
of files it writes is written once per operation of the writer (every write, fsync,
backup link and rename) by a forked child killed with SIGKILL at exactly that
operation: deterministic, where a sweep of kills after delays depends on the machine's
load. After each kill, the next run must find every file as the previous build left
it, or as a complete new build leaves it: never some files of each.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from helpers import cli_args

from bordermap import _io
from bordermap._io import recover
from bordermap.cli import main

pytestmark = pytest.mark.hostile

REPO = Path(__file__).resolve().parents[1]
TEMPORARY = re.compile(r"^\..+\.tmp$")
#: The writer's operations a kill is injected at, each at every index it reaches.
OPERATIONS = ("write", "fsync", "link", "replace")
#: The road bridge's drawn distance below the rail bridge in the shipped facts, and
#: where _change_a_fact moves it (30 m further, still within the sources' range).
DRAWN_M = next(
    feature["geometry"]["downstream_m"]
    for feature in tomllib.loads((REPO / "geodata" / "facts.toml").read_text("utf-8"))["features"]
    if feature["id"] == "road-bridge"
)
MOVED_M = DRAWN_M + 30


def _snapshot(project: Path) -> dict[str, bytes]:
    """Every output file's bytes by path, leaving out the facts file and temporary files."""
    return {
        f"{directory}/{path.name}": path.read_bytes()
        for directory in ("geodata", "outputs")
        if (project / directory).is_dir()
        for path in sorted((project / directory).iterdir())
        if path.is_file() and path.name != "facts.toml" and not TEMPORARY.match(path.name)
    }


def _temporary_files(project: Path) -> list[str]:
    return sorted(
        f"{directory}/{path.name}"
        for directory in ("geodata", "outputs")
        if (project / directory).is_dir()
        for path in (project / directory).iterdir()
        if TEMPORARY.match(path.name)
    )


def _stray_names(project: Path, expected: dict[str, bytes]) -> list[str]:
    """Files a reader would take for outputs that are neither expected nor temporary."""
    return sorted(
        f"{directory}/{path.name}"
        for directory in ("geodata", "outputs")
        if (project / directory).is_dir()
        for path in (project / directory).iterdir()
        if path.name not in ("facts.toml", "base")  # the inputs
        and not TEMPORARY.match(path.name)
        and f"{directory}/{path.name}" not in expected
    )


def _change_a_fact(facts: Path) -> None:
    """Move the road bridge 30 m downstream: its distance and the figure that says so."""
    text = facts.read_text(encoding="utf-8")
    for old, new in (
        (f"downstream_m = {DRAWN_M}\n", f"downstream_m = {MOVED_M}\n"),
        (f"drawn = {DRAWN_M}\n", f"drawn = {MOVED_M}\n"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    facts.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built once (layers, map, images, embed), then with a fact changed."""
    project = tmp_path_factory.mktemp("previous")
    (project / "geodata").mkdir()
    shutil.copy(REPO / "geodata" / "facts.toml", project / "geodata" / "facts.toml")
    shutil.copytree(REPO / "geodata" / "base", project / "geodata" / "base")
    assert main(cli_args(project, "build")) == 0
    assert main(cli_args(project, "export", "--embed")) == 0
    _change_a_fact(project / "geodata" / "facts.toml")
    return project


def _copy(project: Path, target: Path) -> Path:
    shutil.copytree(project, target)
    return target


def _instrument(monkeypatch: pytest.MonkeyPatch, before_each: Callable[[str], None]) -> None:
    """Call ``before_each(name)`` before each of the writer's operations."""
    for name in OPERATIONS:
        real = getattr(os, name)

        def wrapped(*args: Any, _real: Any = real, _name: str = name) -> Any:
            before_each(_name)
            return _real(*args)

        monkeypatch.setattr(_io.os, name, wrapped)


def _restore(project: Path, files: Mapping[str, bytes]) -> None:
    """Put the project's outputs back as ``files`` (a snapshot) has them."""
    for directory in ("geodata", "outputs"):
        for path in (project / directory).iterdir():
            if path.is_file() and path.name != "facts.toml":
                path.unlink()
    for name, data in files.items():
        (project / name).write_bytes(data)


#: The writer itself, kept before a test replaces it in bordermap._io.
WRITE_ALL = _io.write_all


def _killed_at(
    monkeypatch: pytest.MonkeyPatch, files: Mapping[Path, str | bytes], operation: str, n: int
) -> bool:
    """Write the set in a forked child killed (SIGKILL) at its ``n``th ``operation``.

    Returns whether the child was killed (it reached that operation).
    """
    child = os.fork()
    if child == 0:  # the writer: killed on the spot, no clean-up runs
        try:
            seen = dict.fromkeys(OPERATIONS, 0)

            def kill(name: str) -> None:
                seen[name] += 1
                if name == operation and seen[name] == n:
                    os.kill(os.getpid(), signal.SIGKILL)

            _instrument(monkeypatch, kill)
            WRITE_ALL(files)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_a_build_killed_at_any_operation_leaves_the_previous_or_the_new_outputs(
    previous, tmp_path, monkeypatch
):
    before = _snapshot(previous)
    # One run uninterrupted: the new outputs, and how many of each operation it makes.
    reference = _copy(previous, tmp_path / "reference")
    counts = dict.fromkeys(OPERATIONS, 0)
    with monkeypatch.context() as patch:
        _instrument(patch, lambda name: counts.__setitem__(name, counts[name] + 1))
        assert main(cli_args(reference, "build")) == 0
    after = _snapshot(reference)
    changed = sorted(name for name in after if before.get(name) != after[name])
    assert changed, "the changed fact changed no output"
    assert set(after) == set(before)
    assert _temporary_files(reference) == []
    assert all(counts.values()), counts

    # The build again, its set of files written once per kill point by a killed child.
    project = _copy(previous, tmp_path / "project")
    outcomes: dict[tuple[str, int], str] = {}

    def killed_at_each_operation(files: Mapping[Path, str | bytes]) -> None:
        for operation in OPERATIONS:
            for n in range(1, counts[operation] + 1):
                _restore(project, before)
                assert _killed_at(monkeypatch, files, operation, n), (operation, n)
                # As the next run finds it: a set killed while being renamed is completed.
                recover(project / "geodata")
                recover(project / "outputs")
                now = _snapshot(project)
                assert _stray_names(project, before) == [], (operation, n)
                if now == before:
                    outcomes[operation, n] = "previous"
                elif now == after:
                    outcomes[operation, n] = "new"
                else:
                    mixed = sorted(k for k in now if now[k] == after.get(k) != before.get(k))
                    outcomes[operation, n] = f"mixed (new: {', '.join(mixed)})"
        _restore(project, before)
        WRITE_ALL(files)  # and at last the uninterrupted run

    with monkeypatch.context() as patch:
        patch.setattr(_io, "write_all", killed_at_each_operation)
        assert main(cli_args(project, "build")) == 0
    assert _snapshot(project) == after
    assert _temporary_files(project) == []

    # Shown with the failure, or with pytest -s: how the kills landed.
    print(f"\nfiles the build changes: {', '.join(changed)}; operations: {counts}")
    tally = {
        state: sum(outcome.startswith(state) for outcome in outcomes.values())
        for state in ("previous", "new", "mixed")
    }
    print(f"  tally: {tally}")
    mixed = {key: outcome for key, outcome in outcomes.items() if outcome.startswith("mixed")}
    assert mixed == {}, f"{len(mixed)} of {len(outcomes)} kills left a mix: {mixed}"
    # Kills before the commit point leave the previous set, kills after it the new one.
    assert outcomes["write", 1] == "previous"
    assert outcomes["replace", counts["replace"]] == "new"


def test_a_successful_build_removes_temporary_files_left_by_a_killed_one(previous, tmp_path):
    project = _copy(previous, tmp_path / "project")
    # What a build killed while writing leaves: write_atomic's temporary files.
    left = [
        project / "geodata" / ".road_bridge.geojson.k1ll3d.tmp",
        project / "outputs" / ".tumen_border_map.html.k1ll3d.tmp",
    ]
    for path in left:
        path.write_bytes(b"half a file")
    assert main(cli_args(project, "build")) == 0
    assert _temporary_files(project) == []


BROKEN_FACTS = {
    "not TOML": lambda text: text + "\n[broken",
    "a latitude of 142": lambda text: text.replace("lat = 42.415167", "lat = 142.415167"),
    "an unknown source": lambda text: text.replace(
        'sources = ["tass-starovoit"]', 'sources = ["no-such-source"]'
    ),
    "drawn and geometry disagree": lambda text: text.replace(
        f"drawn = {MOVED_M}\n", f"drawn = {MOVED_M + 20}\n"
    ),
    # Refused while the layers are derived, not while the file is read.
    "past the river's end": lambda text: text.replace(
        f"downstream_m = {MOVED_M}\n", "downstream_m = 48000\n"
    ).replace(f"drawn = {MOVED_M}\n", ""),
    "not UTF-8": lambda text: text.replace("두만강", "\udcff", 1),
}


@pytest.mark.parametrize("problem", sorted(BROKEN_FACTS))
def test_a_build_with_bad_facts_exits_2_and_leaves_the_previous_outputs(
    previous, tmp_path, capsys, problem
):
    project = _copy(previous, tmp_path / "project")
    before = _snapshot(project)
    facts = project / "geodata" / "facts.toml"
    broken = BROKEN_FACTS[problem](facts.read_text(encoding="utf-8"))
    facts.write_bytes(broken.encode("utf-8", errors="surrogateescape"))
    assert facts.read_bytes() != (previous / "geodata" / "facts.toml").read_bytes()
    assert main(cli_args(project, "build")) == 2
    err = capsys.readouterr().err
    assert err.startswith("bordermap: error:") and "Traceback" not in err
    assert _snapshot(project) == before
    assert _temporary_files(project) == []


@pytest.mark.parametrize("obstacle", ["outputs inside a file", "a directory at the map's path"])
def test_a_build_whose_map_cannot_be_written_leaves_the_previous_layers(
    previous, tmp_path, capsys, obstacle
):
    project = _copy(previous, tmp_path / "project")
    outputs = project / "outputs"
    if obstacle == "outputs inside a file":
        outputs = outputs / "tumen_border_map.embed.html" / "outputs"
    else:
        (outputs / "tumen_border_map.html").unlink()
        (outputs / "tumen_border_map.html").mkdir()
    before = _snapshot(project)
    argv = ["build", "--geodata", str(project / "geodata"), "--outputs", str(outputs)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("bordermap: error:") and "Traceback" not in err
    changed = sorted(name for name, data in _snapshot(project).items() if before[name] != data)
    assert changed == [], f"a failed build changed {changed}"
    assert _temporary_files(project) == []
