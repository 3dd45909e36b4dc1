"""The base beneath the layers: land, sea and the three countries, and the locator inset.

Two GeoJSON files in ``<geodata>/base/``, made by ``scripts/make_base.py`` from
public, licensed data and committed (``geodata/base/README.md`` says how):

``local.geojson``
    At the scale of the bridges: the land areas of North Korea, Russia and China,
    the sea, the China–North Korea and China–Russia boundaries, and where the sea's
    name goes. The countries' shared boundaries are OpenStreetMap's, so the North
    Korea–Russia boundary is the line of ``border.geojson``; the coast is Natural
    Earth's and approximate at this scale.
``inset.geojson``
    North-east Asia for the locator inset: countries (the map's three marked
    ``focus``), the sea, the Sea of Japan's name, Vladivostok and Pyongyang.

:func:`read_base` reads both as strictly as :func:`bordermap.layers.read_layers`
reads the layers. The styles here (:data:`COUNTRY_STYLES`, :data:`SEA_STYLE`, ...)
are the ones the static export draws with, for the web map to draw with too.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from bordermap._io import read_json
from bordermap._layercheck import (
    NESTING,
    drawn_problem,
    flatten_positions,
    is_finite,
    label_of,
    position_problem,
    region_box,
    source_problem,
)
from bordermap.errors import BaseUnavailableWarning, LayerError
from bordermap.i18n import translate
from bordermap.schema import LANGUAGES, brief, identifier_problem, is_identifier
from bordermap.styles import Style

__all__ = [
    "BASE_DIRECTORY",
    "BASE_FILES",
    "BOUNDARY_STYLE",
    "CITY_STYLE",
    "COUNTRY_NAME_COLOUR",
    "COUNTRY_STYLES",
    "EXTENT_STYLE",
    "OTHER_LAND_STYLE",
    "SEA_NAME_COLOUR",
    "SEA_STYLE",
    "Base",
    "BaseUnavailableWarning",
    "area_label_candidates",
    "area_label_points",
    "base_credit",
    "base_name",
    "base_path",
    "base_style",
    "extent_feature",
    "features_of_kind",
    "inset_svg",
    "read_base",
    "resolve_base",
]

#: The base's directory inside the geodata directory.
BASE_DIRECTORY: str = "base"

#: The base's files, by scale.
BASE_FILES: dict[str, str] = {"local": "local.geojson", "inset": "inset.geojson"}

#: Scale (``"local"``, ``"inset"``) -> GeoJSON FeatureCollection (a plain ``dict``).
Base = dict[str, dict[str, Any]]

#: The geometry types each kind of base feature may have.
BASE_KINDS: dict[str, tuple[str, ...]] = {
    "country": ("Polygon", "MultiPolygon"),
    "sea": ("Polygon", "MultiPolygon"),
    "boundary": ("LineString", "MultiLineString"),
    "sea_name": ("Point",),
    "city": ("Point",),
}

# Pale fills, distinct from each other, from the sea and from every layer's colours,
# so that the river, the border and the bridges stay what the eye sees first.
#: The map's three countries, by ISO 3166-1 alpha-2 code.
COUNTRY_STYLES: dict[str, Style] = {
    "KP": Style("North Korea", "#ffffff", weight=1.0, fill="#f3e7cf"),
    "RU": Style("Russia", "#ffffff", weight=1.0, fill="#e2ead7"),
    "CN": Style("China", "#ffffff", weight=1.0, fill="#efe1e4"),
}
#: Other countries (in the inset): one neutral fill.
OTHER_LAND_STYLE = Style("Other countries", "#ffffff", weight=0.8, fill="#e6e6e3")
#: The sea; its outline is the coast.
SEA_STYLE = Style("Sea", "#9fc1db", weight=1.0, fill="#cfe2f0")
#: A boundary between countries that no layer draws (China's with its neighbours).
BOUNDARY_STYLE = Style("International boundary", "#6b6b6b", weight=1.5, dash=(7, 3, 1.5, 3))
#: Cities in the inset.
CITY_STYLE = Style("City", "#212529", weight=1.2, marker="circle", radius=2.5, fill="#ffffff")
#: The box in the inset that marks the main map's extent.
EXTENT_STYLE = Style("Area of the main map", "#b3261e", weight=2.0)
#: Colour of the country names.
COUNTRY_NAME_COLOUR: str = "#6f6552"
#: Colour of the sea's name.
SEA_NAME_COLOUR: str = "#3f6f95"


def base_path(geodata_dir: str | Path, scale: str) -> Path:
    """Return the file of the base at ``scale`` (``"local"`` or ``"inset"``)."""
    return Path(geodata_dir) / BASE_DIRECTORY / BASE_FILES[scale]


_BASE_MISSING = "base file not found (run 'python scripts/make_base.py' to make it)"


def read_base(geodata_dir: str | Path) -> Base:
    """Read the base layers from ``<geodata_dir>/base/``, refusing any file with a problem.

    Parameters
    ----------
    geodata_dir : str or pathlib.Path
        The geodata directory (the one holding the layers).

    Returns
    -------
    dict of str to dict
        ``"local"`` and ``"inset"`` to their FeatureCollections.

    Raises
    ------
    LayerError
        Listing every problem in both files, each naming the file, the feature and
        the field: a missing, empty, oversized, non-UTF-8 or malformed file; no
        sources, licence or credit recorded; an unknown kind; a geometry of the
        wrong type, invalid, or with positions that are not WGS 84 degrees inside
        the file's extent; missing names or ids.
    """
    problems: list[str] = []
    base: Base = {}
    for scale in BASE_FILES:
        path = base_path(geodata_dir, scale)
        data = read_json(
            path, problems, "base file not found (run 'python scripts/make_base.py' to make it)"
        )
        if data is None:
            continue
        found = collection_problems(data, str(path))
        if found:
            problems += found
            continue
        base[scale] = data
    if problems:
        raise LayerError(problems)
    return base


def resolve_base(
    base: Base | str | Path | Literal[False] | None,
    geodata: Path | None = None,
    *,
    stacklevel: int = 3,
) -> Base | None:
    """Return the base a map is drawn with, as its ``base`` argument asks.

    Parameters
    ----------
    base : dict, path, False or None
        A base from :func:`read_base` (used as it is), a geodata directory to read it
        from, ``False`` for none, or ``None`` for the default: ``<geodata>/base``,
        ``geodata`` being the directory the layers were read from, else ``geodata/``
        in the working directory.
    geodata : pathlib.Path, optional
        The directory the layers were read from, if they were.
    stacklevel : int, default 3
        Which caller a warning names: 3 is the caller of the function calling this.

    Returns
    -------
    dict or None
        The base, or ``None`` to draw none.

    Raises
    ------
    LayerError
        If the base's files are missing (when a directory was given) or malformed.

    Warns
    -----
    BaseUnavailableWarning
        If ``base`` is ``None`` and the default directory has no base (the caller's
        caller is named: call this from the public function that took ``base``).
    """
    if base is False:
        return None
    if isinstance(base, dict):
        return base
    if base is not None:
        return read_base(Path(base))
    directory = geodata if geodata is not None else Path("geodata")
    if not (directory / BASE_DIRECTORY).is_dir():
        warnings.warn(
            f"no base layers in {directory / BASE_DIRECTORY} (land, sea, countries, inset): "
            "the map is drawn without them; give base=DIR (the geodata directory), or "
            "base=False to leave them out on purpose",
            BaseUnavailableWarning,
            stacklevel=stacklevel,
        )
        return None
    return read_base(directory)


def collection_problems(data: Any, where: str) -> list[str]:
    """Return every problem with a base file's parsed JSON, one line each."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        got = data.get("type") if isinstance(data, dict) else type(data).__name__
        return [f"{where}: field 'type': expected a GeoJSON FeatureCollection, got {brief(got)}"]
    problems: list[str] = []
    meta = data.get("bordermap")
    extent = None
    if not isinstance(meta, dict):
        problems.append(
            f"{where}: field 'bordermap': missing: a base file records its sources, "
            "their versions and licences there"
        )
    else:
        extent = region_box(meta.get("extent"))
        if extent is None:
            problems.append(
                f"{where}: field 'bordermap.extent': expected [west, south, east, north] "
                f"in degrees, got {brief(meta.get('extent'))}"
            )
        problems += [
            f"{where}: field '{field}': {message}"
            for field, message in _sources_problems(meta, "bordermap.sources")
        ]
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return [*problems, f"{where}: field 'features': expected a non-empty list of features"]
    seen: set[str] = set()
    for index, feature in enumerate(features):
        problems += [
            f"{where}: {place}, field '{field}': {message}"
            for place, field, message in _feature_problems(feature, index, extent, seen)
        ]
    return problems


