"""File helpers: deterministic GeoJSON text and atomic writes."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from bordermap import settings
from bordermap.errors import OutputError

K = TypeVar("K")


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
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, not a file") from None
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


def dumps_geojson(collection: Mapping[str, Any]) -> str:
    """Return GeoJSON text: keys in insertion order, two-space indent, one position a line."""
    return _Writer().dumps(collection)


def dumps_geojson_all(collections: Mapping[K, Mapping[str, Any]]) -> dict[K, str]:
    """Return the GeoJSON text of several collections, as :func:`dumps_geojson` writes each.

    A list of positions that several of them hold (the one list of a river and the
    border drawn on it) is formatted once: a million positions take seconds.
    """
    writer = _Writer()
    return {key: writer.dumps(collection) for key, collection in collections.items()}


class _Writer:
    """Writes GeoJSON text, remembering the text of each long list of positions it wrote."""

    #: Lists of positions at least this long are remembered, by identity.
    REMEMBERED = 1000

    def __init__(self) -> None:
        # (id of the list, depth) -> (the list, kept alive so the id stays its own; text)
        self._written: dict[tuple[int, int], tuple[Any, str]] = {}

    def dumps(self, collection: Mapping[str, Any]) -> str:
        # Pieces joined once at the end: a string built level by level would copy a
        # million-position line once per level of nesting.
        out: list[str] = []
        self._write(collection, 0, None, False, out)
        out.append("\n")
        return "".join(out)

    def _write(
        self, value: Any, depth: int, key: str | None, in_geometry: bool, out: list[str]
    ) -> None:
        pad = "  " * depth
        inner = "  " * (depth + 1)
        if key == "coordinates" and in_geometry and _is_positions(value):
            self._write_coordinates(value, depth, out)
        elif isinstance(value, Mapping):
            if not value:
                out.append("{}")
                return
            for k in value:
                if not isinstance(k, str):
                    raise TypeError(f"GeoJSON keys must be text, got {k!r}")
            # A geometry is a mapping with a "type" and "coordinates".
            geometry = isinstance(value.get("type"), str) and "coordinates" in value
            separator = "{\n"
            for k, v in value.items():
                out.append(f"{separator}{inner}{json.dumps(k, ensure_ascii=False)}: ")
                self._write(v, depth + 1, k, geometry, out)
                separator = ",\n"
            out.append(f"\n{pad}}}")
        elif isinstance(value, list | tuple):
            if not value:
                out.append("[]")
            elif all(not isinstance(item, Mapping | list | tuple) for item in value):
                out.append("[" + ", ".join(_scalar(item) for item in value) + "]")
            else:
                separator = "[\n"
                for item in value:
                    out.append(separator + inner)
                    self._write(item, depth + 1, None, False, out)
                    separator = ",\n"
                out.append(f"\n{pad}]")
        else:
            out.append(_scalar(value))

    def _write_coordinates(self, value: Any, depth: int, out: list[str]) -> None:
        """Write a position on one line, and a list of positions one position a line."""
        if value and isinstance(value[0], int | float):
            out.append("[" + ", ".join(_scalar(number) for number in value) + "]")
            return
        pad = "  " * depth
        inner = "  " * (depth + 1)
        if (
            value
            and isinstance(value[0], list | tuple)
            and value[0]
            and isinstance(value[0][0], int | float)
        ):
            remembered = self._written.get((id(value), depth))
            if remembered is not None and remembered[0] is value:
                out.append(remembered[1])
                return
            # A list of positions (a line, a ring): one json.dumps call, not one per
            # number, then one position a line.
            flat = json.dumps(value, allow_nan=False)[1:-1]
            text = f"[\n{inner}" + flat.replace("], [", "],\n" + inner + "[") + f"\n{pad}]"
            if len(value) >= self.REMEMBERED:
                self._written[id(value), depth] = (value, text)
            out.append(text)
            return
        separator = "[\n"
        for item in value:
            out.append(separator + inner)
            self._write_coordinates(item, depth + 1, out)
            separator = ",\n"
        out.append(f"\n{pad}]")


def _is_positions(value: Any) -> bool:
    """Whether ``value`` is a position, or nested lists of positions, of numbers."""
    if not isinstance(value, list | tuple) or not value:
        return False
    kinds = set(map(type, value))
    if kinds <= {int, float}:  # a position (bool is neither)
        return True
    if kinds <= {list, tuple} and min(map(len, value)) > 0:
        # A list of positions, checked at C speed: a river can have a million.
        members = set(map(type, itertools.chain.from_iterable(value)))
        if members <= {int, float}:
            return True
    return all(_is_positions(item) for item in value)


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


#: The journal of a set of files being renamed into place, in each folder it touches.
JOURNAL = ".bordermap-journal.json"


def write_all(files: Mapping[Path, str | bytes]) -> None:
    """Write several files as one set: afterwards all are new, or all are as they were.

    Every file is first written in full to a temporary file beside it and flushed to
    disk. Then a journal listing the renames is written to each folder involved, the
    temporary files are renamed into place, and the journal is removed. A run that
    fails or is killed before the journal exists changes nothing; one killed after
    it is completed by the next run (rolled forward, as a database replays its log),
    and by the next read of the folder. One writer at a time holds each folder (an
    OS file lock on the folder); the next waits. The temporary files it removes are
    those a killed run left: a running writer holds the lock.

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
            staged: list[tuple[Path, Path]] = []
            try:
                for path, data in paths.items():
                    _remove_stale_temporaries(path)
                    staged.append((path, _stage(path, data)))
            except BaseException:
                for _, temporary in staged:
                    temporary.unlink(missing_ok=True)
                raise
            _commit(staged)
    except OutputError:
        raise
    except OSError as error:  # while taking the lock, or finishing a killed run's set
        where = error.filename or ", ".join(sorted(map(str, folders)))
        raise OutputError(f"{where}: cannot write: {_reason(error)}") from None


