"""The web map: the GeoJSON layers drawn with Folium (Leaflet), annotated and sourced.

:func:`build_map` draws whatever the layers hold, so a layer corrected by hand or in
QGIS shows up without touching the code; :func:`save_map` writes the page
reproducibly (the same layers give the same bytes).

All text taken from the data is HTML-escaped (:mod:`bordermap._html`), and links
accept only http(s).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup

from bordermap import _assets, _html, settings
from bordermap._io import write_atomic
from bordermap._layout import (
    feature_coords,
    frame,
    frame_kinds,
    label_specs,
    uncertainty_collection,
)
from bordermap._packing import pack_page
from bordermap._page_data import placement_options, scale_texts, timeline_data
from bordermap._templates import escaped, panel, panel_macro
from bordermap._types import FeatureCollection
from bordermap.base import Base, base_credit, inset_svg, resolve_base
from bordermap.basemaps import DEFAULT_BASEMAPS, Basemap, resolve_basemap
from bordermap.i18n import translate
from bordermap.layers import Layers, read_layers
from bordermap.mapspec import activated, active, spec_of
from bordermap.schema import parse_date
from bordermap.simplify import web_ready
from bordermap.styles import UNCERTAINTY_STYLE
from bordermap.timeline import effective_date, key_dates, layers_as_of

if TYPE_CHECKING:
    import folium

__all__ = ["LAYER_TITLES", "build_map", "render_html", "save_map"]

#: Names of layers in the layer control, by layer name, unless the map names them
#: (``[map.layer_titles]``); any other layer is called by its name.
LAYER_TITLES: dict[str, str] = {
    "border": "Border",
    "rail_bridge": "Rail bridge",
    "road_bridge": "Road bridge",
    "places": "Stations and places",
    "context": "Context: other links",
}


def build_map(
    layers: Layers | str | Path | None = None,
    *,
    basemaps: Sequence[Basemap | str] | None = None,
    self_contained: bool = True,
    as_of: dt.date | str | None = None,
    language: str = "en",
    base: Base | str | Path | Literal[False] | None = None,
) -> folium.Map:
    """Draw the layers on an annotated Folium map.

    Parameters
    ----------
    layers : dict or path, optional
        Layer name to GeoJSON FeatureCollection (from :func:`bordermap.build_layers`
        or :func:`bordermap.read_layers`), or a geodata directory to read them from;
        defaults to ``geodata/`` in the current directory.
    basemaps : sequence of Basemap or str, optional
        Tile layers to offer, the first shown: :class:`~bordermap.basemaps.Basemap`
        objects or xyzservices provider names; defaults to a street map
        (OpenStreetMap) and satellite imagery (Esri World Imagery).
    self_contained : bool, default True
        Inline Leaflet's script and stylesheet, so the page works without a network
        (but for tiles); ``False`` links them from a CDN for a smaller file.
    as_of : datetime.date or str, optional
        Draw the map as it was known on this date ("YYYY-MM-DD"): features that did
        not exist yet are left out and each has the status of that day. Defaults to
        today; a date after the facts' own "as of" date shows the map as of then.
        The page's time control goes back from this date without rebuilding.
    language : str, default "en"
        One of the map's languages (``[map] languages``): labels, popups, legend,
        title and notes.
    base : dict, path or False, optional
        Land, sea and the countries beneath the layers (seen wherever no tile loads)
        and the locator inset: from :func:`bordermap.base.read_base`, or a geodata
        directory to read it from; by default from the directory the layers come
        from, else ``geodata/`` (with a warning when there is none). ``False``: none.

    Returns
    -------
    folium.Map
        The map, framed on the bridges. In Jupyter it shows inline.

    Raises
    ------
    LayerError
        If ``layers`` is a directory whose layer files are missing or malformed.
    BasemapError
        If a basemap is named that cannot be used.
    ValueError
        If ``language`` or ``as_of`` is not one the map can draw.
    """
    full_history, drawn_base = _read(layers, base)
    spec = spec_of(full_history)
    if language not in spec.languages:
        raise ValueError(
            f"language must be one of the map's ({', '.join(spec.languages)}), got {language!r}"
        )
    with activated(spec):  # the map's words and projection
        return _draw_map(
            full_history,
            drawn_base,
            basemaps=basemaps,
            self_contained=self_contained,
            as_of=as_of,
            language=language,
        )


def _draw_map(
    full_history: Layers,
    drawn_base: Base | None,
    *,
    basemaps: Sequence[Basemap | str] | None,
    self_contained: bool,
    as_of: dt.date | str | None,
    language: str,
) -> folium.Map:
    """Draw the map of :func:`build_map` with the map active."""
    date = effective_date(full_history, parse_date(as_of) if isinstance(as_of, str) else as_of)
    layers, shown, simplified_m = _as_drawn(full_history, date)
    view = frame(shown)
    web_map = _page_map(layers, shown, view, language, self_contained)
    _add_tiles(web_map, basemaps, language)
    if drawn_base:
        _add_base(web_map, drawn_base, shown, view, language)
    uncertain = _add_layers(web_map, layers, shown, view, language)
    _add_legend_and_timeline(
        web_map, (full_history, layers), date, uncertain, simplified_m, language
    )
    if drawn_base and "inset" in drawn_base:
        _add_inset(web_map, drawn_base["inset"], view, language)
    # The page's layout pass: panels, first view, labels.
    web_map.add_child(
        _elements().Script(
            _template_text("place.js").replace("__MAP__", "{map}"),
            data=placement_options(shown, view, language),
            data_id="bm-layout-options",
        )
    )
    _stabilise_ids(web_map.get_root())
    return web_map


def _read(
    layers: Layers | str | Path | None, base: Base | str | Path | Literal[False] | None
) -> tuple[Layers, Base | None]:
    """Return the layers (read from a directory if one is given) and the base to draw."""
    if isinstance(layers, dict):
        return layers, resolve_base(base, None, stacklevel=4)
    geodata = Path(layers or "geodata")
    full_history = read_layers(geodata)
    return full_history, resolve_base(base, geodata, stacklevel=4)


def _as_drawn(full_history: Layers, date: dt.date) -> tuple[Layers, list[tuple[str, Any]], float]:
    """Return the layers as known on ``date`` (web-ready), those shown, and how simplified.

    The features shown at first are those of the layers not hidden.

    Long lines are drawn simplified, within settings.web_max_deviation_m of the layers'
    full detail (a river of a million vertices makes a page of kilobytes).
    """
    layers, deviations = web_ready(
        layers_as_of(full_history, date), max_deviation_m=settings.web_max_deviation_m
    )
    hidden = settings.hidden_layers  # off in the layer control (read now, not at import)
    shown = [
        (name, feature)
        for name, layer in layers.items()
        if name not in hidden
        for feature in layer.get("features", [])
    ]
    return layers, shown, max(deviations.values(), default=0.0)


def _add_inset(
    web_map: folium.Map,
    inset: FeatureCollection,
    view: tuple[tuple[float, float], ...],
    language: str,
) -> None:
    """Add the locator inset, and the script that keeps its box on the map's view."""
    (south, west), (north, east) = view
    svg = inset_svg(inset, (west, south, east, north), language=language)
    web_map.add_child(_elements().Panel(_inset_html(svg, language), "topright", "bm-inset"))
    # Keeps the inset's box on the part of the region the map shows, as it moves.
    web_map.add_child(_elements().Script(_script("inset.js")))


