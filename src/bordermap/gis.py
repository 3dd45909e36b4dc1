"""Layers to and from the formats of GIS tools (QGIS, Google Earth, geopandas, ogr2ogr).

Those tools read and write through GDAL, which keeps a layer's data but not its
shape: a feature's ``id`` becomes a property, a field one feature lacks is written
``null`` in the others, lists of objects become JSON text in formats without them
(GeoPackage, KML), or Python's repr of them when geopandas wrote them, and booleans
become 0 and 1. :func:`from_gdal` undoes exactly that,
so a layer saved by QGIS is read like one ``bordermap layers`` wrote.
:func:`gis_files` goes the other way: every layer in one GeoPackage (for QGIS) and
one KML file (for Google Earth), written through pyogrio.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas

    from bordermap._types import FeatureCollection

__all__ = ["GIS_FORMATS", "from_gdal", "gis_files", "to_geodataframe"]

#: File suffix of each GIS format :func:`gis_files` writes, and its GDAL drivers,
#: best first (GDAL built without libkml has only the simpler KML driver).
GIS_FORMATS: dict[str, tuple[str, ...]] = {"gpkg": ("GPKG",), "kml": ("LIBKML", "KML")}

#: Properties that hold lists of records: GDAL writes them as JSON text where the
#: format has no lists (GeoPackage, KML).
_LIST_PROPERTIES = ("events", "figures", "sources", "position_sources")
#: Properties that are true or false: GDAL writes them as 1 and 0 where the format
#: has no booleans.
_BOOLEAN_PROPERTIES = ("approximate",)


def from_gdal(collection: object) -> object:
    """Return a FeatureCollection as GDAL wrote it, in the shape ``bordermap`` writes.

    A feature with no ``id`` member takes its ``id`` property as its id; ``null``
    properties are left out (GDAL writes a field that one feature has in every
    feature); JSON text in a list property (``events``, ``figures``, ``sources``) is
    parsed; 0 and 1 in ``approximate`` become false and true; ``bbox`` members
    (which nothing reads and an edit leaves stale) are dropped. GDAL's ``crs``
    (WGS 84 is accepted where the layer is read) and ``name`` members stay. Anything
    else, including what is not a FeatureCollection, is returned unchanged for the
    layer checks to judge.

    Parameters
    ----------
    collection : object
        Parsed GeoJSON, e.g. a layer saved by QGIS or ``GeoDataFrame.to_file``.

    Returns
    -------
    object
        A new FeatureCollection (or ``collection`` itself when it is not one).
    """
    if not isinstance(collection, dict) or not isinstance(collection.get("features"), list):
        return collection
    members = {key: value for key, value in collection.items() if key != "bbox"}
    return {**members, "features": [_feature(item) for item in collection["features"]]}


def _feature(feature: object) -> object:
    """Return one feature with GDAL's conventions undone."""
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        return feature
    properties = {key: value for key, value in feature["properties"].items() if value is not None}
    for key in _LIST_PROPERTIES:
        value = properties.get(key)
        if isinstance(value, str) and value.lstrip().startswith("["):
            properties[key] = _list_from_text(value)
    for key in _BOOLEAN_PROPERTIES:
        if properties.get(key) in (0, 1) and not isinstance(properties[key], bool):
            properties[key] = bool(properties[key])
    members = {key: value for key, value in feature.items() if key not in ("properties", "bbox")}
    if members.get("id") is None and isinstance(properties.get("id"), str):
        members["id"] = properties.pop("id")
    elif properties.get("id") == members.get("id"):
        properties.pop("id", None)
    return {**members, "properties": properties}