@contextmanager
def _locked(folders: set[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each folder (in one order: no two runs deadlock).

    A killed run left nothing half-renamed behind once the locks are held: any
    journal in the folders is rolled forward first.
    """
    # A journal left in one folder names the others of its set: lock them too.
    wanted = set(folders)
    for folder in folders:
        wanted |= {final.parent for _, final in _journal_renames(folder / JOURNAL)}
    handles = []
    try:
        for folder in sorted(wanted, key=lambda f: str(f.resolve())):
            try:
                handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError:
                continue  # a folder of a set that no longer exists: nothing to hold
            handles.append(handle)
            fcntl.flock(handle, fcntl.LOCK_EX)
        for folder in sorted(wanted, key=str):
            _roll_forward(folder / JOURNAL)
        yield
    finally:
        for handle in handles:
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


def _journal_renames(journal: Path) -> list[tuple[Path, Path]]:
    """Return the (temporary, final) pairs a journal lists; none if it cannot be read."""
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        renames = [(Path(temporary), Path(final)) for temporary, final in record["renames"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    # Only absolute paths beside the journal's folders are followed: a journal is data.
    if not all(
        t.is_absolute()
        and t.parent == f.parent
        and t.name.startswith(f".{f.name}.")
        and t.name.endswith(".tmp")
        for t, f in renames
    ):
        return []
    return renames


def _roll_forward(journal: Path) -> None:
    """Finish the renames a journal lists, then remove it (from every folder it is in)."""
    if not journal.exists():
        return
    renames = _journal_renames(journal)
    for temporary, final in renames:
        if temporary.exists():  # the rest were renamed before the run stopped
            os.replace(temporary, final)
    folders = {journal.parent} | {final.parent for _, final in renames}
    for folder in sorted(folders, key=str):
        _fsync_folder(folder)
    for folder in sorted(folders, key=str):
        (folder / JOURNAL).unlink(missing_ok=True)
        _fsync_folder(folder)


def _commit(staged: list[tuple[Path, Path]]) -> None:
    """Rename staged files into place, journalled so that a kill cannot leave a mix."""
    folders = sorted({path.parent for path, _ in staged}, key=str)
    record = json.dumps(
        {
            "pid": os.getpid(),
            "renames": [[str(temporary), str(path)] for path, temporary in staged],
        }
    )
    journals: list[Path] = []
    try:
        for folder in folders:
            _remove_stale_temporaries(folder / JOURNAL)
            journals.append(_stage(folder / JOURNAL, record))
            os.replace(journals[-1], folder / JOURNAL)
            journals.append(folder / JOURNAL)
            _fsync_folder(folder)
    except BaseException:
        # Not committed: no rename has happened. Take the journals back, then the files.
        for journal in journals:
            journal.unlink(missing_ok=True)
        for _, temporary in staged:
            temporary.unlink(missing_ok=True)
        raise
    # Committed: from here the set is completed, now or by the next run.
    interrupted: BaseException | None = None
    for path, temporary in staged:
        while True:
            try:
                os.replace(temporary, path)
                break
            except KeyboardInterrupt as error:  # a rename takes microseconds: finish
                interrupted = error
            except OSError as error:
                raise OutputError(
                    f"{path}: cannot write: {_reason(error)} (the next run completes the "
                    "set of files from its journal)"
                ) from None
    try:
        _roll_forward(folders[0] / JOURNAL)
    except OSError as error:
        raise OutputError(f"{folders[0]}: cannot write: {_reason(error)}") from None
    if interrupted is not None:
        raise interrupted


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
