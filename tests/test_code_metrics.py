"""scripts/code_metrics.py: it measures what the developers' guide limits."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "code_metrics.py"


@pytest.fixture(scope="module")
def metrics():
    spec = importlib.util.spec_from_file_location("code_metrics", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["code_metrics"] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["code_metrics"]


def test_functions_are_measured_from_decorator_to_last_line(metrics, tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    source = (
        "import functools\n\n\n"
        "@functools.cache\n"
        f"def long(a, b, c, d, e, f, g, *args, **kwargs):\n{body}\n\n\n"
        "class C:\n"
        "    def method(self, a, *, b):\n"
        "        def inner(x):\n"
        "            return x\n"
        "        return inner(a)\n"
    )
    path = tmp_path / "sample.py"
    path.write_text(source, encoding="utf-8")
    found = {f.name: f for f in metrics.functions(path)}
    assert found["long"].lines == 82  # the decorator, the def and 80 lines
    assert found["long"].parameters == 7  # *args and **kwargs are not named
    assert found["method"].parameters == 2  # self is not counted
    assert found["inner"].lines == 2


def test_uses_of_any_are_counted_in_code_not_in_text(metrics, tmp_path):
    source = (
        "import typing\n"
        "from typing import Any\n\n"
        "x: dict[str, Any] = {}\n"
        "y: typing.Any = 'Any'\n\n\n"
        "def f(a: Any) -> list[Any]:\n"
        '    """Any in a docstring."""\n'
        "    return [a]  # Any in a comment\n"
    )
    path = tmp_path / "sample.py"
    path.write_text(source, encoding="utf-8")
    assert metrics.any_uses(path) == 4


def test_over_the_limits_is_reported_by_module(metrics):
    long = metrics.Function("a.py", "f", 1, metrics.MAX_FUNCTION_LINES + 1, 1)
    wide = metrics.Function("b.py", "g", 1, 3, metrics.MAX_PARAMETERS + 1)
    fine = metrics.Function("c.py", "h", 1, metrics.MAX_FUNCTION_LINES, metrics.MAX_PARAMETERS)
    sizes = {"a.py": 10, "b.py": 10, "c.py": metrics.MAX_MODULE_LINES, "d.py": 601}
    over = metrics._over(sizes, [long, wide, fine])
    assert [module for module, _ in over] == ["d.py", "a.py", "b.py"]


def test_the_readme_module_map_names_every_module_and_only_modules(metrics):
    import re

    readme = (SCRIPT.parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```\nsrc/bordermap/\n", 1)[1].split("```", 1)[0]
    import fnmatch

    named = set(re.findall(r"(?<![\w*])(_?[a-z0-9_]+\.py)\b", block))
    patterns = set(re.findall(r"\b(_?[a-z0-9_]+\*\.py)", block))  # e.g. _facts_*.py
    modules = {path.name for path in metrics.PACKAGE.glob("*.py")}
    modules -= {"__init__.py", "__main__.py"}
    globbed = {m for m in modules for p in patterns if fnmatch.fnmatch(m, p)}
    assert named <= modules
    assert modules - globbed == named - globbed
    assert all(fnmatch.filter(modules, p) for p in patterns)
