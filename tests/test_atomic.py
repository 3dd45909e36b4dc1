"""Sets of files are written whole or not at all, by one writer at a time (issue 14, 7).

Deterministic fault injection instead of timing: each test counts the writes, fsyncs,
backup links and renames a clean ``write_all`` makes, then for every N makes the Nth of
them fail, raise KeyboardInterrupt, or kill the process (a forked child that exits on the spot,
running no clean-up), and checks that the next run finds the whole old set or the
whole new set, and no temporary file or journal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bordermap import _io
from bordermap._io import JOURNAL, recover, write_all
from bordermap.errors import OutputError

pytestmark = pytest.mark.hostile

OPERATIONS = ("write", "fsync", "link", "replace")


def _sets(tmp_path: Path) -> tuple[dict[Path, str], dict[Path, str]]:
    """An old set of files in two folders, and a new set that changes and adds files."""
    geodata, outputs = tmp_path / "geodata", tmp_path / "outputs"
    old = {
        geodata / "river.geojson": "old river",
        geodata / "bridge.geojson": "old bridge",
        outputs / "map.html": "old map",
    }
    new = {
        geodata / "river.geojson": "new river",
        geodata / "bridge.geojson": "new bridge",
        geodata / "places.geojson": "new places",
        outputs / "map.html": "new map",
    }
    return old, new


def _reset(tmp_path: Path, old: dict[Path, str]) -> None:
    for folder in ("geodata", "outputs"):
        for path in (tmp_path / folder).glob("*") if (tmp_path / folder).exists() else []:
            path.unlink()
    for path, text in old.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _state(tmp_path: Path) -> dict[str, str]:
    return {
        str(path.relative_to(tmp_path)): path.read_text(encoding="utf-8")
        for folder in ("geodata", "outputs")
        for path in sorted((tmp_path / folder).iterdir())
    }


def _expected(tmp_path: Path, files: dict[Path, str]) -> dict[str, str]:
    return {str(path.relative_to(tmp_path)): text for path, text in sorted(files.items())}


def _instrument(
    monkeypatch: pytest.MonkeyPatch, fault: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Count each operation write_all makes; call ``fault(name)`` before each one."""
    counts = dict.fromkeys(OPERATIONS, 0)
    for name in OPERATIONS:
        real = getattr(os, name)

        def wrapped(*args: Any, _real: Any = real, _name: str = name) -> Any:
            counts[_name] += 1
            if fault is not None:
                fault(_name)
            return _real(*args)

        monkeypatch.setattr(_io.os, name, wrapped)
    return counts


def _written_and_killed(
    monkeypatch: pytest.MonkeyPatch, files: dict[Path, str], operation: str, n: int
) -> None:
    """Write ``files`` in a forked child that dies (exit 9) at its ``n``th ``operation``.

    The child dies on the spot: no clean-up of the writer runs, as after a kill.
    """
    child = os.fork()
    if child == 0:
        seen = dict.fromkeys(OPERATIONS, 0)

        def kill(name: str) -> None:
            seen[name] += 1
            if name == operation and seen[name] == n:
                os._exit(9)

        try:
            _instrument(monkeypatch, kill)
            write_all(files)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 9, (operation, n)


def _clean_run_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    old, new = _sets(tmp_path)
    _reset(tmp_path, old)
    with monkeypatch.context() as patch:
        counts = _instrument(patch)
        write_all(new)
    assert _state(tmp_path) == _expected(tmp_path, new)
    assert all(counts.values()), counts
    return counts


def _cases(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(name, n) for name in OPERATIONS for n in range(1, counts[name] + 1)]


def _next_run_finds_a_whole_set(tmp_path: Path) -> str:
    """Recover as the next run does; return "old" or "new"; check nothing is left over."""
    recover(tmp_path / "geodata")
    recover(tmp_path / "outputs")
    state = _state(tmp_path)
    old, new = _sets(tmp_path)
    leftovers = [name for name in state if name.endswith(".tmp") or JOURNAL in name]
    # Temporary files of a killed writer are removed by the next writer, not by a reader.
    state = {name: text for name, text in state.items() if name not in leftovers}
    if state == _expected(tmp_path, old):
        return "old"
    assert state == _expected(tmp_path, new), state
    assert not [name for name in leftovers if name.endswith(JOURNAL)]
    return "new"


