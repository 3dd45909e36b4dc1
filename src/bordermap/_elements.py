"""Folium elements the web map is made of; imported only when a map is built.

Each element renders JavaScript from values prepared in Python: styles from
:mod:`bordermap.styles`, escaped HTML from :mod:`bordermap._html`, and data as
literals that cannot end the ``<script>`` they sit in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement
from folium.map import Layer

from bordermap._html import (
    casing_style,
    js_literal,
    label_html,
    leaflet_style,
    marker_html,
    popup_html,
    tooltip_text,
)
from bordermap._layout import FRAME_KINDS, OTHER_CROSSING_KINDS, LabelSpec, label_priority
from bordermap._templates import element_template, escaped
from bordermap._types import FeatureCollection
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

    _template = element_template(
        "bordermap._elements.Script",
        "{% macro html(this, kwargs) %}{{ this.data_block }}{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.code }}\n{% endmacro %}",
    )

    def __init__(self, code: str, data: object = None, data_id: str = "") -> None:
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
        return (
            f'<script type="application/json" id="{self.data_id}">'
            f"{json_block(self._data)}</script>\n"
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
    """A Leaflet control holding ready-made, escaped HTML.

    The HTML is written into the page as it is, in a ``<template>`` element that the
    control clones: as markup, not as a JavaScript string (where every ``<`` and ``"``
    would be written as an escape).
    """

    _template = element_template(
        "bordermap._elements.Panel",
        "{% macro html(this, kwargs) %}"
        '<template id="{{ this.template_id }}">{{ this.html_text }}</template>\n'
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = window.bordermap.draw.panel({{ this._parent.get_name() }}, "
        "{{ this.template_id_js }}, {{ this.position_js }}, {{ this.css_class_js }});\n"
        "{% endmacro %}",
    )

    def __init__(self, html_text: str, position: str, css_class: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Panel"
        self.position_js = js_literal(position)
        self.css_class_js = js_literal(f"leaflet-control {css_class}")
        self.html_text = html_text

    @property
    def template_id(self) -> str:
        """The id of the ``<template>`` element holding the panel's HTML."""
        return f"bm-{self.get_name()}"

    @property
    def template_id_js(self) -> str:
        """The template's id as a JavaScript string."""
        return js_literal(self.template_id)


def json_block(value: object) -> str:
    r"""Return ``value`` as JSON text that can sit in a ``<script type="application/json">``.

    Only what could end the element or open a comment in it is escaped (``</`` and
    ``<!`` are written ``<\\/`` and ``<\\u0021``, which mean the same to a JSON
    parser), and the line separators old engines choke on: HTML in the data stays
    readable and about as long as it is.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, safe in (
        ("</", "<\\/"),
        ("<!", "<\\u0021"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, safe)
    return text


class _DataElement(Element):
    """Mixin: an element whose data reaches the page as a JSON block, read by its id."""

    _data: object

    @property
    def data_id(self) -> str:
        """The id of the page element holding the data."""
        return f"bm-data-{self.get_name()}"

    @property
    def data_id_js(self) -> str:
        """The data element's id as a JavaScript string."""
        return js_literal(self.data_id)

    @property
    def data_block(self) -> str:
        """The data as a JSON element of the page."""
        return (
            f'<script type="application/json" id="{self.data_id}">'
            f"{json_block(self._data)}</script>\n"
        )


def _rounded(values: Sequence[Any]) -> list[Any]:
    """Return a label's place with its coordinates to six decimals (about 0.1 m)."""
    return [round(value, 6) if isinstance(value, float) else value for value in values]


