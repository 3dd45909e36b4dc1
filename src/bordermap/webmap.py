"""The web map: the GeoJSON layers drawn with Folium (Leaflet), annotated and sourced.

:func:`build_map` draws whatever the layers hold, so a layer corrected by hand or in
QGIS shows up without touching the code; :func:`save_map` writes the page
reproducibly (the same layers give the same bytes).

All text taken from the data is HTML-escaped (:mod:`bordermap._html`), and links
accept only http(s).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bordermap import _assets, _html, settings
from bordermap._html import leaflet_style
from bordermap._io import write_atomic
from bordermap._layout import (
    FIRST_VIEW_KINDS,
    FRAME_KINDS,
    feature_coords,
    frame,
    label_forms,
    label_specs,
    uncertainty_collection,
)
from bordermap.base import Base, base_credit, inset_svg, resolve_base
from bordermap.basemaps import DEFAULT_BASEMAPS, Basemap, resolve_basemap
from bordermap.i18n import LANGUAGES, translate
from bordermap.layers import Layers, read_layers
from bordermap.schema import STATUSES, parse_date
from bordermap.simplify import web_ready
from bordermap.styles import UNCERTAINTY_STYLE, style_for
from bordermap.timeline import effective_date, key_dates, layers_as_of, status_on

if TYPE_CHECKING:
    import folium

__all__ = ["LAYER_TITLES", "build_map", "render_html", "save_map"]

#: Names of the map layers in the layer control, by layer file name.
LAYER_TITLES: dict[str, str] = {
    "tumen_river": "Tumen River",
    "border": "North Korea–Russia border",
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
        ``"en"``, ``"ko"`` or ``"ru"``: labels, popups, legend, title and notes.
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
    import folium

    from bordermap import _elements

    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    if isinstance(layers, dict):
        geodata, full_history = None, layers
    else:
        geodata = Path(layers or "geodata")
        full_history = read_layers(geodata)
    drawn_base = resolve_base(base, geodata)
    date = effective_date(full_history, parse_date(as_of) if isinstance(as_of, str) else as_of)
    # Long lines are drawn simplified, within settings.web_max_deviation_m of the
    # layers' full detail (a river of a million vertices makes a page of kilobytes).
    layers, deviations = web_ready(
        layers_as_of(full_history, date), max_deviation_m=settings.web_max_deviation_m
    )
    meta = _html.metadata(layers)
    features = [
        (name, feature) for name, layer in layers.items() for feature in layer.get("features", [])
    ]
    hidden = settings.hidden_layers  # off in the layer control (read now, not at import)
    shown = [(name, f) for name, f in features if name not in hidden]
    view = frame(shown)
    description = _html.describe(meta, shown, language)
    title = _html.localized(meta, "title", language) or "bordermap"

    # branca writes the title into <title> as it is: escape it here.
    figure = folium.Figure(title=html.escape(title))
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
    figure.header.add_child(
        _elements.RawHTML(_assets.leaflet_head(inline=self_contained)), name="leaflet"
    )
    figure.header.add_child(_elements.RawHTML(f"<style>{_stylesheet()}</style>"), name="bm_css")
    figure.header.add_child(
        _elements.RawHTML(f'<meta name="description" content="{html.escape(description)}">'),
        name="bm_meta_description",
    )
    figure.html.add_child(
        _elements.RawHTML(
            f'<p id="bm-description" class="bm-sr-only">{html.escape(description)}</p>'
        ),
        name="bm_description",
    )

    tiles = [
        basemap if isinstance(basemap, Basemap) else resolve_basemap(basemap)
        for basemap in (basemaps or DEFAULT_BASEMAPS)
    ]
    for index, basemap in enumerate(tiles):
        folium.TileLayer(
            tiles=basemap.url,
            attr=basemap.attribution,
            name=translate(basemap.label, language),
            max_zoom=basemap.max_zoom,
            show=index == 0,
            overlay=False,
        ).add_to(web_map)
    web_map.add_child(_elements.Script(_tile_notice_js(language)))
    (south, west), (north, east) = view
    if drawn_base:
        web_map.add_child(
            _elements.BaseLayer(
                translate("Land, sea and countries", language),
                drawn_base["local"],
                (west, south, east, north),
                language,
                [feature_coords(f) for _, f in shown],
                base_credit(drawn_base, language),
            )
        )

    # Inside a frame (an embed, a notebook) the map zooms only with Ctrl/⌘ + wheel or two
    # fingers, so that it never hijacks the page's scrolling; on its own page it zooms freely.
    web_map.add_child(
        _elements.Script(
            "if (window.self !== window.top && {map}.gestureHandling) "
            "{ {map}.gestureHandling.enable(); }"
        )
    )
    web_map.add_child(
        _elements.Panel(_html.title_html(meta, layers, language), "topleft", "bm-title")
    )
    uncertainty = uncertainty_collection(shown)
    if uncertainty["features"]:
        web_map.add_child(
            _elements.AreaLayer(
                translate("Position uncertainty", language), uncertainty, UNCERTAINTY_STYLE
            )
        )
    labels = {
        spec.feature_id: (order, spec)
        for order, spec in enumerate(label_specs(features, view, language))
    }
    for name, layer in layers.items():
        if layer.get("features"):
            layer_title = html.escape(  # the layer control shows it as HTML
                translate(LAYER_TITLES.get(name, name.replace("_", " ")), language)
            )
            web_map.add_child(
                _elements.FeatureLayer(
                    name, layer_title, layer, labels, language, show=name not in hidden
                )
            )
    # The slider stops only where something drawn changes: events of layers shown only
    # on request (the context) stay in the events list.
    story = key_dates(
        {name: layer for name, layer in full_history.items() if name not in hidden}, date
    )
    data = _timeline_data(full_history, layers, story, language)
    web_map.add_child(
        _elements.Panel(
            _html.legend_html(
                data.pop("legend"),
                bool(uncertainty["features"]),
                language,
                simplified_m=max(deviations.values(), default=0.0),
                key_kinds=FRAME_KINDS,
            ),
            "bottomright",
            "bm-legend",
        )
    )
    web_map.add_child(
        _elements.Panel(_html.timeline_html(layers, story, language), "bottomleft", "bm-timeline")
    )
    web_map.add_child(_elements.Script(_TIMELINE_JS, data, "bm-timeline-data"))
    web_map.add_child(
        _elements.Script(
            "L.control.scale({position: 'bottomleft', metric: true, imperial: false})"
            ".addTo({map});"
        )
    )
    folium.LayerControl(position="topright", collapsed=True).add_to(web_map)
    if drawn_base and "inset" in drawn_base:
        web_map.add_child(
            _elements.Panel(
                _inset_html(
                    inset_svg(drawn_base["inset"], (west, south, east, north), language=language),
                    language,
                ),
                "topright",
                "bm-inset",
            )
        )
        web_map.add_child(_elements.Script(_INSET_JS))
    web_map.add_child(
        _elements.Script(
            _template_text("place.js").replace("__MAP__", "{map}"),
            data=_placement_options(shown, view, language),
            data_id="bm-layout-options",
        )
    )
    _stabilise_ids(figure)
    return web_map


def _timeline_data(
    full_history: Layers, layers: Layers, story: Sequence[str], language: str
) -> dict[str, Any]:
    """Return what the time control needs: each feature's status on each key date.

    Also the styles and label texts of every status a feature has on one of those
    dates, and the legend entries (kind, status) in drawing order.
    """
    events = {
        str(feature.get("id")): (feature.get("properties") or {}).get("events") or []
        for layer in full_history.values()
        for feature in layer.get("features", [])
    }
    drawn = [(name, f) for name, layer in layers.items() for f in layer.get("features", [])]
    states = [
        {
            str(f.get("id")): status_on(events.get(str(f.get("id")), []), parse_date(day))
            for _, f in drawn
        }
        for day in story
    ]
    styles: dict[str, Any] = {}
    labels: dict[str, dict[str, list[str]]] = {}
    legend: list[tuple[str, str | None]] = []
    for _, feature in drawn:
        feature_id = str(feature.get("id"))
        properties = feature.get("properties") or {}
        kind = str(properties.get("kind"))
        for state in reversed(states):  # the drawn date first, then going back
            status = state[feature_id]
            if status is None:
                continue
            key = f"{kind}|{status}"
            styles.setdefault(key, leaflet_style(style_for(kind, status)))
            if (kind, status) not in legend:
                legend.append((kind, status))
            relabelled = {**feature, "properties": {**properties, "status": status}}
            labels.setdefault(feature_id, {})[status] = [
                _html.label_html(form) for form in label_forms(relabelled, language)
            ]
    return {
        "dates": list(story),
        "dateText": [_html.format_date(day, language) for day in story],
        "states": states,
        "styles": styles,
        "labels": labels,
        "kinds": {
            str(f.get("id")): str((f.get("properties") or {}).get("kind")) for _, f in drawn
        },
        "layerOf": {str(f.get("id")): name for name, f in drawn},
        "statusText": {status: translate(status, language) for status in STATUSES},
        "legend": legend,
    }


# Moves the map through time without rebuilding: hides what did not exist yet, restyles
# and relabels by status, and keeps the legend, the "as of" date and open popups in step.
_TIMELINE_JS = """(function (map) {
  var T = __DATA__;
  var registry = window.bordermap = window.bordermap ||
    {features: Object.create(null), layers: Object.create(null)};
  registry.labelForms = T.labels;  // each label's text forms, by status
  var input = document.getElementById('bm-when');
  var output = document.getElementById('bm-when-text');
  var current = T.states.length - 1;
  var day = function (text) {
    var parts = String(text).split('-');
    return parts[0] + '-' + (parts[1] || '01') + '-' + (parts[2] || '01');
  };
  var layerOn = function (name) {
    var group = registry.layers[name];
    return !!(group && map.hasLayer(group));
  };
  var show = function (parent, child, visible) {
    if (!parent || !child) { return; }
    if (visible && !parent.hasLayer(child)) { parent.addLayer(child); }
    if (!visible && parent.hasLayer(child)) { parent.removeLayer(child); }
  };
  var markLater = function (root) {
    var limit = day(T.dates[current]);
    root.querySelectorAll('li[data-date]').forEach(function (item) {
      item.classList.toggle('bm-later', day(item.getAttribute('data-date')) > limit);
    });
  };
  var apply = function (index) {
    current = index;
    var state = T.states[index];
    var used = Object.create(null);
    Object.keys(state).forEach(function (id) {
      var entry = registry.features[id];
      var status = state[id];
      var visible = status !== null;
      if (!entry) { return; }
      // Re-added layers go on top: keep areas beneath, casings under their lines.
      show(entry.areaParent, entry.area, visible);
      if (visible && entry.area && entry.area.bringToBack) { entry.area.bringToBack(); }
      show(entry.casingParent, entry.casing, visible);
      show(entry.parent, entry.layer, visible);
      if (visible && entry.layer && entry.layer.bringToFront) { entry.layer.bringToFront(); }
      show(entry.labelParent, entry.label, visible);
      if (!visible) { return; }
      entry.status = status;  // the layout pass labels it as it was
      var key = T.kinds[id] + '|' + status;
      if (entry.layer && entry.layer.setStyle && T.styles[key]) {
        entry.layer.setStyle(T.styles[key]);
      }
      if (layerOn(T.layerOf[id])) { used[key] = true; }
    });
    document.querySelectorAll('.bm-legend-entry[data-style], .bm-key-entry[data-style]')
      .forEach(function (item) {
      item.hidden = !used[item.getAttribute('data-style')];
    });
    document.querySelectorAll('.bm-as-of-date').forEach(function (element) {
      element.textContent = T.dateText[index];
    });
    if (output) { output.textContent = T.dateText[index]; }
    if (input) { input.setAttribute('aria-valuetext', T.dateText[index]); }
    document.querySelectorAll('.bm-timeline-events').forEach(markLater);
    map.eachLayer(function (layer) {
      if (layer.isPopupOpen && layer.isPopupOpen()) { refreshPopup(layer.getPopup()); }
    });
    if (registry.place) { registry.place(); }
  };
  var refreshPopup = function (popup) {
    var element = popup.getElement();
    if (!element) { return; }
    element.querySelectorAll('.bm-status').forEach(function (span) {
      var status = T.states[current][span.getAttribute('data-feature-id')];
      if (status) { span.textContent = T.statusText[status] || status; }
    });
    markLater(element);
  };
  if (input) { input.addEventListener('input', function () { apply(Number(input.value)); }); }
  map.on('overlayadd overlayremove', function () { apply(current); });
  map.on('popupopen', function (event) { refreshPopup(event.popup); });
  apply(current);
})({map});"""


# Keeps the inset's box on the part of the region the map shows, as it moves.
_INSET_JS = """(function (map) {
  var rect = document.querySelector('.bm-inset-extent');
  if (!rect) { return; }
  var num = function (name) { return parseFloat(rect.getAttribute('data-' + name)); };
  var least = num('least'), x0 = num('x0'), y0 = num('y0'), unit = num('unit');
  var update = function () {
    var bounds = map.getBounds();
    var sw = L.CRS.EPSG3857.project(bounds.getSouthWest());
    var ne = L.CRS.EPSG3857.project(bounds.getNorthEast());
    var w = Math.max((ne.x - sw.x) / unit, least), h = Math.max((ne.y - sw.y) / unit, least);
    var cx = ((sw.x + ne.x) / 2 - x0) / unit, cy = (y0 - (sw.y + ne.y) / 2) / unit;
    rect.setAttribute('x', cx - w / 2); rect.setAttribute('y', cy - h / 2);
    rect.setAttribute('width', w); rect.setAttribute('height', h);
  };
  map.on('moveend', update);
  update();
})({map});"""


#: Below this width (pixels, of the page or the frame) the panels give way: the title
#: keeps its title and date, and the legend, timeline, inset and credits become buttons.
COMPACT_WIDTH: int = 800


def _placement_options(
    shown: Sequence[tuple[str, Any]], view: tuple[tuple[float, float], ...], language: str
) -> dict[str, Any]:
    """Return what the page's layout pass (templates/place.js) needs, as JSON data.

    The first view frames the bridges and the tripoint (else the whole initial view)
    in the room the panels leave.
    """
    story = [
        (lat, lon)
        for _, feature in shown
        if (feature.get("properties") or {}).get("kind") in (*FRAME_KINDS, "tripoint")
        for lon, lat in feature_coords(feature)
    ]
    if story:
        lats, lons = [lat for lat, _ in story], [lon for _, lon in story]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    else:
        bounds = [list(view[0]), list(view[1])]
    options = {
        "story": bounds,
        "compactWidth": COMPACT_WIDTH,
        "margin": 40,
        "maxZoom": 16,
        "essential": list(FIRST_VIEW_KINDS),
        "bridges": list(FRAME_KINDS),
        "zoomOutSteps": 8,
        "prefix": '<a href="https://leafletjs.com" title="A JavaScript library for '
        'interactive maps">Leaflet</a>',
        "words": {"attribution": translate("Attribution", language)},
    }
    return options


def _inset_html(svg: str, language: str) -> str:
    """Return the locator inset, folded behind a button on small screens."""
    name = html.escape(translate("Locator map", language))
    icon = (
        '<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true">'
        '<rect x="2" y="3" width="18" height="16" rx="2" fill="#cfe2f0" stroke="#495057"/>'
        '<path d="M2 12 L8 8 L13 11 L20 6 L20 19 L2 19 Z" fill="#e2ead7" stroke="none"/>'
        '<rect x="10" y="9" width="5" height="4" fill="none" stroke="#b3261e" '
        'stroke-width="1.6"/></svg>'
    )
    return (
        f'<details class="bm-inset-box" data-bm-collapse open>'
        f'<summary aria-label="{name}" title="{name}">{icon}</summary>{svg}</details>'
    )


def _tile_notice_js(language: str) -> str:
    """Return the script of the notice shown while no basemap tile loads."""
    text = translate(
        "Basemap unavailable (offline or the tile server did not answer): the layers are "
        "drawn without it.",
        language,
    )
    short = translate("Basemap unavailable", language)
    return _TILE_NOTICE_JS.replace("__TEXT__", _html.js_literal(text)).replace(
        "__SHORT__", _html.js_literal(short)
    )


# Shows a notice while the basemap on display cannot load a single tile (offline, or the
# server is down) and hides it once tiles arrive; the layers draw either way.
_TILE_NOTICE_JS = """(function (map) {
  var notice = L.control({position: 'bottomleft'});
  notice.onAdd = function () {
    var div = L.DomUtil.create('div', 'leaflet-control bm-tile-notice');
    div.setAttribute('role', 'status');
    // Small screens show the short form; screen readers always hear the whole notice.
    var full = L.DomUtil.create('span', 'bm-notice-full', div);
    full.textContent = __TEXT__;
    var short = L.DomUtil.create('span', 'bm-notice-short', div);
    short.setAttribute('aria-hidden', 'true');
    short.textContent = __SHORT__;
    div.hidden = true;
    return div;
  };
  notice.addTo(map);
  var element = notice.getContainer();
  var setHidden = function (hidden) {
    if (element.hidden === hidden) { return; }
    element.hidden = hidden;
    // A panel came or went: the labels make way for it.
    if (window.bordermap && window.bordermap.place) { window.bordermap.place(); }
  };
  var watch = function (layer) {
    if (!(layer instanceof L.TileLayer) || layer._bmWatched) { return; }
    layer._bmWatched = true;
    var loaded = 0, failed = 0;
    layer.on('tileload', function () { loaded += 1; setHidden(true); });
    layer.on('tileerror', function () {
      failed += 1;
      if (map.hasLayer(layer) && loaded === 0) { setHidden(false); }
    });
  };
  map.eachLayer(watch);
  map.on('layeradd', function (event) { watch(event.layer); });
  map.on('baselayerchange', function () { setHidden(true); });
})({map});"""


def _stylesheet() -> str:
    """Return the page's own stylesheet, shipped as package data."""
    return _template_text("bordermap.css")


def _template_text(name: str) -> str:
    """Return one of the page's own files shipped as package data (``templates/``)."""
    from importlib.resources import files

    return files("bordermap").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def render_html(web_map: folium.Map) -> str:
    """Render the map's whole page as HTML text, reproducibly.

    Parameters
    ----------
    web_map : folium.Map
        From :func:`build_map`.

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
    return text.rstrip() + "\n"


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
