"""The base of any region: its countries, sea and a locator inset, from public data on disk.

:func:`make_base` makes a map's base (``base/local.geojson``, ``base/inset.geojson``
and ``base/README.md``, which records the sources, versions and licences beside the
data) for any region, from two npm packages installed offline (no network at run time):

- ``@osm_borders/maritime_10m`` (``borders.geo.json``): OpenStreetMap's country
  areas, ODbL; the countries and the boundaries between them.
- ``world-atlas`` (``land-10m.json``): Natural Earth's 1:10m land, public domain; the
  coast, so that land and sea are told apart (approximate at the scale of a bridge).

The local base is the region itself; the inset is a wider view
(:data:`INSET_SPAN_KM` around the region's centre) with every country's outline, the
map's own countries named, on which the map's region is marked as a box.
:func:`base_sources` finds the packages in a ``node_modules`` folder and records
their versions. ``bordermap new`` and ``scripts/make_base.py --map DIR`` use it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bordermap import settings
from bordermap._geojson import dumps_geojson
from bordermap._io import read_json
from bordermap.errors import FactsError

__all__ = [
    "INSET_SPAN_KM",
    "NATURAL_EARTH",
    "OSM_BORDERS",
    "BaseSources",
    "base_sources",
    "country_areas",
    "inset_extent",
    "make_base",
    "map_countries",
]

#: The inset's width and height, km, around the region's centre (grown for a larger region).
INSET_SPAN_KM: tuple[float, float] = (700.0, 560.0)
#: The inset is at least this many times as wide and tall as the region.
_INSET_LEAST_RATIO = 4.0
#: The inset's outlines are kept within this share of its width (about 1/5 of a pixel
#: at the 220 px it is drawn); islands under a pixel or so across are left out.
_INSET_TOLERANCE_SHARE = 1 / 1000
_INSET_MIN_AREA_SHARE = 1 / 200**2
#: A country whose area in the region is under this share of the largest's is not the map's.
_MIN_SHARE = 0.01
#: A map names at most this many countries (a tripoint has three).
_MAX_COUNTRIES = 4
#: Decimal places of the inset (about 10 m: far below a pixel).
_INSET_DECIMALS = 4

#: OpenStreetMap's country areas: how they are credited and licensed.
OSM_BORDERS: dict[str, str] = {
    "id": "osm-borders",
    "package": "@osm_borders/maritime_10m",
    "file": "borders.geo.json",
    "publisher": "OpenStreetMap contributors",
    "title": "Country boundaries from OpenStreetMap, simplified to 10 m "
    "(npm @osm_borders/maritime_10m)",
    "licence": "ODbL-1.0",
    "credit": "© OpenStreetMap contributors (ODbL)",
    "url": "https://www.openstreetmap.org/copyright",
    "package_url": "https://www.npmjs.com/package/@osm_borders/maritime_10m",
}
#: Natural Earth's land: how it is credited and licensed.
NATURAL_EARTH: dict[str, str] = {
    "id": "natural-earth",
    "package": "world-atlas",
    "file": "land-10m.json",
    "publisher": "Natural Earth",
    "title": "Natural Earth 1:10m land, as TopoJSON in the npm package world-atlas",
    "licence": "public domain (Natural Earth); package code ISC",
    "credit": "Natural Earth",
    "url": "https://www.naturalearthdata.com/",
    "package_url": "https://www.npmjs.com/package/world-atlas",
}
#: The fields of a record that a base file's and a feature's sources carry.
_SOURCE_FIELDS = ("id", "publisher", "title", "version", "licence", "credit", "url")


@dataclass(frozen=True)
class BaseSources:
    """Where a base is made from: files on disk and how each is credited.

    ``borders`` holds country areas: ``borders.geo.json`` of
    ``@osm_borders/maritime_10m`` (features with ``isoA2``) or a bordermap base file
    (features of ``kind = "country"``); ``inset_borders`` those of the inset (default:
    ``borders``); ``land`` Natural Earth's land (``land-10m.json`` of ``world-atlas``),
    or ``None`` for land wherever a country is (no coast).
    """

    borders: Path
    records: tuple[dict[str, str], ...]
    land: Path | None = None
    inset_borders: Path | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def base_sources(node_modules: str | Path) -> BaseSources:
    """Return the sources in a ``node_modules`` folder holding both packages, with versions.

    Raises
    ------
    FactsError
        If a package is missing (with the ``npm install`` command that installs it).
    """
    folder = Path(node_modules)
    records = []
    for record in (OSM_BORDERS, NATURAL_EARTH):
        manifest = folder / record["package"] / "package.json"
        if not manifest.is_file():
            raise FactsError(
                f"{folder}: npm package {record['package']} not found: install it with "
                "'npm ci --prefix scripts' (see README, 'Starting a map')"
            )
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version", "?")
        records.append({**record, "version": f"{record['package']} {version}"})
    return BaseSources(
        borders=folder / OSM_BORDERS["package"] / OSM_BORDERS["file"],
        land=folder / NATURAL_EARTH["package"] / NATURAL_EARTH["file"],
        records=tuple(records),
    )


def inset_extent(
    region: Sequence[float], span_km: tuple[float, float] = INSET_SPAN_KM
) -> tuple[float, float, float, float]:
    """Return the inset's extent: ``span_km`` (or 4 regions, if larger) around its centre."""
    west, south, east, north = (float(v) for v in region)
    centre_lon, centre_lat = (west + east) / 2, (south + north) / 2
    km_per_lon = 111.32 * max(math.cos(math.radians(centre_lat)), 0.05)
    half_lon = max(span_km[0] / 2 / km_per_lon, _INSET_LEAST_RATIO * (east - west) / 2)
    half_lat = max(span_km[1] / 2 / 111.2, _INSET_LEAST_RATIO * (north - south) / 2)
    return (
        round(max(centre_lon - half_lon, -180.0), 4),
        round(max(centre_lat - half_lat, -85.0), 4),
        round(min(centre_lon + half_lon, 180.0), 4),
        round(min(centre_lat + half_lat, 85.0), 4),
    )


