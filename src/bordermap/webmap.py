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
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bordermap import _assets, _html
from bordermap._io import write_atomic
from bordermap.basemaps import DEFAULT_BASEMAPS, Basemap, resolve_basemap
from bordermap.geometry import Coordinate, buffer_polygon, distance_m, point_along
from bordermap.layers import Layers, read_layers
from bordermap.styles import UNCERTAINTY_STYLE

if TYPE_CHECKING:
    import folium

    from bordermap._elements import Label

__all__ = ["LAYER_TITLES", "build_map", "render_html", "save_map"]

#: Names of the map layers in the layer control, by layer file name.
LAYER_TITLES: dict[str, str] = {
    "tumen_river": "Tumen River",
    "border": "North Korea–Russia border",
    "rail_bridge": "Rail bridge",
    "road_bridge": "Road bridge",
    "places": "Stations and places",
}

#: Kinds of features the initial view is framed on.
FRAME_KINDS: tuple[str, ...] = ("rail_bridge", "road_bridge")

#: Statuses a label states, so that an unfinished feature is never mistaken for a built one.
UNFINISHED_STATUSES: tuple[str, ...] = ("planned", "under construction")

#: Margin around the framed features, as a fraction of their extent on each side.
FRAME_MARGIN: float = 0.6

#: Kinds of features that get a permanent label on the map.
LABELLED_KINDS: tuple[str, ...] = (
    "river",
    "rail_bridge",
    "road_bridge",
    "station",
    "settlement",
    "tripoint",
    "river_mouth",
)


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
    frame = _frame(features)
    description = _html.describe(meta, features)

    # branca writes the title into <title> as it is: escape it here.
    figure = folium.Figure(title=html.escape(str(meta.get("title") or "bordermap")))
    web_map = folium.Map(
        location=[(frame[0][0] + frame[1][0]) / 2, (frame[0][1] + frame[1][1]) / 2],
        zoom_start=15,
        tiles=None,
        zoom_control=False,
    )
    # Leaflet alone: this page uses no jQuery, Bootstrap or icon fonts.
    web_map.default_js = []
    web_map.default_css = []
    figure.add_child(web_map)
    figure.header.add_child(
        folium.Element(_assets.leaflet_head(inline=self_contained)), name="leaflet"
    )
    figure.header.add_child(folium.Element(f"<style>{_stylesheet()}</style>"), name="bm_css")
    figure.header.add_child(
        folium.Element(f'<meta name="description" content="{html.escape(description)}">'),
        name="bm_meta_description",
    )
    figure.html.add_child(
        folium.Element(
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
    uncertainty = _uncertainty_collection(features)
    if uncertainty["features"]:
        web_map.add_child(
            _elements.AreaLayer("Position uncertainty", uncertainty, UNCERTAINTY_STYLE)
        )
    labels = _label_anchors(features, frame)
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
    web_map.fit_bounds([list(frame[0]), list(frame[1])], padding=(40, 40))
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


# ---------------------------------------------------------------------------
# Placement
# ---------------------------------------------------------------------------


def _coords(feature: Mapping[str, Any]) -> list[Coordinate]:
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Point":
        return [(float(coordinates[0]), float(coordinates[1]))]
    return [(float(c[0]), float(c[1])) for c in coordinates]


def _frame(features: Sequence[tuple[str, Mapping[str, Any]]]) -> tuple[tuple[float, float], ...]:
    """Return ((south, west), (north, east)) around the bridges, else around everything."""
    chosen = [f for _, f in features if (f.get("properties") or {}).get("kind") in FRAME_KINDS]
    points = [c for f in (chosen or [f for _, f in features]) for c in _coords(f)]
    if not points:
        raise ValueError("nothing to draw: every layer is empty")
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    # Leave room around the bridges for their labels, the title and the legend.
    pad_lat = (max(lats) - min(lats)) * FRAME_MARGIN
    pad_lon = (max(lons) - min(lons)) * FRAME_MARGIN
    return ((min(lats) - pad_lat, min(lons) - pad_lon), (max(lats) + pad_lat, max(lons) + pad_lon))


def _label_anchors(
    features: Sequence[tuple[str, Mapping[str, Any]]], frame: tuple[tuple[float, float], ...]
) -> dict[str, Label]:
    """Place a label for each labelled feature.

    Points are labelled beside themselves and short lines (bridges) beside their
    left-bank end. A long line (the river) is labelled at the point of it, inside
    the initial view, that lies farthest from everything else drawn, so that its
    label covers neither bridge.
    """
    from bordermap._elements import Label

    labels: dict[str, Label] = {}
    obstacles: list[Coordinate] = []
    long_lines = []
    for _, feature in features:
        properties = feature.get("properties") or {}
        kind = properties.get("kind")
        coords = _coords(feature)
        if kind not in LABELLED_KINDS or not coords:
            obstacles.extend(coords)
            continue
        text = str(properties.get("label_en") or properties.get("name_en") or feature.get("id"))
        if properties.get("status") in UNFINISHED_STATUSES:
            text += f" ({properties['status']})"
        if any(label.text == text for label in labels.values()):
            continue  # the same place in two layers (the tripoint) is labelled once
        if len(coords) == 1:
            labels[str(feature.get("id"))] = Label(*coords[0], text, "right")
            obstacles.extend(coords)
        elif len(coords) == 2:
            labels[str(feature.get("id"))] = Label(*coords[-1], text, "right")
            obstacles.extend([coords[0], point_along(coords, distance_m(*coords) / 2), coords[1]])
        else:
            long_lines.append((feature, coords, text))
    (south, west), (north, east) = frame
    margin_lat, margin_lon = (north - south) * 0.15, (east - west) * 0.15
    for feature, coords, text in long_lines:
        total = sum(distance_m(a, b) for a, b in itertools.pairwise(coords))
        candidates = [point_along(coords, step * 25.0) for step in range(int(total // 25) + 1)]
        inside = [
            c
            for c in candidates
            if south + margin_lat <= c[1] <= north - margin_lat
            and west + margin_lon <= c[0] <= east - margin_lon
        ] or candidates
        best = max(
            inside,
            key=lambda c: min((distance_m(c, o) for o in obstacles), default=math.inf),
        )
        labels[str(feature.get("id"))] = Label(*best, text, "center")
    return labels


def _uncertainty_collection(features: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """Return polygons within which each approximate feature may lie."""
    areas = []
    for _, feature in features:
        properties = feature.get("properties") or {}
        accuracy = properties.get("accuracy_m")
        if not properties.get("approximate") or not isinstance(accuracy, int | float):
            continue
        if properties.get("kind") == "tripoint":
            continue
        ring = buffer_polygon(_coords(feature), float(accuracy))
        areas.append(
            {
                "type": "Feature",
                "id": f"{feature.get('id')}-uncertainty",
                "properties": {"of": feature.get("id"), "accuracy_m": accuracy},
                "geometry": {"type": "Polygon", "coordinates": [[list(c) for c in ring]]},
            }
        )
    return {"type": "FeatureCollection", "features": areas}
