"""Nothing lost: a build killed at any moment, or failing, leaves the previous outputs.

A project is built once (layers, map, images, embed snippet); then a fact changes, so
that a new build changes some files, and ``python -m bordermap build`` is started and
killed (SIGKILL) after delays swept over a whole run. After each kill every file must be
as the previous build left it, or, if the run got that far, as a complete new build
leaves it: never some files of each.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from helpers import cli_args

from bordermap._io import recover
from bordermap.cli import main

REPO = Path(__file__).resolve().parents[1]
BUILD = ("build", "--geodata", "geodata", "--outputs", "outputs")
TEMPORARY = re.compile(r"^\..+\.tmp$")
DELAYS = 15
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


def _start_build(project: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bordermap", *BUILD],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_build_killed_at_any_moment_leaves_the_previous_or_the_new_outputs(previous, tmp_path):
    before = _snapshot(previous)
    # One run uninterrupted: the new outputs, and how long a run takes.
    reference = _copy(previous, tmp_path / "reference")
    started = time.monotonic()
    finished = _start_build(reference)
    _, stderr = finished.communicate(timeout=120)
    duration = time.monotonic() - started
    assert finished.returncode == 0, stderr.decode()
    after = _snapshot(reference)
    changed = sorted(name for name in after if before.get(name) != after[name])
    assert changed, "the changed fact changed no output"
    assert set(after) == set(before)
    assert _temporary_files(reference) == []

    # From before anything is written to past the end of a run (which varies a little).
    delays = [0.05 + (duration * 1.3 - 0.05) * i / (DELAYS - 1) for i in range(DELAYS)]
    outcomes = []
    for index, delay in enumerate(delays):
        project = _copy(previous, tmp_path / f"run{index:02d}")
        process = _start_build(project)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=120)
        # As the next run finds it: a set killed while being renamed is completed.
        recover(project / "geodata")
        recover(project / "outputs")
        now = _snapshot(project)
        if now == before:
            state = "previous"
        elif now == after:
            state = "new"
        else:
            new_files = sorted(
                name for name in now if now[name] == after.get(name) != before.get(name)
            )
            state = f"mixed (new: {', '.join(new_files)})"
        outcomes.append(
            {
                "delay": round(delay, 3),
                "killed": process.returncode != 0,
                "returncode": process.returncode,
                "state": state,
                "temporary": _temporary_files(project),
                "stray": _stray_names(project, before),
            }
        )

    # Shown with the failure, or with pytest -s: how the kills landed.
    print(f"\nuninterrupted build: {duration:.2f} s; files it changes: {', '.join(changed)}")
    for outcome in outcomes:
        print(
            f"  kill after {outcome['delay']:.3f} s: returncode {outcome['returncode']}, "
            f"{outcome['state']}, temporary files left: {outcome['temporary'] or 'none'}"
        )
    tally = {
        state: sum(o["state"].startswith(state) for o in outcomes)
        for state in ("previous", "new", "mixed")
    }
    print(f"  tally: {tally}")

    for outcome in outcomes:
        assert outcome["stray"] == [], outcome
        if not outcome["killed"]:
            assert outcome["state"] == "new", outcome
    mixed = [outcome for outcome in outcomes if outcome["state"].startswith("mixed")]
    assert mixed == [], f"{len(mixed)} of {len(outcomes)} kills left a mix: {mixed}"
    # The sweep reached both ends: kills before anything was written, and whole runs.
    assert outcomes[0]["state"] == "previous"
    assert any(outcome["state"] == "new" for outcome in outcomes)


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
        outputs = outputs / "embed.html" / "outputs"
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