class FeatureLayer(_DataElement, _InertLayer):
    """One GeoJSON layer: casing, styled features, popups, tooltips and labels.

    Drawn by ``templates/layers.js`` from one JSON block: each feature's packed
    geometry, style, popup and tooltip (escaped HTML), and the layer's labels.
    """

    _template = element_template(
        "bordermap._elements.FeatureLayer",
        "{% macro html(this, kwargs) %}{{ this.data_block }}{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = window.bordermap.draw.features({{ this.data_id_js }});\n"
        "{% endmacro %}",
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
        drawn = []
        credits: list[str] = []
        for feature in features:
            properties = feature.get("properties") or {}
            kind = str(properties.get("kind"))
            style = style_for(kind, properties.get("status"))
            feature_id = str(feature.get("id"))
            feature_name = str(
                properties.get(f"name_{language}") or properties.get("name_en") or feature_id
            )
            # The script needs only geometry, id and kind: the facts reach the page as
            # escaped popup HTML, never as raw strings.
            drawn.append(
                {
                    "id": feature_id,
                    "kind": kind,
                    "geometry": pack_geometry(feature.get("geometry") or {}),
                    "name": feature_name,
                    "style": {**leaflet_style(style), "className": f"bm-feature bm-{kind}"},
                    "casing": casing_style(style),
                    "marker": marker_html(style, feature_name),
                    "popup": popup_html(feature, language),
                    "tooltip": escaped(tooltip_text(properties, language)),
                    "guard": kind in FRAME_KINDS or kind in OTHER_CROSSING_KINDS,
                }
            )
            for source in properties.get("sources") or []:
                credit = (
                    source.get(f"credit_{language}") or source.get("credit")
                    if isinstance(source, Mapping)
                    else None
                )
                if credit and escaped(credit) not in credits:
                    credits.append(escaped(credit))
        self._data = {
            "name": name,
            "attribution": " | ".join(credits) if credits else None,
            "scale": PACKED_SCALE,
            "features": drawn,
            "labels": [
                {
                    "id": spec.feature_id,
                    "kind": spec.kind,
                    "priority": spec.priority,
                    "order": order,
                    "forms": [label_html(form) for form in spec.forms],
                    "candidates": [_rounded(candidate) for candidate in spec.candidates],
                }
                for feature in features
                if (found := labels.get(str(feature.get("id")))) is not None
                for order, spec in [found]
            ],
        }


class AreaLayer(_DataElement, _InertLayer):
    """Polygons drawn in one style, not interactive (e.g. where a feature may lie)."""

    _template = element_template(
        "bordermap._elements.AreaLayer",
        "{% macro html(this, kwargs) %}{{ this.data_block }}{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = window.bordermap.draw.areas({{ this.data_id_js }});\n"
        "{% endmacro %}",
    )

    def __init__(self, title: str, collection: Mapping[str, Any], style: Style) -> None:
        super().__init__(name=title, overlay=True, show=True)
        self._name = "AreaLayer"
        self._data = {
            "style": {**leaflet_style(style), "className": "bm-area"},
            "scale": PACKED_SCALE,
            "features": [
                {
                    "id": feature.get("id"),
                    "of": (feature.get("properties") or {}).get("of"),
                    "geometry": pack_geometry(feature["geometry"]),
                }
                for feature in collection["features"]
            ],
        }


#: Positions packed for the page are whole multiples of this fraction of a degree.
PACKED_SCALE: int = 10**6

#: The digits of packed positions: base64url, five bits of a number in each, the sixth
#: bit set on every digit but a number's last.
PACKED_DIGITS: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def pack_line(positions: Iterable[Sequence[float]]) -> str:
    """Pack a line's positions as text: steps in millionths of a degree, as digits.

    Each position is rounded to ``1 / PACKED_SCALE`` degree (the layers' six decimals,
    exactly); its x and y are written as steps from the position before (the first from
    zero), each step with its sign in the lowest bit (0, -1, 1, -2 ... become 0, 1, 2,
    3 ...) and then in groups of five bits, lowest first, as :data:`PACKED_DIGITS`,
    adding 32 to every group but the last. ``templates/layers.js`` reads it back.
    """
    digits: list[str] = []
    last_x = last_y = 0
    for position in positions:
        x, y = round(position[0] * PACKED_SCALE), round(position[1] * PACKED_SCALE)
        for step in (x - last_x, y - last_y):
            value = step * 2 if step >= 0 else -step * 2 - 1
            while value >= 32:
                digits.append(PACKED_DIGITS[32 | (value & 31)])
                value >>= 5
            digits.append(PACKED_DIGITS[value])
        last_x, last_y = x, y
    return "".join(digits)


def pack_geometry(geometry: Mapping[str, Any]) -> dict[str, object]:
    """Pack a GeoJSON geometry's positions for the page (see :func:`pack_line`).

    Parameters
    ----------
    geometry : mapping
        A Point, MultiPoint, LineString, MultiLineString, Polygon or MultiPolygon.

    Returns
    -------
    dict
        ``{"type": ..., "parts": ...}``: a Point, MultiPoint or LineString is one packed
        line in ``parts``; a MultiLineString or Polygon a list of them; a MultiPolygon a
        list of lists.
    """
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Point":
        parts: list[object] = [pack_line([coordinates])]
    elif kind in ("LineString", "MultiPoint"):
        parts = [pack_line(coordinates)]
    elif kind == "MultiPolygon":
        parts = [[pack_line(ring) for ring in polygon] for polygon in coordinates]
    else:  # MultiLineString, Polygon
        parts = [pack_line(part) for part in coordinates]
    return {"type": kind, "parts": parts}


class BaseLayer(_DataElement, _InertLayer):
    """Land, sea, the countries and their names, in a pane beneath the tiles.

    Wherever no tile loads (offline, or the tile server is down) it is what the reader
    sees; when tiles load they cover it. It can be switched off in the layer control.
    """

    _template = element_template(
        "bordermap._elements.BaseLayer",
        "{% macro html(this, kwargs) %}{{ this.data_block }}{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = window.bordermap.draw.base("
        "{{ this._parent.get_name() }}, {{ this.data_id_js }});\n"
        "{% endmacro %}",
    )

    def __init__(
        self,
        title: str,
        local: FeatureCollection,
        view: tuple[float, float, float, float],
        language: str = "en",
        avoid: Sequence[Sequence[tuple[float, float]]] = (),
        credit: str = "",
    ) -> None:
        from bordermap.base import area_label_candidates, base_name, base_style, features_of_kind

        super().__init__(name=title, overlay=True, show=True)
        self._name = "BaseLayer"
        drawn = []
        for feature in features_of_kind(local, "sea", "country", "boundary"):
            style = leaflet_style(base_style(feature))
            if feature["properties"]["kind"] == "country":
                style["stroke"] = False  # countries meet along the boundaries drawn
            drawn.append(
                {
                    "id": feature["id"],
                    "geometry": pack_geometry(feature["geometry"]),
                    "style": style,
                }
            )
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
                    "candidates": [_rounded([lat, lon, "center", 0]) for lon, lat in places],
                    "className": "bm-area-name bm-sea-name" if sea else "bm-area-name",
                    # Leaflet moves the marker with its own transform: the text
                    # inside it is what is centred on the place.
                    "forms": [escaped(text if sea else text.upper())],
                }
            )
        self._data = {
            "attribution": escaped(credit) or None,
            "scale": PACKED_SCALE,
            "features": drawn,
            "names": names,
        }
