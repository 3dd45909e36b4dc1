"""Benchmark bordermap: build time, page size, drawing time and scaling, against baselines.

Run from the repository root (not part of the test run):

    python benchmarks/run.py

It measures, in one run, each command in a fresh process (the median of ``--runs``
runs, interleaved so that drift on the machine hits all alike):

- ``bordermap build`` against ``python -c "import geopandas, folium"`` (the floor) and
  against the naive route (``benchmarks/explore_baseline.py``: every layer through
  ``GeoDataFrame.explore()``, then save), as ratios; page bytes against the latter's;
- ``bordermap --help`` and ``--version``;
- in headless Chromium with the network blocked, the time from navigation to every
  line feature drawn (``path.bm-feature``);
- scaling: synthetic rivers of 10^3 to 10^6 vertices (the real channel with
  meanders, ``benchmarks/synthetic.py``) built with ``bordermap build`` in a temporary
  geodata directory, the river in a GeoJSON file the facts name (as a detailed river
  comes): time, page bytes, peak memory, positions in the page, drawing time; the same
  river written inline in ``facts.toml``: time and peak memory; and
  :func:`bordermap.simplify.web_ready` on the same layers;
- where import time goes (``python -X importtime``).

It prints the tables and writes them, with the machine's facts and the targets met
or missed, to ``benchmarks/results.md``. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import (  # noqa: E402
    facts_with_river,
    facts_with_river_file,
    river_geojson,
    synthetic_river,
)

PYTHON = sys.executable
CHROMIUM = os.environ.get("BORDERMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [  # as tests/test_browser.py
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MAP_FILE = "tumen_border_map.html"
#: The synthetic river's GeoJSON file, beside the facts file that names it.
RIVER_FILE = "river.geojson"
HEAVY = ("geopandas", "folium", "matplotlib")
PACKAGES = (
    "bordermap",
    "folium",
    "branca",
    "jinja2",
    "geopandas",
    "pandas",
    "numpy",
    "shapely",
    "pyproj",
    "pyogrio",
    "matplotlib",
    "xyzservices",
    "playwright",
)

# Targets from issue 7.
TARGET_BUILD_RATIO = 1.3
TARGET_BIG_SECONDS = 15.0
TARGET_BIG_BYTES = 5_000_000
TARGET_HELP_SECONDS = 0.3
BIG = 1_000_000

# Children run as a user's Python does: writing and reusing bytecode caches (this
# workplace sets PYTHONDONTWRITEBYTECODE, which would recompile bordermap every run).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

# A position [lon, lat] in the region of the map, as a page writes it.
POSITION = re.compile(rb"\[\s*13[01]\.\d+,\s*4[23]\.\d+\s*\]")
# The page's JSON blocks, where packed geometries ("parts" of base64url steps) are.
DATA_BLOCK = re.compile(rb'<script type="application/json"[^>]*>(.*?)</script>', re.S)
# A packed number ends on a digit without the "more follows" bit: A-Z or a-f.
LAST_DIGIT = re.compile(r"[A-Za-f]")


def page_positions(data: bytes) -> int:
    """Count the positions a page holds: ``[lon, lat]`` pairs and packed positions.

    A packed page (its data deflated, see ``bordermap._packing``) is read unpacked.
    """
    from bordermap._packing import unpack_page

    data = unpack_page(data.decode("utf-8")).encode("utf-8")
    count = len(POSITION.findall(data))

    def in_parts(parts: Any) -> int:
        if isinstance(parts, str):
            return len(LAST_DIGIT.findall(parts)) // 2
        return sum(in_parts(part) for part in parts)

    def packed(value: Any) -> int:
        if isinstance(value, dict):
            if "type" in value and "parts" in value:
                return in_parts(value["parts"])
            return sum(packed(item) for item in value.values())
        if isinstance(value, list):
            return sum(packed(item) for item in value)
        return 0

    for block in DATA_BLOCK.findall(data):
        count += packed(json.loads(block))
    return count


@dataclass
class Run:
    """One command run in a fresh process."""

    seconds: float
    peak_mib: float
    status: int
    #: CPU time the process used (user + system, from wait4), seconds: unlike the wall
    #: time, barely changed by what else the machine runs.
    cpu_seconds: float
    timed_out: bool
    stderr: str

    @property
    def ok(self) -> bool:
        """Whether it exited 0 in time."""
        return self.status == 0 and not self.timed_out


def run(argv: Sequence[str], *, timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run a command; return its wall time, its CPU time and peak memory (from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env or CHILD_ENV)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(
        seconds=seconds,
        peak_mib=usage.ru_maxrss / 1024,  # kilobytes on Linux
        status=process.returncode,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        timed_out=killed.is_set(),
        stderr=stderr[-2000:],
    )


@dataclass
class Series:
    """Repeated runs of one command."""

    label: str
    argv: list[str]
    env: dict[str, str] | None = None
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every run succeeded."""
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def median(self) -> float:
        """Median wall time, seconds."""
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_median(self) -> float:
        """Median CPU time (user + system), seconds."""
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def low(self) -> float:
        """Fastest run, seconds."""
        return min(r.seconds for r in self.runs)

    @property
    def high(self) -> float:
        """Slowest run, seconds."""
        return max(r.seconds for r in self.runs)

    @property
    def peak_mib(self) -> float:
        """Largest peak resident memory of a run, MiB."""
        return max(r.peak_mib for r in self.runs)

    def failure(self) -> str:
        """Say why the first failed run failed (empty if none did)."""
        bad = next((r for r in self.runs if not r.ok), None)
        if bad is None:
            return ""
        if bad.timed_out:
            return f"timed out after {bad.seconds:.0f} s"
        last = bad.stderr.strip().splitlines()[-1:] or ["no message"]
        return f"exit {bad.status}: {last[0][:200]}"


