"""The web map: the GeoJSON layers drawn with Folium (Leaflet), annotated and sourced.

:func:`build_map` draws whatever the layers hold, so a layer corrected by hand or in
QGIS shows up without touching the code; :func:`save_map` writes the page
reproducibly (the same layers give the same bytes).

All text taken from the data is HTML-escaped (:mod:`bordermap._html`), and links
accept only http(s).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bordermap import _assets, _html
from bordermap._io import write_atomic
from bordermap._layout import frame, label_anchors, uncertainty_collection
from bordermap.basemaps import DEFAULT_BASEMAPS, Basemap, resolve_basemap
from bordermap.layers import Layers, read_layers
from bordermap.styles import UNCERTAINTY_STYLE

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
}


def build_map(
    layers: Layers | str | Path | None = None,
    *,
    basemaps: Sequence[Basemap | str] | None = None,
    self_contained: bool = True,
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
    """
    import folium

    from bordermap import _elements

    if layers is None or isinstance(layers, str | Path):
        layers = read_layers(Path("geodata") if layers is None else Path(layers))
    meta = _html.metadata(layers)
    features = [
        (name, feature) for name, layer in layers.items() for feature in layer.get("features", [])
    ]
    view = frame(features)
    description = _html.describe(meta, features)

    # branca writes the title into <title> as it is: escape it here.
    figure = folium.Figure(title=html.escape(str(meta.get("title") or "bordermap")))
    web_map = folium.Map(
        location=[(view[0][0] + view[1][0]) / 2, (view[0][1] + view[1][1]) / 2],
        zoom_start=15,
        tiles=None,
        zoom_control=False,
    )
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
            name=basemap.label,
            max_zoom=basemap.max_zoom,
            show=index == 0,
            overlay=False,
        ).add_to(web_map)
    web_map.add_child(_elements.Script(_TILE_NOTICE_JS))

    # Inside a frame (an embed, a notebook) the map zooms only with Ctrl/⌘ + wheel or two
    # fingers, so that it never hijacks the page's scrolling; on its own page it zooms freely.
    web_map.add_child(
        _elements.Script(
            "if (window.self !== window.top && {map}.gestureHandling) "
            "{ {map}.gestureHandling.enable(); }"
        )
    )
    web_map.add_child(_elements.Panel(_html.title_html(meta, layers), "topleft", "bm-title"))
    web_map.add_child(_elements.Script("L.control.zoom({position: 'topleft'}).addTo({map});"))
    uncertainty = uncertainty_collection(features)
    if uncertainty["features"]:
        web_map.add_child(
            _elements.AreaLayer("Position uncertainty", uncertainty, UNCERTAINTY_STYLE)
        )
    labels = label_anchors(features, view)
    for name, layer in layers.items():
        if layer.get("features"):
            title = LAYER_TITLES.get(name, name.replace("_", " ").capitalize())
            web_map.add_child(_elements.FeatureLayer(name, title, layer, labels))
    web_map.add_child(
        _elements.Panel(
            _html.legend_html(features, bool(uncertainty["features"])), "bottomright", "bm-legend"
        )
    )
    web_map.add_child(
        _elements.Script(
            "if (window.innerWidth < 600) { document.querySelectorAll('.bm-legend details')"
            ".forEach(function (d) { d.removeAttribute('open'); }); }"
        )
    )
    web_map.add_child(
        _elements.Script(
            "L.control.scale({position: 'bottomleft', metric: true, imperial: false})"
            ".addTo({map});"
        )
    )
    folium.LayerControl(position="topright", collapsed=True).add_to(web_map)
    web_map.fit_bounds([list(view[0]), list(view[1])], padding=(40, 40))
    _stabilise_ids(figure)
    return web_map


# Shows a notice while the basemap on display cannot load a single tile (offline, or the
# server is down) and hides it once tiles arrive; the layers draw either way.
_TILE_NOTICE_JS = """(function (map) {
  var notice = L.control({position: 'bottomleft'});
  notice.onAdd = function () {
    var div = L.DomUtil.create('div', 'leaflet-control bm-tile-notice');
    div.setAttribute('role', 'status');
    div.textContent = 'Basemap unavailable (offline or the tile server did not answer): '
      + 'the layers are drawn without it.';
    div.hidden = true;
    return div;
  };
  notice.addTo(map);
  var element = notice.getContainer();
  var watch = function (layer) {
    if (!(layer instanceof L.TileLayer) || layer._bmWatched) { return; }
    layer._bmWatched = true;
    var loaded = 0, failed = 0;
    layer.on('tileload', function () { loaded += 1; element.hidden = true; });
    layer.on('tileerror', function () {
      failed += 1;
      if (map.hasLayer(layer) && loaded === 0) { element.hidden = false; }
    });
  };
  map.eachLayer(watch);
  map.on('layeradd', function (event) { watch(event.layer); });
  map.on('baselayerchange', function () { element.hidden = true; });
})({map});"""


def _stylesheet() -> str:
    """Return the page's own stylesheet, shipped as package data."""
    from importlib.resources import files

    return files("bordermap").joinpath("templates/bordermap.css").read_text(encoding="utf-8")


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
