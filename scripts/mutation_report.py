"""Summarise a mutmut run (mutants/) as docs/mutation.md: the score and the survivors.

    pip install -e ".[test,mutation]"
    mutmut run --max-children 1          # writes mutants/ (git-ignored)
    python scripts/mutation_report.py --note "..."   # writes docs/mutation.md

The score is killed / checked, per module and overall, where checked counts every
mutant mutmut ran (killed, survived, no tests, timeout, suspicious); mutants not
checked (a run stopped early) are counted apart and are in no score. Survivors that
were read and found equivalent (no observable change of behaviour) are listed in
docs/mutation-survivors.toml with a one-line reason; they stay in the first score as
survivors, and a second score leaves them out of what was checked.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
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


def seconds(mutants: Path) -> dict[str, float]:
    """Return module -> seconds spent running its mutants (mutmut's recorded durations)."""
    spent: dict[str, float] = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        durations = json.loads(meta.read_text(encoding="utf-8")).get("durations_by_key") or {}
        spent[meta.name.removesuffix(".meta")] = float(sum(durations.values()))
    return spent


def reasons(path: Path) -> dict[str, tuple[bool, str]]:
    """Return mutant name -> (equivalent, reason), from the survivors file."""
    if not path.exists():
        return {}
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        name: (bool(entry.get("equivalent")), str(entry.get("reason", "")))
        for name, entry in table.get("survivor", {}).items()
    }


def report(
    found: dict[str, dict[str, str]],
    note: str,
    why: dict[str, tuple[bool, str]] | None = None,
    spent: dict[str, float] | None = None,
) -> str:
    """Return the Markdown report."""
    why = why or {}
    spent = spent or {}
    lines = [
        "# Mutation testing",
        "",
        "Made by `python scripts/mutation_report.py` from a `mutmut run` (configured in",
        "`pyproject.toml`: the modules mutated and the fast tests that cover them).",
        "A mutant is killed when a test fails with it. **Score** is killed over all",
        "mutants checked; survivors read and found equivalent (no observable change;",
        "reasons in `docs/mutation-survivors.toml`) count there as survivors.",
        "**Without equivalent** leaves those out of the mutants checked. Mutants not",
        "checked are in neither score.",
        "",
        note,
        "",
        "| module | mutants | killed | survived | equivalent | no tests | timeout "
        "| not checked | score | without equivalent | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total: Counter[str] = Counter()
    for module, statuses in found.items():
        counts = _counts(statuses, why)
        total += counts
        lines.append(_row(module, counts, spent.get(module, 0.0)))
    lines.append(_row("**all**", total, sum(spent.values())))
    lines += ["", "## Surviving mutants", ""]
    lines.append("`mutmut show <name>` shows each (in a checkout of the commit the run was of).")
    lines.append("")
    for module, statuses in found.items():
        survivors = [
            name for name, status in statuses.items() if status not in ("killed", "not checked")
        ]
        if survivors:
            lines.append(f"### {module}")
            lines.append("")
            for name in survivors:
                equivalent, reason = why.get(name, (False, ""))
                status = (
                    "equivalent" if equivalent and statuses[name] == "survived" else statuses[name]
                )
                lines.append(f"- `{name}`: {status}" + (f": {reason}" if reason else ""))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _counts(statuses: dict[str, str], why: dict[str, tuple[bool, str]]) -> Counter[str]:
    counts = Counter(statuses.values())
    counts["equivalent"] = sum(
        1 for name, status in statuses.items() if status == "survived" and why.get(name, (0,))[0]
    )
    return counts


def _row(module: str, counts: Counter[str], spent: float) -> str:
    checked = sum(n for status, n in counts.items() if status not in ("not checked", "equivalent"))
    score = f"{100 * counts['killed'] / checked:.1f} %" if checked else "–"
    rest = checked - counts["equivalent"]
    without = f"{100 * counts['killed'] / rest:.1f} %" if rest else "–"
    return (
        f"| {module} | {sum(n for s, n in counts.items() if s != 'equivalent')} | "
        f"{counts['killed']} | {counts['survived']} | {counts['equivalent']} | "
        f"{counts['no tests']} | {counts['timeout']} | {counts['not checked']} | {score} | "
        f"{without} | {spent:.0f} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Write the report; print the overall score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants" / "src")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "mutation.md")
    parser.add_argument(
        "--survivors", type=Path, default=ROOT / "docs" / "mutation-survivors.toml"
    )
    parser.add_argument("--note", default="", help="a paragraph on the run (date, scope)")
    options = parser.parse_args(argv)
    found = results(options.mutants)
    if not found:
        print(f"no mutmut results under {options.mutants}: run 'mutmut run' first")
        return 1
    text = report(found, options.note, reasons(options.survivors), seconds(options.mutants))
    options.output.write_text(text, encoding="utf-8")
    print(text.split("## Surviving")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
