"""The base beneath the layers: land, sea and the map's countries, and the locator inset.

Two GeoJSON files in ``<geodata>/base/``, made by ``scripts/make_base.py`` from
public, licensed data and committed (``geodata/base/README.md`` says how):

``local.geojson``
    At the scale of the bridges: the land areas of the map's countries, the sea,
    the boundaries no layer draws, and where the sea's name goes. The countries'
    shared boundaries are OpenStreetMap's, so the border the layers draw is the
    same line; the coast is Natural Earth's and approximate at this scale.
``inset.geojson``
    The wider region for the locator inset: countries (the map's own marked
    ``focus``), the sea, the sea's name and a few cities.

:func:`read_base` reads both as strictly as :func:`bordermap.layers.read_layers`
reads the layers. The styles (:func:`country_styles`, :data:`SEA_STYLE`, ...), names
and credit come from :mod:`bordermap._base_style`, the places to name the areas from
:mod:`bordermap._base_labels` and the inset from :mod:`bordermap._inset`; this module
reads the base and offers them all.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from bordermap._base_labels import area_label_candidates, area_label_points
from bordermap._base_style import (
    BOUNDARY_STYLE,
    CITY_STYLE,
    COUNTRY_FILLS,
    COUNTRY_NAME_COLOUR,
    EXTENT_STYLE,
    OTHER_LAND_STYLE,
    SEA_NAME_COLOUR,
    SEA_STYLE,
    base_credit,
    base_name,
    base_style,
    country_styles,
    extent_feature,
    features_of_kind,
)
from bordermap._inset import INSET_TOLERANCE, inset_svg
from bordermap._io import read_json
from bordermap._layercheck import (
    NESTING,
    drawn_problem,
    flatten_positions,
    label_of,
    source_problem,
)
from bordermap._rules import (
    lonlat_problem,
    name_fields,
    record_problems,
    region_box,
    region_problem,
)
from bordermap._types import FeatureCollection
from bordermap.errors import BaseUnavailableWarning, LayerError
from bordermap.schema import brief, identifier_problem, is_identifier

__all__ = [
    "BASE_DIRECTORY",
    "BASE_FILES",
    "BOUNDARY_STYLE",
    "CITY_STYLE",
    "COUNTRY_FILLS",
    "COUNTRY_NAME_COLOUR",
    "EXTENT_STYLE",
    "INSET_TOLERANCE",
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
    "country_styles",
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
Base = dict[str, FeatureCollection]

#: The geometry types each kind of base feature may have.
BASE_KINDS: dict[str, tuple[str, ...]] = {
    "country": ("Polygon", "MultiPolygon"),
    "sea": ("Polygon", "MultiPolygon"),
    "boundary": ("LineString", "MultiLineString"),
    "sea_name": ("Point",),
    "city": ("Point",),
}


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
        problem = region_problem(meta.get("extent"))
        extent = None if problem is not None else region_box(meta.get("extent"))
        if problem is not None:
            problems.append(f"{where}: field 'bordermap.extent': {problem}")
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
        # A base file's sources say under which licence and with which credit.
        problem = source_problem(source, required=("licence", "credit"))
        if problem is not None:
            problems.append((where, problem))
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
    # English at least: base_name falls back to it in a language the data lacks.
    languages = sorted(
        key.removeprefix("name_")
        for key in properties
        if key.startswith("name_") and key != "name_en"
    )
    names = name_fields(["en", *languages])
    found += [(place, key, problem) for key, problem in record_problems(properties, names)]
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
        problem = lonlat_problem(label_at, extent)
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