def _elements() -> Any:
    """Return :mod:`bordermap._elements`, imported when a map is drawn (it imports folium)."""
    from bordermap import _elements

    return _elements


def _page_map(
    layers: Layers,
    shown: Sequence[tuple[str, Any]],
    view: tuple[tuple[float, float], ...],
    language: str,
    self_contained: bool,
) -> folium.Map:
    """Return the page's map, framed on ``view``, with the page's head and description."""
    import folium

    elements = _elements()
    meta = _html.metadata(layers)
    description = _html.describe(meta, shown, language)
    title = _html.localized(meta, "title", language) or "bordermap"
    # branca writes the title into <title> as it is: escape it here.
    figure = folium.Figure(title=escaped(title))  # folium's template does not escape
    web_map = folium.Map(
        location=[(view[0][0] + view[1][0]) / 2, (view[0][1] + view[1][1]) / 2],
        zoom_start=15,
        tiles=None,
        zoom_control=False,
        # Quarter steps, so that the first view fits the room the panels leave.
        zoom_snap=0.25,
    )
    web_map._bordermap_language = language  # type: ignore[attr-defined]
    # Leaflet alone: this page uses no jQuery, Bootstrap or icon fonts.
    web_map.default_js = []
    web_map.default_css = []
    figure.add_child(web_map)
    # Draws the layers and panels below from their data: the code once for all of them.
    web_map.add_child(elements.Script(_template_text("layers.js")))
    figure.header.add_child(
        elements.RawHTML(_assets.leaflet_head(inline=self_contained)), name="leaflet"
    )
    figure.header.add_child(elements.RawHTML(f"<style>{_stylesheet()}</style>"), name="bm_css")
    figure.header.add_child(
        elements.RawHTML(panel_macro("macros.html.j2", "description_meta", description)),
        name="bm_meta_description",
    )
    figure.html.add_child(
        elements.RawHTML(panel_macro("macros.html.j2", "description_text", description)),
        name="bm_description",
    )
    return web_map


