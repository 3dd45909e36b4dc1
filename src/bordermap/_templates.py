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

import contextlib
import hashlib
import re
from functools import cache
from pathlib import Path

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined, Template
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from jinja2.ext import Extension

__all__ = ["element_template", "escaped", "panel", "panel_macro", "render"]

_LINE_BREAK = re.compile(r"\n[ \t]*")


class _Compact(Extension):
    """Drop each line break of a template's source with the indentation after it."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _LINE_BREAK.sub("", source)


def _number(value: float) -> str:
    """Write a number as ``format(value, "g")`` does: ``2``, ``2.5``, ``0.35``."""
    return f"{value:g}"


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept between runs, so that a build does not compile them again.

    Jinja2's cache in a folder of the temporary directory that only this user can use
    (it checks the owner and mode). Its entries are keyed by the template's source;
    this key adds this module's own text, since :class:`_Compact` changes the compiled
    code without changing the source. The cache is an optimisation only: a folder
    that cannot be read or written means compiling again, never a failed run.
    """

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{_module_digest()}:{name}", filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # e.g. a full disk: the next run compiles again
            super().dump_bytecode(bucket)


@cache
def _module_digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


@cache
def _bytecode_cache() -> BytecodeCache | None:
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no private folder can be made: compile every run
        return None


def _environment(folder: str, *extensions: type[Extension]) -> Environment:
    environment = Environment(
        loader=PackageLoader("bordermap", folder),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=list(extensions),
        bytecode_cache=_bytecode_cache(),
    )
    environment.filters["g"] = _number
    return environment


@cache
def _pages() -> Environment:
    return _environment("templates")


@cache
def _panels() -> Environment:
    return _environment("templates/panels", _Compact)


def render(template: str, /, **context: object) -> str:
    """Render ``templates/<template>`` (laid out as written) with ``context``."""
    return str(_pages().get_template(template).render(**context))


def panel(template: str, /, **context: object) -> str:
    """Render ``templates/panels/<template>`` (compact: no white space between elements)."""
    return str(_panels().get_template(template).render(**context))


def escaped(value: object) -> str:
    """Return ``value`` as text for a script to place as HTML (autoescaped by the macro)."""
    return panel_macro("macros.html.j2", "text", value)


def panel_macro(template: str, macro: str, *arguments: object) -> str:
    """Call the macro ``macro`` of ``templates/panels/<template>`` and return its markup."""
    return str(getattr(_panels().get_template(template).module, macro)(*arguments))


@cache
def _plain() -> Environment:
    return Environment(bytecode_cache=_bytecode_cache())


def element_template(key: str, source: str) -> Template:
    """Return ``jinja2.Template(source)`` (a folium element's), compiled once per machine.

    The same template, in an environment of Jinja2's defaults as ``Template`` makes
    it; its compiled code is kept in the cache of the package's templates, under
    ``key`` (checked against ``source``, so an edited template is compiled again).
    """
    environment = _plain()
    cache_ = environment.bytecode_cache
    if cache_ is None:
        return environment.from_string(source)
    bucket = cache_.get_bucket(environment, key, None, source)
    if bucket.code is None:
        bucket.code = environment.compile(source)
        cache_.set_bucket(bucket)
    return environment.template_class.from_code(
        environment, bucket.code, environment.make_globals(None), None
    )