def interleaved(series: Sequence[Series], runs: int, timeout: float) -> None:
    """Run each series once to warm caches, then ``runs`` rounds of all of them."""
    for one in series:
        warm = run(one.argv, timeout=timeout, env=one.env)
        if not warm.ok:
            one.runs.append(warm)
    for _ in range(runs):
        for one in series:
            if one.runs and not one.ok:
                continue
            one.runs.append(run(one.argv, timeout=timeout, env=one.env))


def bordermap(*arguments: str) -> list[str]:
    """Return the command line running bordermap with this Python."""
    return [PYTHON, "-m", "bordermap", *arguments]


def build_argv(geodata: Path, outputs: Path, *extra: str) -> list[str]:
    """Return the command line of ``bordermap build`` on these directories."""
    return bordermap("build", "--geodata", str(geodata), "--outputs", str(outputs), *extra)


def with_path(extra: str | None) -> dict[str, str] | None:
    """Return the environment with ``extra`` prepended to PYTHONPATH (None: unchanged)."""
    if not extra:
        return None
    env = dict(CHILD_ENV)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (extra, env.get("PYTHONPATH")) if p)
    return env


# --------------------------------------------------------------------------- machine


def machine(explore_env: dict[str, str] | None = None) -> dict[str, str]:
    """Return facts about the machine and the software measured."""
    facts = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": f"{os.cpu_count()} ({len(os.sched_getaffinity(0))} usable)",
        "cpu": _cpu_model(),
        "memory": _memory(),
        "system": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        # The results file itself (rewritten by every run) does not count as a change.
        "commit": _git("rev-parse", "--short", "HEAD")
        + (
            " + uncommitted changes"
            if _git("status", "--porcelain", "--", ".", ":!benchmarks/results.md")
            else ""
        ),
        "chromium": _chromium_version(),
        # The machine is shared: how busy it was says how far to trust the times.
        "load average": f"{_load()} at the start",
    }
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    facts["packages"] = ", ".join(versions)
    facts["explore() baseline"] = "mapclassify " + _version_in("mapclassify", explore_env)
    return facts


def _version_in(package: str, env: dict[str, str] | None) -> str:
    """Return a package's version as a process with ``env`` sees it."""
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    done = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, env=env or CHILD_ENV
    )
    return done.stdout.strip() if done.returncode == 0 else "not installed"


def _load() -> str:
    """Return the load averages over 1, 5 and 15 minutes (runnable processes)."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f}, {five:.1f}, {fifteen:.1f} (1, 5, 15 min)"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    return "unknown"


def _git(*arguments: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), *arguments], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def _chromium_version() -> str:
    try:
        done = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return done.stdout.strip() or "unknown"


# --------------------------------------------------------------------------- imports


@dataclass
class ImportProfile:
    """Where a process's import time went (``python -X importtime``)."""

    total_ms: float
    top_level: list[tuple[str, float]]  # imports made by the script itself: disjoint
    packages: dict[str, float]  # cumulative time of notable packages, where first imported


def import_profile(argv: Sequence[str], env: dict[str, str] | None = None) -> ImportProfile:
    """Run ``argv`` (a python command) with ``-X importtime`` and summarise its imports."""
    command = [argv[0], "-X", "importtime", *argv[1:]]
    done = subprocess.run(command, capture_output=True, text=True, env=env or CHILD_ENV)
    top: list[tuple[str, float]] = []
    packages: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$", line)
        if not match:
            continue
        cumulative_ms = int(match.group(2)) / 1000
        depth = (len(match.group(3)) - 1) // 2
        name = match.group(4)
        if depth == 0:
            top.append((name, cumulative_ms))
        root = name.split(".")[0]
        if name == root and root not in packages:
            packages[root] = cumulative_ms
    top.sort(key=lambda item: -item[1])
    return ImportProfile(sum(ms for _, ms in top), top, packages)


# --------------------------------------------------------------------------- browser