@pytest.mark.parametrize("fault", ["error", "interrupt"])
def test_a_fault_at_any_operation_leaves_the_old_or_the_new_set(tmp_path, monkeypatch, fault):
    counts = _clean_run_counts(tmp_path, monkeypatch)
    outcomes = {}
    for name, n in _cases(counts):
        old, new = _sets(tmp_path)
        _reset(tmp_path, old)
        seen = dict.fromkeys(OPERATIONS, 0)

        def inject(operation: str, name: str = name, n: int = n, seen: Any = seen) -> None:
            seen[operation] += 1
            if operation == name and seen[operation] == n:
                if fault == "interrupt":
                    raise KeyboardInterrupt
                raise OSError(errno.ENOSPC, "No space left on device")

        with monkeypatch.context() as patch:
            _instrument(patch, inject)
            try:
                write_all(new)
            except OutputError as error:
                assert fault == "error"
                # One line naming the file it could not write (not a temporary file).
                assert str(error).startswith(str(tmp_path)), error
                assert ".tmp" not in str(error) and "\n" not in str(error), error
            except KeyboardInterrupt:
                assert fault == "interrupt"
        left = _state(tmp_path)
        if f"geodata/{JOURNAL}" not in left and f"outputs/{JOURNAL}" not in left:
            # Not committed, or committed and completed (or rolled back): no temporary
            # file is left.
            assert not [n for n in left if n.endswith(".tmp")], (name, n)
        # Before any next run: the failed run itself left the whole old or new set.
        whole = {k: v for k, v in left.items() if not k.endswith((".tmp", JOURNAL))}
        assert whole in (_expected(tmp_path, old), _expected(tmp_path, new)), (name, n, whole)
        outcomes[name, n] = _next_run_finds_a_whole_set(tmp_path)
    assert "old" in outcomes.values() and "new" in outcomes.values(), outcomes


def test_a_kill_at_any_operation_leaves_the_old_or_the_new_set(tmp_path, monkeypatch):
    counts = _clean_run_counts(tmp_path, monkeypatch)
    outcomes = {}
    mixed_before_recovery = 0
    for name, n in _cases(counts):
        old, new = _sets(tmp_path)
        _reset(tmp_path, old)
        _written_and_killed(monkeypatch, new, name, n)  # the writer, killed at its Nth
        raw = {k: v for k, v in _state(tmp_path).items() if not k.endswith(".tmp")}
        raw.pop(f"geodata/{JOURNAL}", None)
        raw.pop(f"outputs/{JOURNAL}", None)
        if raw not in (_expected(tmp_path, old), _expected(tmp_path, new)):
            mixed_before_recovery += 1
        outcomes[name, n] = _next_run_finds_a_whole_set(tmp_path)
        # The next writer of the set removes the temporary files the killed one left.
        write_all(new)
        assert _state(tmp_path) == _expected(tmp_path, new)
    assert "old" in outcomes.values() and "new" in outcomes.values(), outcomes
    # Kills between the renames did leave a mix on disk, which the journal completed.
    assert mixed_before_recovery > 0


def test_a_rename_failing_past_the_commit_point_puts_the_old_set_back(tmp_path, monkeypatch):
    counts = _clean_run_counts(tmp_path, monkeypatch)
    journals = 2  # one per folder: the renames of the files follow
    files = counts["replace"] - journals
    assert files == 4
    for n in range(journals + 2, journals + files + 1):  # after a file is already renamed
        old, new = _sets(tmp_path)
        _reset(tmp_path, old)
        seen = {"replace": 0}

        def inject(operation: str, n: int = n, seen: Any = seen) -> None:
            if operation == "replace":
                seen["replace"] += 1
                if seen["replace"] == n:
                    raise OSError(errno.EIO, "Input/output error")

        with monkeypatch.context() as patch:
            _instrument(patch, inject)
            with pytest.raises(OutputError) as raised:
                write_all(new)
        # No next run needed: the old set, whole, and nothing else.
        assert _state(tmp_path) == _expected(tmp_path, old), n
        assert "previous files are kept" in str(raised.value)
        assert "\n" not in str(raised.value)


def test_a_journal_turned_back_is_rolled_back_by_the_next_run(tmp_path, monkeypatch):
    """A run killed while rolling back: the next run rolls back again, never forward."""
    old, new = _sets(tmp_path)
    _reset(tmp_path, old)
    child = os.fork()
    if child == 0:
        seen = {"replace": 0, "turned": False}

        def fault(operation: str) -> None:
            if operation != "replace":
                return
            seen["replace"] += 1
            if seen["replace"] == 4:  # the second file's rename fails ...
                raise OSError(errno.EIO, "Input/output error")
            if seen["replace"] == 7:  # ... and the run dies as its first file goes back
                os._exit(9)

        try:
            _instrument(monkeypatch, fault)
            write_all(new)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.WEXITSTATUS(status) == 9
    journal = json.loads((tmp_path / "geodata" / JOURNAL).read_text(encoding="utf-8"))
    assert journal["direction"] == "back"
    assert _next_run_finds_a_whole_set(tmp_path) == "old"


