"""HTML and JavaScript text for the web map, built from layer data and escaped.

Every string that comes from the data passes through :func:`html.escape` here
before it reaches the page, links accept only http(s), and values embedded in
scripts go through :func:`js_literal`, which cannot close a ``<script>`` element.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bordermap.styles import UNCERTAINTY_STYLE, Style, style_for

Layers = Mapping[str, Mapping[str, Any]]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def js_literal(value: Any) -> str:
    """Encode a value as a JavaScript literal that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def legend_entries(features: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Style]:
    """Return the styles a legend must explain: one per (kind, status) drawn, in drawing order.

    Parameters
    ----------
    features : iterable of (layer name, GeoJSON feature)
        The features drawn.

    Returns
    -------
    list of Style
        Distinct styles, first appearance first.
    """
    entries: list[Style] = []
    for _, feature in features:
        properties = feature.get("properties") or {}
        style = style_for(str(properties.get("kind")), properties.get("status"))
        if style not in entries:
            entries.append(style)
    return entries


# ---------------------------------------------------------------------------


def metadata(layers: Layers) -> dict[str, Any]:
    for layer in layers.values():
        meta = layer.get("bordermap")
        if isinstance(meta, Mapping):
            return dict(meta)
    return {}


def format_date(text: str) -> str:
    """Write "2025-04-30" as "30 April 2025", "2025-11" as "November 2025"."""
    parts = str(text).split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return str(text)


def format_metres(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.1f} km"
    return f"{value:,.0f} m"


def format_value(value: Any, unit: str | None) -> str:
    if isinstance(value, int | float) and unit == "m":
        return format_metres(float(value))
    if isinstance(value, int | float):
        return f"{value:g}" + (f" {unit}" if unit else "")
    return str(value)


def safe_url(url: Any) -> str | None:
    """Return the URL if it is http(s), else ``None``: no javascript:, data: or file: links."""
    if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


#: How many publishers the title block names before "and N more".
TITLE_PUBLISHERS = 3


def publishers_and_credits(layers: Layers) -> tuple[list[str], list[str]]:
    """Return the publishers the layers cite, most cited first, and the required credits.

    Ties keep first-cited order. A source with a ``credit`` (OpenStreetMap's licence
    requires one) is listed among the credits instead of the publishers.
    """
    credits: list[str] = []
    citations: dict[str, int] = {}
    for layer in layers.values():
        for feature in layer.get("features", []):
            for source in (feature.get("properties") or {}).get("sources") or []:
                if not isinstance(source, Mapping):
                    continue
                if source.get("credit"):
                    if str(source["credit"]) not in credits:
                        credits.append(str(source["credit"]))
                elif source.get("publisher"):
                    publisher = str(source["publisher"])
                    citations[publisher] = citations.get(publisher, 0) + 1
    return sorted(citations, key=lambda publisher: -citations[publisher]), credits


def title_html(meta: Mapping[str, Any], layers: Layers) -> str:
    """Return the title block: title, "as of" date, and a one-line sources and credits note.

    The note names the most-cited publishers and counts the rest; the full list is in
    each feature's popup. Credits that a licence requires (OpenStreetMap) are always named.
    """
    ranked, credits = publishers_and_credits(layers)
    named = ", ".join(ranked[:TITLE_PUBLISHERS])
    rest = len(ranked) - TITLE_PUBLISHERS
    note = f"Sources: {named}" + (f" and {rest} more" if rest > 0 else "") if ranked else ""
    note = "; ".join(part for part in (note, *credits) if part)
    esc = html.escape
    return (
        f'<h1 class="bm-title-text">{esc(str(meta.get("title", "")))}</h1>'
        f'<p class="bm-as-of">As of {esc(format_date(str(meta.get("as_of", ""))))}. '
        "Click a feature for its facts and sources; dashed outlines show where an "
        "approximate position may lie.</p>"
        f'<p class="bm-credits">{esc(note)}.</p>'
    )


def legend_html(features: Sequence[tuple[str, Mapping[str, Any]]], uncertainty: bool) -> str:
    rows = []
    entries = legend_entries(features)
    if uncertainty:
        entries.append(UNCERTAINTY_STYLE)
    for style in entries:
        rows.append(
            f'<li class="bm-legend-entry">{swatch_svg(style)}'
            f'<span class="bm-legend-label">{html.escape(style.label)}</span></li>'
        )
    return (
        '<details class="bm-legend-box" open><summary>Legend</summary>'
        f'<ul class="bm-legend-list">{"".join(rows)}</ul></details>'
    )


