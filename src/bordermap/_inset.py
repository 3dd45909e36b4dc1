"""The locator inset: what it shows, once, for the web map's SVG and the static export.

:func:`inset_content` says what the inset holds (the countries, the map's three in
their fills and the others in one; the coast; the names of the three countries and
the sea; the cities) and :func:`marked_box` how the box marking the map is sized.
:func:`inset_svg` renders them as an SVG element through the ``inset.svg.j2``
template (autoescaped); :mod:`bordermap._export_inset` draws the same with matplotlib.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bordermap._base_style import (
    CITY_STYLE,
    COUNTRY_NAME_COLOUR,
    EXTENT_STYLE,
    SEA_NAME_COLOUR,
    SEA_STYLE,
    base_name,
    base_style,
    features_of_kind,
)
from bordermap._templates import render
from bordermap._types import Feature, FeatureCollection
from bordermap.styles import Style

__all__ = ["INSET_TOLERANCE", "InsetContent", "InsetName", "inset_content", "inset_svg"]

#: How far (SVG units, about a pixel each) the inset's outlines may be simplified: it is
#: drawn 200 px wide (220 units), so half a unit is under half a pixel: no screen shows it.
INSET_TOLERANCE: float = 0.5

#: The SVG inset's width in its own units, and the least size of its box marking the map.
_SVG_WIDTH = 220.0
_SVG_LEAST_BOX = 8.0


@dataclass(frozen=True)
class InsetName:
    """A name the inset writes: whose (the feature), what, and where (lon, lat)."""

    feature: Feature
    text: str
    at: tuple[float, float]


@dataclass(frozen=True)
class InsetContent:
    """What the inset shows, in the order it is drawn."""

    #: The inset's extent: (west, south, east, north) in degrees.
    extent: tuple[float, float, float, float]
    #: Country features with the style each is filled with.
    countries: Sequence[tuple[Feature, Style]]
    #: Sea features: their outline is the coast.
    coasts: Sequence[Feature]
    #: The countries' names (in capitals, as maps write them), where the file puts them.
    country_names: list[InsetName]
    #: The sea's name.
    sea_names: list[InsetName]
    #: Cities: a marker in the style, the name beside it.
    cities: list[tuple[InsetName, Style]]


def inset_content(inset: FeatureCollection, language: str = "en") -> InsetContent:
    """Return what the inset of ``inset`` (``read_base(...)["inset"]``) shows in ``language``."""
    west, south, east, north = (float(v) for v in inset["bordermap"]["extent"])
    countries = features_of_kind(inset, "country")
    return InsetContent(
        extent=(west, south, east, north),
        countries=[(feature, base_style(feature)) for feature in countries],
        coasts=features_of_kind(inset, "sea"),
        country_names=[
            InsetName(feature, base_name(feature, language).upper(), (label_at[0], label_at[1]))
            for feature in countries
            if (label_at := (feature.get("properties") or {}).get("label_at"))
        ],
        sea_names=[
            InsetName(feature, base_name(feature, language), _lon_lat(feature))
            for feature in features_of_kind(inset, "sea_name")
        ],
        cities=[
            (InsetName(feature, base_name(feature, language), _lon_lat(feature)), CITY_STYLE)
            for feature in features_of_kind(inset, "city")
        ],
    )


def _lon_lat(feature: Mapping[str, Any]) -> tuple[float, float]:
    coordinates = feature["geometry"]["coordinates"]
    return coordinates[0], coordinates[1]


def marked_box(
    corner: tuple[float, float], opposite: tuple[float, float], least: float
) -> tuple[float, float, float, float]:
    """Return the box marking the map: centre x, centre y, width, height, each >= ``least``.

    ``corner`` and ``opposite`` are the map's corners in the inset's plane, ``corner``
    the one with the smaller coordinates: a map of a few kilometres would otherwise be
    a dot, so the box is grown about its centre to ``least`` across.
    """
    (x0, y0), (x1, y1) = corner, opposite
    return (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, least), max(y1 - y0, least)


def _inset_ring(points: Any) -> str:
    """Return a ring of the inset as an SVG path ("M x,y l dx,dy ... Z").

    Simplified within :data:`INSET_TOLERANCE`, written in tenths of a unit and relative
    from the first point, each step from the one before (differences of the rounded
    points, so no rounding error builds up). Rings that simplify to less than a
    triangle (islands smaller than a pixel) give "". ``points`` is a sequence of
    (x, y) or an ``(n, 2)`` array (made into a line at once, not point by point).
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