def test_a_full_disk_names_the_file(tmp_path, monkeypatch):
    old, new = _sets(tmp_path)
    _reset(tmp_path, old)

    def full(*args: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_io.os, "write", full)
    with pytest.raises(OutputError) as raised:
        write_all(new)
    first = next(iter(new))
    assert str(raised.value) == f"{first}: cannot write: No space left on device"
    assert _state(tmp_path) == _expected(tmp_path, old)


@contextlib.contextmanager
def _held(folder: Path, *, while_held: Callable[[], None] = lambda: None) -> Iterator[int]:
    """Hold ``folder``'s lock in a forked child until the block ends; yield its pid.

    ``while_held`` runs in the child once it holds the lock. The child is always let
    go and waited for, even when an assertion in the block fails: a child left
    blocked would keep its writer waiting and the test run from ending.
    """
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            with _io._locked({folder}):
                while_held()
                os.write(ready_w, b"1")
                os.read(go_r, 1)  # hold the lock until the parent says so
        finally:
            os._exit(0)
    try:
        os.read(ready_r, 1)
        yield child
    finally:
        os.write(go_w, b"1")
        os.waitpid(child, 0)
        for handle in (ready_r, ready_w, go_r, go_w):
            os.close(handle)


def test_one_writer_at_a_time_and_a_waiting_one_removes_nothing_of_it(tmp_path):
    folder = tmp_path / "outputs"
    folder.mkdir()
    live = folder / ".map.html.live.tmp"  # a running writer's temporary file
    writer = threading.Thread(target=write_all, args=({folder / "map.html": "mine"},))
    with _held(folder, while_held=lambda: live.write_text("being written", encoding="utf-8")):
        handle = os.open(folder, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(handle)
        writer.start()
        writer.join(timeout=1.0)
        assert writer.is_alive(), "a second writer went ahead while the first held the folder"
        assert live.read_text(encoding="utf-8") == "being written"
        live.unlink()  # the first writer's own temporary file, gone before it lets go
    writer.join(timeout=60)
    assert not writer.is_alive()
    assert (folder / "map.html").read_text(encoding="utf-8") == "mine"


def test_a_waiting_writer_says_who_holds_the_folder(tmp_path, caplog, monkeypatch):
    folder = tmp_path / "outputs"
    folder.mkdir()
    monkeypatch.setattr("sys.argv", ["/usr/bin/bordermap", "build", "--force"])
    caplog.set_level("WARNING", logger="bordermap")
    writer = threading.Thread(target=write_all, args=({folder / "map.html": "mine"},))
    with _held(folder) as child:
        writer.start()
        writer.join(timeout=1.0)
        assert writer.is_alive()
    writer.join(timeout=60)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"waiting for {folder}: pid {child} (bordermap build --force)")
    assert re.search(r"since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", lines[0]), lines[0]
    # The holder's record goes with its lock: nothing is left in the folder.
    assert sorted(p.name for p in folder.iterdir()) == ["map.html"]


def test_a_set_written_with_relative_paths_is_completed_from_any_directory(tmp_path, monkeypatch):
    old, new = _sets(tmp_path)
    _reset(tmp_path, old)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "geodata").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    relative = {path.relative_to(tmp_path): text for path, text in new.items()}
    # Killed right after the first file of the set is renamed (two journals, then it).
    _written_and_killed(monkeypatch, relative, "replace", 3)
    assert (tmp_path / "geodata" / JOURNAL).exists()
    monkeypatch.chdir(elsewhere)
    recover(tmp_path / "geodata")
    assert list((elsewhere / "geodata").iterdir()) == []
    assert _next_run_finds_a_whole_set(tmp_path) == "new"


def test_a_journal_naming_files_elsewhere_is_not_followed(tmp_path):
    folder = tmp_path / "outputs"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("kept", encoding="utf-8")
    source = folder / ".map.html.x.tmp"
    source.write_text("hostile", encoding="utf-8")
    (folder / JOURNAL).write_text(
        json.dumps({"renames": [[str(source), str(victim)]]}), encoding="utf-8"
    )
    recover(folder)
    assert victim.read_text(encoding="utf-8") == "kept"


