"""The naive route, for comparison: every layer through ``GeoDataFrame.explore()``, then save.

Usage: ``python benchmarks/explore_baseline.py GEODATA_DIR OUTPUT_HTML``

Reads every ``*.geojson`` layer in ``GEODATA_DIR`` (the layers ``bordermap build``
wrote), draws each with ``explore()`` on one folium map with a layer control, and
saves the page. This is what a user would write without bordermap.
"""

from __future__ import annotations

import sys
from pathlib import Path

import folium
import geopandas


def main(geodata: Path, output: Path) -> None:
    """Draw the layers in ``geodata`` with ``explore()`` and save the map to ``output``."""
    web_map = None
    for path in sorted(geodata.glob("*.geojson")):
        frame = geopandas.read_file(path)
        if frame.empty:
            continue
        web_map = frame.explore(m=web_map, name=path.stem)
    if web_map is None:
        raise SystemExit(f"no layers in {geodata}")
    folium.LayerControl().add_to(web_map)
    web_map.save(output)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
