"""The static map's page: what it says, and where each part goes.

:func:`page_content` gathers what the page writes (title, "as of" line, labels,
sources and credits) in one language; :func:`draw` lays the page out: the title
block, the map (base, layers, ticks, scale bar, north arrow, inset, labels, the
areas' names), the legend and notes beside it and the sources at its foot.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Annotation, Text

from bordermap import _export_legend, _furniture, _html, _labels, _page
from bordermap._export_inset import draw_inset
from bordermap._export_layers import add_basemap, draw_base, draw_layers, name_areas
from bordermap._export_legend import MAX_DRAWN_CHARS, cut, note_texts, sources_line
from bordermap._layout import feature_coords, frame, label_anchors, uncertainty_collection
from bordermap._types import Feature, FeatureCollection, Layers
from bordermap.base import Base, base_credit, base_name
from bordermap.errors import ExportError
from bordermap.i18n import translate
from bordermap.styles import UNCERTAINTY_STYLE

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from bordermap.export import ExportOptions

_LAND = "#f2efe9"  # the plain background: OpenStreetMap's land colour


@dataclass
class Drawing:
    """A drawn map and what the output and the tests need to know about it."""

    figure: Figure
    map_axes: Axes
    title: str
    description: str
    legend: Legend
    labels: dict[str, Annotation] = field(default_factory=dict)
    basemap_problem: str | None = None
    base_drawn: bool = False
    area_names: dict[str, Text] = field(default_factory=dict)
    inset_axes: Axes | None = None


@dataclass
class PageContent:
    """What the page shows and writes, in one language, each text cut to what fits."""

    layers: Layers
    language: str
    #: (layer name, feature) of every feature with a position.
    features: list[tuple[str, Feature]]
    #: Feature id -> its label.
    labels: dict[str, str]
    title: str
    subtitle: str
    publishers: list[str]
    credits: list[str]
    description: str


def page_content(layers: Layers, language: str) -> PageContent:
    """Return what the page says about ``layers`` in ``language``.

    Raises :class:`ExportError` when there is nothing to draw, or when the features are
    not all named in ``language``.
    """
    meta = _html.metadata(layers)
    features = [
        (name, feature)
        for name, layer in layers.items()
        for feature in layer.get("features", [])
        if _has_position(feature)
    ]
    if not features:
        raise ExportError("nothing to draw: every layer is empty")
    # The languages every feature is named in (``name_note`` is a note, not a language).
    languages = set.intersection(
        *(
            {
                key.removeprefix("name_")
                for key in feature.get("properties") or {}
                if key.startswith("name_")
            }
            for _, feature in features
        )
    ) - {"note"}
    if language not in languages:
        raise ExportError(
            f"language {language!r}: the layers name their features in "
            f"{', '.join(sorted(languages))}; give one of these"
        )
    publishers, credits = _html.publishers_and_credits(layers, language)
    return PageContent(
        layers=layers,
        language=language,
        features=features,
        labels={key: cut(text) for key, text in _labels.label_texts(features, language).items()},
        title=cut(_html.localized(meta, "title", language) or "bordermap"),
        subtitle=_html.as_of_sentence(meta, features, language, limit=MAX_DRAWN_CHARS),
        publishers=[cut(publisher) for publisher in publishers],
        credits=[cut(credit, 2 * MAX_DRAWN_CHARS) for credit in credits],
        description=_html.describe(meta, features),
    )


def _has_position(feature: Mapping[str, Any]) -> bool:
    """Whether ``feature_coords(feature)`` has a position, without copying a long line's."""
    geometry = feature.get("geometry") or {}
    kind = geometry.get("type")
    return kind == "Point" or (kind == "LineString" and bool(geometry.get("coordinates")))


def written_texts(content: PageContent, base: Base) -> list[str]:
    """Return every text the page may write, for a check that the fonts have them."""
    language = content.language
    return (
        [content.title, content.subtitle, sources_line(content.publishers, language=language)]
        + content.credits
        + list(content.labels.values())
        + [part for note in note_texts(content.features, language) for part in note]
        + [translate(s.label, language) for s in _html.legend_entries(content.features)]
        + [base_name(f, language) for c in base.values() for f in c.get("features", [])]
        + [base_credit(base, language)]
    )


