"""Where a build's time goes: each step of ``bordermap build``, timed in one process.

Usage: ``python benchmarks/phases.py GEODATA_DIR``

Prints one JSON object a line, ``{"phase": ..., "seconds": ...}``, as each step ends
(so that a run stopped by a timeout still tells how far it got), and last
``{"page_bytes": ...}``, the size of the page. Parsing is also timed on its own
(part of ``load_facts``): ``tomllib`` on the facts file, and ``json`` on each line
file it names. ``web_ready`` is timed on its own
(:func:`bordermap.simplify.web_ready`, which ``build_map`` applies to the layers it
draws), and the map is drawn from its result. The garbage collector is set as the
``bordermap`` command sets it.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(phase: str, step: Callable[[], Any]) -> Any:
    """Run one step, print how long it took, and return its result."""
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    print(json.dumps({"phase": phase, "seconds": round(seconds, 3)}), flush=True)
    return result


def main(geodata: Path) -> None:
    """Time each step of a build from ``geodata/facts.toml``."""
    facts_path = geodata / "facts.toml"

    def imports() -> Any:
        import folium  # noqa: F401  (the map's own import, timed here and not below)

        from bordermap import build_layers, build_map, load_facts, render_html, write_layers
        from bordermap.cli import _GC_THRESHOLD
        from bordermap.simplify import web_ready

        gc.set_threshold(_GC_THRESHOLD, *gc.get_threshold()[1:])
        return build_layers, build_map, load_facts, render_html, write_layers, web_ready

    build_layers, build_map, load_facts, render_html, write_layers, web_ready = timed(
        "import bordermap and folium", imports
    )
    text = facts_path.read_text(encoding="utf-8")
    data = timed("tomllib.loads (part of load_facts)", lambda: tomllib.loads(text))
    for feature in data.get("features", []):
        name = (feature.get("geometry") or {}).get("file")
        if name:
            line_text = (geodata / name).read_text(encoding="utf-8")
            timed(f"json.loads of {name} (part of load_facts)", lambda t=line_text: json.loads(t))
    facts = timed("load_facts (parse and check)", lambda: load_facts(facts_path))
    layers = timed("build_layers", lambda: build_layers(facts))
    with tempfile.TemporaryDirectory() as directory:
        timed("write_layers (GeoJSON text, written)", lambda: write_layers(layers, directory))
    web_layers, _ = timed("web_ready", lambda: web_ready(layers))
    web_map = timed("build_map (web-ready layers)", lambda: build_map(web_layers, base=geodata))
    page = timed("render_html", lambda: render_html(web_map))
    print(json.dumps({"page_bytes": len(page.encode("utf-8"))}), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
