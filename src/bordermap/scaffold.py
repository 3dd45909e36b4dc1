"""A new map from a region: its facts file, border line and country areas, ready to extend.

:func:`scaffold` writes, in a new map's folder, a commented ``facts.toml`` (its
``[map]`` table filled in from the region and languages, the border as its first
feature, a bridge to copy), the border line between the two largest countries of
the region as ``border_line.geojson``, and its base (``base/local.geojson``, the
region's countries and sea; ``base/inset.geojson``, the wider view of the locator
inset; ``base/README.md``, their sources, versions and licences), made by
:func:`bordermap.basedata.make_base` from data on disk: OpenStreetMap's country areas
(npm ``@osm_borders/maritime_10m``, ODbL) and Natural Earth's land (npm
``world-atlas``, public domain), or a base file bordermap made
(``geodata/base/local.geojson`` and the inset beside it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bordermap import settings
from bordermap._io import read_json, write_all
from bordermap.basedata import OSM_BORDERS, BaseSources, make_base, map_countries
from bordermap.errors import FactsError, OutputError
from bordermap.mapspec import utm_crs
from bordermap.schema import is_identifier

__all__ = ["OSM_CREDIT", "scaffold"]

#: The credit and licence of OpenStreetMap's country areas.
OSM_CREDIT = OSM_BORDERS["credit"]
#: Where ``bordermap new`` finds country areas when given none.
_DEFAULT_BORDERS = Path("geodata") / "base" / "local.geojson"


def scaffold(
    directory: str | Path,
    region: tuple[float, float, float, float],
    languages: Sequence[str],
    *,
    sources: BaseSources | None = None,
    borders: str | Path | None = None,
    map_id: str | None = None,
) -> list[Path]:
    """Write a new map's facts file, border line and base for ``region``.

    Parameters
    ----------
    directory : str or pathlib.Path
        The new map's folder (e.g. ``maps/narva``); it must not hold a facts file.
    region : (west, south, east, north)
        The map's region, in degrees.
    languages : sequence of str
        The map's languages; ``"en"`` first or added.
    sources : BaseSources, optional
        The data the base is made from (:func:`bordermap.basedata.base_sources`: the
        npm packages ``@osm_borders/maritime_10m`` and ``world-atlas``).
    borders : str or pathlib.Path, optional
        Without ``sources``: country areas alone, ``borders.geo.json`` of
        ``@osm_borders/maritime_10m`` or a bordermap base file (``kind = "country"``;
        default ``geodata/base/local.geojson``, with its inset beside it).
    map_id : str, optional
        The map's id; defaults to the folder's name.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    FactsError
        If the region holds fewer than two countries of ``borders``, or they share
        no boundary there.
    OutputError
        If the folder already holds a facts file.
    """
    directory = Path(directory)
    map_id = map_id or directory.resolve().name.replace("-", "_").lower()
    if not is_identifier(map_id):
        raise FactsError(f"{directory}: '{map_id}' cannot be a map id: give --id")
    if (directory / settings.facts_file).exists():
        raise OutputError(f"{directory / settings.facts_file}: exists; not replaced")
    languages = ["en", *(code for code in languages if code != "en")]
    if sources is None:
        sources = _sources_of(Path(borders) if borders is not None else _DEFAULT_BORDERS)
    base, found = make_base(region, sources)
    countries = map_countries(found)
    if len(countries) < 2:
        raise FactsError(
            f"{sources.borders}: {len(countries)} country in the region {list(region)}; "
            "a border map needs two (is the region right, W,S,E,N in degrees?)"
        )
    line = _shared_line(countries[0][1], countries[1][1])
    if line is None:
        raise FactsError(
            f"{sources.borders}: {countries[0][0]} and {countries[1][0]} share no boundary "
            f"in the region {list(region)}"
        )
    banks = _banks(line, countries[0], countries[1])
    files: dict[Path, str | bytes] = {
        directory / settings.facts_file: _facts_text(map_id, region, languages, countries, banks),
        directory / "border_line.geojson": _border_file(line, countries),
        **{directory / "base" / name: text for name, text in base.items()},
    }
    write_all(files)
    return list(files)


def _sources_of(borders: Path) -> BaseSources:
    """Return the sources of a base made from one file of country areas (``--borders``).

    A base file bordermap made (``base/local.geojson``) has its inset beside it, which
    gives the wider view; OpenStreetMap's ``borders.geo.json`` covers the world.
    """
    inset = borders.with_name("inset.geojson")
    if borders.name != "local.geojson" or not inset.is_file():
        return BaseSources(borders=borders, records=(OSM_BORDERS,))
    # A base file records its own sources: they are the new base's too.
    records: dict[str, dict[str, str]] = {}
    for path in (borders, inset):
        data = read_json(path, [], "base file not found")
        meta = data.get("bordermap") if isinstance(data, dict) else None
        for source in meta.get("sources") or [] if isinstance(meta, dict) else []:
            records.setdefault(str(source.get("id")), _record(source))
    return BaseSources(
        borders=borders, records=tuple(records.values()) or (OSM_BORDERS,), inset_borders=inset
    )


def _record(source: Mapping[str, Any]) -> dict[str, str]:
    """Return a base file's source as a record of :mod:`bordermap.basedata`."""
    version = " ".join(str(source[key]) for key in ("package", "version") if source.get(key))
    record = {
        "id": source.get("id"),
        "publisher": source.get("publisher"),
        "title": source.get("title") or source.get("source"),
        "version": version or None,
        "licence": source.get("licence"),
        "credit": source.get("credit"),
        "url": source.get("url"),
    }
    return {key: str(value) for key, value in record.items() if value}