def draw(content: PageContent, options: ExportOptions, base: Base) -> Drawing:
    """Draw the whole page; call inside ``matplotlib.rc_context(export._rc_params())``."""
    page = _page.Page(options.width, options.dpi)
    # A hair over the exact size, so that the pixel size never rounds down.
    figure = Figure(
        figsize=(page.width_in + 1e-3 / options.dpi, page.height_in + 1e-3 / options.dpi),
        dpi=options.dpi,
    )
    figure.set_facecolor("white")
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    ax = _map_axes(figure, page, options.bbox, content.features)
    sheet = _page.Sheet(figure, page, ax, renderer, content.language)
    view = _view(ax)
    content = _simplified(content, pixel_m(ax, options.width, view))
    shown, areas = _in_view(ax, content.features)
    if options.bbox is not None and not shown:
        raise ExportError(_empty_bbox(options.bbox, content.features))

    credits = list(content.credits)
    basemap_problem: str | None = None
    tiles = False
    if options.basemap:  # the only network access
        basemap_credit, basemap_problem = add_basemap(ax, options.width * ax.get_position().width)
        if basemap_problem is None:
            credit = translate(basemap_credit, sheet.language, strict=False)
            credits.append(translate("Basemap {credit}", sheet.language, credit=credit))
            tiles = True
    # The tiles show land, sea and countries themselves: the base stands in for them.
    local = base.get("local") if not tiles else None
    if local is not None:
        draw_base(ax, local, page.scale)
    drawn_inset = base.get("inset") if options.inset else None
    obstacles = draw_layers(ax, content.layers, areas, page.scale)
    used = {
        scale: collection
        for scale, collection in (("local", local), ("inset", drawn_inset))
        if collection is not None
    }
    legend = _text_around(sheet, content, shown, bool(areas), (credits, used))

    _furniture.graticule(ax, view, page.scale, sheet.language)
    reserved = [
        _furniture.scale_bar(ax, renderer, page.scale, sheet.language),
        _furniture.north_arrow(ax, renderer, page.scale, sheet.language),
    ]
    inset_axes = None
    if drawn_inset is not None:
        inset_axes, inset_extent = draw_inset(sheet, drawn_inset, view, obstacles, reserved)
        reserved.append(inset_extent)
    anchors = label_anchors(content.features, ((view[2], view[0]), (view[3], view[1])))
    labels = _labels.place_labels(
        sheet, content.features, anchors, content.labels, obstacles, reserved
    )
    area_names: dict[str, Text] = {}
    if local is not None:
        taken = [*reserved, *(label.get_window_extent(renderer) for label in labels.values())]
        area_names = name_areas(sheet, local, obstacles, taken)
    return Drawing(
        figure=figure,
        map_axes=ax,
        title=content.title,
        description=content.description,
        legend=legend,
        labels=labels,
        basemap_problem=basemap_problem,
        base_drawn=local is not None,
        area_names=area_names,
        inset_axes=inset_axes,
    )


def pixel_m(ax: Axes, width: int, view: tuple[float, float, float, float]) -> float:
    """Return the ground size, in metres, of the map's smallest pixel at the export's width.

    A Web Mercator metre is ``cos(latitude)`` metres on the ground: the pixel is smallest
    on the edge of the view farthest from the equator.
    """
    x0, x1 = ax.get_xlim()
    pixels = width * ax.get_position().width
    farthest = max(abs(view[2]), abs(view[3]))
    return (x1 - x0) / pixels * math.cos(math.radians(farthest))


def _simplified(content: PageContent, pixel: float) -> PageContent:
    """Return ``content`` with its long lines simplified to within half a ``pixel`` (metres).

    A line of a million vertices is drawn, measured and avoided by the labels as the few
    thousand the page can show: the cost of the rest of the drawing does not grow with
    the line's detail. Half a pixel is the bound :func:`bordermap.simplify.web_ready`
    keeps in ``settings.projected_crs``; the other half is margin for that projection's
    scale (within 0.1 % of the ground's in a UTM zone), so every drawn line lies within a
    pixel of the layer's.
    """
    from bordermap.simplify import web_ready

    layers, _ = web_ready(content.layers, max_deviation_m=pixel / 2)
    features = [
        (name, feature)
        for name, layer in layers.items()
        for feature in layer.get("features", [])
        if feature_coords(feature)
    ]
    return dataclasses.replace(content, layers=layers, features=features)


def _text_around(
    sheet: _page.Sheet,
    content: PageContent,
    shown: Sequence[tuple[str, Feature]],
    uncertain: bool,
    credited: tuple[list[str], Mapping[str, FeatureCollection]],
) -> Legend:
    """Add the title block, the legend and notes, and the footer; return the legend."""
    credits, used_base = credited
    _title_block(sheet, content.title, content.subtitle)
    notes = note_texts(shown, sheet.language)
    entries = _html.legend_entries(shown)
    if uncertain:
        entries.append(UNCERTAINTY_STYLE)
    legend = _export_legend.draw_legend(sheet, entries)
    _export_legend.draw_footer(
        sheet, content.publishers, credits, base_credit(used_base, sheet.language)
    )
    _export_legend.draw_notes(sheet, legend, notes)
    return legend