def _sources_problems(record: Mapping[str, Any], field: str) -> list[tuple[str, str]]:
    """Check a ``sources`` list: each names its publisher, licence, credit and a link."""
    sources = record.get("sources")
    if not isinstance(sources, list) or not sources:
        return [(field, "missing: every base file and feature names its sources")]
    problems = []
    for position, source in enumerate(sources):
        where = f"{field}[{position}]"
        problem = source_problem(source)
        if problem is not None:
            problems.append((where, problem))
            continue
        for key in ("licence", "credit"):
            value = source.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append((where, f"'{key}' must be non-empty text, got {brief(value)}"))
    return problems


def _feature_problems(
    feature: Any, index: int, extent: tuple[float, float, float, float] | None, seen: set[str]
) -> list[tuple[str, str, str]]:
    """Return (feature, field, problem) triples for one base feature."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [
            (f"feature #{index + 1}", "type", f"expected a Feature object, got {brief(feature)}")
        ]
    place = label_of(feature, index)
    found: list[tuple[str, str, str]] = []
    identifier = feature.get("id")
    if not is_identifier(identifier):
        found.append((place, "id", str(identifier_problem(identifier))))
    elif identifier in seen:
        found.append((place, "id", "duplicate id"))
    else:
        seen.add(identifier)
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        return [*found, (place, "properties", "expected an object of properties")]
    for language in LANGUAGES:
        name = properties.get(f"name_{language}")
        if not isinstance(name, str) or not name.strip():
            found.append((place, f"name_{language}", f"missing (got {brief(name)})"))
    kind = properties.get("kind")
    if not isinstance(kind, str) or kind not in BASE_KINDS:
        return [
            *found,
            (place, "kind", f"unknown kind {brief(kind)} (one of {', '.join(BASE_KINDS)})"),
        ]
    if kind == "country" and not isinstance(properties.get("country"), str):
        found.append(
            (
                place,
                "country",
                f"expected an ISO 3166-1 code, got {brief(properties.get('country'))}",
            )
        )
    label_at = properties.get("label_at")
    if label_at is not None:
        problem = position_problem(label_at, extent)
        if problem is not None:
            found.append((place, "label_at", problem))
    found += [
        (place, field, message) for field, message in _sources_problems(properties, "sources")
    ]
    problem = _geometry_problem(feature.get("geometry"), BASE_KINDS[kind], extent)
    if problem is not None:
        found.append((place, "geometry", problem))
    return found


def _geometry_problem(
    geometry: Any, allowed: Sequence[str], extent: tuple[float, float, float, float] | None
) -> str | None:
    """Say what is wrong with a base feature's geometry, or return ``None``."""
    if not isinstance(geometry, dict):
        return f"no geometry (expected a {' or '.join(allowed)})"
    kind = geometry.get("type")
    if kind not in allowed:
        return f"has a {kind} geometry, expected a {' or '.join(allowed)}"
    positions = flatten_positions(geometry.get("coordinates"), NESTING[str(kind)])
    if not positions:
        return f"{kind} 'coordinates' are missing or not nested lists of positions"
    # The base is clipped to its extent: allow for the rounding of its positions.
    margin = None if extent is None else _grown(extent, 1e-3)
    return drawn_problem(geometry, positions, margin)


