"""Benchmark of ``bordermap export`` (PNG + SVG + PDF) beside its baselines, in one run.

Issue 18's targets: the export of the shipped map at most 1.8x the bare import of the
libraries it needs (``import matplotlib.pyplot, geopandas, folium, pyproj``); a 10 kB
name costing at most 1.5x the normal export; a 10^6-vertex river (``synthetic.py``)
exported in under 20 s on 2 cores. Each command runs in a fresh process; after one
warm-up run of each, the commands take turns (``run.interleaved``), so that whatever
else the machine does hits them alike; the medians are reported.

    python benchmarks/export.py                 # about 5 minutes on 2 cores
    python benchmarks/export.py --runs 7 --river 1000000 --output export.md
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import PYTHON, RIVER_FILE, Series, bordermap, interleaved, run
from synthetic import facts_with_river_file, river_geojson, synthetic_river

#: The shipped geodata directory.
GEODATA = Path(__file__).resolve().parents[1] / "geodata"

#: The bare import the export is measured against.
BARE_IMPORT = "import matplotlib.pyplot, geopandas, folium, pyproj"

#: The road bridge's English name in the shipped facts, replaced by a long one.
NAME = 'en = "Tumen River road bridge (North Korea–Russia)"'


def export_argv(geodata: Path, outputs: Path) -> list[str]:
    """Return the command line exporting PNG, SVG and PDF from ``geodata``."""
    return bordermap(
        "export", "--geodata", str(geodata), "--outputs", str(outputs), "--format", "png,svg,pdf"
    )


def geodata_with(work: Path, label: str, facts: str, files: dict[str, str]) -> Path:
    """Copy the shipped geodata with new facts (and files) and derive its layers."""
    geodata = work / label / "geodata"
    shutil.copytree(GEODATA, geodata)
    (geodata / "facts.toml").write_text(facts, encoding="utf-8")
    for name, text in files.items():
        (geodata / name).write_text(text, encoding="utf-8")
    done = run(bordermap("layers", "--geodata", str(geodata), "--overwrite"), timeout=600)
    if not done.ok:
        raise SystemExit(f"bordermap layers failed for {label}: {done.stderr}")
    return geodata


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write its table; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--river", type=int, default=1_000_000, help="vertices (0: none)")
    parser.add_argument("--river-runs", type=int, default=1)
    parser.add_argument("--name-bytes", type=int, default=10_000)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args(argv)
    facts = (GEODATA / "facts.toml").read_text(encoding="utf-8")
    if NAME not in facts:
        raise SystemExit(f"the shipped facts no longer have {NAME!r}")
    words = "Tumen River road bridge between North Korea and Russia "
    long_name = (words * (arguments.name_bytes // len(words) + 1))[: arguments.name_bytes]
    lines = []
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        long = geodata_with(work, "long", facts.replace(NAME, f'en = "{long_name.strip()}"'), {})
        bare = Series("bare import", [PYTHON, "-c", BARE_IMPORT])
        shipped = Series("export, shipped map", export_argv(GEODATA, work / "out"))
        named = Series(
            f"export, a {arguments.name_bytes / 1000:g} kB name", export_argv(long, work / "out")
        )
        interleaved([bare, shipped, named], arguments.runs, timeout=600)
        lines += [
            "| what | median (s) | runs (s) | against | ratio | target |",
            "|---|---|---|---|---|---|",
        ]
        for series, against, target in (
            (bare, None, ""),
            (shipped, bare, "≤ 1.8×"),
            (named, shipped, "≤ 1.5×"),
        ):
            spread = ", ".join(f"{r.seconds:.2f}" for r in series.runs)
            if not series.ok:
                lines.append(f"| {series.label} | failed: {series.failure()} | | | | |")
                continue
            ratio = f"{series.median / against.median:.2f}×" if against else ""
            lines.append(
                f"| {series.label} | {series.median:.2f} | {spread} | "
                f"{against.label if against else ''} | {ratio} | {target} |"
            )
        if arguments.river:
            river = synthetic_river(arguments.river, facts_text=facts)
            geodata = geodata_with(
                work,
                "river",
                facts_with_river_file(RIVER_FILE, facts_text=facts),
                {RIVER_FILE: river_geojson(river)},
            )
            timed = [
                run(export_argv(geodata, work / "river-out"), timeout=600)
                for _ in range(arguments.river_runs)
            ]
            seconds = sorted(done.seconds for done in timed)
            state = "" if all(done.ok for done in timed) else " (failed)"
            lines.append(
                f"| export, a {arguments.river:,}-vertex river | "
                f"{seconds[len(seconds) // 2]:.1f}{state} | "
                f"{', '.join(f'{s:.1f}' for s in seconds)} | | | < 20 s |"
            )
    table = "\n".join(lines) + "\n"
    if arguments.output:
        arguments.output.write_text(table, encoding="utf-8")
    print(table, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