def country_areas(path: Path, extent: Sequence[float]) -> list[tuple[str, Any]]:
    """Return ``(code, area within extent)`` of each country of ``path``, the largest first.

    Raises
    ------
    FactsError
        If the file cannot be read as GeoJSON.
    """
    import shapely
    from shapely.geometry import box, shape
    from shapely.ops import unary_union

    problems: list[str] = []
    data = read_json(path, problems, "country areas not found (see README, 'bordermap new')")
    if data is None:
        raise FactsError(problems)
    frame = box(*extent)
    found: list[tuple[str, Any]] = []
    for feature in data.get("features") or [] if isinstance(data, dict) else []:
        properties = feature.get("properties") or {}
        code = properties.get("isoA2") or (
            properties.get("country") if properties.get("kind") == "country" else None
        )
        if not isinstance(code, str) or len(code) != 2 or not feature.get("geometry"):
            continue
        geometry = shape(feature["geometry"])
        if not frame.intersects(box(*geometry.bounds)):
            continue
        # Clip each polygon to the extent before repairing it: a whole country's
        # outline, at 10 m, is far slower to repair than the piece that is drawn.
        parts = [part for part in shapely.get_parts(geometry) if part.area > 0]
        clipped = unary_union(
            [shapely.make_valid(shapely.clip_by_rect(part, *extent)) for part in parts]
        )
        if clipped.area > 0:
            found.append((code.upper(), _polygonal(clipped)))
    found.sort(key=lambda item: -item[1].area)
    return found


def land_within(path: Path, extent: Sequence[float]) -> Any:
    """Return Natural Earth's land (a world-atlas TopoJSON file) within ``extent``."""
    import numpy as np
    import shapely
    from shapely.geometry import Polygon
    from shapely.ops import unary_union

    topology = json.loads(path.read_text(encoding="utf-8"))
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        steps = np.cumsum(np.asarray(arc, dtype=float).reshape(-1, 2), axis=0)
        arcs.append(
            np.column_stack((steps[:, 0] * scale_x + shift_x, steps[:, 1] * scale_y + shift_y))
        )

    def ring(indices: Sequence[int]) -> Any:
        pieces = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indices]
        return np.concatenate([pieces[0], *(piece[1:] for piece in pieces[1:])])

    west, south, east, north = extent
    kept = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for rings in polygons:
            shell = ring(rings[0])
            if (
                shell[:, 0].max() < west
                or shell[:, 0].min() > east
                or shell[:, 1].max() < south
                or shell[:, 1].min() > north
                or len(shell) < 4
            ):
                continue
            holes = [hole for hole in (ring(indices) for indices in rings[1:]) if len(hole) >= 4]
            polygon = Polygon(shell, holes)
            kept.append(shapely.make_valid(shapely.clip_by_rect(polygon, *extent)))
    return _polygonal(unary_union(kept)) if kept else Polygon()


