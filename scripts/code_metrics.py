"""Measure the package's module sizes, function lengths and parameter counts.

    python scripts/code_metrics.py            # report, and fail over the limits
    python scripts/code_metrics.py --all      # list every function, longest first

Fails (exit 1) when a module of ``src/bordermap`` has more than MAX_MODULE_LINES lines,
or a function (a method or nested function too) more than MAX_FUNCTION_LINES lines
(from its ``def`` or first decorator to its last line, docstring included) or more
than MAX_PARAMETERS named parameters (``self`` and ``cls`` not counted; ``*args`` and
a ``**kwargs`` typed by a TypedDict are not named parameters). Modules in PENDING,
being split by another issue, are reported without failing. CI runs it (``.ci/run``).
It also counts the uses of ``typing.Any`` (reported, no limit): how shallow the typing is.
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

#: The limits of the developers' guide.
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
MAX_PARAMETERS = 6

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "bordermap"

#: Modules over a limit that another issue is splitting: reported, not failed on.
#: Remove an entry once its module is within the limits (the report says when).
PENDING: dict[str, str] = {}


@dataclass(frozen=True)
class Function:
    """One function's measures."""

    module: str
    name: str
    line: int
    lines: int
    parameters: int


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    arguments = node.args
    named = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    return len([argument for argument in named if argument.arg not in ("self", "cls")])


def functions(path: Path) -> list[Function]:
    """Return every function defined in the module at ``path``, nested ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append(
                Function(
                    module=path.name,
                    name=node.name,
                    line=node.lineno,
                    lines=(node.end_lineno or node.lineno) - first + 1,
                    parameters=_parameters(node),
                )
            )
    return found


def any_uses(path: Path) -> int:
    """Return how often the module at ``path`` names ``Any`` (its import not counted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sum(
        1
        for node in ast.walk(tree)
        if (isinstance(node, ast.Name) and node.id == "Any")
        or (isinstance(node, ast.Attribute) and node.attr == "Any")
    )


def _over(sizes: dict[str, int], measured: list[Function]) -> list[tuple[str, str]]:
    """Return (module, what) for every measure over its limit."""
    over = [
        (name, f"{name}: {size} lines (limit {MAX_MODULE_LINES})")
        for name, size in sizes.items()
        if size > MAX_MODULE_LINES
    ]
    over += [
        (f.module, f"{f.module}:{f.line} {f.name}: {f.lines} lines (limit {MAX_FUNCTION_LINES})")
        for f in measured
        if f.lines > MAX_FUNCTION_LINES
    ]
    over += [
        (f.module, f"{f.module}:{f.line} {f.name}: {f.parameters} parameters")
        for f in measured
        if f.parameters > MAX_PARAMETERS
    ]
    return over


def _summary(label: str, sizes: dict[str, int], measured: list[Function]) -> None:
    largest = max(sizes.items(), key=lambda item: item[1])
    longest = max(measured, key=lambda f: f.lines)
    widest = max(measured, key=lambda f: f.parameters)
    print(
        f"{label}: largest module {largest[0]} ({largest[1]} lines, limit {MAX_MODULE_LINES}); "
        f"longest function {longest.module}:{longest.line} {longest.name} "
        f"({longest.lines} lines, limit {MAX_FUNCTION_LINES}); most parameters "
        f"{widest.module}:{widest.line} {widest.name} ({widest.parameters}, limit "
        f"{MAX_PARAMETERS})"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the measures; return 1 if any is over its limit (PENDING modules aside)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list every function")
    options = parser.parse_args(argv)
    modules = sorted(PACKAGE.glob("*.py"))
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in modules}
    measured = [function for path in modules for function in functions(path)]
    anys = {path.name: any_uses(path) for path in modules}
    print(f"{len(sizes)} modules, {len(measured)} functions")
    most = max(anys.items(), key=lambda item: item[1])
    print(f"{sum(anys.values())} uses of Any (most in {most[0]}: {most[1]})")
    _summary("all modules", sizes, measured)
    _summary(
        "without PENDING",
        {name: size for name, size in sizes.items() if name not in PENDING},
        [f for f in measured if f.module not in PENDING],
    )
    if options.all:
        for f in sorted(measured, key=lambda f: -f.lines):
            print(f"  {f.lines:4d} lines {f.parameters:2d} params  {f.module}:{f.line} {f.name}")
    over = _over(sizes, measured)
    for module, what in over:
        pending = f", pending: {PENDING[module]}" if module in PENDING else ""
        print(f"over the limit{pending}: {what}")
    for module in sorted(set(PENDING) - {module for module, _ in over}):
        print(f"note: {module} is within the limits now: remove it from PENDING")
    return 1 if any(module not in PENDING for module, _ in over) else 0


if __name__ == "__main__":
    sys.exit(main())
