"""What a map is: its id, layers, languages, countries, words and projection.

A facts file describes its map completely in its ``[map]`` table, so that the code
knows no place: every crossing it maps is data alone. The description
(:class:`MapSpec`) travels with the layers, in each layer's ``bordermap`` member
(``spec``), so that ``map``, ``export`` and ``validate`` read it from the layers alone.

While a map is drawn or checked its description is *active* (:func:`activated`):
the interface words then include the map's own (``[map.words.<language>]``) and
planar work is done in the map's projection (:func:`planar_crs`).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bordermap import settings
from bordermap.schema import brief, identifier_problem, is_identifier

__all__ = [
    "BANKS",
    "Country",
    "MapSpec",
    "activated",
    "active",
    "layers_in",
    "output_in",
    "parse_spec",
    "planar_crs",
    "spec_of",
    "utm_crs",
]

#: Sides of the border line, facing along it (downstream, for a river border).
BANKS: tuple[str, ...] = ("left", "right")

#: What a language code may be: ISO 639-1, optionally with a region ("pt-br").
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?")
#: What a country code may be: ISO 3166-1 alpha-2, as the base data writes it.
_COUNTRY = re.compile(r"[A-Z]{2}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CRS = re.compile(r"EPSG:[0-9]{4,6}")

_KNOWN_KEYS = {
    "id",
    "title",
    "subject",
    "as_of",
    "region",
    "naming_convention",
    "output",
    "languages",
    "layers",
    "layer_titles",
    "countries",
    "projection",
    "river",
    "border",
    "legend",
    "words",
}


class _Problems(Protocol):
    def add(self, where: str, field_name: str, message: str) -> None: ...


@dataclass(frozen=True)
class Country:
    """A country of the map: its code, names, the bank it holds and its fill.

    Parameters
    ----------
    code : str
        ISO 3166-1 alpha-2 code, as the base data names countries ("FR").
    name : dict of str to str
        Its name in each of the map's languages.
    bank : str, optional
        ``"left"`` or ``"right"``: the side of the border line it lies on, facing
        along the line as drawn (downstream). ``None`` for a neighbour the border
        line does not separate (a third country at a tripoint).
    fill : str, optional
        The colour of its land beneath the layers (CSS hex).
    """

    code: str
    name: dict[str, str]
    bank: str | None = None
    fill: str | None = None


@dataclass(frozen=True)
class MapSpec:
    """A map's description, from the ``[map]`` table of its facts file.

    Parameters
    ----------
    id : str
        The map's identifier.
    output : str
        The outputs' file name without suffix (default ``<id>_border_map``).
    layers : tuple of str
        Layer names in drawing order, bottom first.
    languages : tuple of str
        The languages every name is given in; the first is the map's own.
    countries : tuple of Country
        The countries drawn, with the bank each holds.
    region : tuple of float, optional
        ``(west, south, east, north)`` in degrees.
    projection : str, optional
        The CRS of planar work: ``[map] projection``, else the UTM zone of the
        region's centre.
    layer_titles : dict of str to str
        What the layer control calls each layer (English; words translate it).
    legend : dict of str to str
        The legend's label of a kind, where the map names it more precisely.
    words : dict of str to dict
        Language to English text to translation: the map's own words.
    river, border : str, optional
        Ids of the river the bridges cross and of the border line; by default the
        one feature of kind ``river`` and of kind ``border``.
    """

    id: str
    output: str
    layers: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    countries: tuple[Country, ...] = ()
    region: tuple[float, float, float, float] | None = None
    projection: str | None = None
    layer_titles: dict[str, str] = field(default_factory=dict)
    legend: dict[str, str] = field(default_factory=dict)
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    river: str | None = None
    border: str | None = None

    def country_on(self, bank: str) -> Country | None:
        """Return the country holding ``bank`` ("left" or "right"), if the map says."""
        return next((country for country in self.countries if country.bank == bank), None)

    def as_metadata(self) -> dict[str, object]:
        """Return the description as JSON-ready data, as the layers carry it."""
        data: dict[str, object] = {
            "output": self.output,
            "layers": list(self.layers),
            "languages": list(self.languages),
        }
        if self.projection:
            data["projection"] = self.projection
        if self.countries:
            data["countries"] = [
                {
                    "code": country.code,
                    "name": dict(country.name),
                    **({"bank": country.bank} if country.bank else {}),
                    **({"fill": country.fill} if country.fill else {}),
                }
                for country in self.countries
            ]
        for key in ("river", "border"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        for key in ("layer_titles", "legend", "words"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


def utm_crs(lon: float, lat: float) -> str:
    """Return the WGS 84 UTM zone's CRS of a position, e.g. ``"EPSG:32633"`` for (15, 50).

    The regular 6° zones; the exceptions around Norway and Svalbard are not made,
    as a map there may name its projection.
    """
    zone = math.floor((lon + 180.0) / 6.0) % 60 + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


_ACTIVE: ContextVar[MapSpec | None] = ContextVar("bordermap_map", default=None)


def active() -> MapSpec | None:
    """Return the map being drawn or checked, or ``None`` outside one."""
    return _ACTIVE.get()


@contextmanager
def activated(spec: MapSpec | None) -> Iterator[MapSpec | None]:
    """Make ``spec`` the active map inside the ``with`` block (``None`` keeps the current)."""
    if spec is None:
        yield _ACTIVE.get()
        return
    token = _ACTIVE.set(spec)
    try:
        yield spec
    finally:
        _ACTIVE.reset(token)


def planar_crs(near: tuple[float, float] | None = None) -> str:
    """Return the projected CRS for planar work, read when used.

    ``settings.projected_crs`` when set; else the active map's projection; else the
    UTM zone of ``near`` (a position the work is about, ``(lon, lat)``).

    Raises
    ------
    ValueError
        If none of the three is known.
    """
    if settings.projected_crs:
        return settings.projected_crs
    spec = _ACTIVE.get()
    if spec is not None and spec.projection:
        return spec.projection
    if near is not None and all(math.isfinite(value) for value in near):
        return utm_crs(float(near[0]), float(near[1]))
    raise ValueError("no projected CRS: set settings.projected_crs or the map's region")


def spec_of(layers: Mapping[str, Mapping[str, object]]) -> MapSpec:
    """Return the description of the map the layers belong to.

    Read from the first layer that carries one (``bordermap.spec``); layers without
    one (made by another program) make a map of their own names, in English. A
    value of the wrong type (a layer edited by hand) is left at its default.
    """
    meta: Mapping[str, object] = {}
    for layer in layers.values():
        found = layer.get("bordermap") if isinstance(layer, Mapping) else None
        if isinstance(found, Mapping):
            meta = found
            if isinstance(found.get("spec"), Mapping):
                break
    found_spec = meta.get("spec")
    raw: Mapping[str, object] = found_spec if isinstance(found_spec, Mapping) else {}
    map_id = str(meta["map"]) if is_identifier(meta.get("map")) else "border"
    region = meta.get("region")
    region_tuple: tuple[float, float, float, float] | None = None
    if isinstance(region, list) and len(region) == 4 and all(_is_number(v) for v in region):
        west, south, east, north = (float(value) for value in region)
        region_tuple = (west, south, east, north)
    projection, words = raw.get("projection"), raw.get("words")
    river, border = raw.get("river"), raw.get("border")
    return MapSpec(
        id=map_id,
        output=str(raw["output"]) if is_identifier(raw.get("output")) else f"{map_id}_border_map",
        layers=_strings(raw.get("layers")) or tuple(str(name) for name in layers),
        languages=_strings(raw.get("languages")) or ("en",),
        countries=_countries_of(raw.get("countries")),
        region=region_tuple,
        projection=projection if isinstance(projection, str) else _projection_of(region_tuple),
        layer_titles=_text_table(raw.get("layer_titles")),
        legend=_text_table(raw.get("legend")),
        words={str(language): _text_table(table) for language, table in words.items()}
        if isinstance(words, Mapping)
        else {},
        river=river if is_identifier(river) else None,
        border=border if is_identifier(border) else None,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _strings(value: object) -> tuple[str, ...]:
    """Return a list of text as a tuple; anything else as an empty one."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return ()