def _polygonal(geometry: Any) -> Any:
    """Return only the polygons of ``geometry`` (an overlay may leave lines and points)."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon) and p.area > 0]
    nested = [p for p in shapely.get_parts(geometry) if isinstance(p, MultiPolygon)]
    parts += [p for multi in nested for p in multi.geoms]
    return shapely.union_all(parts) if parts else Polygon()


def map_countries(found: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Return the countries a new map names: the largest few, none under 1 % of the first."""
    if not found:
        return []
    largest = found[0][1].area
    return [item for item in found if item[1].area >= _MIN_SHARE * largest][:_MAX_COUNTRIES]


def make_base(
    region: Sequence[float],
    sources: BaseSources,
    *,
    countries: Sequence[str] | None = None,
    names: Mapping[str, Mapping[str, str]] | None = None,
    made_by: str = "bordermap new",
) -> tuple[dict[str, str], list[tuple[str, Any]]]:
    """Return a region's base files and its countries' areas in the region.

    Parameters
    ----------
    region : (west, south, east, north)
        The map's region, in degrees.
    sources : BaseSources
        The data to make it from (:func:`base_sources`).
    countries : sequence of str, optional
        The map's countries (ISO 3166-1 alpha-2), drawn in their own fills and named
        in the inset; default: :func:`map_countries` of the region.
    names : mapping, optional
        Country code to language to name (``[[map.countries]] name``); default: the code.
    made_by : str
        What made the files (recorded in them and in the README).

    Returns
    -------
    (dict, list)
        File name (``local.geojson``, ``inset.geojson``, ``README.md``) to its text;
        ``(code, area)`` of each country in the region, the largest first.
    """
    from shapely.geometry import box

    extent = inset_extent(region)
    wide = country_areas(sources.inset_borders or sources.borders, extent)
    if sources.inset_borders is None:
        # The region lies inside the inset: its areas are the inset's, clipped (one read).
        frame = box(*region)
        clipped = [(code, _polygonal(area.intersection(frame))) for code, area in wide]
        in_region = sorted(
            [(code, area) for code, area in clipped if area.area > 0], key=lambda c: -c[1].area
        )
    else:
        in_region = country_areas(sources.borders, region)
    chosen = countries if countries is not None else [c for c, _ in map_countries(in_region)]
    focus = tuple(chosen)
    names = names or {}
    land = None if sources.land is None else land_within(sources.land, extent)
    made = _Making(land, focus, names, sources, made_by)
    local = _collection("local", region, in_region, made)
    inset = _collection("inset", extent, wide, made)
    files = {
        "local.geojson": dumps_geojson(local),
        "inset.geojson": dumps_geojson(inset),
        "README.md": _readme(region, extent, sources, made_by),
    }
    return files, in_region


@dataclass(frozen=True)
class _Making:
    """What both base files are made with."""

    land: Any
    focus: tuple[str, ...]
    names: Mapping[str, Mapping[str, str]]
    sources: BaseSources
    made_by: str


def _collection(
    scale: str, extent: Sequence[float], areas: list[tuple[str, Any]], made: _Making
) -> dict[str, Any]:
    """Return one base file: the sea, then each country (the map's first) within ``extent``."""
    land, focus, names, sources = made.land, made.focus, made.names, made.sources
    import shapely
    from shapely.geometry import box
    from shapely.ops import polylabel

    decimals = _INSET_DECIMALS if scale == "inset" else settings.coordinate_decimals
    frame = box(*extent)
    width = extent[2] - extent[0]
    tolerance = width * _INSET_TOLERANCE_SHARE if scale == "inset" else 0.0
    least = (width * width * _INSET_MIN_AREA_SHARE) if scale == "inset" else 0.0
    land_here = None if land is None else land.intersection(frame)
    records = [_source(record) for record in sources.records]
    countries = []
    for code, area in areas:
        drawn = area.intersection(frame)
        if land_here is not None:
            drawn = _polygonal(drawn.intersection(land_here))
        drawn = _cleaned(drawn, tolerance, least, decimals)
        if not drawn.is_empty:
            countries.append((code, drawn))
    order = {code: index for index, code in enumerate(focus)}
    countries.sort(key=lambda item: (order.get(item[0], len(order)), item[0]))
    features: list[dict[str, Any]] = []
    # The sea is where Natural Earth has no land (without a coast, there is none).
    sea = None
    if land_here is not None:
        sea = _cleaned(_polygonal(frame.difference(land_here)), tolerance, least, decimals)
    if sea is not None and not sea.is_empty:
        features.append(
            _feature(f"{scale}-sea", {"name_en": "Sea", "kind": "sea"}, sea, records, decimals)
        )
    for code, drawn in countries:
        properties: dict[str, Any] = {
            "name_en": code,
            **{f"name_{lang}": name for lang, name in names.get(code, {}).items()},
            "kind": "country",
            "country": code,
            "focus": code in order,
        }
        if scale == "inset" and code in order:
            largest = max(shapely.get_parts(drawn), key=lambda part: part.area)
            at = polylabel(largest, tolerance=max(width / 500, 1e-4))
            properties["label_at"] = [round(at.x, decimals), round(at.y, decimals)]
        features.append(_feature(f"{scale}-{code.lower()}", properties, drawn, records, decimals))
    return {
        "type": "FeatureCollection",
        "name": f"base_{scale}",
        "bordermap": {
            "base": scale,
            "title": "The map's region and its countries"
            if scale == "local"
            else "The wider region, for the locator inset",
            "extent": [float(value) for value in extent],
            "made_by": f"{made.made_by} (bordermap.basedata; see base/README.md)",
            "credit": "; ".join(record["credit"] for record in records),
            "sources": records,
            "notes": list(sources.notes) + _notes(scale, land is not None),
        },
        "features": features,
    }