class _SvgPlane:
    """The SVG's plane: Web Mercator, ``_SVG_WIDTH`` units wide, y downwards."""

    def __init__(self, extent: tuple[float, float, float, float]) -> None:
        from bordermap.geometry import transformer

        self.forward = transformer("EPSG:4326", "EPSG:3857")
        west, south, east, north = extent
        self.x0, self.y0 = self.forward.transform(west, north)
        x1, y1 = self.forward.transform(east, south)
        self.unit = (x1 - self.x0) / _SVG_WIDTH  # Web Mercator metres per SVG unit
        self.height = (self.y0 - y1) / self.unit

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.forward.transform(lon, lat)
        return (x - self.x0) / self.unit, (self.y0 - y) / self.unit

    def ring(self, ring: Sequence[Sequence[float]]) -> Any:
        """Return a ring's positions in the plane as an ``(n, 2)`` array, in one transform.

        The same arithmetic as :meth:`xy`, point by point, on arrays.
        """
        import numpy as np

        lon_lat = np.array([(p[0], p[1]) for p in ring], dtype=float).reshape(-1, 2)
        x, y = self.forward.transform(lon_lat[:, 0], lon_lat[:, 1])
        return np.column_stack([(x - self.x0) / self.unit, (self.y0 - y) / self.unit])

    def path(self, geometry: Mapping[str, Any]) -> str:
        polygons = (
            [geometry["coordinates"]]
            if geometry.get("type") == "Polygon"
            else geometry.get("coordinates") or []
        )
        return "".join(_inset_ring(self.ring(ring)) for polygon in polygons for ring in polygon)

    def name(self, name: InsetName, offset: float = 0.0) -> dict[str, str]:
        x, y = self.xy(*name.at)
        return {"x": f"{x:.1f}", "y": f"{y:.1f}", "text": name.text, "text_x": f"{x + offset:.1f}"}


def inset_svg(inset: FeatureCollection, view: Sequence[float], *, language: str = "en") -> str:
    """Return the locator inset as an SVG element, for a page (the web map's corner).

    What :func:`inset_content` says, 220 px wide in its own units, with a box marking
    ``view`` (at least 8 px across), outlines simplified within :data:`INSET_TOLERANCE`
    of a unit; rendered through an autoescaping template, so every name is escaped.
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
    content = inset_content(inset, language)
    plane = _SvgPlane(content.extent)
    centre_x, centre_y, box_w, box_h = marked_box(
        plane.xy(view[0], view[3]), plane.xy(view[2], view[1]), _SVG_LEAST_BOX
    )
    box = {
        "x": f"{centre_x - box_w / 2:.1f}",
        "y": f"{centre_y - box_h / 2:.1f}",
        "width": f"{box_w:.1f}",
        "height": f"{box_h:.1f}",
        "colour": EXTENT_STYLE.color,
        "weight": f"{EXTENT_STYLE.weight:g}",
        "least": f"{_SVG_LEAST_BOX:g}",
        "x0": f"{plane.x0:.1f}",
        "y0": f"{plane.y0:.1f}",
        "unit": f"{plane.unit:.4f}",
    }
    # Through the shared environment, whose compiled templates are kept between runs;
    # it keeps a template's final line break, which the element has never carried.
    return render(
        "inset.svg.j2",
        width=f"{_SVG_WIDTH:.0f}",
        height=f"{plane.height:.1f}",
        label=EXTENT_STYLE.label,
        # What the inset shows, for a screen reader: the base file names it ("place").
        place=str(inset["bordermap"].get("place") or ""),
        sea=SEA_STYLE,
        countries=[
            {"d": plane.path(feature["geometry"]), "style": style}
            for feature, style in content.countries
        ],
        coasts=[plane.path(feature["geometry"]) for feature in content.coasts],
        country_names=[plane.name(name) for name in content.country_names],
        country_colour=COUNTRY_NAME_COLOUR,
        sea_names=[plane.name(name) for name in content.sea_names],
        sea_colour=SEA_NAME_COLOUR,
        cities=[{**plane.name(name, offset=4), "style": style} for name, style in content.cities],
        box=box,
    ).removesuffix("\n")
