"""Folium elements the web map is made of; imported only when a map is built.

Each element renders JavaScript from values prepared in Python: styles from
:mod:`bordermap.styles`, escaped HTML from :mod:`bordermap._html`, and data as
literals that cannot end the ``<script>`` they sit in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from folium.map import Layer
from jinja2 import Template

from bordermap._html import (
    casing_style,
    js_json,
    js_literal,
    label_html,
    leaflet_style,
    marker_html,
    popup_html,
    tooltip_text,
)
from bordermap._layout import FRAME_KINDS, OTHER_CROSSING_KINDS, LabelSpec, label_priority
from bordermap._templates import escaped
from bordermap.styles import Style, style_for


class RawHTML(Element):
    """Markup placed in the page as it is, never read as a Jinja template.

    ``folium.Element(text)`` compiles its text as a template, so ``{{ ... }}`` in data
    (or in a minified library) would be evaluated at build time; this does not.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self._text = text

    def render(self, **kwargs: Any) -> str:
        """Return the markup unchanged."""
        return self._text


def _render_inert(element: MacroElement, **kwargs: Any) -> None:
    """Render an element's macros into the page as markup, never as a template.

    branca's ``MacroElement.render`` wraps each macro's output in ``Element(...)``,
    which compiles it as a Jinja template again: ``{{ ... }}`` in the facts would be
    evaluated at build time. This does what it does, with :class:`RawHTML` instead.
    """
    figure = element.get_root()
    macros = element._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = macros.get(part)
        if macro is not None:
            getattr(figure, part).add_child(
                RawHTML(macro(element, kwargs)), name=element.get_name()
            )
    for child in list(element._children.values()):
        child.render(**kwargs)


class _InertMacro(MacroElement):
    """A MacroElement whose output is never evaluated as a template."""

    def render(self, **kwargs: Any) -> str:
        """Add the element's markup and script to the page (nothing to return)."""
        _render_inert(self, **kwargs)
        return ""


class _InertLayer(Layer):
    """A folium Layer (listed in the layer control) whose output is never a template."""

    def render(self, **kwargs: Any) -> str:
        """Add the layer's script, and add it to the map if it is shown."""
        if self.show and self._parent is not None:
            self.add_child(
                ElementAddToElement(
                    element_name=self.get_name(), element_parent_name=self._parent.get_name()
                ),
                name=self.get_name() + "_add",
            )
        _render_inert(self, **kwargs)
        return ""


class Script(_InertMacro):
    """JavaScript run once the map exists; ``{map}`` in the code names the map.

    ``data``, if given, reaches the code as JSON: written into the page in a
    ``<script type="application/json" id="<data_id>">`` element, which ``__DATA__`` in
    the code reads and parses. It is never part of the code, so neither ``{map}``
    nor anything else in it is ever substituted or run, and keys such as
    ``__proto__`` are plain keys.
    """

    _template = Template(
        "{% macro html(this, kwargs) %}{{ this.data_block }}{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.code }}\n{% endmacro %}"
    )

    def __init__(self, code: str, data: Any = None, data_id: str = "") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Script"
        self._code = code
        self._data = data
        self._data_id = data_id

    @property
    def data_id(self) -> str:
        """The id of the page element holding the data."""
        return self._data_id or f"bm-data-{self.get_name()}"

    @property
    def data_block(self) -> str:
        """The data as a JSON element of the page (nothing without data)."""
        if self._data is None:
            return ""
        # js_literal writes <, > and & as \u escapes: the element cannot be closed early.
        return (
            f'<script type="application/json" id="{self.data_id}">'
            f"{js_literal(self._data)}</script>\n"
        )

    @property
    def code(self) -> str:
        """The code, with ``{map}`` replaced by the map's JavaScript name."""
        if self._parent is None:
            raise RuntimeError("a Script must be added to a map before it is rendered")
        code = self._code.replace("{map}", self._parent.get_name())
        # After {map}: the data is never part of the text that is substituted.
        reader = f"JSON.parse(document.getElementById({js_literal(self.data_id)}).textContent)"
        return code.replace("__DATA__", reader) if self._data is not None else code


