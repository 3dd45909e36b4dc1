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
