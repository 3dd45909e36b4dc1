"""How the base is drawn: its styles, names and credit, shared by the web map and the export.

:func:`base_style` gives each base feature its style (the map's countries by
:func:`country_styles`, the sea, boundaries, cities), :func:`base_name` its name in a
language, :func:`base_credit` the one credit line the base needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bordermap._rules import is_finite
from bordermap._types import Feature, FeatureCollection
from bordermap.i18n import translate
from bordermap.mapspec import active
from bordermap.styles import Style

__all__ = [
    "BOUNDARY_STYLE",
    "CITY_STYLE",
    "COUNTRY_FILLS",
    "COUNTRY_NAME_COLOUR",
    "EXTENT_STYLE",
    "OTHER_LAND_STYLE",
    "SEA_NAME_COLOUR",
    "SEA_STYLE",
    "base_credit",
    "base_name",
    "base_style",
    "country_styles",
    "extent_feature",
    "features_of_kind",
]

# Pale fills, distinct from each other, from the sea and from every layer's colours,
# so that the river, the border and the bridges stay what the eye sees first.
#: Fills of the map's countries in turn, for a country whose map gives it none.
COUNTRY_FILLS: tuple[str, ...] = ("#f3e7cf", "#e2ead7", "#efe1e4", "#e3e4f0")
#: Other countries (in the inset): one neutral fill.
OTHER_LAND_STYLE = Style("Other countries", "#ffffff", weight=0.8, fill="#e6e6e3")
#: The sea; its outline is the coast.
SEA_STYLE = Style("Sea", "#9fc1db", weight=1.0, fill="#cfe2f0")
#: A boundary between countries that no layer draws (a third country's).
BOUNDARY_STYLE = Style("International boundary", "#6b6b6b", weight=1.5, dash=(7, 3, 1.5, 3))
#: Cities in the inset.
CITY_STYLE = Style("City", "#212529", weight=1.2, marker="circle", radius=2.5, fill="#ffffff")
#: The box in the inset that marks the main map's extent.
EXTENT_STYLE = Style("Area of the main map", "#b3261e", weight=2.0)
#: Colour of the country names.
COUNTRY_NAME_COLOUR: str = "#6f6552"
#: Colour of the sea's name.
SEA_NAME_COLOUR: str = "#3f6f95"


def base_style(feature: Feature) -> Style:
    """Return the style a base feature is drawn with.

    Parameters
    ----------
    feature : mapping
        A feature of :func:`read_base`'s collections.

    Returns
    -------
    Style
        The style of a country of the map (:func:`country_styles`) when it is marked
        ``focus``, :data:`OTHER_LAND_STYLE` for another, :data:`SEA_STYLE`,
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
        styles = country_styles()
        if properties.get("focus") and code in styles:
            return styles[str(code)]
        return OTHER_LAND_STYLE
    styles = {"sea": SEA_STYLE, "boundary": BOUNDARY_STYLE, "city": CITY_STYLE}
    return styles[str(kind)]


def country_styles() -> dict[str, Style]:
    """Return the styles of the active map's countries, by ISO 3166-1 alpha-2 code.

    Each country's ``fill`` in ``[[map.countries]]``, else :data:`COUNTRY_FILLS` in turn.
    """
    spec = active()
    return {
        country.code: Style(
            country.name.get("en", country.code),
            "#ffffff",
            weight=1.0,
            fill=country.fill or COUNTRY_FILLS[index % len(COUNTRY_FILLS)],
        )
        for index, country in enumerate(spec.countries if spec is not None else ())
    }


def base_name(feature: Mapping[str, Any], language: str = "en") -> str:
    """Return a base feature's name in ``language``, falling back to English.

    A country of the active map is named as its ``[[map.countries]] name`` says, in
    any of the map's languages: base data made for any region need not know them.
    """
    properties = feature.get("properties") or {}
    spec = active()
    if properties.get("kind") == "country" and spec is not None:
        for country in spec.countries:
            if country.code == properties.get("country") and country.name.get(language):
                return country.name[language]
    return str(
        properties.get(f"name_{language}") or properties.get("name_en") or feature.get("id")
    )


def base_credit(base: Mapping[str, FeatureCollection], language: str = "en") -> str:
    """Return one credit line for the base, each source once, e.g. for a map's footer.

    Parameters
    ----------
    base : mapping
        From :func:`read_base` (either scale, or both).
    language : str, default "en"
        The language of the line: each source's ``credit_<language>`` (its
        ``credit`` if it has none) in the words around them.

    Returns
    -------
    str
        E.g. ``"Land, sea and boundaries: © OpenStreetMap contributors (ODbL);
        Natural Earth"``; empty if ``base`` is empty.
    """
    credits: dict[str, None] = {}
    for collection in base.values():
        for source in (collection.get("bordermap") or {}).get("sources") or []:
            credits[str(source.get(f"credit_{language}") or source.get("credit"))] = None
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


def features_of_kind(collection: FeatureCollection, *kinds: str) -> list[Feature]:
    """Return a base collection's features of the given kinds, in file order."""
    return [
        feature
        for feature in collection.get("features") or []
        if (feature.get("properties") or {}).get("kind") in kinds
    ]