def _list_from_text(text: str) -> object:
    """Return the list a GDAL text field holds, or the text when it holds none.

    GDAL writes JSON; geopandas hands pyogrio Python lists, which it writes as
    ``str(value)`` (Python's repr): GDAL reads that back as JSON when it can and
    keeps it as text when it cannot (a string with both kinds of quotes). Python's
    repr of plain data is read with :func:`ast.literal_eval`, which evaluates
    literals only, never code. Text that is neither stays text, for the layer
    checks to report.
    """
    with contextlib.suppress(json.JSONDecodeError, RecursionError):
        return json.loads(text)
    with contextlib.suppress(ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        value = ast.literal_eval(text)
        if isinstance(value, list):
            return value
    return text


def gis_files(
    layers: Mapping[str, FeatureCollection],
    formats: Sequence[str] = tuple(GIS_FORMATS),
    *,
    language: str = "en",
    as_of: dt.date | None = None,
) -> dict[str, bytes]:
    """Write every layer into one GeoPackage and one KML file, in memory.

    Each layer is a table (GeoPackage) or folder (KML) named after it, holding its
    features with their id, ``name`` (in ``language``: the name QGIS and Google
    Earth show), names in every language, kind, status, lengths, whether they are
    approximate, and their dated events, figures and sources as JSON text.

    Parameters
    ----------
    layers : mapping of str to FeatureCollection
        From :func:`bordermap.layers.build_layers` or :func:`~bordermap.layers.read_layers`,
        or as of a date (:func:`bordermap.timeline.layers_as_of`).
    formats : sequence of str, optional
        Which of ``"gpkg"`` and ``"kml"`` to write (default both).
    language : str, optional
        Language of each feature's ``name``: ``"en"``, ``"ko"`` or ``"ru"``.
    as_of : datetime.date, optional
        The date the GeoPackage records as its last change (default 1 January 2000),
        so that the same layers always give the same bytes.

    Returns
    -------
    dict of str to bytes
        Suffix (``"gpkg"``, ``"kml"``) to the file's bytes.

    Raises
    ------
    MissingDependencyError
        If geopandas, an optional extra (``pip install 'bordermap[geopandas]'``), is
        not installed.
    """
    import pyogrio

    unknown = [suffix for suffix in formats if suffix not in GIS_FORMATS]
    if unknown:
        raise ValueError(f"unknown GIS formats {unknown!r}: expected {', '.join(GIS_FORMATS)}")
    drivers = pyogrio.list_drivers(write=True)
    # GeoPackage stamps the time of writing in the file unless told the date.
    stamp = (as_of or dt.date(2000, 1, 1)).isoformat() + "T00:00:00Z"
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        with tempfile.TemporaryDirectory(prefix="bordermap-gis-") as folder:
            written: dict[str, bytes] = {}
            for suffix in formats:
                path = Path(folder) / f"layers.{suffix}"
                for name, layer in layers.items():
                    if layer.get("features"):
                        pyogrio.write_dataframe(
                            _frame(layer, language),
                            path,
                            layer=name,
                            driver=_driver(suffix, drivers),
                            append=path.exists(),
                        )
                written[suffix] = path.read_bytes()
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    return written


def _driver(suffix: str, drivers: Mapping[str, str]) -> str:
    """Return the best GDAL driver for a format that this GDAL can write."""
    for driver in GIS_FORMATS[suffix]:
        if driver in drivers:
            return driver
    raise RuntimeError(f"this GDAL cannot write {suffix}: it has none of {GIS_FORMATS[suffix]}")


def _frame(layer: FeatureCollection, language: str) -> geopandas.GeoDataFrame:
    """Return a layer as a GeoDataFrame of flat fields, lists as JSON text."""
    from bordermap._optional import import_geopandas

    geopandas = import_geopandas("writing GeoPackage and KML files")
    features = []
    for feature in layer.get("features", []):
        properties = feature.get("properties", {})
        # GIS tools show a feature by its "name" field (KML's <name>) and ours are
        # name_en, name_ko, name_ru: the one in the export's language is shown.
        name = properties.get(f"name_{language}")
        fields: dict[str, object] = {"id": feature.get("id"), "name": name}
        for key, value in properties.items():
            is_list = isinstance(value, list | dict)
            fields[key] = json.dumps(value, ensure_ascii=False) if is_list else value
        features.append({"type": "Feature", "properties": fields, "geometry": feature["geometry"]})
    return geopandas.GeoDataFrame.from_features(features, crs="EPSG:4326")


def to_geodataframe(layer: Mapping[str, Any]) -> geopandas.GeoDataFrame:
    """Return a layer as a GeoDataFrame, for analysis in a notebook.

    Parameters
    ----------
    layer : mapping
        A GeoJSON FeatureCollection, e.g. ``build_layers(facts)["road_bridge"]``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, indexed by feature id, in WGS 84 (EPSG:4326); nested
        properties (events, figures, sources) stay Python lists. Project it before
        measuring, e.g. ``frame.to_crs(settings.projected_crs).length``.

    Raises
    ------
    MissingDependencyError
        If geopandas, an optional extra (``pip install 'bordermap[geopandas]'``), is
        not installed.
    """
    from bordermap._optional import import_geopandas

    geopandas = import_geopandas("to_geodataframe")
    features = list(layer.get("features", []))
    frame = geopandas.GeoDataFrame.from_features(features, crs="EPSG:4326")
    frame.index = [str(feature.get("id")) for feature in features]
    frame.index.name = "id"
    return frame