def _grown(box: tuple[float, float, float, float], by: float) -> tuple[float, float, float, float]:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


# ---------------------------------------------------------------------------
# Drawing helpers shared by the static export and the web map
# ---------------------------------------------------------------------------


def base_style(feature: Mapping[str, Any]) -> Style:
    """Return the style a base feature is drawn with.

    Parameters
    ----------
    feature : mapping
        A feature of :func:`read_base`'s collections.

    Returns
    -------
    Style
        A country of :data:`COUNTRY_STYLES` when it is one of the map's three
        (``focus``), :data:`OTHER_LAND_STYLE` for another, :data:`SEA_STYLE`,
        :data:`BOUNDARY_STYLE` or :data:`CITY_STYLE`.

    Raises
    ------
    KeyError
        For a kind no style is defined for (``sea_name``: it is only a label).
    """
    properties = feature.get("properties") or {}
    kind = properties.get("kind")
    if kind == "country":
        code = properties.get("country")
        if properties.get("focus") and code in COUNTRY_STYLES:
            return COUNTRY_STYLES[str(code)]
        return OTHER_LAND_STYLE
    styles = {"sea": SEA_STYLE, "boundary": BOUNDARY_STYLE, "city": CITY_STYLE}
    return styles[str(kind)]


def base_name(feature: Mapping[str, Any], language: str = "en") -> str:
    """Return a base feature's name in ``language``, falling back to English."""
    properties = feature.get("properties") or {}
    return str(
        properties.get(f"name_{language}") or properties.get("name_en") or feature.get("id")
    )


