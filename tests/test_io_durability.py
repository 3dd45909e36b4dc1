"""write_all's order of operations: staged in full and flushed, then renamed, then flushed.

Deterministic, by recording what the writer does (no timing, no kill): every byte goes
to a temporary file, never to a file of the set; every temporary file is flushed to
disk (fsync) before any file of the set is renamed into place; and each folder is
flushed after the renames into it, so that a power cut cannot leave a renamed file
empty or a rename forgotten.
"""

from __future__ import annotations

import errno
import json
import os
import stat
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


# --- files left in place, and what is said when a step fails ----------------------------


def test_bytes_are_written_as_they_are_and_left_in_place_when_unchanged(tmp_path):
    path = tmp_path / "map.png"
    data = b"\x89PNG\r\n\x1a\n\x00\xff\xfe"  # not UTF-8
    write_all({path: data})
    assert path.read_bytes() == data
    inode = path.stat().st_ino
    write_all({path: data})
    assert path.stat().st_ino == inode and path.read_bytes() == data


def test_a_file_whose_time_cannot_be_set_is_written_again(tmp_path, monkeypatch):
    path = tmp_path / "river.geojson"
    write_all({path: "river"})
    os.utime(path, (1_000_000_000, 1_000_000_000))  # written in 2001
    inode = path.stat().st_ino

    def utime(*args: Any) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(_io.os, "utime", utime)
    write_all({path: "river"})
    # Not left in place with its old time: written again, through a new file.
    assert path.stat().st_ino != inode
    assert path.stat().st_mtime > 1_000_000_000
    assert path.read_text(encoding="utf-8") == "river"