def _add_tiles(
    web_map: folium.Map, basemaps: Sequence[Basemap | str] | None, language: str
) -> None:
    """Add the basemaps, the first shown, and the notice shown while none loads."""
    import folium

    tiles = [
        basemap if isinstance(basemap, Basemap) else resolve_basemap(basemap)
        for basemap in (basemaps or DEFAULT_BASEMAPS)
    ]
    for index, basemap in enumerate(tiles):
        folium.TileLayer(
            tiles=basemap.url,
            attr=translate(basemap.attribution, language, strict=False),
            name=translate(basemap.label, language, strict=False),
            max_zoom=basemap.max_zoom,
            show=index == 0,
            overlay=False,
        ).add_to(web_map)
    web_map.add_child(_elements().Script(_tile_notice_js(language)))


def _add_base(
    web_map: folium.Map,
    drawn_base: Base,
    shown: Sequence[tuple[str, Any]],
    view: tuple[tuple[float, float], ...],
    language: str,
) -> None:
    """Add land, sea and countries beneath the layers, crediting the whole base."""
    (south, west), (north, east) = view
    web_map.add_child(
        _elements().BaseLayer(
            translate("Land, sea and countries", language),
            drawn_base["local"],
            (west, south, east, north),
            language,
            [feature_coords(f) for _, f in shown],
            base_credit(drawn_base, language),
        )
    )


def _layer_title(name: str, language: str) -> str:
    """Return what the layer control calls a layer, in ``language``."""
    spec = active()
    title = (spec.layer_titles if spec is not None else {}).get(name) or LAYER_TITLES.get(name)
    if title is None:  # a layer the map does not name: its name, as it is
        return name.replace("_", " ")
    return translate(title, language)


def _add_layers(
    web_map: folium.Map,
    layers: Layers,
    shown: Sequence[tuple[str, Any]],
    view: tuple[tuple[float, float], ...],
    language: str,
) -> bool:
    """Add the title, the uncertainty areas and each layer; return whether any area is drawn."""
    elements = _elements()
    # Inside a frame (an embed, a notebook) the map zooms only with Ctrl/⌘ + wheel or two
    # fingers, so that it never hijacks the page's scrolling; on its own page it zooms freely.
    web_map.add_child(
        elements.Script(
            "if (window.self !== window.top && {map}.gestureHandling) "
            "{ {map}.gestureHandling.enable(); }"
        )
    )
    meta = _html.metadata(layers)
    web_map.add_child(
        elements.Panel(_html.title_html(meta, layers, language), "topleft", "bm-title")
    )
    uncertainty = uncertainty_collection(shown)
    if uncertainty["features"]:
        web_map.add_child(
            elements.AreaLayer(
                translate("Position uncertainty", language), uncertainty, UNCERTAINTY_STYLE
            )
        )
    features = [(name, f) for name, layer in layers.items() for f in layer.get("features", [])]
    labels = {
        spec.feature_id: (order, spec)
        for order, spec in enumerate(label_specs(features, view, language))
    }
    hidden = settings.hidden_layers
    for name, layer in layers.items():
        if layer.get("features"):
            # The layer control shows it as HTML.
            layer_title = escaped(_layer_title(name, language))
            web_map.add_child(
                elements.FeatureLayer(
                    name, layer_title, layer, labels, language, show=name not in hidden
                )
            )
    return bool(uncertainty["features"])


def _add_legend_and_timeline(
    web_map: folium.Map,
    history_and_drawn: tuple[Layers, Layers],
    date: dt.date,
    uncertain: bool,
    simplified_m: float,
    language: str,
) -> None:
    """Add the legend, the time control and its script, the scale and the layer control."""
    import folium

    elements = _elements()
    full_history, layers = history_and_drawn
    hidden = settings.hidden_layers
    # The slider stops only where something drawn changes: events of layers shown only
    # on request (the context) stay in the events list.
    story = key_dates({n: layer for n, layer in full_history.items() if n not in hidden}, date)
    data = timeline_data(full_history, layers, story, language)
    web_map.add_child(
        elements.Panel(
            _html.legend_html(
                data.pop("legend"),
                uncertain,
                language,
                simplified_m=simplified_m,
                key_kinds=frame_kinds(
                    [(n, f) for n, layer in layers.items() for f in layer.get("features", [])]
                ),
            ),
            "bottomright",
            "bm-legend",
        )
    )
    web_map.add_child(
        elements.Panel(_html.timeline_html(layers, story, language), "bottomleft", "bm-timeline")
    )
    # Moves the map through time without rebuilding: hides what did not exist yet,
    # restyles and relabels by status, keeps the legend, the date and open popups in step.
    web_map.add_child(elements.Script(_script("timeline.js"), data, "bm-timeline-data"))
    # A metric scale bar in the map's language ("500 м"), at most SCALE_MAX_WIDTH_PX long.
    scale = {
        "m": translate("{n} m", language),
        "km": translate("{n} km", language),
        "locale": language,
        "maxWidth": SCALE_MAX_WIDTH_PX,
        "texts": scale_texts(language),
    }
    web_map.add_child(elements.Script(_script("scale.js"), scale, "bm-scale-data"))
    folium.LayerControl(position="topright", collapsed=True).add_to(web_map)


