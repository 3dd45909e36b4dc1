"""Summarise a mutmut run (mutants/) as docs/mutation.md: the score and the survivors.

    pip install -e ".[test,mutation]"
    mutmut run --max-children 2          # writes mutants/ (git-ignored)
    python scripts/mutation_report.py    # writes docs/mutation.md

The score is killed / (killed + survived + no tests + timeout + suspicious), per module
and overall; mutants not checked (a run restricted to some modules) are counted apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: mutmut's exit codes (mutmut.stats.status_by_exit_code), by what they mean here.
STATUS = {1: "killed", 3: "killed", 37: "killed", 0: "survived", 5: "no tests", 33: "no tests"}
TIMEOUTS = {36, -24, 24, 152, 255}


def _status(code: int | None) -> str:
    if code is None:
        return "not checked"
    if code in TIMEOUTS:
        return "timeout"
    return STATUS.get(code, "suspicious")


def results(mutants: Path) -> dict[str, dict[str, str]]:
    """Return module -> mutant name -> status, from mutmut's ``*.meta`` files."""
    found: dict[str, dict[str, str]] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        found[meta.name.removesuffix(".meta")] = {
            name: _status(code) for name, code in sorted(codes.items())
        }
    return found


def report(found: dict[str, dict[str, str]], note: str) -> str:
    """Return the Markdown report."""
    lines = [
        "# Mutation testing",
        "",
        "Made by `python scripts/mutation_report.py` from a `mutmut run` (configured in",
        "`pyproject.toml`: the modules mutated and the fast tests that cover them).",
        "A mutant is killed when a test fails with it; the score is killed over all",
        "mutants checked.",
        "",
        note,
        "",
        "| module | mutants | killed | survived | no tests | timeout | not checked | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total: Counter[str] = Counter()
    for module, statuses in found.items():
        counts = Counter(statuses.values())
        total += counts
        lines.append(_row(module, counts))
    lines.append(_row("**all**", total))
    lines += ["", "## Surviving mutants", ""]
    lines.append("`mutmut show <name>` shows each; most are listed with why they live.")
    lines.append("")
    for module, statuses in found.items():
        survivors = [name for name, status in statuses.items() if status != "killed"]
        survivors = [n for n in survivors if statuses[n] != "not checked"]
        if survivors:
            lines.append(f"### {module}")
            lines.append("")
            lines += [f"- `{name}`: {statuses[name]}" for name in survivors]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _row(module: str, counts: Counter[str]) -> str:
    checked = sum(n for status, n in counts.items() if status != "not checked")
    score = f"{100 * counts['killed'] / checked:.1f} %" if checked else "–"
    return (
        f"| {module} | {sum(counts.values())} | {counts['killed']} | {counts['survived']} | "
        f"{counts['no tests']} | {counts['timeout']} | {counts['not checked']} | {score} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Write the report; print the overall score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants" / "src")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "mutation.md")
    parser.add_argument("--note", default="", help="a paragraph on the run (date, scope)")
    options = parser.parse_args(argv)
    found = results(options.mutants)
    if not found:
        print(f"no mutmut results under {options.mutants}: run 'mutmut run' first")
        return 1
    text = report(found, options.note)
    options.output.write_text(text, encoding="utf-8")
    print(text.split("## Surviving")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
