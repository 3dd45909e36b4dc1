"""Benchmark the web map's label placement pass, per zoom change, in headless Chromium.

    python benchmarks/placement.py [--html outputs/tumen_border_map.html] [--repeats 10]

For each size a reader uses (358×420, 390×844, 720×540, 1280×800) it opens the map
offline, then changes the zoom through the map object (−1, −2, +1 and back, ``--repeats``
times, without animation) and reads two times measured in the page on each change:
the placement pass alone (``window.bordermap.placementMs``, which the page records)
and the whole zoom change as the page's script sees it (Leaflet redrawing every layer,
then the placement pass): its baseline, in the same run. Writes the medians and the
ratio to ``benchmarks/placement.md``. Target (issue 12): under 50 ms per zoom change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SIZES = [(358, 420), (390, 844), (720, 540), (1280, 800)]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_MS = 50.0

# One zoom change: the whole of it, timed around setZoom (synchronous without
# animation: Leaflet redraws, fires zoomend, and the page places its labels).
_ZOOM = """(z) => {
  const map = Object.values(window).find((v) => v instanceof L.Map);
  const started = performance.now();
  map.setZoom(z, {animate: false});
  return [performance.now() - started, window.bordermap.placementMs,
          window.bordermap.labels.length];
}"""


def measure(html: Path, repeats: int, chromium: str) -> list[dict[str, float]]:
    """Return, per size, the median placement and zoom-change times in milliseconds."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for width, height in SIZES:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:"))
                    else route.abort()
                ),
            )
            page.goto(html.resolve().as_uri())
            page.wait_for_selector("path.bm-feature")
            page.wait_for_timeout(500)
            start = page.evaluate(
                "() => Object.values(window).find((v) => v instanceof L.Map).getZoom()"
            )
            whole, placing, labels = [], [], 0
            for _ in range(repeats):
                for change in (-1, -2, 1, 0):
                    total, place, labels = page.evaluate(_ZOOM, start + change)
                    whole.append(total)
                    placing.append(place)
            page.close()
            rows.append(
                {
                    "width": width,
                    "height": height,
                    "labels": labels,
                    "placement_ms": statistics.median(placing),
                    "placement_max_ms": max(placing),
                    "zoom_ms": statistics.median(whole),
                }
            )
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure, print and write ``benchmarks/placement.md``; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=REPO / "outputs" / "tumen_border_map.html")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=HERE / "placement.md")
    args = parser.parse_args(argv)
    rows = measure(args.html, args.repeats, args.chromium)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    lines = [
        "# Label placement per zoom change (issue 12)",
        "",
        f"Run {dt.date.today().isoformat()} on {commit or 'an unknown commit'}, "
        f"{platform.machine()}, {platform.python_version()}, headless Chromium, network "
        f"blocked; `python benchmarks/placement.py --repeats {args.repeats}` "
        f"({4 * args.repeats} zoom changes per size, medians). The whole zoom change "
        "(Leaflet redrawing every layer, then the placement pass) is the baseline, "
        "timed in the same page.",
        "",
        "| size | labels | placement pass (ms) | slowest (ms) | whole zoom change (ms) "
        "| placement / zoom change | target < 50 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        share = row["placement_ms"] / row["zoom_ms"] if row["zoom_ms"] else 0.0
        met = "met" if row["placement_max_ms"] < TARGET_MS else "missed"
        lines.append(
            f"| {row['width']}×{row['height']} | {row['labels']} | {row['placement_ms']:.1f} "
            f"| {row['placement_max_ms']:.1f} | {row['zoom_ms']:.1f} | {share:.2f} | {met} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