def base_credit(base: Mapping[str, Mapping[str, Any]], language: str = "en") -> str:
    """Return one credit line for the base, each source once, e.g. for a map's footer.

    Parameters
    ----------
    base : mapping
        From :func:`read_base` (either scale, or both).
    language : str, default "en"
        The language of the words around the credits (the credits are names).

    Returns
    -------
    str
        E.g. ``"Land, sea and boundaries: © OpenStreetMap contributors (ODbL);
        Natural Earth"``; empty if ``base`` is empty.
    """
    credits: dict[str, None] = {}
    for collection in base.values():
        for source in (collection.get("bordermap") or {}).get("sources") or []:
            credits[str(source.get("credit"))] = None
    if not credits:
        return ""
    return translate("Land, sea and boundaries: {credits}", language, credits="; ".join(credits))


def extent_feature(view: Sequence[float]) -> dict[str, Any]:
    """Return the main map's extent as a GeoJSON Feature, for the inset's box.

    Parameters
    ----------
    view : (west, south, east, north)
        The main map's extent in degrees.

    Returns
    -------
    dict
        A Polygon Feature with id ``"main-map-extent"``.
    """
    west, south, east, north = (float(value) for value in view)
    if not (is_finite(west) and is_finite(east) and west < east and south < north):
        raise ValueError(f"expected (west, south, east, north), got {list(view)!r}")
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "id": "main-map-extent",
        "properties": {"kind": "extent", "name_en": EXTENT_STYLE.label},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def features_of_kind(collection: Mapping[str, Any], *kinds: str) -> list[dict[str, Any]]:
    """Return a base collection's features of the given kinds, in file order."""
    return [
        feature
        for feature in collection.get("features") or []
        if (feature.get("properties") or {}).get("kind") in kinds
    ]