#: The scale bar's longest length, px. Its bar is at least half of it (the distance is
#: rounded down to 1, 2, 3 or 5 times a power of ten), wide enough for "100 km".
SCALE_MAX_WIDTH_PX = 120


def _inset_html(svg: str, language: str) -> str:
    """Return the locator inset, folded behind a button on small screens."""
    # The inset's SVG is our own template's output: markup, not text.
    return panel("inset.html.j2", name=translate("Locator map", language), svg=Markup(svg))


def _tile_notice_js(language: str) -> str:
    """Return the script of the notice shown while no basemap tile loads."""
    text = translate(
        "Basemap unavailable (offline or the tile server did not answer): the layers are "
        "drawn without it.",
        language,
    )
    short = translate("Basemap unavailable", language)
    # Shown while the basemap on display cannot load a single tile (offline, or the server
    # is down), hidden once tiles arrive; the layers draw either way.
    return (
        _script("tile_notice.js")
        .replace("__TEXT__", _html.js_literal(text))
        .replace("__SHORT__", _html.js_literal(short))
    )


def _stylesheet() -> str:
    """Return the page's own stylesheet, shipped as package data (minified)."""
    return _assets.minify_css(_template_text("bordermap.css"))


def _script(name: str) -> str:
    """Return one of the page's scripts (``templates/*.js``), without the file's last newline."""
    return _template_text(name).removesuffix("\n")


def _template_text(name: str) -> str:
    """Return one of the page's own files shipped as package data (``templates/``)."""
    from importlib.resources import files

    return files("bordermap").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def render_html(web_map: folium.Map, *, packed: bool = True) -> str:
    """Render the map's whole page as HTML text, reproducibly.

    Parameters
    ----------
    web_map : folium.Map
        From :func:`build_map`.
    packed : bool, default True
        Write the page's data, panels and scripts (Leaflet's too, when inlined)
        deflated, as base64, for the browser to inflate (``DecompressionStream``:
        browsers since 2023): a page less than half the size. ``False`` writes them
        as they are, readable, for any browser that runs Leaflet.

    Returns
    -------
    str
        The page; the same map gives the same text.
    """
    root = web_map.get_root()
    _stabilise_ids(root)
    text: str = root.render()
    language = getattr(web_map, "_bordermap_language", "en")
    # branca's page template has no lang attribute; screen readers need it.
    text = text.replace("<html>", f'<html lang="{language}">', 1)
    # folium's viewport forbids pinch zoom (WCAG 1.4.4): readers may zoom the page.
    text = re.sub(
        r'<meta name="viewport" content="[^"]*"',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0"',
        text,
        count=1,
    )
    # The page's content is its main landmark (the map, its panels and description).
    head, body = text.split("<body>", 1)
    body, tail = body.rsplit("</body>", 1)
    text = f'{head}<body>\n<main class="bm-main">{body}</main>\n</body>{tail}'
    text = _assets.minify_map_script(text).rstrip() + "\n"
    if not packed:
        return text
    # Data, panels and scripts (Leaflet's too, when inlined) deflated: a page less than
    # half the size, inflated by the browser before the map is drawn.
    leaflet = _assets.leaflet_head(inline=True)
    return pack_page(
        text,
        head=leaflet if leaflet in text else "",
        unpack_script=_assets.minify_js(_script("unpack.js")),
    )


def save_map(web_map: folium.Map, path: str | Path) -> Path:
    """Write the map's page to ``path`` (a temporary file renamed into place).

    Parameters
    ----------
    web_map : folium.Map
        From :func:`build_map`.
    path : str or pathlib.Path
        The HTML file to write.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    write_atomic(path, render_html(web_map))
    return path


def _stabilise_ids(root: Any) -> None:
    """Replace folium's random element ids with ids from a counter, in tree order.

    folium and branca name every element with random hex; the same map must give
    the same bytes, so ids are reassigned deterministically before each render.
    """
    counter = itertools.count()

    def visit(element: Any) -> None:
        element._id = f"{next(counter):04d}"
        children = list(element._children.items())
        element._children.clear()
        for key, child in children:
            visit(child)
            element._children[key] = child
        for part in ("header", "html", "script"):
            if part in element.__dict__ and hasattr(element.__dict__[part], "_children"):
                visit(element.__dict__[part])

    visit(root)