def test_the_command_says_in_one_line_who_holds_the_folder(project, capsys, caplog, monkeypatch):
    from bordermap.cli import main

    geodata = project / "geodata"
    monkeypatch.setattr("sys.argv", ["bordermap", "build"])
    caplog.set_level("WARNING", logger="bordermap")
    statuses: list[int] = []
    runner = threading.Thread(
        target=lambda: statuses.append(main(["layers", "--geodata", str(geodata)]))
    )
    with _held(geodata) as child:
        runner.start()
        for _ in range(600):  # the waiting line is said before the run blocks on the lock
            if caplog.records:
                break
            runner.join(timeout=0.1)
    runner.join(timeout=120)
    assert statuses == [0]
    notes = [line for line in capsys.readouterr().err.splitlines() if "waiting" in line]
    assert notes == [
        f"bordermap: note: {caplog.records[0].getMessage()}",
    ]
    assert f"waiting for {geodata}: pid {child} (bordermap build) is writing there" in notes[0]


def test_a_journal_naming_a_temporary_file_in_another_folder_is_not_followed(tmp_path):
    folder, other = tmp_path / "outputs", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    target = folder / "map.html"
    target.write_text("kept", encoding="utf-8")
    source = other / ".map.html.x.tmp"  # named as a temporary file of map.html, elsewhere
    source.write_text("hostile", encoding="utf-8")
    (folder / JOURNAL).write_text(
        json.dumps({"renames": [[str(source), str(target)]]}), encoding="utf-8"
    )
    recover(folder)
    assert target.read_text(encoding="utf-8") == "kept"
    assert source.read_text(encoding="utf-8") == "hostile"
    assert sorted(p.name for p in folder.iterdir()) == ["map.html"]


def _holder_record(folder: Path) -> dict[str, Any]:
    """The record a writer leaves while it holds ``folder``."""
    with _io._locked({folder}):
        record: dict[str, Any] = json.loads((folder / _io.HOLDER).read_text(encoding="utf-8"))
    assert not (folder / _io.HOLDER).exists()
    return record


def test_the_holder_is_python_when_there_is_no_command_line(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", [])
    assert _holder_record(tmp_path)["command"] == "python"
    with _io._locked({tmp_path}):
        line = _io._holder_line(tmp_path)
    assert line.startswith(f"waiting for {tmp_path}: pid {os.getpid()} (python) is writing")


def test_the_holder_keeps_the_first_200_characters_of_a_long_command(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["/usr/bin/bordermap", "build", "--facts", "f" * 300])
    record = _holder_record(tmp_path)
    assert record["command"] == "bordermap build --facts " + "f" * (200 - 24)
    assert record["pid"] == os.getpid()


def test_the_holder_is_dated_in_utc_whatever_the_local_time_zone(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "VLAT-10")  # POSIX: ten hours ahead of UTC, as Vladivostok
    time.tzset()
    try:
        assert time.timezone == -10 * 3600
        before = dt.datetime.now(dt.UTC).replace(microsecond=0)
        record = _holder_record(tmp_path)
        after = dt.datetime.now(dt.UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    since = dt.datetime.strptime(record["since"], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=dt.UTC)
    assert before <= since <= after


def test_a_holder_record_that_cannot_be_written_does_not_stop_the_writing(tmp_path):
    (tmp_path / _io.HOLDER).mkdir()  # something in the way of the courtesy record
    write_all({tmp_path / "map.html": "map"})
    assert (tmp_path / "map.html").read_text(encoding="utf-8") == "map"


def test_a_journal_naming_a_folder_removed_since_does_not_stop_the_next_writer(
    tmp_path, monkeypatch
):
    old, new = _sets(tmp_path)
    _reset(tmp_path, old)
    # Killed right after the first file of the set is renamed (two journals, then it).
    _written_and_killed(monkeypatch, new, "replace", 3)
    shutil.rmtree(tmp_path / "outputs")  # the user removes one folder of the set
    geodata = tmp_path / "geodata"
    write_all({geodata / "river.geojson": "newest river"})
    # The killed set is completed where it can be, and the new file written.
    assert {path.name: path.read_text(encoding="utf-8") for path in geodata.iterdir()} == {
        "bridge.geojson": "new bridge",
        "places.geojson": "new places",
        "river.geojson": "newest river",
    }
    assert not (tmp_path / "outputs").exists()
