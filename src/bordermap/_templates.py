"""Jinja2 environments for the markup bordermap writes, autoescaping everything.

Templates live in the package (``templates/``, read with :class:`jinja2.PackageLoader`,
which uses ``importlib.resources``). Autoescaping is on: a value from the data
reaches the page as text, never as markup, and no code here calls ``escape`` by hand.

The map's panels (title, legend, timeline, popups) are written compact, with no
white space between elements, as the page has always carried them. Their templates,
in ``templates/panels/``, are laid out one element a line for people to read: the
line breaks and indentation of the template source are dropped before it is compiled
(:class:`_Compact`), so the data's own white space is kept as it is.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension

__all__ = ["escaped", "panel", "panel_macro", "render"]

_LINE_BREAK = re.compile(r"\n[ \t]*")


class _Compact(Extension):
    """Drop each line break of a template's source with the indentation after it."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _LINE_BREAK.sub("", source)


def _number(value: float) -> str:
    """Write a number as ``format(value, "g")`` does: ``2``, ``2.5``, ``0.35``."""
    return f"{value:g}"


def _environment(folder: str, *extensions: type[Extension]) -> Environment:
    environment = Environment(
        loader=PackageLoader("bordermap", folder),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=list(extensions),
    )
    environment.filters["g"] = _number
    return environment


@cache
def _pages() -> Environment:
    return _environment("templates")


@cache
def _panels() -> Environment:
    return _environment("templates/panels", _Compact)


def render(template: str, /, **context: Any) -> str:
    """Render ``templates/<template>`` (laid out as written) with ``context``."""
    return str(_pages().get_template(template).render(**context))


def panel(template: str, /, **context: Any) -> str:
    """Render ``templates/panels/<template>`` (compact: no white space between elements)."""
    return str(_panels().get_template(template).render(**context))


def escaped(value: object) -> str:
    """Return ``value`` as text for a script to place as HTML (autoescaped by the macro)."""
    return panel_macro("macros.html.j2", "text", value)


def panel_macro(template: str, macro: str, *arguments: Any) -> str:
    """Call the macro ``macro`` of ``templates/panels/<template>`` and return its markup."""
    return str(getattr(_panels().get_template(template).module, macro)(*arguments))