class Panel(_InertMacro):
    """A Leaflet control holding ready-made, escaped HTML."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position_js }}});
{{ this.get_name() }}.onAdd = function () {
  var div = L.DomUtil.create('div', {{ this.css_class_js }});
  div.innerHTML = {{ this.html_js }};
  L.DomEvent.disableClickPropagation(div);
  L.DomEvent.disableScrollPropagation(div);
  return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, html_text: str, position: str, css_class: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Panel"
        self.position_js = js_literal(position)
        self.css_class_js = js_literal(f"leaflet-control {css_class}")
        self.html_js = js_literal(html_text)


class FeatureLayer(_InertLayer):
    """One GeoJSON layer: casing, styled features, popups, tooltips and labels."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var perFeature = {{ this.per_feature_js }};
  var data = {{ this.data_js }};
  var layerName = {{ this.layer_js }};
  var attribution = {{ this.attribution_js }};
  var registry = window.bordermap = window.bordermap ||
    {features: Object.create(null), layers: Object.create(null)};
  var entry = function (id) { return (registry.features[id] = registry.features[id] || {}); };
  var group = L.featureGroup([], {attribution: attribution});
  group.getAttribution = function () { return attribution; };
  registry.layers[layerName] = group;
  var isLine = function (feature) { return feature.geometry.type !== 'Point'; };
  var casing = L.geoJSON(data, {
    interactive: false,
    filter: function (feature) { return isLine(feature) && perFeature[feature.id].casing; },
    style: function (feature) { return perFeature[feature.id].casing; }
  });
  var features = L.geoJSON(data, {
    style: function (feature) { return perFeature[feature.id].style; },
    pointToLayer: function (feature, latlng) {
      var own = perFeature[feature.id];
      return L.marker(latlng, {
        icon: L.divIcon({html: own.marker, className: 'bm-marker bm-' + own.kind,
                         iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -9]}),
        alt: own.name, title: own.name, keyboard: true, riseOnHover: true
      });
    },
    onEachFeature: function (feature, layer) {
      var own = perFeature[feature.id];
      layer.bindPopup(own.popup, {maxWidth: 360, minWidth: 220, maxHeight: 360,
                                  autoPanPadding: [20, 20], className: 'bm-popup'});
      layer.bindTooltip(own.tooltip, {sticky: isLine(feature), direction: 'top',
                                      className: 'bm-tooltip'});
      layer.on('popupopen', function () { layer.closeTooltip(); });
      layer.on('add', function () {
        var element = layer.getElement ? layer.getElement() : null;
        if (element) {
          element.setAttribute('data-feature-id', feature.id);
          element.setAttribute('data-layer', layerName);
          if (!isLine(feature)) { element.setAttribute('aria-label', own.name); }
        }
      });
    }
  });
  casing.eachLayer(function (layer) {
    var own = entry(layer.feature.id);
    own.casing = layer;
    own.casingParent = casing;
  });
  features.eachLayer(function (layer) {
    var own = entry(layer.feature.id);
    own.layer = layer;
    own.parent = features;
    own.guard = perFeature[layer.feature.id].guard;  // no label may cover it
  });
  group.addLayer(casing);
  group.addLayer(features);
  registry.labels = registry.labels || [];
  {{ this.labels_js }}.forEach(function (label) {
    // Placed (side, offset, text form) by the page's layout pass, in priority order.
    var tooltip = L.tooltip({permanent: true, interactive: false, direction: 'center',
                             className: 'bm-label bm-label-' + label.kind})
      .setLatLng(label.candidates[0].slice(0, 2)).setContent(label.forms[0]);
    var own = entry(label.id);
    own.label = tooltip;
    own.labelParent = group;
    group.addLayer(tooltip);
    label.tooltip = tooltip;
    label.group = group;
    registry.labels.push(label);
  });
  return group;
})();
{% endmacro %}"""
    )

    def __init__(
        self,
        name: str,
        title: str,
        layer: Mapping[str, Any],
        labels: Mapping[str, tuple[int, LabelSpec]],
        language: str = "en",
        *,
        show: bool = True,
    ) -> None:
        super().__init__(name=title, overlay=True, show=show)
        self._name = "FeatureLayer"
        features = layer["features"]
        # The script needs only geometry, id and kind: the facts reach the page as
        # escaped popup HTML, never as raw strings.
        self.data_js = js_literal(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "id": str(feature.get("id")),
                        "properties": {"kind": (feature.get("properties") or {}).get("kind")},
                        "geometry": feature.get("geometry"),
                    }
                    for feature in features
                ],
            }
        )
        self.layer_js = js_literal(name)
        per_feature = {}
        credits: list[str] = []
        for feature in features:
            properties = feature.get("properties") or {}
            kind = str(properties.get("kind"))
            style = style_for(kind, properties.get("status"))
            feature_id = str(feature.get("id"))
            feature_name = str(
                properties.get(f"name_{language}") or properties.get("name_en") or feature_id
            )
            per_feature[feature_id] = {
                "kind": kind,
                "name": feature_name,
                "style": {**leaflet_style(style), "className": f"bm-feature bm-{kind}"},
                "casing": casing_style(style),
                "marker": marker_html(style, feature_name),
                "popup": popup_html(feature, language),
                "tooltip": escaped(tooltip_text(properties, language)),
                "guard": kind in FRAME_KINDS or kind in OTHER_CROSSING_KINDS,
            }
            for source in properties.get("sources") or []:
                credit = (
                    source.get(f"credit_{language}") or source.get("credit")
                    if isinstance(source, Mapping)
                    else None
                )
                if credit and escaped(credit) not in credits:
                    credits.append(escaped(credit))
        self.per_feature_js = js_json(per_feature)
        self.attribution_js = js_literal(" | ".join(credits) if credits else None)
        self.labels_js = js_literal(
            [
                {
                    "id": spec.feature_id,
                    "kind": spec.kind,
                    "priority": spec.priority,
                    "order": order,
                    "forms": [label_html(form) for form in spec.forms],
                    "candidates": [list(candidate) for candidate in spec.candidates],
                }
                for feature in features
                if (found := labels.get(str(feature.get("id")))) is not None
                for order, spec in [found]
            ]
        )


class AreaLayer(_InertLayer):
    """Polygons drawn in one style, not interactive (e.g. where a feature may lie)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
  interactive: false,
  style: function () { return {{ this.style_js }}; }
});
(function (areas) {
  var registry = window.bordermap = window.bordermap ||
    {features: Object.create(null), layers: Object.create(null)};
  areas.eachLayer(function (layer) {
    var id = layer.feature.properties.of;
    var own = (registry.features[id] = registry.features[id] || {});
    own.area = layer;
    own.areaParent = areas;
  });
})({{ this.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, title: str, collection: Mapping[str, Any], style: Style) -> None:
        super().__init__(name=title, overlay=True, show=True)
        self._name = "AreaLayer"
        self.data_js = js_literal(collection)
        self.style_js = js_literal({**leaflet_style(style), "className": "bm-area"})


#: Positions packed for the page are whole multiples of this fraction of a degree.
PACKED_SCALE: int = 10**6


def pack_positions(features: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Pack features' positions for the page: millionths of a degree, each a step.

    Each line or ring becomes one flat list ``[x0, y0, dx1, dy1, ...]`` of integers,
    the first position from zero and each next from the one before, in units of
    ``1 / PACKED_SCALE`` degree (the layers' six decimals, exactly). Polygons keep
    their rings, multi-geometries their parts. The page adds the steps back up.

    Parameters
    ----------
    features : sequence of GeoJSON features
        LineString, MultiLineString, Polygon or MultiPolygon features with ids.

    Returns
    -------
    dict
        ``{"scale": PACKED_SCALE, "features": [{"id", "type", "parts"}, ...]}``.
    """

    def line(positions: Any) -> list[int]:
        steps: list[int] = []
        last_x = last_y = 0
        for position in positions:
            x, y = round(position[0] * PACKED_SCALE), round(position[1] * PACKED_SCALE)
            steps += [x - last_x, y - last_y]
            last_x, last_y = x, y
        return steps

    packed = []
    for feature in features:
        geometry = feature["geometry"]
        kind, coordinates = geometry["type"], geometry["coordinates"]
        if kind == "LineString":
            parts: list[Any] = [line(coordinates)]
        elif kind == "MultiPolygon":
            parts = [[line(ring) for ring in polygon] for polygon in coordinates]
        else:  # MultiLineString, Polygon
            parts = [line(part) for part in coordinates]
        packed.append({"id": feature["id"], "type": kind, "parts": parts})
    return {"scale": PACKED_SCALE, "features": packed}


class BaseLayer(_InertLayer):
    """Land, sea, the countries and their names, in a pane beneath the tiles.

    Wherever no tile loads (offline, or the tile server is down) it is what the reader
    sees; when tiles load they cover it. It can be switched off in the layer control.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  if (!map.getPane('bmBase')) { map.createPane('bmBase').style.zIndex = 150; }
})({{ this._parent.get_name() }});
var {{ this.get_name() }} = L.featureGroup([], {attribution: {{ this.credit_js }}});
{{ this.get_name() }}.getAttribution = function () { return {{ this.credit_js }}; };
(function (packed, group) {
  // The base's positions come as whole millionths of a degree, each from the one before
  // (about half the bytes of decimal degrees); they are added back up here.
  var line = function (steps) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < steps.length; i += 2) {
      x += steps[i]; y += steps[i + 1];
      out.push([x / packed.scale, y / packed.scale]);
    }
    return out;
  };
  var coordinates = function (type, parts) {
    if (type === 'LineString') { return line(parts[0]); }
    if (type === 'MultiPolygon') {
      return parts.map(function (polygon) { return polygon.map(line); });
    }
    return parts.map(line);  // MultiLineString, Polygon
  };
  var base = {type: 'FeatureCollection', features: packed.features.map(function (f) {
    return {type: 'Feature', id: f.id, properties: {},
            geometry: {type: f.type, coordinates: coordinates(f.type, f.parts)}};
  })};
  var registry = window.bordermap = window.bordermap || {features: {}, layers: {}};
  registry.base = base;
  L.geoJSON(base, {pane: 'bmBase', interactive: false,
    style: function (feature) { return {{ this.styles_js }}[feature.id]; }
  }).addTo(group);
})({{ this.data_js }}, {{ this.get_name() }});
(function (map, group, names) {
  var registry = window.bordermap = window.bordermap ||
    {features: Object.create(null), layers: Object.create(null)};
  registry.labels = registry.labels || [];
  names.forEach(function (name) {
    // Leaflet stacks a marker by its height on the screen; the fills' SVG sits at 200,
    // so without the offset a name in the top 200 pixels was drawn beneath its country.
    name.marker = L.marker(name.candidates[0].slice(0, 2), {pane: 'bmBase',
      interactive: false, keyboard: false, zIndexOffset: 10000,
      icon: L.divIcon({className: name.className, html: '<span>' + name.forms[0] + '</span>',
                       iconSize: null})
    }).addTo(group);
    name.group = group;
    registry.labels.push(name);  // placed with the other labels, in priority order
  });
})({{ this._parent.get_name() }}, {{ this.get_name() }}, {{ this.names_js }});
{% endmacro %}"""
    )

    def __init__(
        self,
        title: str,
        local: Mapping[str, Any],
        view: tuple[float, float, float, float],
        language: str = "en",
        avoid: Any = (),
        credit: str = "",
    ) -> None:
        from bordermap.base import area_label_candidates, base_name, base_style, features_of_kind

        super().__init__(name=title, overlay=True, show=True)
        self._name = "BaseLayer"
        self.credit_js = js_literal(escaped(credit) or None)
        drawn = features_of_kind(local, "sea", "country", "boundary")
        self.data_js = js_literal(pack_positions(drawn))
        styles = {}
        for feature in drawn:
            style = leaflet_style(base_style(feature))
            if feature["properties"]["kind"] == "country":
                style["stroke"] = False  # countries meet along the boundaries drawn
            styles[feature["id"]] = style
        self.styles_js = js_json(styles)
        by_id = {feature["id"]: feature for feature in local["features"]}
        names = []
        candidates = area_label_candidates(local, view, avoid=avoid)
        for order, (feature_id, places) in enumerate(candidates.items()):
            sea = by_id[feature_id]["properties"]["kind"] == "sea_name"
            text = base_name(by_id[feature_id], language)
            names.append(
                {
                    "id": feature_id,
                    "kind": "sea" if sea else "country",
                    "priority": label_priority("sea" if sea else "country"),
                    "order": order,
                    "candidates": [[lat, lon, "center", 0] for lon, lat in places],
                    "className": "bm-area-name bm-sea-name" if sea else "bm-area-name",
                    # Leaflet moves the marker with its own transform: the text
                    # inside it is what is centred on the place.
                    "forms": [escaped(text if sea else text.upper())],
                }
            )
        self.names_js = js_literal(names)