def _notes(scale: str, coast: bool) -> list[str]:
    what = (
        "Country areas: OpenStreetMap's boundaries, clipped to the region"
        if scale == "local"
        else "Country outlines around the region, simplified within a thousandth of "
        "the inset's width, islands under about a pixel left out: for the inset only"
    )
    if coast:
        return [what + "; land and sea split along Natural Earth's 1:10m coast (approximate)."]
    return [what + "; no coast data was given, so the countries' areas include their waters."]


def _cleaned(geometry: Any, tolerance: float, least: float, decimals: int) -> Any:
    """Simplify, round and drop polygons smaller than ``least`` (square degrees)."""
    import shapely
    from shapely.geometry import Polygon

    if geometry.is_empty:
        return geometry
    if tolerance > 0:
        geometry = geometry.simplify(tolerance, preserve_topology=True)
    rounded = shapely.set_precision(shapely.make_valid(geometry), 10.0**-decimals)
    kept = [p for p in shapely.get_parts(_polygonal(rounded)) if p.area >= least]
    return shapely.normalize(shapely.union_all(kept)) if kept else Polygon()


def _source(record: Mapping[str, str]) -> dict[str, str]:
    return {key: record[key] for key in _SOURCE_FIELDS if key in record}


def _feature(
    feature_id: str,
    properties: dict[str, Any],
    geometry: Any,
    records: list[dict[str, str]],
    decimals: int,
) -> dict[str, Any]:
    import shapely
    from shapely.geometry import mapping

    data = mapping(shapely.orient_polygons(geometry, exterior_cw=False))

    def rounded(value: Any) -> Any:
        if isinstance(value, list | tuple) and value and isinstance(value[0], int | float):
            return [round(float(number), decimals) for number in value[:2]]
        return [rounded(item) for item in value]

    return {
        "type": "Feature",
        "id": feature_id,
        "properties": {**properties, "sources": records},
        "geometry": {"type": data["type"], "coordinates": rounded(data["coordinates"])},
    }


def _readme(
    region: Sequence[float],
    extent: Sequence[float],
    sources: BaseSources,
    made_by: str,
) -> str:
    """Return ``base/README.md``: what the files are, their sources, versions and licences."""
    rows = "".join(
        f"| {record['publisher']} | {record['title']} | {record.get('version', 'not recorded')} "
        f"| {record['licence']} | {record['credit']} |\n"
        for record in sources.records
    )
    return f"""# Base data of this map

Made by `{made_by}` (`bordermap.basedata.make_base`) from data packages installed
offline; remade the same way by `python scripts/make_base.py --map <this map's folder>`
(see the project's README, "Starting a map").

- `local.geojson`: the map's region {[float(v) for v in region]} (W, S, E, N): each
  country's area and the sea, beneath the layers.
- `inset.geojson`: the locator inset, a wider view {[float(v) for v in extent]}:
  every country's outline, the map's own named; the map marks its region on it.

| publisher | data | version | licence | credit (on the map) |
|---|---|---|---|---|
{rows}
The credits are written on the map (web and print) from the files' `bordermap.sources`.
"""
