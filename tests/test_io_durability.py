"""write_all's order of operations: staged in full and flushed, then renamed, then flushed.

Deterministic, by recording what the writer does (no timing, no kill): every byte goes
to a temporary file, never to a file of the set; every temporary file is flushed to
disk (fsync) before any file of the set is renamed into place; and each folder is
flushed after the renames into it, so that a power cut cannot leave a renamed file
empty or a rename forgotten.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bordermap import _io
from bordermap._io import JOURNAL, write_all

pytestmark = pytest.mark.hostile


def _path_of(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


@pytest.fixture
def trace(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    if not Path("/proc/self/fd").is_dir():
        pytest.fail("these tests read /proc/self/fd (Linux)")
    events: list[tuple[str, ...]] = []
    real_write, real_fsync, real_replace = os.write, os.fsync, os.replace

    def write(fd: int, data: Any) -> int:
        events.append(("write", _path_of(fd)))
        return real_write(fd, data)

    def fsync(fd: int) -> None:
        events.append(("fsync", _path_of(fd)))
        real_fsync(fd)

    def replace(source: Any, target: Any) -> None:
        events.append(("replace", os.path.abspath(source), os.path.abspath(target)))
        real_replace(source, target)

    monkeypatch.setattr(_io.os, "write", write)
    monkeypatch.setattr(_io.os, "fsync", fsync)
    monkeypatch.setattr(_io.os, "replace", replace)
    return events


def _files(tmp_path: Path) -> dict[Path, str]:
    old = {
        tmp_path / "geodata" / "river.geojson": "old river",
        tmp_path / "outputs" / "map.html": "old map",
    }
    for path, text in old.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {
        tmp_path / "geodata" / "river.geojson": "new river",
        tmp_path / "geodata" / "bridge.geojson": "new bridge",
        tmp_path / "outputs" / "map.html": "new map",
    }


def test_every_byte_goes_to_a_temporary_file_beside_its_file(tmp_path, trace):
    files = _files(tmp_path)
    write_all(files)
    finals = {str(path) for path in files}
    written = [event[1] for event in trace if event[0] == "write"]
    assert written and not finals & set(written)
    for path in files:  # each file's bytes went to a temporary file in its folder
        assert any(
            Path(name).parent == path.parent and Path(name).name.startswith(f".{path.name}.")
            for name in written
        ), path
    assert {path: path.read_text(encoding="utf-8") for path in files} == files


def test_every_file_is_flushed_before_any_is_renamed_into_place(tmp_path, trace):
    files = _files(tmp_path)
    write_all(files)
    finals = {str(path) for path in files}
    renames = {
        event[2]: (index, event[1])
        for index, event in enumerate(trace)
        if event[0] == "replace" and event[2] in finals
    }
    assert set(renames) == finals
    first_rename = min(index for index, _ in renames.values())
    for final, (_, temporary) in renames.items():
        flushed = [i for i, event in enumerate(trace) if event == ("fsync", temporary)]
        assert flushed, f"{final}: its temporary file was never flushed"
        # Staged and flushed, all of them, before the first rename of the set.
        assert max(flushed) < first_rename, final


def test_each_folder_is_flushed_after_its_renames_and_the_journal_is_gone(tmp_path, trace):
    files = _files(tmp_path)
    write_all(files)
    for folder in {path.parent for path in files}:
        last_rename = max(
            index
            for index, event in enumerate(trace)
            if event[0] == "replace"
            and Path(event[2]).parent == folder
            and not event[2].endswith(JOURNAL)
        )
        assert any(event == ("fsync", str(folder)) for event in trace[last_rename + 1 :]), folder
        assert not (folder / JOURNAL).exists()
        assert not list(folder.glob("*.tmp"))


def test_a_file_that_already_holds_its_bytes_is_flushed_in_place_not_written_again(
    tmp_path, trace
):
    files = _files(tmp_path)
    write_all(files)
    river = tmp_path / "geodata" / "river.geojson"
    inode = river.stat().st_ino
    os.utime(river, (1_000_000_000, 1_000_000_000))  # written in 2001
    trace.clear()
    again = {**files, tmp_path / "outputs" / "map.html": "newer map"}
    write_all(again)
    assert {path: path.read_text(encoding="utf-8") for path in again} == again
    assert river.stat().st_ino == inode  # the same file, not a copy renamed over it
    assert river.stat().st_mtime > 1_000_000_000  # but with the time of this writing
    assert ("fsync", str(river)) in trace  # on disk as if it had just been written
    touched = [event for event in trace if event[0] in ("write", "replace")]
    assert not [event for event in touched if str(river) in event[-1]], touched
    # The changed file still went through a flushed temporary file and a rename.
    assert ("replace", str(tmp_path / "outputs" / "map.html")) in [
        (event[0], event[2]) for event in touched if event[0] == "replace"
    ]
    for folder in {path.parent for path in files}:
        assert not (folder / JOURNAL).exists() and not list(folder.glob("*.tmp"))


def test_a_set_that_changes_nothing_renames_nothing_and_leaves_no_temporary_file(tmp_path, trace):
    files = _files(tmp_path)
    write_all(files)
    stale = tmp_path / "outputs" / f".{JOURNAL}.x1.tmp"  # what a killed writer left
    stale.write_text("", encoding="utf-8")
    trace.clear()
    write_all(files)
    assert not [event for event in trace if event[0] in ("write", "replace")], trace
    assert sorted(event[1] for event in trace if event[0] == "fsync") == sorted(map(str, files))
    assert not stale.exists()


@pytest.mark.parametrize("how", ["mode", "link"])
def test_a_file_with_the_bytes_but_not_as_bordermap_makes_it_is_replaced(tmp_path, trace, how):
    files = _files(tmp_path)
    write_all(files)
    river = tmp_path / "geodata" / "river.geojson"
    if how == "mode":
        river.chmod(0o600)
    else:
        os.link(river, tmp_path / "elsewhere.geojson")
    trace.clear()
    write_all(files)
    assert any(event[0] == "replace" and event[2] == str(river) for event in trace)
    assert river.stat().st_mode & 0o777 == 0o644 and river.stat().st_nlink == 1
    assert river.read_text(encoding="utf-8") == files[river]


# --- the messages and repeatable steps of a failing set (direct, by injection) ---------


def _failing_replace(monkeypatch: pytest.MonkeyPatch, fails: Any) -> None:
    """Make os.replace raise EIO for the calls whose number ``fails`` accepts."""
    real_replace = os.replace
    count = {"n": 0}

    def replace(source: Any, target: Any) -> None:
        count["n"] += 1
        if fails(count["n"], str(target)):
            raise OSError(5, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(_io.os, "replace", replace)


def test_a_rename_that_fails_in_one_folder_keeps_the_previous_files_and_says_why(
    tmp_path, monkeypatch
):
    old = {tmp_path / "a.txt": "old a", tmp_path / "b.txt": "old b"}
    for path, text in old.items():
        path.write_text(text, encoding="utf-8")
    # The journal's rename is the first, then a.txt, then b.txt: b.txt fails.
    _failing_replace(monkeypatch, lambda n, target: target.endswith("b.txt"))
    with pytest.raises(_io.OutputError) as raised:
        write_all({tmp_path / "a.txt": "new a", tmp_path / "b.txt": "new b"})
    assert str(raised.value) == (
        f"{tmp_path / 'b.txt'}: cannot write: Input/output error (the previous files are kept)"
    )
    assert {path: path.read_text(encoding="utf-8") for path in old} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_a_set_that_cannot_be_put_back_is_left_to_the_next_run(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("old a", encoding="utf-8")
    # a.txt is renamed into place, b.txt fails, and so does putting a.txt back.
    renamed: list[str] = []

    def fails(n: int, target: str) -> bool:
        renamed.append(target)
        return target.endswith("b.txt") or (renamed.count(target) > 1 and "a.txt" in target)

    _failing_replace(monkeypatch, fails)
    with pytest.raises(_io.OutputError) as raised:
        write_all({tmp_path / "a.txt": "new a", tmp_path / "b.txt": "new b"})
    assert str(raised.value) == (
        f"{tmp_path / 'b.txt'}: cannot write: Input/output error (the next run completes "
        "the set of files from its journal)"
    )
    monkeypatch.undo()
    _io.recover(tmp_path)  # the journal says "back": the old set returns
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    assert renamed.count(str(tmp_path / "a.txt")) == 2


def test_rolling_back_twice_is_rolling_back_once(tmp_path):
    added = _io._Rename(tmp_path / ".new.txt.1.tmp", tmp_path / "new.txt", None)
    (tmp_path / "new.txt").write_text("added by the set", encoding="utf-8")
    _io._roll_back([added])
    assert not (tmp_path / "new.txt").exists()
    _io._roll_back([added])  # a run killed while rolling back is rolled back again
    assert list(tmp_path.iterdir()) == []


def test_discarding_a_set_twice_removes_its_files_once(tmp_path):
    temporary, backup = tmp_path / ".a.txt.1.tmp", tmp_path / ".a.txt.2.old.tmp"
    temporary.write_text("new", encoding="utf-8")
    backup.write_text("old", encoding="utf-8")
    staged = [_io._Rename(temporary, tmp_path / "a.txt", backup)]
    _io._discard(staged)
    _io._discard(staged)
    assert list(tmp_path.iterdir()) == []


def test_a_waiting_writer_names_another_process_when_the_holder_is_unknown(tmp_path):
    assert _io._holder_line(tmp_path) == (
        f"waiting for {tmp_path}: another process is writing there"
    )
    (tmp_path / _io.HOLDER).write_text(
        '{"pid": 12, "command": "bordermap build", "since": "2026-12-03 15:00:00 UTC"}',
        encoding="utf-8",
    )
    assert _io._holder_line(tmp_path) == (
        f"waiting for {tmp_path}: pid 12 (bordermap build) is writing there "
        "since 2026-12-03 15:00:00 UTC"
    )


def test_a_path_with_a_nul_cannot_be_read_and_says_why(tmp_path):
    with pytest.raises(ValueError) as raised:
        _io.read_input(tmp_path / "a\0b", "not found")
    assert str(raised.value) == f"{tmp_path / 'a'}\0b: cannot read: embedded null byte"


def test_a_killed_runs_journal_temporary_is_removed_from_every_folder_of_the_set(tmp_path):
    files = _files(tmp_path)
    write_all(files)
    # What a run killed while writing its journals left, beside unchanged files ...
    stale = tmp_path / "outputs" / f".{JOURNAL}.x1.tmp"
    stale.write_text("", encoding="utf-8")
    # ... while another folder of the next set changes.
    write_all({**files, tmp_path / "geodata" / "river.geojson": "newer river"})
    assert not stale.exists()
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == ["map.html"]