def _view(ax: Axes) -> tuple[float, float, float, float]:
    """Return the map's view in degrees: (west, east, south, north)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    lons, lats = _page.inverse().transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    return (min(lons), max(lons), min(lats), max(lats))


def _empty_bbox(bbox: Sequence[float], features: Sequence[tuple[str, Feature]]) -> str:
    """Say that ``bbox`` shows none of ``features``, and where they are."""
    positions = [xy for _, feature in features for xy in feature_coords(feature)]
    extent = (
        min(x for x, _ in positions),
        min(y for _, y in positions),
        max(x for x, _ in positions),
        max(y for _, y in positions),
    )
    return (
        f"bbox {','.join(f'{value:g}' for value in bbox)}: none of the map's features is "
        f"in this area; they lie within {','.join(f'{value:.4f}' for value in extent)} "
        "(W,S,E,N in degrees)"
    )


def _in_view(
    ax: Axes, features: Sequence[tuple[str, Feature]]
) -> tuple[list[tuple[str, Feature]], list[tuple[str, NDArray[np.float64]]]]:
    """Return the features in the map's view, and the uncertainty areas there (id, ring)."""
    from shapely.geometry import LineString, Point, box
    from shapely.geometry import Polygon as ShapelyPolygon

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view_box = box(x0, y0, x1, y1)
    shown = [
        (name, feature)
        for name, feature in features
        if view_box.intersects(
            Point(xy[0])
            if len(xy := _page.project(feature_coords(feature))) == 1
            else LineString(xy)
        )
    ]
    areas = []
    for area in uncertainty_collection(features)["features"]:
        ring = _page.project([(c[0], c[1]) for c in area["geometry"]["coordinates"][0]])
        if view_box.intersects(ShapelyPolygon(ring)):
            areas.append((str(area.get("id")), ring))
    return shown, areas


def _title_block(sheet: _page.Sheet, title: str, subtitle: str) -> None:
    """Add the title and the subtitle above the map, each shrunk to fit on one line."""
    figure, page, renderer = sheet.figure, sheet.page, sheet.renderer
    top = _page.REFERENCE_WIDTH_IN * _page.PAGE_ASPECT - _page.MARGIN_IN
    room = figure.bbox.width * (1 - 2 * page.fraction(_page.MARGIN_IN, 0)[0])
    for words, drop, size, weight, colour, gid in (
        (title, 0.0, 18.0, "bold", _page.INK, "title"),
        (subtitle, 0.4, 10.5, "normal", _page.MUTED, "subtitle"),
    ):
        text = figure.text(
            *page.fraction(_page.MARGIN_IN, top - drop),
            words,
            ha="left",
            va="top",
            fontsize=size * page.scale,
            fontweight=weight,
            color=colour,
            gid=gid,
        )
        width = text.get_window_extent(renderer).width
        if width > room:
            text.set_fontsize(size * page.scale * room / width)


def _map_axes(
    figure: Figure,
    page: _page.Page,
    bbox: tuple[float, float, float, float] | None,
    features: Sequence[tuple[str, Feature]],
) -> Axes:
    """Add the map's axes, showing ``bbox`` (or the bridges) at the axes' proportions."""
    left, bottom = page.fraction(_page.MAP_BOX_IN[0], _page.MAP_BOX_IN[1])
    right, top = page.fraction(_page.MAP_BOX_IN[2], _page.MAP_BOX_IN[3])
    ax = figure.add_axes((left, bottom, right - left, top - bottom), gid="map")
    ax.set_facecolor(_LAND)
    for spine in ax.spines.values():
        spine.set_edgecolor(_page.FRAME)
        spine.set_linewidth(0.8 * page.scale)
    if bbox is None:
        (south, west), (north, east) = frame(features)
    else:
        west, south, east, north = (float(value) for value in bbox)
    corners = _page.project([(west, south), (west, north), (east, south), (east, north)])
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    # Widen or heighten the view to the axes' proportions: one map unit, one length.
    aspect = (right - left) * page.width_in / ((top - bottom) * page.height_in)
    if (x1 - x0) / (y1 - y0) < aspect:
        grow = ((y1 - y0) * aspect - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) / aspect - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_autoscale_on(False)
    return ax