def _text_table(value: object) -> dict[str, str]:
    """Return a table of text (keys and values); anything else as an empty one."""
    if not isinstance(value, Mapping):
        return {}
    return {str(key): text for key, text in value.items() if isinstance(text, str)}


def _countries_of(value: object) -> tuple[Country, ...]:
    """Return the countries of a layer's spec, skipping any that is not a table."""
    if not isinstance(value, list):
        return ()
    return tuple(
        Country(
            code=str(item.get("code")),
            name=_text_table(item.get("name")),
            bank=item["bank"] if item.get("bank") in BANKS else None,
            fill=item["fill"] if isinstance(item.get("fill"), str) else None,
        )
        for item in value
        if isinstance(item, Mapping)
    )


def layers_in(directory: str | Path) -> tuple[str, ...]:
    """Return the names of the map's layers in a geodata directory, in drawing order.

    As its facts file's ``[map] layers`` lists them (or, without that list, as its
    features first name them); with no facts file beside them, every ``*.geojson``
    file of the directory, sorted.
    """
    directory = Path(directory)
    facts = directory / settings.facts_file
    try:
        data = tomllib.loads(facts.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return tuple(sorted(path.stem for path in directory.glob("*.geojson")))
    found = data.get("map")
    table: dict[str, object] = found if isinstance(found, dict) else {}
    listed = table.get("layers")
    if isinstance(listed, list) and all(is_identifier(name) for name in listed):
        return tuple(dict.fromkeys(listed))
    raw_features = data.get("features")
    features: list[object] = raw_features if isinstance(raw_features, list) else []
    return tuple(
        dict.fromkeys(
            feature["layer"]
            for feature in features
            if isinstance(feature, dict) and is_identifier(feature.get("layer"))
        )
    )


def output_in(directory: str | Path) -> str:
    """Return the outputs' name of the map whose facts file is in ``directory``.

    ``[map] output``, else ``<id>_border_map``; ``border_map`` when there is none.
    """
    from bordermap._io import read_input  # bounded, and of regular files only

    try:
        data = tomllib.loads(read_input(Path(directory) / settings.facts_file, "no facts file"))
    except (ValueError, RecursionError):  # TOMLDecodeError is a ValueError
        return "border_map"
    found = data.get("map")
    table: dict[str, object] = found if isinstance(found, dict) else {}
    if is_identifier(table.get("output")):
        return str(table["output"])
    return f"{table['id']}_border_map" if is_identifier(table.get("id")) else "border_map"


def _projection_of(region: tuple[float, ...] | None) -> str | None:
    if region is None:
        return None
    west, south, east, north = region
    return utm_crs((west + east) / 2.0, (south + north) / 2.0)


def parse_spec(
    table: Mapping[str, object],
    problems: _Problems,
    *,
    region: tuple[float, float, float, float] | None,
) -> MapSpec:
    """Read the map's description from the facts file's ``[map]`` table.

    Parameters
    ----------
    table : mapping
        The ``[map]`` table.
    problems : object with ``add(where, field, message)``
        Where each problem found is reported (all of them, not only the first).
    region : tuple of float, optional
        The region, already read and checked.

    Returns
    -------
    MapSpec
        The description; ``layers`` is empty when the table names none (the layers
        are then drawn in the order the features first name them).
    """
    where = "[map]"
    for key in sorted(set(table) - _KNOWN_KEYS):
        if not re.fullmatch(r"(title|subject)_[a-z]{2,3}(-[a-z0-9]{2,8})?", key):
            problems.add(
                where, key, f"unknown field (expected one of {', '.join(sorted(_KNOWN_KEYS))})"
            )
    map_id = table.get("id") if is_identifier(table.get("id")) else "border"
    output = table.get("output", f"{map_id}_border_map")
    if not is_identifier(output):
        problems.add(where, "output", str(identifier_problem(output)))
        output = f"{map_id}_border_map"
    languages = _languages(table.get("languages", ["en"]), problems)
    layers = _names(table.get("layers", []), "layers", problems)
    projection = table.get("projection")
    if projection is not None and (
        not isinstance(projection, str) or not _CRS.fullmatch(projection)
    ):
        problems.add(
            where, "projection", f"expected a CRS as 'EPSG:<code>', got {brief(projection)}"
        )
        projection = None
    return MapSpec(
        id=str(map_id),
        output=str(output),
        layers=layers,
        languages=languages,
        countries=_countries(table.get("countries", []), languages, problems),
        region=region,
        projection=projection or _projection_of(region),
        layer_titles=_texts(table.get("layer_titles", {}), "layer_titles", problems),
        legend=_texts(table.get("legend", {}), "legend", problems),
        words=_words(table.get("words", {}), languages, problems),
        river=_optional_id(table, "river", problems),
        border=_optional_id(table, "border", problems),
    )


def _languages(value: object, problems: _Problems) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        problems.add(
            "[map]", "languages", f"expected a list of language codes, got {brief(value)}"
        )
        return ("en",)
    bad = [code for code in value if not isinstance(code, str) or not _LANGUAGE.fullmatch(code)]
    if bad:
        problems.add(
            "[map]",
            "languages",
            f"expected language codes such as 'en', 'fr', got {brief(bad[0])}",
        )
    good = tuple(dict.fromkeys(code for code in value if code not in bad))
    if "en" not in good:
        # English is the key of every interface word and the fallback of every name.
        problems.add("[map]", "languages", f"must include 'en', got {brief(value)}")
    return good or ("en",)


def _names(value: object, key: str, problems: _Problems) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.add("[map]", key, f"expected a list of layer names, got {brief(value)}")
        return ()
    for name in value:
        problem = identifier_problem(name)
        if problem:
            problems.add("[map]", key, problem)
    return tuple(dict.fromkeys(name for name in value if is_identifier(name)))


def _texts(value: object, key: str, problems: _Problems) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(text, str) and text.strip() for text in value.values()
    ):
        problems.add("[map]", key, f"expected a table of texts, got {brief(value)}")
        return {}
    return {str(name): text for name, text in value.items()}