def area_label_points(
    collection: Mapping[str, Any],
    view: Sequence[float],
    *,
    avoid: Sequence[Sequence[tuple[float, float]]] = (),
    clearance: float = 0.06,
) -> dict[str, tuple[float, float]]:
    """Return where to name each country, and the sea, in a view: ``(lon, lat)`` by feature id.

    Each point is the pole of inaccessibility (the inside point farthest from the
    edges) of the largest piece of the area inside ``view``, found in Web Mercator so
    that it is the middle of what a reader sees. Areas outside the view get none; the
    sea is keyed by its ``sea_name`` feature's id. The static export places its names
    by what they would cover instead; this is for renderers that cannot measure text
    (the web map, which tries :func:`area_label_candidates` in turn).

    Parameters
    ----------
    collection : mapping
        ``read_base(...)["local"]``.
    view : (west, south, east, north)
        The view in degrees.
    avoid : sequence of sequences of (lon, lat)
        Points and lines drawn over the base (the layers' features): the names keep
        ``clearance`` times the view's width from them where the area leaves room.
    clearance : float, default 0.06
        See ``avoid``.

    Returns
    -------
    dict of str to (float, float)
        ``(lon, lat)`` by the id of the country or ``sea_name`` feature.
    """
    return {
        key: spots[0]
        for key, spots in area_label_candidates(
            collection, view, avoid=avoid, clearance=clearance, wider=()
        ).items()
    }


def area_label_candidates(
    collection: Mapping[str, Any],
    view: Sequence[float],
    *,
    avoid: Sequence[Sequence[tuple[float, float]]] = (),
    clearance: float = 0.06,
    wider: Sequence[float] = (2.0, 4.0),
) -> dict[str, list[tuple[float, float]]]:
    """Return places to name each country and the sea, best first: ``(lon, lat)`` lists.

    A renderer that can see what covers the map (the web map's panels cover its
    corners, and how much depends on the screen) names each area at the first
    place left clear. The first is :func:`area_label_points`'s; then, for ``view``
    and for views ``wider`` times as wide and tall around the same centre, the pole
    of inaccessibility of the area's largest piece in each ninth of the view (a 3 by
    3 grid), roomiest first.

    Parameters
    ----------
    collection, view, avoid, clearance
        As for :func:`area_label_points`.
    wider : sequence of float, default (2.0, 4.0)
        Larger views to look in as well: a wide screen shows more than ``view``.

    Returns
    -------
    dict of str to list of (float, float)
        ``(lon, lat)`` places by the id of the country or ``sea_name`` feature, at
        least one each, for the areas inside ``view``.
    """
    from shapely import transform
    from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, shape
    from shapely.ops import polylabel, unary_union

    from bordermap.geometry import transformer

    forward = transformer("EPSG:4326", "EPSG:3857")
    backward = transformer("EPSG:3857", "EPSG:4326")

    def mercator(xy: Any) -> Any:
        import numpy as np

        xs, ys = forward.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([xs, ys])

    west, south, east, north = (float(value) for value in view)
    seen = transform(box(west, south, east, north), mercator)
    room = (seen.bounds[2] - seen.bounds[0]) * clearance
    drawn = [
        transform(LineString(line) if len(line) > 1 else Point(line[0]), mercator).buffer(room)
        for line in avoid
        if len(line)
    ]
    covered = unary_union(drawn) if drawn else None
    tolerance = max(seen.length / 4000, 1.0)

    def roomiest(area: Any, window: Any) -> tuple[Any, float] | None:
        """Return the pole of the largest piece of ``area`` in ``window``, and its room."""
        visible = area.intersection(window)
        if covered is not None:
            free = visible.difference(covered)
            visible = free if free.area > 0 else visible
        pieces = [
            polygon
            for piece in getattr(visible, "geoms", [visible])
            if isinstance(piece, Polygon | MultiPolygon) and not piece.is_empty
            for polygon in getattr(piece, "geoms", [piece])
        ]
        if not pieces:
            return None
        largest = max(pieces, key=lambda piece: piece.area)
        pole = polylabel(largest, tolerance=tolerance)
        return pole, largest.exterior.distance(pole)

    def grid(window: Any) -> list[Any]:
        x0, y0, x1, y1 = window.bounds
        dx, dy = (x1 - x0) / 3, (y1 - y0) / 3
        return [
            box(x0 + i * dx, y0 + j * dy, x0 + (i + 1) * dx, y0 + (j + 1) * dy)
            for i in range(3)
            for j in range(3)
        ]

    centre = seen.centroid
    windows = [seen] + [
        box(
            centre.x - (seen.bounds[2] - seen.bounds[0]) * factor / 2,
            centre.y - (seen.bounds[3] - seen.bounds[1]) * factor / 2,
            centre.x + (seen.bounds[2] - seen.bounds[0]) * factor / 2,
            centre.y + (seen.bounds[3] - seen.bounds[1]) * factor / 2,
        )
        for factor in wider
    ]
    sea_names = features_of_kind(collection, "sea_name")
    places: dict[str, list[tuple[float, float]]] = {}
    for feature in features_of_kind(collection, "country", "sea"):
        area = transform(shape(feature["geometry"]), mercator)
        first = roomiest(area, seen)
        if first is None:
            continue  # not in the view: not named
        spots = [first[0]]
        if wider:
            cells = [
                found
                for window in windows
                for cell in grid(window)
                if (found := roomiest(area, cell)) is not None
            ]
            spots += [pole for pole, _ in sorted(cells, key=lambda found: -found[1])]
        kind = (feature.get("properties") or {}).get("kind")
        key = str((sea_names[0] if kind == "sea" and sea_names else feature).get("id"))
        places[key] = []
        for spot in spots:
            lon, lat = backward.transform(spot.x, spot.y)
            place = (round(lon, 6), round(lat, 6))
            if place not in places[key]:
                places[key].append(place)
    return places


