"""Make the vector base layers in ``geodata/base/`` from public, licensed data on npm.

Run by hand when the base data or the map's region changes, then commit the files::

    python scripts/make_base.py                      # fetches the packages with npm
    python scripts/make_base.py --packages DIR       # or reads an existing node_modules
    python scripts/make_base.py --map maps/amur      # another map's base (any region)

It writes two GeoJSON files (RFC 7946, WGS 84), each recording its sources, their
versions and licences in a ``"bordermap"`` member and in every feature:

``inset.geojson``
    North-east Asia at small scale (the locator inset): countries and the sea from
    Natural Earth 1:10m (npm ``world-atlas``, public domain), simplified for a map
    about 2,500 km across; Vladivostok and Pyongyang; where to write the country
    and sea names.
``local.geojson``
    The map's region at large scale: the land areas of North Korea, Russia and China,
    the sea, and the China–North Korea and China–Russia boundaries. The country areas
    are OpenStreetMap's boundaries (npm ``@osm_borders/maritime_10m``, ODbL), whose
    North Korea–Russia boundary is the same OpenStreetMap line as
    ``geodata/border.geojson``; land and sea are split along Natural Earth's 1:10m
    coastline (public domain), which is approximate at this scale and says so.
    Natural Earth's own boundaries are not used here: they put the tripoint about
    15 km upstream of the real one.

The script fails, writing nothing, if the North Korea–Russia boundary it made strays
more than ``MAX_BORDER_DEVIATION_M`` from ``geodata/border.geojson``.

The packages are installed with ``npm ci`` from ``scripts/package.json`` and
``scripts/package-lock.json`` (versions and checksums pinned) into a temporary
directory that is removed afterwards, so no ``node_modules`` is left in the tree.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
    box,
    mapping,
    shape,
)
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, polylabel, unary_union

from bordermap._geojson import dumps_geojson
from bordermap._io import write_all

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent

#: The inset's extent, degrees (west, south, east, north): north-east Asia.
INSET_EXTENT = (119.0, 34.0, 142.0, 47.5)
#: Douglas–Peucker tolerance for the inset's arcs, in Web Mercator metres (about 1 px).
INSET_TOLERANCE_M = 1500.0
#: Islands and lakes smaller than this are left out of the inset, km².
INSET_MIN_AREA_KM2 = 60.0
#: Decimal places kept: the inset needs no more than ~10 m, the local map ~0.1 m.
INSET_DECIMALS = 4
LOCAL_DECIMALS = 6

#: The base's North Korea–Russia boundary may be this far from our border line, metres.
MAX_BORDER_DEVIATION_M = 50.0
#: Metric CRS for measuring (UTM zone 52N, the Tumen map's projection: [map] region).
METRIC_CRS = "EPSG:32652"
#: Natural Earth's coast is moved to meet our river mouth, smoothly, fading out over
#: about this distance (Gaussian sigma, metres): a few hundred metres' shift bends
#: the coast gently and leaves it as it was a few kilometres away.
COAST_WARP_SIGMA_M = 2500.0

# ISO 3166-1 codes: alpha-2 -> (numeric as world-atlas has it, alpha-3 as osm_borders has it).
COUNTRY_CODES = {
    "KP": ("408", "PRK"),
    "RU": ("643", "RUS"),
    "CN": ("156", "CHN"),
    "KR": ("410", "KOR"),
    "JP": ("392", "JPN"),
    "MN": ("496", "MNG"),
}
#: The map's three countries: named, and filled each in its own colour.
FOCUS = ("KP", "RU", "CN")

#: Names in English, Korean (South Korean usage, as the project's) and Russian.
NAMES: dict[str, tuple[str, str, str]] = {
    "KP": ("North Korea", "북한", "КНДР"),
    "RU": ("Russia", "러시아", "Россия"),
    "CN": ("China", "중국", "Китай"),
    "KR": ("South Korea", "한국", "Республика Корея"),
    "JP": ("Japan", "일본", "Япония"),
    "MN": ("Mongolia", "몽골", "Монголия"),
    "sea": ("Sea", "바다", "Море"),
    "sea-of-japan": ("Sea of Japan", "동해 (일본해)", "Японское море"),
    "vladivostok": ("Vladivostok", "블라디보스토크", "Владивосток"),
    "pyongyang": ("Pyongyang", "평양", "Пхеньян"),
}

#: Where the inset writes each name, (lon, lat): chosen by eye for the inset's scale.
INSET_LABELS: dict[str, tuple[float, float]] = {
    "KP": (126.95, 40.35),
    "RU": (135.2, 45.9),
    "CN": (124.6, 44.3),
    "sea-of-japan": (134.6, 39.6),
}

#: Cities in the inset: (lon, lat) and the article the position is taken from.
CITIES = {
    "vladivostok": ((131.8855, 43.1155), "Vladivostok", False),
    "pyongyang": ((125.7625, 39.0392), "Pyongyang", True),
}

# npm package name -> how its data is credited and licensed.
PACKAGES = {
    "world-atlas": {
        "id": "natural-earth",
        "publisher": "Natural Earth",
        "title": "Natural Earth 1:10m cultural and physical vectors, v4.1.0, "
        "as TopoJSON in the npm package world-atlas",
        "url": "https://www.naturalearthdata.com/",
        "package_url": "https://www.npmjs.com/package/world-atlas",
        "licence": "public domain (Natural Earth); package code ISC",
        "credit": "Natural Earth",
        "credit_ko": "Natural Earth",
        "credit_ru": "Natural Earth",
    },
    "@osm_borders/maritime_10m": {
        "id": "osm-borders",
        "publisher": "OpenStreetMap contributors",
        "title": "Country boundaries from OpenStreetMap, simplified to 10 m, "
        "in the npm package @osm_borders/maritime_10m",
        "url": "https://www.openstreetmap.org/copyright",
        "package_url": "https://www.npmjs.com/package/@osm_borders/maritime_10m",
        "licence": "ODbL-1.0",
        "credit": "© OpenStreetMap contributors (ODbL)",
        # As OpenStreetMap's own Korean and Russian pages word it.
        "credit_ko": "© OpenStreetMap 기여자 (ODbL)",
        "credit_ru": "© участники OpenStreetMap (ODbL)",
    },
}

Position = tuple[float, float]


# ---------------------------------------------------------------------------
# TopoJSON
# ---------------------------------------------------------------------------


def decode_arcs(topology: dict[str, Any]) -> list[list[Position]]:
    """Return a topology's arcs as absolute ``(lon, lat)`` positions.

    A quantized topology (one with a ``transform``) stores each arc's first position
    as integers and every later one as the difference from the one before; each is
    then scaled and translated: ``x = (sum of dx) * scale_x + translate_x``.
    """
    transform = topology.get("transform")
    arcs: list[list[Position]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
        steps = np.asarray([p[:2] for p in arc], dtype=float).reshape(-1, 2)
        cumulative = np.cumsum(steps, axis=0)
        xs = cumulative[:, 0] * scale_x + shift_x
        ys = cumulative[:, 1] * scale_y + shift_y
        arcs.append([(float(x), float(y)) for x, y in zip(xs, ys, strict=True)])
    return arcs


def _point(topology: dict[str, Any], position: Sequence[float]) -> list[float]:
    """Return a Point's position: quantized like arcs but never delta-encoded."""
    transform = topology.get("transform")
    if transform is None:
        return [float(position[0]), float(position[1])]
    (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    return [position[0] * scale_x + shift_x, position[1] * scale_y + shift_y]


def _stitch(indices: Sequence[int], arcs: Sequence[Sequence[Position]]) -> list[list[float]]:
    """Join arcs into one line; ``~i`` (a negative index) is arc ``i`` reversed."""
    line: list[list[float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share an end: drop the repeated position.
        line.extend([x, y] for x, y in (arc if not line else arc[1:]))
    return line


def decode_geometry(
    topology: dict[str, Any], geometry: dict[str, Any], arcs: Sequence[Sequence[Position]]
) -> dict[str, Any] | None:
    """Return one TopoJSON geometry object as a GeoJSON geometry (``None`` for a null one)."""
    kind = geometry.get("type")
    if kind is None:
        return None
    if kind == "GeometryCollection":
        members = [decode_geometry(topology, g, arcs) for g in geometry["geometries"]]
        return {"type": kind, "geometries": [m for m in members if m is not None]}
    if kind == "Point":
        return {"type": kind, "coordinates": _point(topology, geometry["coordinates"])}
    if kind == "MultiPoint":
        return {
            "type": kind,
            "coordinates": [_point(topology, p) for p in geometry["coordinates"]],
        }
    if kind == "LineString":
        return {"type": kind, "coordinates": _stitch(geometry["arcs"], arcs)}
    if kind in ("MultiLineString", "Polygon"):
        return {"type": kind, "coordinates": [_stitch(part, arcs) for part in geometry["arcs"]]}
    if kind == "MultiPolygon":
        return {
            "type": kind,
            "coordinates": [
                [_stitch(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]
            ],
        }
    raise ValueError(f"unknown TopoJSON geometry type {kind!r}")


def decode_object(
    topology: dict[str, Any], name: str, arcs: Sequence[Sequence[Position]] | None = None
) -> list[dict[str, Any]]:
    """Return the named object of a topology as GeoJSON features (one per member).

    ``arcs`` replaces the topology's own decoded arcs, e.g. by simplified ones:
    shared boundaries stay shared, since both neighbours are built from one arc.
    """
    arcs = decode_arcs(topology) if arcs is None else arcs
    obj = topology["objects"][name]
    members = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    features = []
    for member in members:
        feature: dict[str, Any] = {"type": "Feature"}
        if "id" in member:
            feature["id"] = member["id"]
        feature["properties"] = dict(member.get("properties") or {})
        feature["geometry"] = decode_geometry(topology, member, arcs)
        features.append(feature)
    return features


# ---------------------------------------------------------------------------
# Geometry helpers
# ---------------------------------------------------------------------------


def _projector(source: str, target: str) -> Callable[[BaseGeometry], BaseGeometry]:
    transformer = Transformer.from_crs(source, target, always_xy=True)

    def project(geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )

    return project


to_mercator = _projector("EPSG:4326", "EPSG:3857")
from_mercator = _projector("EPSG:3857", "EPSG:4326")
to_metric = _projector("EPSG:4326", METRIC_CRS)
from_metric = _projector(METRIC_CRS, "EPSG:4326")


def simplify_arcs(arcs: Sequence[Sequence[Position]], tolerance_m: float) -> list[list[Position]]:
    """Simplify each arc (Douglas–Peucker in Web Mercator metres), keeping its ends."""
    simplified = []
    for arc in arcs:
        if len(arc) <= 2:
            simplified.append(list(arc))
            continue
        line = to_mercator(LineString(arc)).simplify(tolerance_m, preserve_topology=False)
        coords = [(float(x), float(y)) for x, y in from_mercator(line).coords]
        coords[0], coords[-1] = tuple(arc[0]), tuple(arc[-1])  # ends exactly as they were
        simplified.append(coords)
    return simplified


def polygon_shape(geometry: dict[str, Any]) -> BaseGeometry:
    """Return a (Multi)Polygon, leaving out rings that simplification collapsed."""
    parts = (
        geometry["coordinates"]
        if geometry["type"] == "MultiPolygon"
        else [geometry["coordinates"]]
    )
    kept = []
    for rings in parts:
        if len(rings[0]) < 4:
            continue  # an island simplified away
        holes = [ring for ring in rings[1:] if len(ring) >= 4]
        kept.append(shapely.make_valid(Polygon(rings[0], holes)))
    return unary_union(kept) if kept else Polygon()


def polygons(geometry: BaseGeometry) -> list[Polygon]:
    """Return the polygons in any geometry (dropping lines and points an overlay left)."""
    if isinstance(geometry, Polygon):
        return [] if geometry.is_empty else [geometry]
    if isinstance(geometry, MultiPolygon | GeometryCollection):
        return [p for part in geometry.geoms for p in polygons(part)]
    return []


def lines(geometry: BaseGeometry) -> list[LineString]:
    """Return the lines in any geometry."""
    if isinstance(geometry, LineString):
        return [] if geometry.is_empty else [geometry]
    if isinstance(geometry, MultiLineString | GeometryCollection):
        return [line for part in geometry.geoms for line in lines(part)]
    return []


def area_km2(geometry: BaseGeometry) -> float:
    """Geodesic area in km²."""
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(geometry)
    return abs(area) / 1e6


def clean(geometry: BaseGeometry, decimals: int, min_area_km2: float = 0.0) -> BaseGeometry:
    """Round to ``decimals`` (keeping it valid) and drop polygons smaller than the minimum."""
    rounded = shapely.set_precision(shapely.make_valid(geometry), 10.0**-decimals)
    kept = [p for p in polygons(rounded) if area_km2(p) >= min_area_km2]
    if not kept:
        return Polygon()
    merged = unary_union(kept)
    return shapely.normalize(merged)


def geometry_json(geometry: BaseGeometry, decimals: int) -> dict[str, Any]:
    """Return GeoJSON for a geometry, positions rounded, rings counter-clockwise (RFC 7946)."""
    if isinstance(geometry, Polygon | MultiPolygon):
        geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    data = mapping(geometry)

    def rounded(value: Any) -> Any:
        if isinstance(value, list | tuple) and value and isinstance(value[0], int | float):
            return [round(float(number), decimals) for number in value[:2]]
        return [rounded(item) for item in value]

    return {"type": data["type"], "coordinates": rounded(data["coordinates"])}


def label_point(geometry: BaseGeometry) -> list[float]:
    """Return the point of the largest polygon farthest from its edges (in map metres)."""
    largest = max(polygons(geometry), key=lambda p: p.area)
    inside = from_mercator(polylabel(to_mercator(largest), tolerance=10.0))
    return [round(inside.x, 4), round(inside.y, 4)]


def names(key: str) -> dict[str, str]:
    """Return the ``name_en``/``name_ko``/``name_ru`` properties of a named thing."""
    en, ko, ru = NAMES[key]
    return {"name_en": en, "name_ko": ko, "name_ru": ru}


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


def package_versions(node_modules: Path) -> dict[str, dict[str, Any]]:
    """Return each package's source record, with the version installed and its checksum."""
    lock = json.loads((SCRIPTS / "package-lock.json").read_text(encoding="utf-8"))
    records = {}
    for package, record in PACKAGES.items():
        manifest = json.loads((node_modules / package / "package.json").read_text("utf-8"))
        locked = lock["packages"].get(f"node_modules/{package}", {})
        if locked.get("version") != manifest["version"]:
            raise SystemExit(
                f"make_base: {package} {manifest['version']} is installed but "
                f"package-lock.json pins {locked.get('version')}"
            )
        records[package] = {
            **record,
            "package": package,
            "version": manifest["version"],
            "integrity": locked.get("integrity"),
        }
    return records


def source_record(record: dict[str, Any]) -> dict[str, Any]:
    """Return a feature's source entry (the fields bordermap's layers use for sources)."""
    return {
        "id": record["id"],
        "publisher": record["publisher"],
        "title": record["title"],
        "version": f"{record['package']} {record['version']}",
        "licence": record["licence"],
        **credits(record),
        "url": record["url"],
    }


def wikipedia(title: str) -> dict[str, Any]:
    """Return the source record of an English Wikipedia article."""
    return {
        "id": f"wikipedia-{title.lower()}",
        "publisher": "Wikipedia",
        "title": f"{title} (coordinates in the article's infobox)",
        "licence": "CC BY-SA 4.0",
        "credit": "Wikipedia",
        "credit_ko": "위키백과",
        "credit_ru": "Википедия",
        "url": f"https://en.wikipedia.org/wiki/{title}",
    }


#: Languages of the credits beside the English ``credit`` (bordermap.i18n.LANGUAGES).
CREDIT_LANGUAGES = ("ko", "ru")


def credits(record: dict[str, Any]) -> dict[str, str]:
    """Return a record's ``credit`` and its ``credit_ko``, ``credit_ru``: the map's words."""
    keys = ["credit", *(f"credit_{language}" for language in CREDIT_LANGUAGES)]
    return {key: record[key] for key in keys}


def metadata(
    scale: str,
    title: str,
    extent: Sequence[float],
    records: Sequence[dict[str, Any]],
    notes: Sequence[str],
    place: str | None = None,
) -> dict[str, Any]:
    """Return a base file's ``"bordermap"`` member: what it is, its sources and notes.

    ``place`` names what the inset shows, for a screen reader ("north-east Asia").
    """
    return {
        "base": scale,
        "title": title,
        **({"place": place} if place else {}),
        "extent": [float(value) for value in extent],
        "made_by": "scripts/make_base.py (see geodata/base/README.md)",
        **{
            key: "; ".join(dict.fromkeys(record[key] for record in records))
            for key in credits(records[0])
        },
        "sources": [
            {
                "id": record["id"],
                "source": record["title"],
                "publisher": record["publisher"],
                "package": record["package"],
                "version": record["version"],
                "integrity": record["integrity"],
                "licence": record["licence"],
                **credits(record),
                "url": record["url"],
                "package_url": record["package_url"],
            }
            for record in records
        ],
        "notes": list(notes),
    }


# ---------------------------------------------------------------------------
# The inset: north-east Asia from Natural Earth
# ---------------------------------------------------------------------------


def make_inset(world_atlas: Path, natural_earth: dict[str, Any]) -> dict[str, Any]:
    """Return the inset's FeatureCollection."""
    topology = json.loads((world_atlas / "countries-10m.json").read_text("utf-8"))
    arcs = simplify_arcs(decode_arcs(topology), INSET_TOLERANCE_M)
    countries = decode_object(topology, "countries", arcs)
    extent = box(*INSET_EXTENT)
    by_number = {number: code for code, (number, _) in COUNTRY_CODES.items()}
    source = source_record(natural_earth)
    features: list[dict[str, Any]] = []
    land = []
    for country in countries:
        code = by_number.get(str(country.get("id")))
        geometry = country["geometry"]
        if geometry is None:
            continue
        drawn = polygon_shape(geometry).intersection(extent)
        if drawn.is_empty:
            continue
        land.append(drawn)
        if code is None:
            name = country["properties"].get("name")
            raise SystemExit(f"make_base: {name!r} lies in the inset: give it names and a code")
        drawn = clean(drawn, INSET_DECIMALS, INSET_MIN_AREA_KM2)
        if drawn.is_empty:
            continue
        properties: dict[str, Any] = {**names(code), "kind": "country", "country": code}
        properties["focus"] = code in FOCUS
        if code in INSET_LABELS:
            properties["label_at"] = list(INSET_LABELS[code])
        properties["sources"] = [source]
        features.append(
            {
                "type": "Feature",
                "id": f"inset-{code.lower()}",
                "properties": properties,
                "geometry": geometry_json(drawn, INSET_DECIMALS),
            }
        )
    order = {code: index for index, code in enumerate(COUNTRY_CODES)}
    features.sort(key=lambda f: order[f["properties"]["country"]])
    sea = clean(extent.difference(unary_union(land)), INSET_DECIMALS, INSET_MIN_AREA_KM2)
    features.insert(0, sea_feature("inset-sea", sea, INSET_DECIMALS, [source]))
    features.append(
        {
            "type": "Feature",
            "id": "inset-sea-of-japan",
            "properties": {**names("sea-of-japan"), "kind": "sea_name", "sources": [source]},
            "geometry": {"type": "Point", "coordinates": list(INSET_LABELS["sea-of-japan"])},
        }
    )
    for key, (position, article, capital) in CITIES.items():
        features.append(
            {
                "type": "Feature",
                "id": key,
                "properties": {
                    **names(key),
                    "kind": "city",
                    "capital": capital,
                    "sources": [wikipedia(article)],
                },
                "geometry": {"type": "Point", "coordinates": list(position)},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "base_inset",
        "bordermap": metadata(
            "inset",
            "North-east Asia, for the locator inset",
            INSET_EXTENT,
            [natural_earth],
            [
                "Natural Earth 1:10m countries, clipped to the extent, arcs simplified with "
                f"Douglas–Peucker at {INSET_TOLERANCE_M:g} m (Web Mercator) and islands under "
                f"{INSET_MIN_AREA_KM2:g} km² left out: for a map about 2,500 km across only.",
                "Natural Earth's boundaries put the China–North Korea–Russia tripoint about "
                "15 km upstream of the real one: never draw them at local scale.",
                "City positions from the English Wikipedia articles named in each feature.",
            ],
            place="north-east Asia",
        ),
        "features": features,
    }


def sea_feature(
    feature_id: str, geometry: BaseGeometry, decimals: int, sources: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return the sea's feature."""
    return {
        "type": "Feature",
        "id": feature_id,
        "properties": {**names("sea"), "kind": "sea", "sources": sources},
        "geometry": geometry_json(geometry, decimals),
    }


# ---------------------------------------------------------------------------
# The local base: OpenStreetMap's boundaries, Natural Earth's coast
# ---------------------------------------------------------------------------


def read_border(geodata: Path) -> tuple[LineString, list[float]]:
    """Return our North Korea–Russia border line and the map's region."""
    layer = json.loads((geodata / "border.geojson").read_text("utf-8"))
    line = next(
        f for f in layer["features"] if (f.get("properties") or {}).get("kind") == "border"
    )
    return LineString(line["geometry"]["coordinates"]), list(layer["bordermap"]["region"])


def osm_countries(package: Path, region: BaseGeometry) -> dict[str, BaseGeometry]:
    """Return the three countries' areas (land and territorial sea) within ``region``."""
    data = json.loads((package / "borders.geo.json").read_text("utf-8"))
    wanted = {COUNTRY_CODES[code][1]: code for code in FOCUS}
    found = {}
    for feature in data["features"]:
        code = wanted.get(feature["properties"].get("isoA3"))
        if code is not None:
            found[code] = shapely.make_valid(shape(feature["geometry"])).intersection(region)
    return found


def warp_coast(land: BaseGeometry, mouth: Point) -> tuple[BaseGeometry, float]:
    """Rubber-sheet the land so that its coast meets the river mouth; return it and the shift.

    Natural Earth's 1:10m coast misses the mouth of our river (OpenStreetMap's) by a
    couple of hundred metres, so at the mouth the river would run into the sea or
    stop short of it. The coast's vertex nearest the mouth (after densifying the coast
    to 25 m) is moved onto the mouth, and every other vertex by the same shift times
    ``exp(-(d / COAST_WARP_SIGMA_M)**2)``, ``d`` its distance from that vertex: a smooth
    deformation that folds nothing (its gradient is far below 1) and leaves the coast
    untouched a few kilometres away.
    """
    metric = shapely.segmentize(to_metric(land), 25.0)
    target = np.array(to_metric(mouth).coords[0])
    vertices = shapely.get_coordinates(metric)
    anchor = vertices[np.argmin(np.hypot(*(vertices - target).T))]
    shift = target - anchor

    def warp(xy: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        weight = np.exp(-((np.hypot(*(xy - anchor).T) / COAST_WARP_SIGMA_M) ** 2))
        moved: np.ndarray[Any, Any] = xy + weight[:, None] * shift
        return moved

    warped = shapely.transform(metric, warp).simplify(0.5, preserve_topology=True)
    return from_metric(warped), float(np.hypot(*shift))


def border_deviation_m(boundary: BaseGeometry, border: LineString) -> float:
    """Return how far the farthest vertex of ``boundary`` lies from ``border``, metres."""
    line = to_metric(border)
    points = shapely.get_coordinates(to_metric(boundary))
    return max((line.distance(Point(p)) for p in points), default=0.0)


def make_local(
    world_atlas: Path,
    osm_borders: Path,
    geodata: Path,
    natural_earth: dict[str, Any],
    osm: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, float]]:
    """Return the local base's FeatureCollection and what was measured on it."""
    border, extent = read_border(geodata)
    region = box(*extent)
    topology = json.loads((world_atlas / "land-10m.json").read_text("utf-8"))
    # Natural Earth's world-wide polygons are not all valid: clip first, then repair.
    land = unary_union(
        [
            shapely.make_valid(shapely.clip_by_rect(shape(f["geometry"]), *extent))
            for f in decode_object(topology, "land")
            if f["geometry"]
        ]
    )
    mouth = Point(border.coords[-1])
    coast_to_mouth_m = to_metric(land.boundary).distance(to_metric(mouth))
    land, coast_shift_m = warp_coast(land, mouth)
    areas = osm_countries(osm_borders, region)
    # Each piece of land goes to one country: North Korea's and Russia's areas first,
    # China's where neither claims it (their data overlap by a few slivers).
    kp = areas["KP"].intersection(land)
    ru = areas["RU"].difference(areas["KP"]).intersection(land)
    cn = areas["CN"].difference(areas["KP"]).difference(areas["RU"]).intersection(land)
    countries = {
        code: clean(geometry, LOCAL_DECIMALS, 0.001)
        for code, geometry in (("KP", kp), ("RU", ru), ("CN", cn))
    }
    unassigned = land.difference(unary_union(list(countries.values())))
    sea = clean(region.difference(unary_union(list(countries.values()))), LOCAL_DECIMALS)

    shared = countries["KP"].boundary.intersection(countries["RU"].boundary)
    measures = {
        "kp_ru_boundary_m": to_metric(unary_union(lines(shared))).length,
        "kp_ru_deviation_m": border_deviation_m(shared, border),
        "unassigned_land_km2": area_km2(unassigned) if not unassigned.is_empty else 0.0,
        "coast_to_mouth_m": coast_to_mouth_m,
        "coast_shift_m": coast_shift_m,
        "coast_to_mouth_after_m": to_metric(
            countries["KP"].union(countries["RU"]).boundary
        ).distance(to_metric(mouth)),
    }
    if measures["kp_ru_deviation_m"] > MAX_BORDER_DEVIATION_M:
        raise SystemExit(
            "make_base: the North Korea–Russia boundary strays "
            f"{measures['kp_ru_deviation_m']:.1f} m from geodata/border.geojson "
            f"(at most {MAX_BORDER_DEVIATION_M:g} m): nothing written"
        )

    ne, osm_source = source_record(natural_earth), source_record(osm)
    features: list[dict[str, Any]] = [sea_feature("local-sea", sea, LOCAL_DECIMALS, [ne])]
    for code in FOCUS:
        geometry = countries[code]
        features.append(
            {
                "type": "Feature",
                "id": f"local-{code.lower()}",
                "properties": {
                    **names(code),
                    "kind": "country",
                    "country": code,
                    "focus": True,
                    "label_at": label_point(geometry),
                    "approximate_coast": True,
                    "sources": [osm_source, ne],
                },
                "geometry": geometry_json(geometry, LOCAL_DECIMALS),
            }
        )
    for first, second in (("CN", "KP"), ("CN", "RU")):
        between = linemerge(
            lines(countries[first].boundary.intersection(countries[second].boundary))
        )
        features.append(
            {
                "type": "Feature",
                "id": f"local-boundary-{first.lower()}-{second.lower()}",
                "properties": {
                    "name_en": f"{NAMES[first][0]}–{NAMES[second][0]} border",
                    "name_ko": f"{NAMES[first][1]}-{NAMES[second][1]} 국경",
                    "name_ru": f"граница: {NAMES[first][2]} — {NAMES[second][2]}",
                    "kind": "boundary",
                    "between": [first, second],
                    "sources": [osm_source],
                },
                "geometry": geometry_json(between, LOCAL_DECIMALS),
            }
        )
    features.append(
        {
            "type": "Feature",
            "id": "local-sea-of-japan",
            "properties": {**names("sea-of-japan"), "kind": "sea_name", "sources": [ne]},
            "geometry": {"type": "Point", "coordinates": label_point(sea)},
        }
    )
    collection = {
        "type": "FeatureCollection",
        "name": "base_local",
        "bordermap": metadata(
            "local",
            "Land, sea and the three countries around the Tumen River",
            extent,
            [osm, natural_earth],
            [
                "Country areas: OpenStreetMap's boundaries as the package gives them "
                "(simplified to 10 m), clipped to the map's region, not simplified further. "
                "Their North Korea–Russia boundary is the OpenStreetMap channel line of "
                "geodata/border.geojson: its farthest vertex lies "
                f"{measures['kp_ru_deviation_m']:.1f} m from it.",
                "Land and sea: Natural Earth's 1:10m land, clipped to the map's region. Its "
                "coast is approximate at this scale (world-atlas quantizes positions to about "
                "300 m by 190 m) and passed "
                f"{measures['coast_to_mouth_m']:.0f} m from the river mouth of "
                "geodata/border.geojson; it was rubber-sheeted to meet the mouth (moved "
                f"{measures['coast_shift_m']:.0f} m there, the shift fading out with a "
                f"Gaussian of sigma {COAST_WARP_SIGMA_M:g} m).",
                "The China–North Korea boundary follows the Tumen upstream of the tripoint; "
                "the China–Russia boundary runs overland from it.",
            ],
        ),
        "features": features,
    }
    return collection, measures


# ---------------------------------------------------------------------------
# Credits alone
# ---------------------------------------------------------------------------


def with_credits(record: dict[str, Any], words: dict[str, str]) -> dict[str, Any]:
    """Return ``record`` with its credits replaced by ``words``, where ``credit`` was."""
    renewed: dict[str, Any] = {}
    for key, value in record.items():
        if key == "credit":
            renewed |= words
        elif not key.startswith("credit_"):
            renewed[key] = value
    return renewed


def recredit(collection: dict[str, Any]) -> dict[str, Any]:
    """Return a made base file with every credit in the words of this script's tables.

    For ``--credits-only``: the credits' words change, nothing made from the packages
    does, so nothing is fetched and every other byte of the file stays as it was.
    """
    tables = {record["id"]: record for record in PACKAGES.values()}

    def renewed(source: dict[str, Any]) -> dict[str, Any]:
        record = tables.get(source["id"]) or wikipedia(source["url"].rsplit("/", 1)[-1])
        return with_credits(source, credits(record))

    meta = collection["bordermap"]
    sources = [renewed(source) for source in meta["sources"]]
    words = {
        key: "; ".join(dict.fromkeys(source[key] for source in sources))
        for key in credits(sources[0])
    }
    features = [
        {
            **feature,
            "properties": {
                **feature["properties"],
                "sources": [renewed(source) for source in feature["properties"]["sources"]],
            },
        }
        for feature in collection["features"]
    ]
    meta = with_credits(meta, words) | {"sources": sources}
    return {**collection, "bordermap": meta, "features": features}


def recredit_files(directory: Path) -> int:
    """Rewrite the credits of ``directory``'s base files (``--credits-only``)."""
    files = {}
    for name in ("inset.geojson", "local.geojson"):
        path = directory / name
        files[path] = dumps_geojson(recredit(json.loads(path.read_text("utf-8"))))
    write_all(files)
    for path in files:
        print(f"wrote {path} (credits only)")
    return 0


# ---------------------------------------------------------------------------
# Packages and the command line
# ---------------------------------------------------------------------------


@contextmanager
def installed_packages(existing: Path | None) -> Iterator[Path]:
    """Yield a node_modules directory holding the pinned packages."""
    if existing is not None:
        yield existing
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("make_base: npm not found: install Node.js, or give --packages DIR")
    with tempfile.TemporaryDirectory(prefix="bordermap-base-") as directory:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(SCRIPTS / name, Path(directory) / name)
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=directory,
            check=True,
            stdout=sys.stderr,
        )
        yield Path(directory) / "node_modules"


def make_map_base(folder: Path, packages: Path | None) -> int:
    """Make ``<folder>/base/`` for the map of ``<folder>/facts.toml`` (recipe for any region)."""
    from bordermap.basedata import base_sources, make_base
    from bordermap.facts import load_facts

    spec = load_facts(folder / "facts.toml").spec
    if spec is None or spec.region is None:
        raise SystemExit(f"make_base: {folder / 'facts.toml'}: no [map] region")
    with installed_packages(packages) as node_modules:
        files, _ = make_base(
            spec.region,
            base_sources(node_modules),
            countries=[country.code for country in spec.countries],
            names={country.code: dict(country.name) for country in spec.countries},
            made_by=f"python scripts/make_base.py --map {folder.as_posix()}",
        )
    written = {folder / "base" / name: text for name, text in files.items()}
    write_all(written)
    for path, text in written.items():
        print(f"wrote {path} ({len(text.encode()) / 1024:.0f} KiB)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Make ``geodata/base/*.geojson``; print what was measured."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--geodata", type=Path, default=REPO_ROOT / "geodata")
    parser.add_argument(
        "--packages",
        type=Path,
        default=None,
        help="an existing node_modules with the packages of scripts/package-lock.json",
    )
    parser.add_argument(
        "--credits-only",
        action="store_true",
        help="only rewrite the credits (credit, credit_ko, credit_ru) of the committed "
        "files from this script's tables; fetches nothing",
    )
    parser.add_argument(
        "--map",
        type=Path,
        default=None,
        metavar="DIR",
        help="make the base of another map (its facts.toml's region and countries) by "
        "bordermap's recipe for any region (bordermap.basedata), into DIR/base",
    )
    arguments = parser.parse_args(argv)
    if arguments.map is not None:
        return make_map_base(arguments.map, arguments.packages)
    if arguments.credits_only:
        return recredit_files(arguments.geodata / "base")
    started = time.perf_counter()
    with installed_packages(arguments.packages) as node_modules:
        fetched = time.perf_counter()
        records = package_versions(node_modules)
        natural_earth = records["world-atlas"]
        osm = records["@osm_borders/maritime_10m"]
        inset = make_inset(node_modules / "world-atlas", natural_earth)
        local, measures = make_local(
            node_modules / "world-atlas",
            node_modules / "@osm_borders/maritime_10m",
            arguments.geodata,
            natural_earth,
            osm,
        )
    made = time.perf_counter()
    directory = arguments.geodata / "base"
    files = {
        directory / "inset.geojson": dumps_geojson(inset),
        directory / "local.geojson": dumps_geojson(local),
    }
    write_all(files)
    for path, text in files.items():
        print(f"wrote {path} ({len(text.encode()) / 1024:.0f} KiB)")
    print(
        "North Korea–Russia boundary: "
        f"{measures['kp_ru_boundary_m'] / 1000:.2f} km, farthest vertex "
        f"{measures['kp_ru_deviation_m']:.2f} m from geodata/border.geojson "
        f"(limit {MAX_BORDER_DEVIATION_M:g} m)"
    )
    print(
        f"Natural Earth coast to the river mouth: {measures['coast_to_mouth_m']:.0f} m; "
        f"moved {measures['coast_shift_m']:.0f} m to meet it "
        f"(now {measures['coast_to_mouth_after_m']:.2f} m away)"
    )
    print(f"land in no country's area: {measures['unassigned_land_km2']:.4f} km²")
    print(
        f"packages {fetched - started:.1f} s, processing {made - fetched:.1f} s, "
        f"total {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