def _words(
    value: object, languages: tuple[str, ...], problems: _Problems
) -> dict[str, dict[str, str]]:
    if not isinstance(value, dict):
        problems.add(
            "[map]", "words", f"expected tables [map.words.<language>], got {brief(value)}"
        )
        return {}
    words: dict[str, dict[str, str]] = {}
    for language, table in value.items():
        if language not in languages:
            problems.add(
                "[map.words]", language, f"not one of the map's languages ({', '.join(languages)})"
            )
            continue
        words[language] = _texts(table, f"words.{language}", problems)
    return words


def _countries(
    value: object, languages: tuple[str, ...], problems: _Problems
) -> tuple[Country, ...]:
    if not isinstance(value, list):
        problems.add(
            "[map]", "countries", f"expected [[map.countries]] tables, got {brief(value)}"
        )
        return ()
    countries: list[Country] = []
    for index, raw in enumerate(value):
        where = f"[[map.countries]] #{index + 1}"
        if not isinstance(raw, dict):
            problems.add(where, "countries", "expected a table")
            continue
        code = raw.get("code")
        if not isinstance(code, str) or not _COUNTRY.fullmatch(code):
            problems.add(where, "code", f"expected an ISO 3166-1 alpha-2 code, got {brief(code)}")
            continue
        where = f"country '{code}'"
        names = raw.get("name")
        if not isinstance(names, dict):
            problems.add(where, "name", f"expected a table with {', '.join(languages)}")
            names = {}
        for language in languages:
            if not isinstance(names.get(language), str) or not names[language].strip():
                problems.add(where, f"name.{language}", "missing")
        bank = raw.get("bank")
        if bank is not None and bank not in BANKS:
            problems.add(where, "bank", f"expected 'left' or 'right', got {brief(bank)}")
            bank = None
        if bank is not None and any(other.bank == bank for other in countries):
            problems.add(where, "bank", f"another country already holds the {bank} bank")
        fill = raw.get("fill")
        if fill is not None and (not isinstance(fill, str) or not _COLOUR.fullmatch(fill)):
            problems.add(where, "fill", f"expected a colour as '#rrggbb', got {brief(fill)}")
            fill = None
        countries.append(
            Country(code, {k: str(v) for k, v in names.items() if k in languages}, bank, fill)
        )
    return tuple(countries)


def _optional_id(table: Mapping[str, object], key: str, problems: _Problems) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not is_identifier(value):
        problems.add("[map]", key, str(identifier_problem(value)))
        return None
    return value