#: How far (SVG units, about a pixel each) the inset's outlines may be simplified: it is
#: drawn 200 px wide, so a quarter of a unit is below what a screen shows.
INSET_TOLERANCE: float = 0.25


def _inset_ring(points: Sequence[tuple[float, float]]) -> str:
    """Return a ring of the inset as an SVG path ("M x,y l dx,dy ... Z").

    Simplified within :data:`INSET_TOLERANCE`, written in tenths of a unit and relative
    from the first point, each step from the one before (differences of the rounded
    points, so no rounding error builds up). Rings that simplify to less than a
    triangle (islands smaller than a pixel) give "".
    """
    from shapely.geometry import LineString

    if len(points) < 4:
        return ""
    simple = LineString(points).simplify(INSET_TOLERANCE, preserve_topology=False)
    tenths: list[tuple[int, int]] = []
    for x, y in simple.coords:
        point = (round(x * 10), round(y * 10))
        if not tenths or tenths[-1] != point:
            tenths.append(point)
    if len(tenths) < 4:
        return ""
    steps = " ".join(
        f"{_svg_number(x1 - x0)},{_svg_number(y1 - y0)}"
        for (x0, y0), (x1, y1) in itertools.pairwise(tenths)
    )
    return f"M{_svg_number(tenths[0][0])},{_svg_number(tenths[0][1])}l{steps}Z"