@dataclass
class Drawn:
    """Drawing a page in headless Chromium, network blocked."""

    path: Path
    expected: int
    drawn_ms: list[float] = field(default_factory=list)
    dom_ms: list[float] = field(default_factory=list)
    load_ms: list[float] = field(default_factory=list)
    features: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether the page was drawn in time."""
        return bool(self.drawn_ms) and not self.error


# Installed before the page's own scripts: records when the count of drawn line
# features changes, so the time to "all drawn" is read off afterwards.
_WATCH_JS = """
window.__bmCounts = [];
new MutationObserver(function () {
  var count = document.querySelectorAll('path.bm-feature').length;
  var last = window.__bmCounts[window.__bmCounts.length - 1];
  if (!last || last[1] !== count) { window.__bmCounts.push([performance.now(), count]); }
}).observe(document, {childList: true, subtree: true});
"""


def expected_lines(geodata: Path) -> int:
    """Count the line features the map should draw, from the layers a build wrote."""
    return len(_shown_lines(geodata))


def _shown_lines(geodata: Path) -> list[dict[str, Any]]:
    """Return the line features of the layers the map shows (not those off at first)."""
    from bordermap import settings

    hidden = set(settings.hidden_layers)
    lines = []
    for path in _layer_files(geodata):
        if path.stem in hidden:
            continue
        layer = json.loads(path.read_text(encoding="utf-8"))
        lines += [
            feature
            for feature in layer.get("features", [])
            if (feature.get("geometry") or {}).get("type") in ("LineString", "MultiLineString")
        ]
    return lines


def leaflet_alone(geodata: Path, page: Path) -> Path:
    """Write the drawing's floor: the same lines drawn by Leaflet alone, inlined as ours is.

    One ``L.geoJSON`` of the shown layers' lines (their paths of class ``bm-feature``,
    so that the same watch counts them), framed on them: no base, panels, labels or
    layout pass. The page's bytes are those of Leaflet and its plugin inlined, and the
    lines.
    """
    from bordermap import _assets

    data = json.dumps({"type": "FeatureCollection", "features": _shown_lines(geodata)})
    data = data.replace("</", "<\\/")  # cannot end its <script> element
    page.write_text(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        f"{_assets.leaflet_head(inline=True)}\n"
        "<style>html, body, #map { height: 100%; margin: 0; }</style></head>\n"
        '<body><div id="map"></div>\n'
        f'<script type="application/json" id="lines">{data}</script>\n'
        "<script>var map = L.map('map');\n"
        "var lines = L.geoJSON(JSON.parse(document.getElementById('lines').textContent),"
        " {style: {className: 'bm-feature'}}).addTo(map);\n"
        "map.fitBounds(lines.getBounds());</script></body></html>\n",
        encoding="utf-8",
    )
    return page


def unpacked_pages(geodata: Path, work: Path) -> dict[str, Path]:
    """Write the map's page and its ``--cdn`` form as the same code writes them unpacked.

    ``render_html(..., packed=False)``: the data, panels and scripts as they are, not
    deflated; the baseline of the packed pages' bytes and drawing time.
    """
    code = (
        "import sys; from pathlib import Path; from bordermap import build_map, render_html\n"
        "for cdn, path in ((False, sys.argv[2]), (True, sys.argv[3])):\n"
        "    page = render_html(build_map(sys.argv[1], self_contained=not cdn), packed=False)\n"
        "    Path(path).write_text(page, encoding='utf-8')\n"
    )
    pages = {"unpacked": work / "unpacked.html", "unpacked_cdn": work / "unpacked_cdn.html"}
    subprocess.run(
        [PYTHON, "-c", code, str(geodata), *map(str, pages.values())], check=True, cwd=work
    )
    return pages


def _layer_files(geodata: Path) -> list[Path]:
    """Return the layer files a build wrote in ``geodata`` (not the river's own file)."""
    from bordermap.mapspec import layers_in

    paths = [geodata / f"{name}.geojson" for name in layers_in(geodata)]
    return [path for path in paths if path.exists()]


def draw_times(pages: Sequence[Drawn], runs: int, timeout_s: float) -> str:
    """Open each page ``runs`` times offline; fill in the times. Return why not, if not."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                for page_spec in pages:
                    if page_spec.error:
                        continue
                    try:
                        _draw_once(browser, page_spec, timeout_s)
                    except Exception as error:  # a page too big to draw in time, a crash
                        page_spec.error = f"{type(error).__name__}: {str(error)[:160]}"
        finally:
            browser.close()
    return ""


def _draw_once(browser: Any, spec: Drawn, timeout_s: float) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:", "blob:"))
                else route.abort()
            ),
        )
        page.add_init_script(_WATCH_JS)
        page.goto(spec.path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
        page.wait_for_function(
            "n => document.querySelectorAll('path.bm-feature').length >= n",
            arg=spec.expected,
            polling=50,
            timeout=timeout_s * 1000,
        )
        counts = page.evaluate("window.__bmCounts")
        timing = page.evaluate(
            "(() => { var n = performance.getEntriesByType('navigation')[0];"
            " return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()"
        )
        final = counts[-1][1]
        reached = next(t for t, count in counts if count >= spec.expected)
        spec.features = final
        spec.drawn_ms.append(reached)
        spec.dom_ms.append(timing[0])
        spec.load_ms.append(timing[1])
    finally:
        page.close()


# --------------------------------------------------------------------------- scaling


@dataclass
class Scale:
    """One size of synthetic river."""

    vertices: int
    river_bytes: int = 0
    build: Run | None = None  # the median of the timed builds
    build_seconds: list[float] = field(default_factory=list)
    skipped: str = ""
    inline_bytes: int = 0
    inline: Run | None = None
    inline_skipped: str = ""
    html_bytes: int = 0
    positions: int = 0
    drawn: Drawn | None = None
    simplify_s: float | None = None
    kept: int | None = None
    deviation_m: float | None = None
    simplify_note: str = ""


def scaling(
    sizes: Sequence[int],
    work: Path,
    geodata: Path,
    timeout: float,
    say: Callable[[str], None],
    runs: int = 3,
) -> list[Scale]:
    """Build a map for each size of synthetic river; stop building after a timeout.

    Each river is built from a GeoJSON file the facts name (``file = ...``, the way a
    detailed river is brought in) ``runs`` times, the median kept; and once written
    inline in ``facts.toml``.
    """
    results = []
    stop = stop_inline = ""
    facts_text = (geodata / "facts.toml").read_text(encoding="utf-8")
    for vertices in sizes:
        scale = Scale(vertices)
        results.append(scale)
        directory = work / f"river-{vertices}"
        shutil.copytree(geodata, directory / "geodata")
        river = synthetic_river(vertices, facts_text=facts_text)
        facts = directory / "geodata" / "facts.toml"
        facts.write_text(facts_with_river_file(RIVER_FILE, facts_text=facts_text), "utf-8")
        river_path = directory / "geodata" / RIVER_FILE
        river_path.write_text(river_geojson(river), encoding="utf-8")
        scale.river_bytes = river_path.stat().st_size
        inline = directory / "inline" / "geodata"
        shutil.copytree(geodata, inline)
        (inline / "facts.toml").write_text(
            facts_with_river(river, facts_text=facts_text), encoding="utf-8"
        )
        scale.inline_bytes = (inline / "facts.toml").stat().st_size
        _simplify_stats(scale, river, directory / "geodata")
        if stop_inline:
            scale.inline_skipped = stop_inline
        else:
            say(f"  {vertices:>9,} vertices, inline in facts.toml: building ...")
            scale.inline = run(build_argv(inline, inline.parent / "outputs"), timeout=timeout)
            if scale.inline.timed_out:
                stop_inline = f"{vertices:,} vertices took over {timeout:.0f} s"
        if stop:
            scale.skipped = stop
            say(f"  {vertices:>9,} vertices: build skipped ({stop})")
            continue
        outputs = directory / "outputs"
        say(f"  {vertices:>9,} vertices: building ({runs} runs) ...")
        builds = []
        for _ in range(runs):
            builds.append(run(build_argv(directory / "geodata", outputs), timeout=timeout))
            if not builds[-1].ok:
                break
        if all(done.ok for done in builds):
            builds.sort(key=lambda done: done.seconds)
            scale.build = builds[len(builds) // 2]
            scale.build_seconds = [done.seconds for done in builds]
        else:
            scale.build = builds[-1]
        page = outputs / MAP_FILE
        if scale.build.ok and page.exists():
            data = page.read_bytes()
            scale.html_bytes = len(data)
            scale.positions = page_positions(data)
            scale.drawn = Drawn(page, expected_lines(directory / "geodata"))
        elif scale.build.timed_out:
            stop = f"{vertices:,} vertices took over {timeout:.0f} s"
        say(
            f"  {vertices:>9,} vertices: {scale.build.seconds:.1f} s"
            + ("" if scale.build.ok else " (failed)")
        )
    return results


@dataclass
class Phases:
    """Each step of one build, timed in one process."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    page_bytes: int = 0
    problem: str = "not run"

    @property
    def total(self) -> float:
        """Seconds of all steps (parsing is part of load_facts: counted once)."""
        return sum(seconds for name, seconds in self.steps if not _within_load(name))


def _within_load(step: str) -> bool:
    """Whether a timed step is part of load_facts (parsing), timed again on its own."""
    return "(part of load_facts)" in step


def phases(geodata: Path, timeout: float) -> Phases:
    """Time each step of a build in one process (``benchmarks/phases.py``)."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [PYTHON, str(HERE / "phases.py"), str(geodata)],
            stdout=out,
            stderr=subprocess.PIPE,
            env=CHILD_ENV,
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
            problem = "" if process.returncode == 0 else stderr.decode()[-300:].strip()
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            problem = f"stopped after {timeout:.0f} s"
        out.seek(0)
        records = [json.loads(line) for line in out.read().decode().splitlines()]
    result = Phases(problem=problem)
    for record in records:
        if "seconds" in record:
            result.steps.append((record["phase"], float(record["seconds"])))
        result.page_bytes = int(record.get("page_bytes", result.page_bytes))
    return result


def _simplify_stats(scale: Scale, river: Any, geodata: Path) -> None:
    """Time web_ready on the shipped layers with the synthetic river in them."""
    try:
        from bordermap.simplify import web_ready
    except ImportError as error:
        scale.simplify_note = f"bordermap.simplify not importable: {error}"
        return
    layers: dict[str, Any] = {}
    for path in _layer_files(geodata):
        layers[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    coordinates = river[:, ::-1].tolist()  # [lat, lon] -> [lon, lat]
    for layer in layers.values():
        for feature in layer.get("features", []):
            if (feature.get("properties") or {}).get("kind") in ("river", "border"):
                feature["geometry"] = {"type": "LineString", "coordinates": coordinates}
    start = time.perf_counter()
    web, deviations = web_ready(layers)
    scale.simplify_s = time.perf_counter() - start
    kept = [
        len(feature["geometry"]["coordinates"])
        for layer in web.values()
        for feature in layer.get("features", [])
        if (feature.get("properties") or {}).get("kind") == "river"
    ]
    scale.kept = kept[0] if kept else None
    scale.deviation_m = max(deviations.values(), default=0.0)


# --------------------------------------------------------------------------- report


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _bytes(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1e6:.2f} MB"
    return f"{count / 1e3:.0f} kB"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _run_cell(done: Run) -> str:
    """Say how long a run took, or how it failed."""
    if done.ok:
        return _s(done.seconds)
    if done.timed_out:
        return f"> {_s(done.seconds)}"
    return f"failed {_s(done.seconds)}: {done.stderr[-150:].strip()}"


def report(results: dict[str, Any]) -> str:
    """Return the results as Markdown."""
    facts: dict[str, str] = results["machine"]
    bare: Series = results["bare"]
    build: Series = results["build"]
    cdn: Series = results["build_cdn"]
    explore: Series = results["explore"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py` (see `benchmarks/README.md`); every command",
        "runs in a fresh process, times are medians of "
        f"{results['runs']} interleaved runs after one warm-up run.",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in facts.items()]

    lines += ["", "## `bordermap build` against its baselines (the shipped facts)", ""]
    rows = []
    for one, what in (
        (bare, '`python -c "import geopandas, folium"`'),
        (explore, "`GeoDataFrame.explore()` per layer, then save"),
        (build, "`bordermap build`"),
        (cdn, "`bordermap build --cdn`"),
    ):
        if not one.ok:
            rows.append([what, one.failure() or "not run", "", "", "", "", "", "", ""])
            continue
        page = results["pages"].get(one.label, 0)
        explore_page = results["pages"].get("explore", 0)
        rows.append(
            [
                what,
                _s(one.median),
                f"{one.low:.2f}–{one.high:.2f}",
                f"{one.median / bare.median:.2f}×" if bare.ok else "",
                _s(one.cpu_median),
                f"{one.cpu_median / bare.cpu_median:.2f}×" if bare.ok else "",
                f"{one.peak_mib:.0f} MiB",
                _bytes(page) if page else "",
                f"{page / explore_page:.2f}×" if page and explore_page else "",
            ]
        )
    lines += _table(
        [
            "command",
            "median",
            "range (s)",
            "÷ bare import",
            "CPU (user + sys)",
            "CPU ÷ bare import",
            "peak memory",
            "page",
            "÷ explore page",
        ],
        rows,
    )
    pages = results["pages"]
    if pages.get("build") and pages.get("build_cdn"):
        floor_bytes = pages.get("leaflet_alone", 0)
        lines += [
            "",
            f"Page targets (issue 18): self-contained ≤ 260 kB ({_bytes(pages['build'])}: "
            f"{'met' if pages['build'] <= 260_000 else 'missed'}), `--cdn` ≤ 80 kB "
            f"({_bytes(pages['build_cdn'])}: "
            f"{'met' if pages['build_cdn'] <= 80_000 else 'missed'})."
            + (
                f" The same pages unpacked (`render_html(packed=False)`, the data, panels and "
                f"scripts as they are): {_bytes(pages['unpacked'])} and "
                f"{_bytes(pages['unpacked_cdn'])}."
                if pages.get("unpacked") and pages.get("unpacked_cdn")
                else ""
            )
            + (
                f" Baseline: Leaflet and its plugin inlined with the same lines and nothing "
                f"else make {_bytes(floor_bytes)}."
                if floor_bytes
                else ""
            ),
        ]
    if not explore.ok:
        lines += [
            "",
            "The explore() baseline did not run: `GeoDataFrame.explore()` needs mapclassify "
            "(`pip install mapclassify`, or pass `--explore-path DIR` with it installed there).",
        ]

    lines += ["", "## Command line start-up", ""]
    rows = [
        [f"`{' '.join(s.argv[1:])}`", _ms(s.median), _ms(s.high), s.failure() or "ok"]
        for s in results["startup"]
    ]
    lines += _table(["command", "median", "slowest", ""], rows)
    help_imports = results.get("help_heavy")
    if help_imports is not None:
        lines += [
            "",
            "Heavy modules loaded by `bordermap --help`: "
            + (", ".join(help_imports) if help_imports else "none")
            + ".",
        ]

    lines += ["", "## Drawing in headless Chromium (network blocked)", ""]
    drawn: Drawn | None = results.get("drawn")
    floor: Drawn | None = results.get("drawn_floor")
    unpacked: Drawn | None = results.get("drawn_unpacked")
    if results.get("browser_error"):
        lines.append(f"Not measured: {results['browser_error']}.")
    elif drawn is not None:
        rows = []
        for one, what in (
            (drawn, "`bordermap build` map"),
            (unpacked, "the same map unpacked (`render_html(packed=False)`)"),
            (floor, "baseline: the same lines, Leaflet alone"),
        ):
            if one is None:
                continue
            if not one.ok:
                rows.append([what, f"failed: {one.error}", "", "", "", ""])
                continue
            ratio = ""
            if floor is not None and floor.ok:
                ratio = (
                    f"{statistics.median(one.drawn_ms) / statistics.median(floor.drawn_ms):.2f}×"
                )
            rows.append(
                [
                    what,
                    _ms(statistics.median(one.drawn_ms) / 1000),
                    ratio,
                    _ms(statistics.median(one.dom_ms) / 1000),
                    _ms(statistics.median(one.load_ms) / 1000),
                    f"{one.features} of {one.expected}",
                ]
            )
        lines += _table(
            [
                "page",
                "navigation → all lines drawn",
                "÷ Leaflet alone",
                "DOMContentLoaded",
                "load",
                "lines",
            ],
            rows,
        )
        lines += [
            "",
            f"Medians of {results['runs']} loads of each page, taking turns. Target (issue 18): "
            "all lines drawn ≤ 300 ms after navigation. The map's page is packed (its data, "
            "panels and scripts deflated, inflated by the browser's `DecompressionStream` "
            "before the map is drawn); the unpacked page is the same map written by the same "
            "code with `packed=False`, what the page was before packing. The baseline page "
            "inlines Leaflet and its plugin as the map does and draws the shown layers' lines "
            "with one `L.geoJSON` (no base, panels, labels or layout pass): the floor of "
            "drawing them here. The explore() page loads Leaflet, jQuery and Bootstrap from "
            "CDNs, so with the network blocked it draws nothing: it is not timed.",
        ]
    placement = results.get("placement")
    if placement:
        lines += ["", "## Label placement pass per zoom change (headless Chromium)", ""]
        lines += _table(
            [
                "size",
                "labels",
                "placement pass",
                "slowest",
                "baseline: whole zoom change",
                "placement ÷ zoom change",
            ],
            [
                [
                    f"{row['width']}×{row['height']}",
                    str(row["labels"]),
                    f"{row['placement_ms']:.1f} ms",
                    f"{row['placement_max_ms']:.1f} ms",
                    f"{row['zoom_ms']:.1f} ms",
                    f"{row['placement_ms'] / row['zoom_ms']:.2f}" if row["zoom_ms"] else "",
                ]
                for row in placement
            ],
        )
        lines += [
            "",
            "`benchmarks/placement.py`'s measure, on the built map: 40 zoom changes per size "
            "through the map object, the pass's own time (`window.bordermap.placementMs`) "
            "beside the whole zoom change's, timed in the same page. Target (issue 12): "
            "under 50 ms.",
        ]

    lines += ["", "## Scaling: a synthetic river of N vertices", ""]
    rows = []
    for scale in results["scaling"]:
        build_cell = scale.skipped and f"skipped: {scale.skipped}"
        if scale.build is not None:
            build_cell = _run_cell(scale.build)
            if len(scale.build_seconds) > 1:
                low, high = min(scale.build_seconds), max(scale.build_seconds)
                build_cell += f" ({low:.2f}–{high:.2f}, {len(scale.build_seconds)} runs)"
        draw_cell = ""
        if scale.drawn is not None:
            draw_cell = (
                _ms(statistics.median(scale.drawn.drawn_ms) / 1000)
                if scale.drawn.ok
                else scale.drawn.error or "not measured"
            )
        rows.append(
            [
                f"{scale.vertices:,}",
                _bytes(scale.river_bytes),
                build_cell,
                _bytes(scale.html_bytes) if scale.html_bytes else "",
                f"{scale.build.peak_mib:.0f} MiB" if scale.build and scale.build.ok else "",
                f"{scale.positions:,}" if scale.positions else "",
                draw_cell,
                (
                    f"{scale.simplify_s:.2f} s → {scale.kept:,} vertices, "
                    f"≤ {scale.deviation_m:.2f} m"
                    if scale.simplify_s is not None and scale.kept is not None
                    else scale.simplify_note
                ),
            ]
        )
    lines += _table(
        [
            "river vertices",
            "river's GeoJSON file",
            "`bordermap build`",
            "page",
            "peak memory",
            "positions in page",
            "drawn in Chromium",
            "`web_ready()` alone",
        ],
        rows,
    )
    lines += [
        "",
        "Positions in page counts every position written into the page, packed in its "
        "JSON blocks (the base, the river and the border drawn on it, bridges, places, "
        "areas) or as a `[lon, lat]` pair: it shows whether the map "
        "draws the layers' full detail or web-ready geometry. `web_ready()` alone is "
        "`bordermap.simplify.web_ready` (default bound) on the layers with the synthetic "
        "river, in this process: time, the river's vertices kept, the largest deviation.",
        "",
        "The same rivers written inline in `facts.toml` (`lat_lon = [...]`) instead of in "
        "a GeoJSON file the facts name: Python's TOML parser (`tomllib`, pure Python) "
        "reads them several times slower than `json` reads the file.",
        "",
    ]
    rows = []
    for scale in results["scaling"]:
        cell = scale.inline_skipped and f"skipped: {scale.inline_skipped}"
        if scale.inline is not None:
            cell = _run_cell(scale.inline)
        memory = f"{scale.inline.peak_mib:.0f} MiB" if scale.inline and scale.inline.ok else ""
        rows.append([f"{scale.vertices:,}", _bytes(scale.inline_bytes), cell, memory])
    lines += _table(["river vertices", "`facts.toml`", "`bordermap build`", "peak memory"], rows)

    timed: Phases = results.get("phases", Phases())
    lines += [
        "",
        f"## Where a build of the {results.get('phases_size', 0):,}-vertex river spends its time",
        "",
        "Each step of `bordermap build` timed in one process (`benchmarks/phases.py`); "
        "`web_ready()`, which `build_map` applies to the layers it draws, is timed on its "
        "own. Their sum is about what the build takes, less process start-up.",
        "",
    ]
    lines += _table(["step", "time"], [[name, _s(seconds)] for name, seconds in timed.steps])
    lines += ["", f"Sum of the steps (parsing counted once, in load_facts): {_s(timed.total)}."]
    if timed.page_bytes:
        lines[-1] += f" The page drawn from web-ready layers: {_bytes(timed.page_bytes)}."
    slowest = sorted(
        (step for step in timed.steps if not _within_load(step[0])),
        key=lambda step: -step[1],
    )[:3]
    if slowest:
        lines[-1] += " Slowest: " + ", ".join(f"{name} {_s(s)}" for name, s in slowest) + "."
    if timed.problem:
        lines.append(f"Not every step ran: {timed.problem}")

    lines += ["", "## Where `bordermap build`'s import time goes (`python -X importtime`)", ""]
    profile: ImportProfile = results["imports_build"]
    bare_profile: ImportProfile = results["imports_bare"]
    lines += _table(
        ["imported first by the build", "cumulative"],
        [[f"`{name}`", f"{ms:,.0f} ms"] for name, ms in profile.top_level[:8]],
    )
    notable = ("folium", "pandas", "numpy", "shapely", "pyproj", "branca", "jinja2", "geopandas")
    lines += [
        "",
        f"All imports: {profile.total_ms:,.0f} ms in `bordermap build`, "
        f"{bare_profile.total_ms:,.0f} ms in the bare import. Within them (cumulative, "
        "where first imported): "
        + ", ".join(
            f"{name} {profile.packages[name]:,.0f} ms"
            for name in notable
            if name in profile.packages
        )
        + ".",
    ]

    lines += ["", "## Targets (issue 7)", ""]
    lines += _table(["target", "measured", ""], targets(results))
    lines.append("")
    return "\n".join(lines)


def targets(results: dict[str, Any]) -> list[list[str]]:
    """Return each target with what was measured and whether it is met."""
    rows = []
    bare: Series = results["bare"]
    build: Series = results["build"]
    if bare.ok and build.ok:
        ratio = build.median / bare.median
        cpu_ratio = build.cpu_median / bare.cpu_median
        rows.append(
            [
                f"`build` ≤ {TARGET_BUILD_RATIO}× the bare import",
                f"{ratio:.2f}× ({_s(build.median)} against {_s(bare.median)}); CPU time "
                f"{cpu_ratio:.2f}× ({_s(build.cpu_median)} against {_s(bare.cpu_median)})",
                "met" if ratio <= TARGET_BUILD_RATIO else "missed",
            ]
        )
    big = next((s for s in results["scaling"] if s.vertices == BIG), None)
    timed: Phases | None = results.get("phases") if results.get("phases_size") == BIG else None
    projected = ""
    if timed is not None and timed.steps and not timed.problem:
        projected = (
            f"; its steps, timed in one process, add up to {_s(timed.total)} "
            f"and its page to {_bytes(timed.page_bytes)}"
        )
    if big is None:
        rows.append(["10^6-vertex river: build < 15 s, page < 5 MB", "not run", ""])
    elif big.build is None or not big.build.ok:
        what = big.skipped or (big.build.stderr[-120:].strip() if big.build else "not run")
        if big.build is not None and big.build.timed_out:
            what = f"over {big.build.seconds:.0f} s (stopped)"
        rows.append(["10^6-vertex river: build < 15 s, page < 5 MB", what + projected, "missed"])
    else:
        fast = big.build.seconds < TARGET_BIG_SECONDS
        small = big.html_bytes < TARGET_BIG_BYTES
        cores = len(os.sched_getaffinity(0))
        rows.append(
            [
                f"10^6-vertex river: build < {TARGET_BIG_SECONDS:.0f} s on 2 cores",
                f"{_s(big.build.seconds)} on {cores} cores"
                + (
                    f" (median of {len(big.build_seconds)} runs, "
                    f"{min(big.build_seconds):.2f}–{max(big.build_seconds):.2f} s)"
                    if len(big.build_seconds) > 1
                    else ""
                ),
                "met" if fast else "missed",
            ]
        )
        rows.append(
            [
                "10^6-vertex river: page < 5 MB",
                _bytes(big.html_bytes),
                "met" if small else "missed",
            ]
        )
    help_series = next((s for s in results["startup"] if s.argv[-1] == "--help"), None)
    if help_series is not None and help_series.ok:
        rows.append(
            [
                f"`--help` < {TARGET_HELP_SECONDS} s",
                f"{_ms(help_series.median)} (slowest {_ms(help_series.high)})",
                "met" if help_series.median < TARGET_HELP_SECONDS else "missed",
            ]
        )
    return rows


def heavy_after_help() -> list[str]:
    """Return the heavy libraries ``bordermap --help`` imports."""
    code = (
        "import sys\nfrom bordermap.cli import main\nmain(['--help'])\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    )
    done = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, check=True, env=CHILD_ENV
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"')))


# --------------------------------------------------------------------------- main


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Benchmark bordermap against its baselines; write benchmarks/results.md.",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    parser.add_argument(
        "--scale-runs",
        type=int,
        default=3,
        help="timed builds of each synthetic river from its GeoJSON file, the median "
        "reported (default 3)",
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000,1000000",
        help="river vertices for the scaling runs, comma-separated (default 10^3..10^6)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds before a scaling build is stopped; larger sizes are then skipped "
        "(default 300)",
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    parser.add_argument(
        "--explore-path",
        default=None,
        metavar="DIR",
        help="a directory to add to PYTHONPATH for the explore() baseline only (where "
        "mapclassify is installed, if not in this environment)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=HERE / "results.md",
        help="where to write the results (default benchmarks/results.md)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark, print the tables and write them; return the exit status."""
    arguments = parse_arguments(argv)
    sizes = [int(part) for part in arguments.sizes.split(",") if part.strip()]

    def say(text: str) -> None:
        print(text, flush=True)

    explore_env = with_path(arguments.explore_path)
    results: dict[str, Any] = {
        "runs": arguments.runs,
        "machine": machine(explore_env),
        "pages": {},
    }
    with tempfile.TemporaryDirectory(prefix="bordermap-bench-") as temporary:
        work = Path(temporary)
        geodata = work / "shipped" / "geodata"
        shutil.copytree(REPO / "geodata", geodata)
        outputs = work / "shipped" / "outputs"
        say("building once to make the layers the explore() baseline reads ...")
        first = run(build_argv(geodata, outputs), timeout=arguments.timeout)
        if not first.ok:
            say(f"bordermap build failed: {first.stderr}")
            return 1
        explore_page = work / "explore.html"
        results["bare"] = Series("bare", [PYTHON, "-c", "import geopandas, folium"])
        results["build"] = Series("build", build_argv(geodata, outputs))
        results["build_cdn"] = Series("build_cdn", build_argv(geodata, work / "cdn", "--cdn"))
        results["explore"] = Series(
            "explore",
            [PYTHON, str(HERE / "explore_baseline.py"), str(geodata), str(explore_page)],
            env=explore_env,
        )
        main_series = [results[k] for k in ("bare", "explore", "build", "build_cdn")]
        say(f"timing build and its baselines ({arguments.runs} runs each) ...")
        interleaved(main_series, arguments.runs, arguments.timeout)
        for label, page in (
            ("build", outputs / MAP_FILE),
            ("build_cdn", work / "cdn" / MAP_FILE),
            ("explore", explore_page),
        ):
            if page.exists():
                results["pages"][label] = page.stat().st_size
        unpacked = unpacked_pages(geodata, work)
        for label, page in unpacked.items():
            results["pages"][label] = page.stat().st_size

        say("timing --help and --version ...")
        results["startup"] = [
            Series("help", bordermap("--help")),
            Series("version", bordermap("--version")),
        ]
        interleaved(results["startup"], max(arguments.runs, 10), arguments.timeout)
        results["help_heavy"] = heavy_after_help()

        say("profiling imports ...")
        results["imports_build"] = import_profile(build_argv(geodata, outputs))
        results["imports_bare"] = import_profile([PYTHON, "-c", "import geopandas, folium"])

        say("scaling with synthetic rivers ...")
        results["scaling"] = scaling(
            sizes, work, geodata, arguments.timeout, say, runs=arguments.scale_runs
        )
        if sizes:
            results["phases_size"] = max(sizes)
            say(f"timing each step of a build of {max(sizes):,} vertices ...")
            results["phases"] = phases(work / f"river-{max(sizes)}" / "geodata", arguments.timeout)

        if not arguments.no_browser:
            say("drawing in headless Chromium ...")
            results["drawn"] = Drawn(outputs / MAP_FILE, expected_lines(geodata))
            floor = leaflet_alone(geodata, work / "leaflet_alone.html")
            results["pages"]["leaflet_alone"] = floor.stat().st_size
            results["drawn_floor"] = Drawn(floor, expected_lines(geodata))
            results["drawn_unpacked"] = Drawn(unpacked["unpacked"], expected_lines(geodata))
            pages = [results["drawn"], results["drawn_unpacked"], results["drawn_floor"]]
            error = draw_times(pages, arguments.runs, timeout_s=60)
            big_pages = [s.drawn for s in results["scaling"] if s.drawn is not None]
            if not error:
                error = draw_times(big_pages, 1, timeout_s=arguments.timeout)
            results["browser_error"] = error
            if not error:
                say("timing the label placement pass (benchmarks/placement.py) ...")
                from placement import measure as measure_placement

                results["placement"] = measure_placement(outputs / MAP_FILE, 10, CHROMIUM)

    results["machine"]["load average"] += f"; {_load()} at the end"
    text = report(results)
    arguments.output.write_text(text, encoding="utf-8")
    say("")
    say(text)
    say(f"written to {arguments.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