def test_a_file_swapped_for_a_link_after_it_was_checked_is_replaced_not_followed(
    tmp_path, monkeypatch
):
    path = tmp_path / "river.geojson"
    write_all({path: "river"})
    elsewhere = tmp_path / "elsewhere.geojson"
    elsewhere.write_text("river", encoding="utf-8")
    elsewhere.chmod(0o644)
    os.utime(elsewhere, (1_000_000_000, 1_000_000_000))
    real_lstat = os.lstat

    def lstat(target: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        found = real_lstat(target, *args, **kwargs)
        if Path(target) == path and not path.is_symlink():
            # Another program puts a link to its own file there, just after the check.
            path.unlink()
            path.symlink_to(elsewhere)
        return found

    monkeypatch.setattr(_io.os, "lstat", lstat)
    write_all({path: "river"})
    assert not path.is_symlink() and path.read_text(encoding="utf-8") == "river"
    # The linked file is neither dated now nor written.
    assert elsewhere.stat().st_mtime == 1_000_000_000
    assert elsewhere.read_text(encoding="utf-8") == "river"


def test_a_folder_that_cannot_be_made_is_named_with_the_reason(tmp_path):
    (tmp_path / "outputs").write_text("a file where a folder should be", encoding="utf-8")
    target = tmp_path / "outputs" / "maps" / "map.html"
    with pytest.raises(_io.OutputError) as raised:
        write_all({target: "map"})
    assert str(raised.value) == (
        f"{tmp_path / 'outputs' / 'maps'}: cannot write: {os.strerror(errno.ENOTDIR)}"
    )


def test_a_lock_that_cannot_be_taken_names_the_folders_with_the_reason(tmp_path, monkeypatch):
    def flock(handle: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(_io.fcntl, "flock", flock)
    first, second = tmp_path / "geodata", tmp_path / "outputs"
    with pytest.raises(_io.OutputError) as raised:
        write_all({second / "map.html": "map", first / "river.geojson": "river"})
    assert str(raised.value) == f"{first}, {second}: cannot write: No locks available"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geodata", "outputs"]
    assert not list(first.iterdir()) and not list(second.iterdir())


def test_a_temporary_file_that_cannot_be_made_names_the_file(tmp_path, monkeypatch):
    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_io.tempfile, "mkstemp", mkstemp)
    target = tmp_path / "map.html"
    with pytest.raises(_io.OutputError) as raised:
        write_all({target: "map"})
    assert str(raised.value) == f"{target}: cannot write: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_short_writes_are_continued_until_every_byte_is_written(tmp_path, monkeypatch):
    data = "the Tumen river, 1959 and 2025 " * 7
    target = tmp_path / "river.geojson"
    real_write = os.write
    calls = []

    def short_write(handle: int, payload: Any) -> int:
        if Path(_path_of(handle)).name.startswith(f".{target.name}."):
            calls.append(len(payload))
            # A writer needs at most one call a byte: more is a writer that loops.
            assert len(calls) <= len(data), "os.write called more times than there are bytes"
        return real_write(handle, bytes(payload[:5]))  # POSIX allows a short write

    monkeypatch.setattr(_io.os, "write", short_write)
    write_all({target: data})
    assert target.read_text(encoding="utf-8") == data
    # Each call asks for all that is left, five bytes fewer each time.
    assert calls == list(range(len(data), 0, -5))


# --- the journal, read back as the next run reads it ---------------------------------------


def test_the_journal_lists_every_rename_of_the_set_before_the_first_one(tmp_path, monkeypatch):
    geodata, outputs = tmp_path / "geodata", tmp_path / "outputs"
    old = {geodata / "river.geojson": "old river", outputs / "map.html": "old map"}
    for path, text in old.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    new = {
        geodata / "river.geojson": "new river",
        geodata / "bridge.geojson": "new bridge",
        outputs / "map.html": "new map",
    }
    journals: dict[Path, Any] = {}
    held: dict[str, str] = {}  # what each temporary file and backup holds at that moment
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if not journals and Path(target).name != JOURNAL:  # the first file of the set
            for folder in (geodata, outputs):
                journals[folder] = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
            for entry in journals[geodata]["renames"]:
                for name in filter(None, (entry[0], entry[2])):
                    held[name] = Path(name).read_text(encoding="utf-8")
        real_replace(source, target)

    monkeypatch.setattr(_io.os, "replace", replace)
    write_all(new)
    assert journals[geodata] == journals[outputs]  # each folder's says the whole set
    record = journals[geodata]
    assert (record["pid"], record["direction"]) == (os.getpid(), "forward")
    assert sorted(entry[1] for entry in record["renames"]) == sorted(map(str, new))
    for temporary, final, backup in record["renames"]:
        assert Path(temporary).parent == Path(final).parent
        assert held[temporary] == new[Path(final)]
        # The file it replaces is kept until the set is whole; a new file has none.
        assert (held[backup] if backup else None) == old.get(Path(final))
        assert not Path(temporary).exists() and not (backup and Path(backup).exists())
    assert {path: path.read_text(encoding="utf-8") for path in new} == new


def test_an_interrupt_during_the_renames_finishes_the_set_then_is_raised(tmp_path, monkeypatch):
    old = {tmp_path / "a.txt": "old a", tmp_path / "b.txt": "old b"}
    for path, text in old.items():
        path.write_text(text, encoding="utf-8")
    new = {tmp_path / "a.txt": "new a", tmp_path / "b.txt": "new b"}
    real_replace = os.replace
    interrupted = []

    def replace(source: Any, target: Any) -> None:
        if not interrupted and Path(target).name != JOURNAL:
            interrupted.append(Path(target))  # Ctrl-C as the first file is renamed
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(_io.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        write_all(new)
    assert interrupted == [tmp_path / "a.txt"]
    assert {path: path.read_text(encoding="utf-8") for path in new} == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_a_set_whose_journal_cannot_be_cleared_says_so_and_the_next_run_clears_it(
    tmp_path, monkeypatch
):
    (tmp_path / "a.txt").write_text("old a", encoding="utf-8")
    new = {tmp_path / "a.txt": "new a", tmp_path / "b.txt": "new b"}
    real_replace, real_fsync = os.replace, os.fsync
    renamed = []

    def replace(source: Any, target: Any) -> None:
        real_replace(source, target)
        if Path(target).name != JOURNAL:
            renamed.append(target)

    def fsync(handle: int) -> None:
        if renamed and stat.S_ISDIR(os.fstat(handle).st_mode):  # the folder, after the renames
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(handle)

    monkeypatch.setattr(_io.os, "replace", replace)
    monkeypatch.setattr(_io.os, "fsync", fsync)
    with pytest.raises(_io.OutputError) as raised:
        write_all(new)
    assert str(raised.value) == f"{tmp_path}: cannot write: Input/output error"
    assert {path: path.read_text(encoding="utf-8") for path in new} == new
    assert (tmp_path / JOURNAL).exists()
    monkeypatch.undo()
    _io.recover(tmp_path)  # the next run: the set is whole, its journal and backup go
    assert {path: path.read_text(encoding="utf-8") for path in new} == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


@pytest.mark.parametrize("length", [5, 200])
def test_a_previous_file_is_put_back_as_itself_not_a_copy(tmp_path, monkeypatch, length):
    # A long name leaves a backup's name, which adds some 30 characters, under the
    # 255 a folder entry may have.
    first = tmp_path / ("r" * length + ".txt")
    first.write_text("old", encoding="utf-8")
    inode = first.stat().st_ino
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if Path(target).name == "b.txt":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(source, target)

    monkeypatch.setattr(_io.os, "replace", replace)
    with pytest.raises(_io.OutputError):
        write_all({first: "new", tmp_path / "b.txt": "new b"})
    assert first.read_text(encoding="utf-8") == "old"
    assert first.stat().st_ino == inode  # the same file, kept by a link, back in place
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]
