"""The map's own words in any language, kept as data a translator extends.

Names of places and features come from the facts (``name_ko``, ``label_ru``, ...);
this module holds the interface: headings, legend entries, statuses, units and how
dates and numbers are written. Each language is one file of package data,
``bordermap/words/<language>.toml``, whose ``[words]`` table maps the English text
to its translation; a map adds words of its own in its facts file
(``[map.words.<language>]``: the names of its layers, its legend's borders, its
figures). A word a language lacks is an error naming the word and the language,
never a silent fallback to English.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from bordermap import mapspec
from bordermap.errors import TranslationError

__all__ = [
    "format_date",
    "format_month",
    "format_number",
    "interface_words",
    "languages",
    "missing_translations",
    "sentence",
    "translate",
]


@cache
def languages() -> tuple[str, ...]:
    """Return the languages the package has interface words for ("en", "ko", ...)."""
    found = (
        entry.name.removesuffix(".toml")
        for entry in resources.files("bordermap").joinpath("words").iterdir()
        if entry.name.endswith(".toml")
    )
    return tuple(sorted(found, key=lambda code: (code != "en", code)))


@cache
def _language_file(language: str) -> dict[str, Any]:
    """Return the parsed words file of ``language`` (an empty table when there is none)."""
    entry = resources.files("bordermap").joinpath("words", f"{language}.toml")
    if not entry.is_file():
        return {}
    return tomllib.loads(entry.read_text(encoding="utf-8"))


def _table(language: str, name: str) -> dict[str, Any]:
    table = _language_file(language).get(name)
    return table if isinstance(table, dict) else {}


def translate(text: str, language: str = "en", *, strict: bool = True, **values: object) -> str:
    """Return the interface text ``text`` in ``language``, with ``{name}`` values filled.

    Parameters
    ----------
    text : str
        The English text (the key).
    language : str
        A language code: the package's words (``bordermap/words/<language>.toml``)
        and the active map's own (``[map.words.<language>]``) are looked up.
    strict : bool, default True
        Whether a missing translation is an error; ``False`` keeps the English text
        (for names a user gave, such as a tile server's).
    **values
        Values for ``{name}`` placeholders.

    Returns
    -------
    str
        The translated text.

    Raises
    ------
    TranslationError
        If ``strict`` and neither the map nor the language's file translates ``text``.
    """
    if language != "en":
        spec = mapspec.active()
        own = spec.words.get(language, {}) if spec is not None else {}
        if text in own:
            text = own[text]
        elif text in _table(language, "words"):
            text = str(_table(language, "words")[text])
        elif strict:
            raise TranslationError(_missing(language, text))
    return text.format(**values) if values else text


def _missing(language: str, word: str) -> str:
    return (
        f"no '{language}' translation of the word {word!r}: add it to "
        f"bordermap/words/{language}.toml or to the facts file's [map.words.{language}]"
    )


@cache
def interface_words() -> tuple[str, ...]:
    """Return the interface words every language translates: the keys of the words files."""
    words: dict[str, None] = {}
    for language in languages():
        words |= dict.fromkeys(str(key) for key in _table(language, "words"))
    return tuple(words)


def missing_translations(spec: mapspec.MapSpec, texts: Iterable[str] = ()) -> list[str]:
    """Return one line per word a language of the map lacks (none: every word is there).

    Checked when the map is read (its facts or layers), before anything is drawn or
    written, so that a missing word is not found only when a page needs it.

    Parameters
    ----------
    spec : MapSpec
        The map: its languages, its own words (``[map.words.<language>]``), layer
        titles and legend entries.
    texts : iterable of str
        Other words of the map that are translated when drawn (its figures' names).

    Returns
    -------
    list of str
        ``no 'de' translation of the word 'Bridges': add it to ...``, one line per
        word and language; for a language with no words file at all, one line.
    """
    own = [*spec.layer_titles.values(), *spec.legend.values(), *texts]
    wanted = [word for word in dict.fromkeys([*interface_words(), *own]) if word]
    lines: list[str] = []
    for language in spec.languages:
        if language == "en":
            continue
        mine, package = spec.words.get(language, {}), _table(language, "words")
        missing = [word for word in wanted if word not in mine and word not in package]
        if missing and not _language_file(language) and len(missing) > 1:
            lines.append(
                f"no '{language}' translation of {len(missing)} interface words (the first: "
                f"{missing[0]!r}): add bordermap/words/{language}.toml (copy fr.toml and "
                f"translate it) or give them in the facts file's [map.words.{language}]"
            )
        else:
            lines += [_missing(language, word) for word in missing]
    return lines


def _date_pattern(language: str, name: str) -> str:
    patterns = _table(language, "dates") or _table("en", "dates")
    return str(patterns.get(name) or _table("en", "dates")[name])


def _month_names(language: str, name: str) -> list[str]:
    names = _table(language, "dates").get(name) or _table(language, "dates").get("months")
    return list(names) if isinstance(names, list) and len(names) == 12 else [""] * 12


def _written(language: str, pattern: str, year: int, month: int = 1, day: int = 1) -> str:
    return _date_pattern(language, pattern).format(
        year=year,
        month=month,
        day=day,
        month_name=_month_names(language, "months")[month - 1],
        month_genitive=_month_names(language, "months_genitive")[month - 1],
    )


def format_date(text: str, language: str = "en") -> str:
    """Write a date of the facts ("2025", "2025-11" or "2025-04-30") for readers.

    Parameters
    ----------
    text : str
        The date as precise as its source.
    language : str
        A language with a words file: ``"en"`` gives "30 April 2025", ``"ko"``
        "2025년 4월 30일", ``"ru"`` "30 апреля 2025 г.", ``"zh"`` "2025年4月30日".

    Returns
    -------
    str
        The date in words; text that is not such a date comes back unchanged.
    """
    parts = str(text).split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2]) if len(parts) > 2 else None
        if month is not None:
            dt.date(year, month, day or 1)  # refuse impossible dates
    except (ValueError, IndexError):
        return str(text)
    if len(parts) > 3 or len(parts[0]) != 4:
        return str(text)
    if month is None:
        return _written(language, "year", year)
    if day is None:
        return _written(language, "month", year, month)
    return _written(language, "day", year, month, day)


def format_month(text: str, language: str = "en") -> str:
    """Write a date of the facts as its month and year, as said after "since".

    Parameters
    ----------
    text : str
        ``"2025-04-30"`` or ``"2025-04"``; a year alone is written as a year.
    language : str
        ``"en"`` gives "April 2025", ``"ko"`` "2025년 4월", ``"ru"`` "апреля 2025 г."
        (the words file's ``since_month``: the genitive that follows "с").

    Returns
    -------
    str
        The month and year in words; text that is not such a date comes back unchanged.
    """
    parts = str(text).split("-")
    if len(parts) == 1:
        return format_date(text, language)
    written = format_date("-".join(parts[:2]), language)
    if written == "-".join(parts[:2]):
        return str(text)
    if "since_month" in _table(language, "dates"):
        return _written(language, "since_month", int(parts[0]), int(parts[1]))
    return written


def format_number(number: str, language: str = "en") -> str:
    """Rewrite a number written "1,000.5" with ``language``'s separators ("1 000,5" in ru)."""
    numbers = _table(language, "numbers")
    thousands, decimal = str(numbers.get("thousands", ",")), str(numbers.get("decimal", "."))
    return "".join(
        thousands if char == "," else decimal if char == "." else char for char in number
    )


def sentence(text: str, language: str = "en") -> str:
    """End ``text`` with one full stop of ``language`` ("." or the words file's ``full_stop``).

    A text already ending with one (a date such as "2025 г.") gets no second.
    """
    stop = str(_table(language, "language").get("full_stop", "."))
    return text if text.endswith((".", stop)) else text + stop
