"""Synthetic rivers for the benchmarks: the real Tumen channel with N vertices and meanders.

The shipped channel (20 vertices from OpenStreetMap) is smoothed, resampled at N
points evenly spaced along it and offset sideways by a sum of seeded sine waves
(meanders from 6 m to 400 m long, up to a few metres wide): a line with the shape of
the real river and the detail of a full-resolution survey, whose length does not grow
with N. Its ends stay exactly on the real tripoint and mouth, and it stays inside the
facts file's ``[map] region``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer

#: The shipped facts file.
FACTS = Path(__file__).resolve().parents[1] / "geodata" / "facts.toml"

#: Projected CRS the noise is made in (UTM zone 52N, as bordermap.settings).
CRS = "EPSG:32652"

# Meanders: (wavelength in metres, amplitude in metres).
_MEANDERS = ((400.0, 6.0), (170.0, 3.0), (63.0, 1.6), (23.0, 0.8), (9.0, 0.35), (6.0, 0.2))


def channel(facts_text: str) -> NDArray[np.float64]:
    """Return the river's ``[lat, lon]`` vertices from the facts text."""
    facts = tomllib.loads(facts_text)
    river = next(f for f in facts["features"] if f["kind"] == "river")
    return np.asarray(river["geometry"]["lat_lon"], dtype=float)


def synthetic_river(
    vertices: int, *, facts_text: str | None = None, seed: int = 7
) -> NDArray[np.float64]:
    """Return ``vertices`` ``[lat, lon]`` positions of a meandering Tumen channel.

    Parameters
    ----------
    vertices : int
        How many vertices (at least 3).
    facts_text : str, optional
        The facts file's text; defaults to the shipped one.
    seed : int
        Seed of the meanders' phases: the same seed gives the same river.

    Returns
    -------
    numpy.ndarray
        ``(vertices, 2)`` latitudes and longitudes, rounded to 6 decimals, first and
        last the real channel's ends.
    """
    if vertices < 3:
        raise ValueError(f"a synthetic river needs at least 3 vertices, got {vertices!r}")
    latlon = channel(facts_text if facts_text is not None else FACTS.read_text("utf-8"))
    forward = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    back = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    xy = np.column_stack(forward.transform(latlon[:, 1], latlon[:, 0]))
    for _ in range(4):  # Chaikin corner cutting, ends kept: bends become curves
        quarter = 0.75 * xy[:-1] + 0.25 * xy[1:]
        three = 0.25 * xy[:-1] + 0.75 * xy[1:]
        xy = np.vstack([xy[:1], np.column_stack([quarter, three]).reshape(-1, 2), xy[-1:]])
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    s = np.linspace(0.0, along[-1], vertices)
    base = np.column_stack([np.interp(s, along, xy[:, 0]), np.interp(s, along, xy[:, 1])])
    tangent = np.gradient(base, axis=0)
    tangent /= np.hypot(tangent[:, 0], tangent[:, 1])[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    rng = np.random.default_rng(seed)
    offset = np.zeros(vertices)
    for wavelength, amplitude in _MEANDERS:
        offset += amplitude * np.sin(2 * np.pi * s / wavelength + rng.uniform(0, 2 * np.pi))
    taper = np.clip(np.minimum(s, along[-1] - s) / 200.0, 0.0, 1.0)  # ends stay put
    moved = base + (offset * taper)[:, None] * normal
    lon, lat = back.transform(moved[:, 0], moved[:, 1])
    river = np.round(np.column_stack([lat, lon]), 6)
    river[0], river[-1] = latlon[0], latlon[-1]
    return river


def facts_with_river(river: NDArray[np.float64], *, facts_text: str | None = None) -> str:
    """Return the facts text with the river's ``lat_lon`` replaced by ``river``."""
    body = ",\n".join(f"  [{lat:.6f}, {lon:.6f}]" for lat, lon in river.tolist())
    return _replace_river(f"lat_lon = [\n{body}\n]\n", facts_text)


def facts_with_river_file(name: str, *, facts_text: str | None = None) -> str:
    """Return the facts text with the river's ``lat_lon`` replaced by ``file = name``."""
    return _replace_river(f'file = "{name}"\n', facts_text)


def river_geojson(river: NDArray[np.float64]) -> str:
    """Return ``river`` (``[lat, lon]`` rows) as a GeoJSON LineString, as exports write it."""
    positions = ",".join(f"[{lon:.6f},{lat:.6f}]" for lat, lon in river.tolist())
    return f'{{"type":"LineString","coordinates":[{positions}]}}\n'


def _replace_river(replacement: str, facts_text: str | None) -> str:
    text = facts_text if facts_text is not None else FACTS.read_text("utf-8")
    pattern = re.compile(r"^lat_lon = \[\n.*?^\]\n", re.DOTALL | re.MULTILINE)
    match = pattern.search(text)
    if match is None:
        raise ValueError("no 'lat_lon = [' block found in the facts text")
    return text[: match.start()] + replacement + text[match.end() :]