def _shared_line(first: Any, second: Any) -> Any:
    """Return the longest line the two areas share, or ``None``."""
    from shapely.geometry import LineString, MultiLineString
    from shapely.ops import linemerge

    # OpenStreetMap's areas share their boundaries vertex for vertex.
    shared = first.boundary.intersection(second.boundary)
    pieces = [
        piece
        for piece in getattr(shared, "geoms", [shared])
        if isinstance(piece, LineString | MultiLineString)
    ]
    if not pieces:
        return None
    merged = linemerge(pieces)
    lines = list(getattr(merged, "geoms", [merged]))
    longest = max(lines, key=lambda line: line.length)
    return longest if longest.length > 0 else None


def _banks(line: Any, first: tuple[str, Any], second: tuple[str, Any]) -> dict[str, str]:
    """Say which bank (facing along the line) each of the two countries holds."""
    start, end = line.coords[0], line.coords[-1]
    point = first[1].representative_point()
    cross = (end[0] - start[0]) * (point.y - start[1]) - (end[1] - start[1]) * (point.x - start[0])
    left, right = (first[0], second[0]) if cross > 0 else (second[0], first[0])
    return {left: "left", right: "right"}


def _rounded(coords: Any) -> list[list[float]]:
    decimals = settings.coordinate_decimals
    return [[round(float(x), decimals), round(float(y), decimals)] for x, y, *_ in coords]


def _border_file(line: Any, countries: list[tuple[str, Any]]) -> str:
    feature = {
        "type": "Feature",
        "properties": {
            "note": f"The {countries[0][0]}–{countries[1][0]} boundary in the region, "
            "from OpenStreetMap",
            "credit": OSM_CREDIT,
        },
        "geometry": {"type": "LineString", "coordinates": _rounded(line.coords)},
    }
    return json.dumps(feature, ensure_ascii=False) + "\n"