def swatch_svg(style: Style) -> str:
    """Return a small SVG showing a style, for the legend."""
    if style.marker is not None:
        return (
            '<svg class="bm-swatch" width="28" height="16" aria-hidden="true">'
            f"{marker_shape(style, 14, 8)}</svg>"
        )
    if style.fill is not None and style.marker is None and style.fill_opacity < 1:
        dash = f' stroke-dasharray="{style.dash_array}"' if style.dash_array else ""
        return (
            '<svg class="bm-swatch" width="28" height="16" aria-hidden="true">'
            f'<rect x="2" y="2" width="24" height="12" rx="6" fill="{style.fill}" '
            f'fill-opacity="{style.fill_opacity:g}" stroke="{style.color}" '
            f'stroke-width="{style.weight:g}"{dash}/></svg>'
        )
    casing = (
        f'<line x1="2" y1="8" x2="26" y2="8" stroke="{style.casing}" '
        f'stroke-width="{style.weight + 3:g}"/>'
        if style.casing
        else ""
    )
    dash = f' stroke-dasharray="{style.dash_array}"' if style.dash_array else ""
    return (
        '<svg class="bm-swatch" width="28" height="16" aria-hidden="true">'
        f'{casing}<line x1="2" y1="8" x2="26" y2="8" stroke="{style.color}" '
        f'stroke-width="{style.weight:g}" stroke-opacity="{style.opacity:g}"{dash}/></svg>'
    )


def marker_shape(style: Style, cx: float, cy: float) -> str:
    r = style.radius
    common = (
        f'fill="{style.fill or style.color}" stroke="{style.color}" '
        f'stroke-width="{style.weight:g}"'
    )
    if style.marker == "square":
        return (
            f'<rect x="{cx - r:g}" y="{cy - r:g}" width="{2 * r:g}" height="{2 * r:g}" {common}/>'
        )
    return f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" {common}/>'


def marker_html(style: Style, name: str) -> str | None:
    if style.marker is None:
        return None
    return (
        f'<svg width="18" height="18" viewBox="0 0 18 18" role="img" '
        f'aria-label="{html.escape(name)}">{marker_shape(style, 9, 9)}</svg>'
    )


def leaflet_style(style: Style) -> dict[str, Any]:
    leaflet: dict[str, Any] = {
        "color": style.color,
        "weight": style.weight,
        "opacity": style.opacity,
        "lineCap": "butt" if style.dash else "round",
    }
    if style.dash_array:
        leaflet["dashArray"] = style.dash_array
    if style.fill is not None:
        leaflet.update(fill=True, fillColor=style.fill, fillOpacity=style.fill_opacity)
    return leaflet


def casing_style(style: Style) -> dict[str, Any] | None:
    if style.casing is None or style.marker is not None:
        return None
    return {
        "color": style.casing,
        "weight": style.weight + 4,
        "opacity": 0.9,
        "className": "bm-casing",
    }


def tooltip_text(properties: Mapping[str, Any]) -> str:
    name = str(properties.get("name_en", ""))
    status = properties.get("status")
    extra = []
    if status and status not in ("existing",):
        extra.append(str(status))
    if isinstance(properties.get("length_m"), int | float):
        extra.append(format_metres(float(properties["length_m"])) + " as drawn")
    return f"{name} ({', '.join(extra)})" if extra else name


