"""File helpers: bounded reads of the files a user gives, and atomic sets of writes."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import secrets
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import numpy as np

from bordermap import settings
from bordermap.errors import OutputError
from bordermap.schema import brief


def read_input(path: Path, missing: str) -> str:
    """Read a file the user gave as UTF-8 text, or say in one line why it cannot be read.

    Only a regular file is read (a device, a pipe or a folder is refused without
    waiting on it), and never more than ``settings.max_input_bytes`` plus one byte,
    whatever size the file claims; text nested deeper than
    ``settings.max_nesting`` brackets is refused before any parser sees it.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    missing : str
        What to say when it does not exist, e.g. ``"facts file not found"``.

    Returns
    -------
    str
        The text, which is not blank.

    Raises
    ------
    ValueError
        ``"<path>: <why>"`` for a missing, oversized, non-UTF-8, empty, too deeply
        nested or unreadable file, or one that is not a regular file.
    """
    limit = settings.max_input_bytes
    too_big = (
        f"{path}: more than {limit / 2**20:.0f} MiB, over the limit (settings.max_input_bytes): "
        "is this the right file?"
    )
    try:
        # Non-blocking: opening a FIFO must not wait for a writer that never comes.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ValueError(f"{path}: {missing}") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        raise ValueError(f"{path}: cannot read: {_reason(error)}") from None
    try:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"{path}: is {_file_type(mode)}, not a regular file")
        size = os.fstat(handle).st_size
        if size > limit:
            raise ValueError(
                f"{path}: {size / 2**20:.0f} MiB is over the {limit / 2**20:.0f} MiB limit "
                "(settings.max_input_bytes): is this the right file?"
            )
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(handle, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise ValueError(f"{path}: cannot read: {_reason(error)}") from None
    finally:
        os.close(handle)
    if len(data) > limit:  # it grew, or its size was not what it said
        raise ValueError(too_big)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 (byte {error.start}); save it as UTF-8") from None
    if not text.strip():
        raise ValueError(f"{path}: the file is empty (restore it, e.g. with git checkout)")
    depth = nesting_depth(text)
    if depth > settings.max_nesting:
        raise ValueError(
            f"{path}: brackets nested {depth} deep, more than the "
            f"{settings.max_nesting} any facts or layer file needs"
        )
    return text


def _reason(error: BaseException) -> str:
    return str(getattr(error, "strerror", None) or error)


def _file_type(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


# Strings and comments, whose brackets do not nest: TOML's four kinds of string and
# its comments, which cover JSON's one kind of string.
_UNNESTED = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*',
    re.DOTALL,
)


def nesting_depth(text: str) -> int:
    """Return how deep ``[`` and ``{`` nest in JSON or TOML text, outside strings.

    Counted before parsing: the parsers, and code that walks what they return,
    recurse once per level, and a kilobyte of brackets would exhaust the stack.
    """
    if "[" not in text and "{" not in text:
        return 0
    bare = _UNNESTED.sub("", text) if ('"' in text or "'" in text or "#" in text) else text
    codes = np.frombuffer(bare.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    steps = np.zeros(len(codes), dtype=np.int64)
    steps[(codes == ord("[")) | (codes == ord("{"))] = 1
    steps[(codes == ord("]")) | (codes == ord("}"))] = -1
    return int(np.cumsum(steps).max(initial=0))


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows: coordinates must be finite")


#: Digits of the longest whole number read from JSON: beyond this it is no coordinate,
#: and turning it into a float (or printing it) fails.
_MAX_DIGITS = 20


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(f"a whole number of {len(text):,} digits is too large")
    return int(text)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def read_json(path: Path, problems: list[str], missing: str) -> Any:
    """Read a JSON file the user gave, or add one line to ``problems`` and return None.

    NaN and Infinity, which Python's json reads, are refused: coordinates are finite;
    so are whole numbers of more than 20 digits.
    ``missing`` is what to say when the file does not exist (see :func:`read_input`).
    """
    try:
        text = read_input(path, missing)
    except ValueError as error:
        problems.append(str(error))
        return None
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_int=_bounded_int)
        if _SURROGATE_ESCAPE.search(text):
            # Paired escapes make one character; a lone one is no text any file can hold.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        return data
    except UnicodeEncodeError as error:
        problems.append(
            f"{path}: holds a lone surrogate ({error.object[error.start]!a}), which is not text"
        )
    except json.JSONDecodeError as error:
        problems.append(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        )
    except (ValueError, RecursionError) as error:
        problems.append(f"{path}: {error}")
    return None


#: The journal of a set of files being renamed into place, in each folder it touches.
JOURNAL = ".bordermap-journal.json"

#: Who holds a folder's lock (pid, command, since when), for a writer that waits on it.
#: A ``.tmp`` name: ignored like every temporary file, and removed when the lock is let go.
HOLDER = ".bordermap-lock.tmp"

_log = logging.getLogger("bordermap")


def write_all(files: Mapping[Path, str | bytes]) -> None:
    """Write several files as one set: afterwards all are new, or all are as they were.

    Every file is first written in full to a temporary file beside it and flushed to
    disk, and each file it replaces is kept as a backup (a hard link, no copy). Then
    a journal listing the renames is written to each folder involved, the temporary
    files are renamed into place, and the journal and backups are removed. A run
    that fails or is killed before the journal exists changes nothing. A rename that
    fails after it puts the backups back (the journal, turned to "back" first, says
    so to a run that would finish the job); a run killed after it is completed by
    the next run (rolled forward, as a database replays its log), and by the next
    read of the folder. One writer at a time holds each folder (an OS file lock on
    the folder); the next waits, saying who holds it. The temporary files it removes
    are those a killed run left: a running writer holds the lock. A file that already
    holds its new bytes is only flushed (a rebuild of unchanged facts changes few files).

    Raises
    ------
    OutputError
        Naming the file that could not be written, and why.
    """
    # Absolute: the journal is read by runs in other working directories.
    paths = {Path(os.path.abspath(path)): data for path, data in files.items()}
    for path in paths:
        if path.is_dir():  # the one way a rename beside its temporary file fails
            raise OutputError(f"{path}: cannot write: it is a directory")
    folders = set()
    for path in paths:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"{path.parent}: cannot write: {_reason(error)}") from None
        folders.add(path.parent)
    try:
        with _locked(folders):
            staged: list[_Rename] = []
            try:
                for path, data in paths.items():
                    _remove_stale_temporaries(path)
                    if not _holds(path, data):
                        staged.append(_Rename(_stage(path, data), path, None))
                for index, rename in enumerate(staged):
                    staged[index] = rename._replace(backup=_backup(rename.final))
            except BaseException:
                _discard(staged)
                raise
            if staged:
                _commit(staged)
            for folder in folders:  # _commit cleans only the folders whose files changed
                _remove_stale_temporaries(folder / JOURNAL)
    except OutputError:
        raise
    except OSError as error:  # while taking the lock, or finishing a killed run's set
        where = error.filename or ", ".join(sorted(map(str, folders)))
        raise OutputError(f"{where}: cannot write: {_reason(error)}") from None


def _holds(path: Path, data: str | bytes) -> bool:
    """Whether ``path`` already is the file writing ``data`` would make; then flush it.

    A regular file of this user's, with no other link, mode 0644 as :func:`_stage`
    makes it, holding these very bytes; then dated now and flushed, as if just written.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        found = os.lstat(path)
    except OSError:
        return False
    if not (
        stat.S_ISREG(found.st_mode)
        and stat.S_IMODE(found.st_mode) == 0o644
        and found.st_nlink == 1
        and found.st_uid == os.geteuid()
        and found.st_size == len(payload)
    ):
        return False
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            with os.fdopen(handle, "rb", closefd=False) as file:
                same = file.read(len(payload) + 1) == payload
            if same:  # dated now, as if rewritten (make-like tools compare times)
                os.utime(handle)
                os.fsync(handle)
        finally:
            os.close(handle)
    except OSError:
        return False
    return same


class _Rename(NamedTuple):
    """One file of a set: its staged temporary, its final path, the backup of the old one."""

    temporary: Path
    final: Path
    backup: Path | None


def _backup(path: Path) -> Path | None:
    """Keep the file at ``path`` under a temporary name beside it; None if there is none.

    A hard link: the old file's data stays where it is, whatever its size.
    """
    if not path.exists():
        return None
    backup = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.old.tmp")
    try:
        os.link(path, backup)
    except OSError:  # a file system without hard links: a copy
        return _stage(path, path.read_bytes())
    return backup


def _discard(staged: list[_Rename]) -> None:
    """Remove the temporary files and backups of a set that was not committed."""
    for rename in staged:
        rename.temporary.unlink(missing_ok=True)
        if rename.backup is not None:
            rename.backup.unlink(missing_ok=True)


def _holder_line(folder: Path) -> str:
    """Say who holds ``folder``'s lock, as its holder wrote it, in one line."""
    try:
        record = json.loads((folder / HOLDER).read_text(encoding="utf-8"))
        who = f"pid {int(record['pid'])} ({brief(str(record['command']))[1:-1]})"
        since = f" since {brief(str(record['since']))[1:-1]}"
    except (OSError, ValueError, KeyError, TypeError):
        who, since = "another process", ""
    return f"waiting for {folder}: {who} is writing there{since}"


def _say_holder(folder: Path) -> None:
    """Record who holds ``folder`` now that this process holds its lock."""
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python"
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    record = {"pid": os.getpid(), "command": command[:200], "since": since}
    with contextlib.suppress(OSError):  # only a courtesy to the next writer
        (folder / HOLDER).write_text(json.dumps(record), encoding="utf-8")


@contextmanager
def _locked(folders: set[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each folder (in one order: no two runs deadlock).

    A writer that has to wait says so once per folder, naming who holds it (logged
    as a warning of the ``bordermap`` logger). A killed run left nothing half
    renamed behind once the locks are held: any journal in the folders is replayed
    first.
    """
    # A journal left in one folder names the others of its set: lock them too.
    wanted = set(folders)
    for folder in folders:
        wanted |= {rename.final.parent for rename in _journal(folder / JOURNAL)[1]}
    held: list[tuple[int, Path]] = []
    try:
        for folder in sorted(wanted, key=lambda f: str(f.resolve())):
            try:
                handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                continue  # a folder of a set that no longer exists: nothing to hold
            held.append((handle, folder))
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                _log.warning(_holder_line(folder))
                fcntl.flock(handle, fcntl.LOCK_EX)
            _say_holder(folder)
        for folder in sorted(wanted, key=str):
            _replay(folder / JOURNAL)
        yield
    finally:
        for handle, folder in held:
            with contextlib.suppress(OSError):
                (folder / HOLDER).unlink(missing_ok=True)
            os.close(handle)  # closing releases the lock


def recover(folder: str | Path) -> None:
    """Complete a set of files a killed run left half renamed in ``folder``, if any.

    Called before a folder's files are read. A folder that cannot be written (read
    only) is read as it is.
    """
    folder = Path(folder)
    if not (folder / JOURNAL).exists():
        return
    try:
        with _locked({folder}):
            pass
    except OSError:
        pass


def _journal(journal: Path) -> tuple[str, list[_Rename]]:
    """Return a journal's direction ("forward", "back") and renames; none if unreadable."""
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        direction = "back" if record.get("direction") == "back" else "forward"
        renames = [_entry(*entry) for entry in record["renames"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return "forward", []
    # Only absolute paths beside the journal's folders are followed: a journal is data.
    if not all(
        _beside(rename.temporary, rename.final)
        and (rename.backup is None or _beside(rename.backup, rename.final))
        for rename in renames
    ):
        return "forward", []
    return direction, renames


def _entry(temporary: str, final: str, backup: str | None = None) -> _Rename:
    """Read one entry of a journal: [temporary, final] or [temporary, final, backup]."""
    return _Rename(Path(temporary), Path(final), None if backup is None else Path(backup))


def _beside(temporary: Path, final: Path) -> bool:
    """Whether ``temporary`` is an absolute temporary name of ``final``, in its folder."""
    return (
        temporary.is_absolute()
        and temporary.parent == final.parent
        and temporary.name.startswith(f".{final.name}.")
        and temporary.name.endswith(".tmp")
    )


def _write_journal(folders: list[Path], staged: list[_Rename], direction: str) -> None:
    """Write (or replace) the journal of ``staged`` in each folder, flushed to disk."""
    record = json.dumps(
        {
            "pid": os.getpid(),
            "direction": direction,
            "renames": [
                [str(r.temporary), str(r.final), None if r.backup is None else str(r.backup)]
                for r in staged
            ],
        }
    )
    for folder in folders:
        _remove_stale_temporaries(folder / JOURNAL)
        temporary = _stage(folder / JOURNAL, record)
        try:
            os.replace(temporary, folder / JOURNAL)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_folder(folder)


def _replay(journal: Path) -> None:
    """Finish what a journal says (roll forward or back), then remove it everywhere."""
    if not journal.exists():
        return
    direction, renames = _journal(journal)
    if direction == "back":
        _roll_back(renames)
    else:
        for rename in renames:
            if rename.temporary.exists():  # the rest were renamed before the run stopped
                os.replace(rename.temporary, rename.final)
    folders = {journal.parent} | {rename.final.parent for rename in renames}
    # A folder of the set removed since holds nothing to complete (as in _locked).
    folders = {folder for folder in folders if folder.is_dir()}
    for folder in sorted(folders, key=str):
        _fsync_folder(folder)
    for rename in renames:  # the old set is not needed once the new one is whole
        if rename.backup is not None:
            rename.backup.unlink(missing_ok=True)
    for folder in sorted(folders, key=str):
        (folder / JOURNAL).unlink(missing_ok=True)
        _fsync_folder(folder)


def _roll_back(renames: list[_Rename]) -> None:
    """Put the old set back: each file renamed into place returns to its backup.

    Repeatable: a run killed while rolling back is rolled back again by the next.
    """
    for rename in renames:
        if rename.temporary.exists():  # never renamed: the old file is in place
            rename.temporary.unlink()
        elif rename.backup is not None:
            if rename.backup.exists():
                os.replace(rename.backup, rename.final)
        else:  # the set added this file
            rename.final.unlink(missing_ok=True)


def _commit(staged: list[_Rename]) -> None:
    """Rename staged files into place, journalled so that a kill cannot leave a mix."""
    folders = sorted({rename.final.parent for rename in staged}, key=str)
    try:
        _write_journal(folders, staged, "forward")
    except BaseException:
        # Not committed: no rename has happened. Take the journals back, then the files.
        for folder in folders:
            (folder / JOURNAL).unlink(missing_ok=True)
        _discard(staged)
        raise
    # Committed: from here the set is completed, now or by the next run.
    interrupted: BaseException | None = None
    for rename in staged:
        while True:
            try:
                os.replace(rename.temporary, rename.final)
                break
            except KeyboardInterrupt as error:  # a rename takes microseconds: finish
                interrupted = error
            except OSError as error:
                _undo(folders, staged, rename.final, error)
    try:
        _replay(folders[0] / JOURNAL)
    except OSError as error:
        raise OutputError(f"{folders[0]}: cannot write: {_reason(error)}") from None
    if interrupted is not None:
        raise interrupted


def _undo(folders: list[Path], staged: list[_Rename], failed: Path, error: OSError) -> NoReturn:
    """Roll a committed set back after the rename of ``failed`` failed, then say so."""
    reason = _reason(error)
    try:
        _write_journal(folders, staged, "back")  # a kill from here on rolls back too
        _replay(folders[0] / JOURNAL)
    except OSError:
        raise OutputError(
            f"{failed}: cannot write: {reason} (the next run completes the set of files "
            "from its journal)"
        ) from None
    raise OutputError(f"{failed}: cannot write: {reason} (the previous files are kept)")


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (renames, removals) to disk."""
    handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _stage(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``path`` and return its path.

    Raises
    ------
    OutputError
        Naming ``path`` (not its temporary file) when it cannot be written, e.g.
        when the disk is full.
    """
    payload = memoryview(data.encode("utf-8") if isinstance(data, str) else data)
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{path}: cannot write: {_reason(error)}") from None
    temporary = Path(name)
    try:
        try:
            written = 0
            while written < len(payload):
                written += os.write(handle, payload[written:])
            os.fsync(handle)
            os.fchmod(handle, 0o644)
        finally:
            os.close(handle)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {_reason(error)}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files that a killed run left beside ``path``.

    Called with the folder's lock held: no running writer has temporary files there.
    """
    if path.parent.is_dir():
        for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
            stale.unlink(missing_ok=True)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place.

    A run that fails or is killed while writing leaves the previous file as it was.
    """
    write_all({Path(path): data})
