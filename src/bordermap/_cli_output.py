"""What the ``bordermap`` command says: one line per problem and per warning, on stderr.

A problem is printed on one printable line, cut at :data:`_MAX_LINE` characters; at
most :data:`MAX_PROBLEMS_SHOWN` are printed, the rest counted. Warnings of bordermap's
own are said the same way, as ``bordermap: warning:`` lines, and what the library
logs (a writer waiting for another's lock) as ``bordermap: note:`` lines.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO


class _Note(logging.Handler):
    """Says a record of the ``bordermap`` logger as one ``bordermap: note:`` line."""

    def emit(self, record: logging.LogRecord) -> None:
        say(sys.stderr, f"bordermap: note: {one_line(record.getMessage())}")


@contextmanager
def notes_said() -> Iterator[None]:
    """Say what the library logs (warnings and above) as ``bordermap: note:`` lines."""
    logger = logging.getLogger("bordermap")
    handler = _Note(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@contextmanager
def warnings_said(*categories: type[Warning]) -> Iterator[None]:
    """Say each warning of ``categories`` raised inside as one ``bordermap: warning:`` line."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        for category in categories:
            warnings.simplefilter("always", category)
        yield
    for warning in caught:
        if issubclass(warning.category, categories):
            say(sys.stderr, f"bordermap: warning: {warning.message}")
        else:  # someone else's: shown as Python would have shown it
            warnings.showwarning(
                warning.message, warning.category, warning.filename, warning.lineno
            )


#: At most this many problems are printed; the rest are counted.
MAX_PROBLEMS_SHOWN = 50


#: A problem line longer than this is cut (its values are cut to 80 characters where
#: they are quoted; this bounds the rest).
_MAX_LINE = 1000


def say_problems(problems: Sequence[str]) -> None:
    """Print the first :data:`MAX_PROBLEMS_SHOWN` problems, one line each, then a count."""
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        say(sys.stderr, f"bordermap: error: {one_line(problem)}")
    if len(problems) > MAX_PROBLEMS_SHOWN:
        say(sys.stderr, f"bordermap: error: and {len(problems) - MAX_PROBLEMS_SHOWN:,} more")


def one_line(text: str) -> str:
    """Return ``text`` on one printable line, at most :data:`_MAX_LINE` characters."""
    if len(text) > _MAX_LINE:
        text = text[: _MAX_LINE - 1] + "…"
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text


def say(stream: TextIO, line: str) -> None:
    # Text from the input may hold lone surrogates, which no terminal encoding can write.
    print(line.encode("utf-8", "backslashreplace").decode("utf-8"), file=stream)