def _facts_text(
    map_id: str,
    region: tuple[float, float, float, float],
    languages: Sequence[str],
    countries: list[tuple[str, Any]],
    banks: Mapping[str, str],
) -> str:
    """Return the commented facts file of a new map."""
    west, south, east, north = region
    first, second = countries[0][0], countries[1][0]

    def names(text: str) -> str:
        return "{ " + ", ".join(f'{code} = "{text}"' for code in languages) + " }"

    translations = "".join(
        f'title_{code} = "TODO: the title in {code}"\n'
        f'subject_{code} = "TODO: what the map shows, in {code}"\n'
        for code in languages
        if code != "en"
    )
    country_tables = "".join(
        f'\n[[map.countries]]\ncode = "{code}"\nname = {names(code)}  # TODO: names\n'
        + (f'bank = "{banks[code]}"\n' if code in banks else "")
        for code, _ in countries
    )
    crs = utm_crs((west + east) / 2, (south + north) / 2)
    return f"""# The facts of the map '{map_id}': made by `bordermap new`, to complete.
#
# Every feature has names in each language of [map] languages, a kind, dated events,
# figures and sources (see README, "Changing a fact" and "A map of another crossing").
# Replace each TODO, add the bridges (copy the example at the end), then run
#   bordermap build --geodata <this folder>    and    bordermap validate --geodata <this folder>

[map]
id = "{map_id}"
title = "TODO: the map's title"
subject = "TODO: what the map shows, e.g. the {first}–{second} border and its bridges"
{translations}as_of = "{dt.date.today().isoformat()}"
# [west, south, east, north] in degrees: positions outside are refused as mistakes.
region = [{west}, {south}, {east}, {north}]
# Planar work is done in the UTM zone of the region's centre ({crs}); to choose
# another: projection = "EPSG:..."
languages = [{", ".join(f'"{code}"' for code in languages)}]
# Drawing order, bottom first; add each layer your features name ("river", "bridges", ...).
layers = ["border"]
border = "border"
# Add the river the bridges cross (a feature of kind "river") and name it here:
# river = "the-river"

[map.legend]
border = "{first}–{second} border"
{_words_tables(languages, f"{first}–{second} border")}
# bank: the side of the border line each country holds, facing along the line as
# drawn in border_line.geojson (reverse the line if the river flows the other way).
{country_tables}
[[features]]
id = "border"
layer = "border"
kind = "border"
name = {names(f"{first}–{second} border")}  # TODO: names in each language
description = "The {first}–{second} boundary in the region, as OpenStreetMap maps it."
sources = ["osm"]
events = []

[features.geometry]
method = "line"
file = "border_line.geojson"

{_example_bridge(names("TODO"), (south + north) / 2, (west + east) / 2)}
{_osm_source()}"""


def _words_tables(languages: Sequence[str], legend: str) -> str:
    """Return a ``[map.words.<language>]`` table per language but English, to translate.

    Every word the map shows is checked in each language when the facts are read:
    the legend's entry is written in English, marked TODO.
    """
    return "".join(
        f'\n[map.words.{code}]\n"{legend}" = "{legend}"  # TODO: in {code}\n'
        for code in languages
        if code != "en"
    )


def _example_bridge(name: str, lat: float, lon: float) -> str:
    """Return the commented example of a bridge, to copy, with ``name`` in each language."""
    return f"""# An example bridge to copy (uncomment, and give its own facts and sources):
# [[features]]
# id = "the-bridge"
# layer = "bridges"
# kind = "rail_bridge"   # road_bridge, road_rail_bridge, tunnel, ferry, cable_car, pipeline,
#                        # crossing_point, checkpoint, station, settlement
# name = {name}
# description = "TODO"
# sources = ["a-source"]
# events = [{{ date = "2022-11-16", what = "Opened", status = "open", sources = ["a-source"] }}]
#
# [features.geometry]
# method = "crossing"
# river = "the-river"
# lat = {lat:.6f}
# lon = {lon:.6f}
# centre_sources = ["a-source"]
# length_m = 1000
"""


def _osm_source() -> str:
    """Return the source of the border line: OpenStreetMap, credited as its licence asks."""
    return f"""[sources.osm]
publisher = "OpenStreetMap contributors"
title = "OpenStreetMap (country boundaries, npm @osm_borders/maritime_10m)"
url = "https://www.openstreetmap.org/copyright"
licence = "ODbL-1.0"
credit = "{OSM_CREDIT}"
"""