def _svg_number(tenths: int) -> str:
    """Write a number of tenths as SVG path data does shortest: 9 -> ".9", -3 -> "-.3"."""
    text = f"{tenths / 10:g}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def inset_svg(inset: Mapping[str, Any], view: Sequence[float], *, language: str = "en") -> str:
    """Return the locator inset as an SVG element, for a page (the web map's corner).

    The countries (the map's three in their fills, the others in one), the coast, the
    names of the three countries and the sea, the cities, and a box marking ``view``
    (at least 8 px across), 220 px wide in its own units, outlines simplified within
    :data:`INSET_TOLERANCE` of a unit. All text is HTML-escaped.
    The box, ``<rect class="bm-inset-extent">``, carries what a script needs to move
    it with the map: a Web Mercator point ``(x, y)`` is at
    ``((x - data-x0) / data-unit, (data-y0 - y) / data-unit)``.

    Parameters
    ----------
    inset : mapping
        ``read_base(...)["inset"]``.
    view : (west, south, east, north)
        The main map's extent in degrees.
    language : str, default "en"
        Language of the names.
    """
    import html

    from bordermap.geometry import transformer

    forward = transformer("EPSG:4326", "EPSG:3857")
    west, south, east, north = (float(v) for v in inset["bordermap"]["extent"])
    x0, y0 = forward.transform(west, north)
    x1, y1 = forward.transform(east, south)
    width = 220.0
    unit = (x1 - x0) / width  # Web Mercator metres per SVG unit
    height = (y0 - y1) / unit

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x, y = forward.transform(lon, lat)
        return (x - x0) / unit, (y0 - y) / unit

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bm-inset-map" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.1f}" '
        f'aria-label="{html.escape(EXTENT_STYLE.label)} in north-east Asia">',
        f'<rect width="{width:.0f}" height="{height:.1f}" fill="{SEA_STYLE.fill}"/>',
    ]

    def path(geometry: Mapping[str, Any]) -> str:
        polygons = (
            [geometry["coordinates"]]
            if geometry.get("type") == "Polygon"
            else geometry.get("coordinates") or []
        )
        rings = []
        for polygon in polygons:
            for ring in polygon:
                rings.append(_inset_ring([xy(p[0], p[1]) for p in ring]))
        return "".join(rings)

    for feature in features_of_kind(inset, "country"):
        style = base_style(feature)
        parts.append(
            f'<path d="{path(feature["geometry"])}" fill="{style.fill}" '
            f'stroke="{style.color}" stroke-width="0.6" fill-rule="evenodd"/>'
        )
    for feature in features_of_kind(inset, "sea"):
        parts.append(
            f'<path d="{path(feature["geometry"])}" fill="none" stroke="{SEA_STYLE.color}" '
            'stroke-width="0.6" fill-rule="evenodd"/>'
        )
    font = 'font-family="sans-serif" text-anchor="middle" dominant-baseline="middle"'
    for feature in features_of_kind(inset, "country"):
        label_at = (feature.get("properties") or {}).get("label_at")
        if label_at:
            x, y = xy(label_at[0], label_at[1])
            parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" {font} font-size="7.5" font-weight="bold" '
                f'fill="{COUNTRY_NAME_COLOUR}">'
                f"{html.escape(base_name(feature, language).upper())}</text>"
            )
    for feature in features_of_kind(inset, "sea_name"):
        x, y = xy(*feature["geometry"]["coordinates"][:2])
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" {font} font-size="7.5" font-style="italic" '
            f'fill="{SEA_NAME_COLOUR}">{html.escape(base_name(feature, language))}</text>'
        )
    for feature in features_of_kind(inset, "city"):
        x, y = xy(*feature["geometry"]["coordinates"][:2])
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{CITY_STYLE.fill}" '
            f'stroke="{CITY_STYLE.color}" stroke-width="1"/>'
            f'<text x="{x + 4:.1f}" y="{y:.1f}" font-family="sans-serif" font-size="7" '
            'fill="#212529" dominant-baseline="middle" stroke="#ffffff" stroke-width="2" '
            f'paint-order="stroke">{html.escape(base_name(feature, language))}</text>'
        )
    (left, top), (right, bottom) = xy(view[0], view[3]), xy(view[2], view[1])
    least = 8.0
    box_w, box_h = max(right - left, least), max(bottom - top, least)
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    parts.append(
        f'<rect class="bm-inset-extent" x="{centre_x - box_w / 2:.1f}" '
        f'y="{centre_y - box_h / 2:.1f}" width="{box_w:.1f}" height="{box_h:.1f}" '
        f'fill="{EXTENT_STYLE.color}" fill-opacity="0.15" stroke="{EXTENT_STYLE.color}" '
        f'stroke-width="{EXTENT_STYLE.weight:g}" data-least="{least:g}" '
        f'data-x0="{x0:.1f}" data-y0="{y0:.1f}" data-unit="{unit:.4f}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