def popup_html(feature: Mapping[str, Any]) -> str:
    """Return a feature's popup: names, status, facts, disagreements and linked sources."""
    esc = html.escape
    properties = feature.get("properties") or {}
    sources = [s for s in properties.get("sources") or [] if isinstance(s, Mapping)]
    numbers = {str(source.get("id")): index + 1 for index, source in enumerate(sources)}

    def cite(ids: Any) -> str:
        refs = [numbers[str(i)] for i in ids or [] if str(i) in numbers]
        return "".join(f'<sup class="bm-ref">[{n}]</sup>' for n in refs)

    parts = [
        f'<h2 class="bm-popup-title">{esc(str(properties.get("name_en", feature.get("id"))))}</h2>'
    ]
    parts.append(
        '<p class="bm-names">'
        f'<span lang="ko">{esc(str(properties.get("name_ko", "")))}</span> · '
        f'<span lang="ru">{esc(str(properties.get("name_ru", "")))}</span></p>'
    )
    if properties.get("name_note"):
        parts.append(f'<p class="bm-note">{esc(str(properties["name_note"]))}</p>')
    rows = [("Status", esc(str(properties.get("status", "unknown"))))]
    if isinstance(properties.get("length_m"), int | float):
        rows.append(("Length as drawn", esc(format_metres(float(properties["length_m"])))))
    if properties.get("approximate"):
        accuracy = properties.get("accuracy_m")
        text = "Approximate"
        if isinstance(accuracy, int | float):
            text += f": within about {format_metres(float(accuracy))}"
        if properties.get("accuracy_note"):
            text += f" ({properties['accuracy_note']})"
        rows.append(("Position", esc(text)))
    parts.append(
        '<table class="bm-facts">'
        + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        + "</table>"
    )
    if properties.get("description"):
        parts.append(f"<p>{esc(str(properties['description']))}</p>")
    if properties.get("geometry_note"):
        parts.append(
            f'<p class="bm-note">How it is drawn: {esc(str(properties["geometry_note"]))}</p>'
        )

    for figure in properties.get("figures") or []:
        if not isinstance(figure, Mapping):
            continue
        unit = figure.get("unit")
        values = [v for v in figure.get("values") or [] if isinstance(v, Mapping)]
        heading = esc(str(figure.get("name", "")).capitalize())
        if figure.get("disputed"):
            heading += ' <span class="bm-disputed">sources disagree</span>'
        items = []
        for value in values:
            text = esc(format_value(value.get("value"), unit))
            if value.get("note"):
                text += f' <span class="bm-note">({esc(str(value["note"]))})</span>'
            if figure.get("drawn") is not None and value.get("value") == figure.get("drawn"):
                text += ' <span class="bm-drawn">drawn</span>'
            items.append(f"<li>{text}{cite(value.get('sources'))}</li>")
        drawn = figure.get("drawn")
        if drawn is not None and drawn not in [v.get("value") for v in values]:
            items.append(
                f'<li>{esc(format_value(drawn, unit))} <span class="bm-drawn">drawn</span>'
                ' <span class="bm-note">(between the sourced values)</span></li>'
            )
        parts.append(f'<h3>{heading}</h3><ul class="bm-values">{"".join(items)}</ul>')

    alternatives = [
        a for a in properties.get("position_alternatives") or [] if isinstance(a, Mapping)
    ]
    if alternatives:
        items = []
        for alternative in alternatives:
            away = format_metres(float(alternative.get("distance_m") or 0))
            items.append(
                f"<li>{esc(str(alternative.get('lat')))}, {esc(str(alternative.get('lon')))}"
                f" ({esc(away)} from the drawn point){cite(alternative.get('sources'))}</li>"
            )
        parts.append(
            '<h3>Position <span class="bm-disputed">sources disagree</span></h3>'
            f"<p>Drawn at the position given by{cite(properties.get('position_sources'))}; "
            f'other sources put it at:</p><ul class="bm-values">{"".join(items)}</ul>'
        )

    events = [e for e in properties.get("events") or [] if isinstance(e, Mapping)]
    if events:
        items = []
        for event in events:
            when = esc(format_date(str(event.get("date", ""))))
            expected = " (expected)" if event.get("expected") else ""
            items.append(
                f"<li><b>{when}</b>{expected}: {esc(str(event.get('what', '')))}"
                f"{cite(event.get('sources'))}</li>"
            )
        parts.append(f'<h3>Dates</h3><ul class="bm-events">{"".join(items)}</ul>')

    items = []
    for source in sources:
        label = str(source.get("publisher", ""))
        if source.get("date"):
            label += f", {format_date(str(source['date']))}"
        detail = source.get("title") or source.get("about")
        text = esc(label) + (f": {esc(str(detail))}" if detail else "")
        url = safe_url(source.get("url"))
        if url:
            text = (
                f'<a href="{esc(url, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer">{text}</a>'
            )
        items.append(f"<li>{text}</li>")
    parts.append(f'<h3>Sources</h3><ol class="bm-sources">{"".join(items)}</ol>')
    return f'<div class="bm-popup-body">{"".join(parts)}</div>'


def describe(meta: Mapping[str, Any], features: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Return a plain-text description of the map, for screen readers."""
    described = []
    for _, feature in features:
        properties = feature.get("properties") or {}
        if properties.get("kind") in ("border", "tripoint"):
            continue
        text = str(properties.get("name_en", feature.get("id")))
        details = []
        if properties.get("status") not in (None, "existing"):
            details.append(str(properties["status"]))
        if isinstance(properties.get("length_m"), int | float):
            details.append(f"drawn {format_metres(float(properties['length_m']))} long")
        if properties.get("approximate") and isinstance(properties.get("accuracy_m"), int | float):
            details.append(
                f"position approximate, within {format_metres(float(properties['accuracy_m']))}"
            )
        described.append(text + (f" ({', '.join(details)})" if details else ""))
    return (
        f"{meta.get('subject', meta.get('title', 'Map'))}, as of "
        f"{format_date(str(meta.get('as_of', '')))}. The map shows: " + "; ".join(described) + "."
    )
