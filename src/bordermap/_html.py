"""HTML and JavaScript text for the web map, built from layer data and escaped.

Every string that comes from the data passes through :func:`html.escape` here
before it reaches the page, links accept only http(s), and values embedded in
scripts go through :func:`js_literal`, which cannot close a ``<script>`` element.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bordermap.i18n import format_date as _format_date
from bordermap.i18n import format_number, sentence, translate
from bordermap.styles import UNCERTAINTY_STYLE, Style, style_for

Layers = Mapping[str, Mapping[str, Any]]


def js_literal(value: Any) -> str:
    """Encode a value as a JavaScript literal that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # "{{", "{%" and "{#" cannot occur in JSON outside strings; written as escapes they
    # mean the same to JavaScript and nothing to a template engine (belt and braces).
    for raw, escaped in (("{{", "{\\u007b"), ("{%", "{\\u0025"), ("{#", "{\\u0023")):
        text = text.replace(raw, escaped)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def label_html(form: str) -> str:
    """Return a label's text form as escaped HTML, its line breaks as ``<br>``."""
    return "<br>".join(html.escape(line) for line in form.split("\n"))


def js_json(value: Any) -> str:
    """Encode a value as JavaScript that parses it from JSON text: ``JSON.parse("...")``.

    For objects whose keys come from the data (feature ids): in an object literal a
    key ``__proto__`` would set the object's prototype; parsed from JSON it is a key.
    """
    return f"JSON.parse({js_literal(json.dumps(value, ensure_ascii=False))})"


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
    """Return the layers' shared metadata (title, subject, as of, ...)."""
    for layer in layers.values():
        meta = layer.get("bordermap")
        if isinstance(meta, Mapping):
            return dict(meta)
    return {}


def format_date(text: str, language: str = "en") -> str:
    """Write "2025-04-30" as "30 April 2025" (or in ``language``)."""
    return _format_date(text, language)


def localized(meta: Mapping[str, Any], key: str, language: str) -> str:
    """Return ``meta[key]`` in ``language`` (``title_ko``, ...), else in English."""
    return str(meta.get(f"{key}_{language}") or meta.get(key) or "")


#: ``{status:<feature id>}`` in the map's subject: that feature's status on the map's date.
STATUS_PLACEHOLDER = re.compile(r"\{status:([^{}]+)\}")


def subject(
    meta: Mapping[str, Any],
    features: Iterable[tuple[str, Mapping[str, Any]]],
    language: str = "en",
) -> str:
    """Return the map's subject in ``language``, each ``{status:<id>}`` filled from state.

    ``features`` are the features drawn, with their status on the map's date (see
    :func:`bordermap.timeline.layers_as_of`); a feature not drawn yet reads "not yet
    planned". The facts file so says no status in free text that would go stale.
    """
    statuses = {
        str(feature.get("id")): (feature.get("properties") or {}).get("status")
        for _, feature in features
    }

    def status_of(match: re.Match[str]) -> str:
        status = statuses.get(match[1].strip())
        return translate(str(status) if status else "not yet planned", language)

    return STATUS_PLACEHOLDER.sub(status_of, localized(meta, "subject", language))


def as_of_sentence(
    meta: Mapping[str, Any],
    features: Iterable[tuple[str, Mapping[str, Any]]],
    language: str = "en",
    *,
    limit: int | None = None,
) -> str:
    """Return "<subject>, as of <date>." in ``language``: the map's subtitle and summary.

    ``limit``, if given, cuts the subject to that many characters (an ellipsis marking
    the cut), never the date.
    """
    text = subject(meta, features, language).strip().rstrip(".")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    date = format_date(str(meta.get("as_of", "")), language)
    if not text:
        return sentence(translate("As of {date}", language, date=date), language)
    return sentence(
        translate("{subject}, as of {date}", language, subject=text, date=date), language
    )


def format_metres(value: float, language: str = "en") -> str:
    """Write a distance in ``language``: "1,000 m", "17.8 km"; in ru "1 000 м", "17,8 км"."""
    number, unit = (f"{value / 1000:.1f}", "km") if value >= 10_000 else (f"{value:,.0f}", "m")
    return f"{format_number(number, language)} {translate(unit, language)}"


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


def publishers_and_credits(layers: Layers, language: str = "en") -> tuple[list[str], list[str]]:
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
                    credit = str(source.get(f"credit_{language}") or source["credit"])
                    if credit not in credits:
                        credits.append(credit)
                elif source.get("publisher"):
                    publisher = str(source["publisher"])
                    citations[publisher] = citations.get(publisher, 0) + 1
    return sorted(citations, key=lambda publisher: -citations[publisher]), credits


def sources_note(layers: Layers, language: str = "en") -> str:
    """Return the one-line sources and credits note.

    It names the most-cited publishers, counts the rest, then gives the credits a
    licence requires (OpenStreetMap's).
    """
    ranked, credits = publishers_and_credits(layers, language)
    note = ""
    if ranked:
        note = f"{translate('Sources', language)}: " + ", ".join(ranked[:TITLE_PUBLISHERS])
        rest = len(ranked) - TITLE_PUBLISHERS
        if rest > 0:
            note += " " + translate("and {n} more", language, n=rest)
    return "; ".join(part for part in (note, *credits) if part)


def title_html(meta: Mapping[str, Any], layers: Layers, language: str = "en") -> str:
    """Return the title block: title, "as of" date, and a one-line sources and credits note.

    The note names the most-cited publishers and counts the rest; the full list is in
    each feature's popup. Credits that a licence requires (OpenStreetMap) are always named.
    """
    esc = html.escape
    as_of = format_date(str(meta.get("as_of", "")), language)
    help_text = translate(
        "Click a feature for its facts and sources; dashed outlines show where an "
        "approximate position may lie.",
        language,
    )
    # On a small screen the title keeps its title and date; the rest is one tap away.
    return (
        f'<h1 class="bm-title-text">{esc(localized(meta, "title", language))}</h1>'
        f'<p class="bm-as-of">{esc(translate("As of", language))} '
        f'<span class="bm-as-of-date">{esc(as_of)}</span>{"" if as_of.endswith(".") else "."}'
        "</p>"
        '<details class="bm-about" data-bm-collapse open>'
        f"<summary>{esc(translate('About this map and its sources', language))}</summary>"
        f'<p class="bm-help">{esc(help_text)}</p>'
        f'<p class="bm-credits">{esc(sources_note(layers, language))}.</p></details>'
    )


def legend_html(
    styles: Sequence[tuple[str, str | None]],
    uncertainty: bool,
    language: str = "en",
    simplified_m: float = 0.0,
    key_kinds: Sequence[str] = (),
) -> str:
    """Return the legend: one entry per (kind, status) style, in the order given.

    Each entry carries ``data-style="kind|status"`` so that the time control can show
    only the entries in use on the chosen date. ``simplified_m``, when above zero, is
    the farthest that a line drawn simplified lies from the layers' full detail: the
    legend says so, rounded up to the decimetre. The entries of ``key_kinds`` are
    repeated in a compact key that small screens show while the legend is folded.
    """
    rows = []
    styles_in_rows: list[tuple[str, str | None]] = []
    seen: list[Style] = []
    for kind, status in styles:
        style = style_for(kind, status)
        if style in seen:
            continue
        seen.append(style)
        styles_in_rows.append((kind, status))
        rows.append(
            f'<li class="bm-legend-entry" data-style="{html.escape(f"{kind}|{status}")}">'
            f"{swatch_svg(style)}"
            f'<span class="bm-legend-label">{html.escape(translate(style.label, language))}'
            "</span></li>"
        )
    if uncertainty:
        rows.append(
            f'<li class="bm-legend-entry">{swatch_svg(UNCERTAINTY_STYLE)}'
            '<span class="bm-legend-label">'
            f"{html.escape(translate(UNCERTAINTY_STYLE.label, language))}</span></li>"
        )
    note = ""
    if simplified_m > 0:
        metres = f"{math.ceil(simplified_m * 10) / 10:g}"
        text = translate(
            "Lines drawn simplified, at most {m} m from the GeoJSON layers' full detail.",
            language,
            m=metres,
        )
        note = f'<p class="bm-legend-note">{html.escape(text)}</p>'
    # A compact key of the bridges stays in view while the legend is folded away.
    key = [
        row.replace('class="bm-legend-entry"', 'class="bm-key-entry"')
        for row, (kind, _) in zip(rows, styles_in_rows, strict=False)
        if kind in key_kinds
    ]
    key_html = (
        f'<ul class="bm-key" aria-label="{html.escape(translate("Key", language))}">'
        f"{''.join(key)}</ul>"
        if key
        else ""
    )
    return (
        f'<details class="bm-legend-box" data-bm-collapse open><summary>'
        f"{html.escape(translate('Legend', language))}</summary>"
        f'<ul class="bm-legend-list">{"".join(rows)}</ul>{note}</details>{key_html}'
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


def tooltip_text(properties: Mapping[str, Any], language: str = "en") -> str:
    """Return a feature's hover text: its name, status and drawn length."""
    name = str(properties.get(f"name_{language}") or properties.get("name_en", ""))
    status = properties.get("status")
    extra = []
    if status and status not in ("existing",):
        extra.append(translate(str(status), language))
    if isinstance(properties.get("length_m"), int | float):
        extra.append(format_metres(float(properties["length_m"]), language))
    return f"{name} ({', '.join(extra)})" if extra else name


def popup_html(feature: Mapping[str, Any], language: str = "en") -> str:
    """Return a feature's popup: names, status, facts, disagreements and linked sources.

    Interface words are in ``language``; names come from the facts in every language;
    descriptions and events are given as written in the facts (English). The status
    and the events carry markers the time control updates.
    """
    esc = html.escape
    tr = translate
    properties = feature.get("properties") or {}
    sources = [s for s in properties.get("sources") or [] if isinstance(s, Mapping)]
    numbers = {str(source.get("id")): index + 1 for index, source in enumerate(sources)}
    english = "" if language == "en" else ' lang="en"'

    def cite(ids: Any) -> str:
        refs = [numbers[str(i)] for i in ids or [] if str(i) in numbers]
        return "".join(f'<sup class="bm-ref">[{n}]</sup>' for n in refs)

    title = properties.get(f"name_{language}") or properties.get("name_en") or feature.get("id")
    others = [
        key.removeprefix("name_")
        for key in properties
        if key.startswith("name_") and key != "name_note" and key != f"name_{language}"
    ]
    parts = [
        f'<h2 class="bm-popup-title" lang="{language}">{esc(str(title))}</h2>',
        '<p class="bm-names">'
        + " · ".join(
            f'<span lang="{code}">{esc(str(properties.get(f"name_{code}", "")))}</span>'
            for code in others
        )
        + "</p>",
    ]
    if properties.get("name_note"):
        parts.append(f'<p class="bm-note"{english}>{esc(str(properties["name_note"]))}</p>')
    status = str(properties.get("status", "unknown"))
    rows = [
        (
            tr("Status", language),
            f'<span class="bm-status" data-feature-id="{esc(str(feature.get("id")))}">'
            f"{esc(tr(status, language))}</span>",
        )
    ]
    if isinstance(properties.get("length_m"), int | float):
        rows.append(
            (tr("Length as drawn", language), esc(format_metres(float(properties["length_m"]))))
        )
    if properties.get("approximate"):
        accuracy = properties.get("accuracy_m")
        text = tr("Approximate: within about", language)
        if isinstance(accuracy, int | float):
            text += f" {format_metres(float(accuracy))}"
        if properties.get("accuracy_note"):
            text += f" ({properties['accuracy_note']})"
        rows.append((tr("Position", language), esc(text)))
    parts.append(
        '<table class="bm-facts">'
        + "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
        + "</table>"
    )
    if properties.get("description"):
        parts.append(f"<p{english}>{esc(str(properties['description']))}</p>")
    if properties.get("geometry_note"):
        parts.append(
            f'<p class="bm-note">{esc(tr("How it is drawn", language))}: '
            f"<span{english}>{esc(str(properties['geometry_note']))}</span></p>"
        )

    for figure in properties.get("figures") or []:
        if not isinstance(figure, Mapping):
            continue
        unit = figure.get("unit")
        values = [v for v in figure.get("values") or [] if isinstance(v, Mapping)]
        name = tr(str(figure.get("name", "")), language)
        heading = esc(name[:1].upper() + name[1:])
        if figure.get("disputed"):
            heading += f' <span class="bm-disputed">{esc(tr("sources disagree", language))}</span>'
        drawn_mark = f' <span class="bm-drawn">{esc(tr("drawn", language))}</span>'
        items = []
        for value in values:
            text = esc(format_value(value.get("value"), unit))
            if value.get("note"):
                text += f' <span class="bm-note"{english}>({esc(str(value["note"]))})</span>'
            if figure.get("drawn") is not None and value.get("value") == figure.get("drawn"):
                text += drawn_mark
            items.append(f"<li>{text}{cite(value.get('sources'))}</li>")
        drawn = figure.get("drawn")
        if drawn is not None and drawn not in [v.get("value") for v in values]:
            items.append(
                f'<li>{esc(format_value(drawn, unit))}{drawn_mark} <span class="bm-note">'
                f"({esc(tr('between the sourced values', language))})</span></li>"
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
                f" ({esc(away)} {esc(tr('from the drawn point', language))})"
                f"{cite(alternative.get('sources'))}</li>"
            )
        parts.append(
            f'<h3>{esc(tr("Position", language))} <span class="bm-disputed">'
            f"{esc(tr('sources disagree', language))}</span></h3>"
            f"<p>{esc(tr('Drawn at the position given by', language))}"
            f"{cite(properties.get('position_sources'))}; "
            f"{esc(tr('other sources put it at', language))}:</p>"
            f'<ul class="bm-values">{"".join(items)}</ul>'
        )

    events = [e for e in properties.get("events") or [] if isinstance(e, Mapping)]
    if events:
        items = []
        for event in events:
            when = esc(format_date(str(event.get("date", "")), language))
            expected = f" ({esc(tr('expected', language))})" if event.get("expected") else ""
            items.append(
                f'<li data-date="{esc(str(event.get("date", "")))}"><b>{when}</b>{expected}: '
                f"<span{english}>{esc(str(event.get('what', '')))}</span>"
                f"{cite(event.get('sources'))}</li>"
            )
        parts.append(
            f'<h3>{esc(tr("Dates", language))}</h3><ul class="bm-events">{"".join(items)}</ul>'
        )

    items = [f"<li>{source_html(source, language)}</li>" for source in sources]
    parts.append(
        f'<h3>{esc(tr("Sources", language))}</h3><ol class="bm-sources">{"".join(items)}</ol>'
    )
    return f'<div class="bm-popup-body">{"".join(parts)}</div>'


def source_html(source: Mapping[str, Any], language: str = "en") -> str:
    """Return a source as a safe link: publisher, date, title; only http(s) URLs link."""
    esc = html.escape
    label = str(source.get("publisher", ""))
    if source.get("date"):
        label += f", {format_date(str(source['date']), language)}"
    detail = source.get("title") or source.get("about")
    text = esc(label) + (f": {esc(str(detail))}" if detail else "")
    url = safe_url(source.get("url"))
    if url:
        text = (
            f'<a href="{esc(url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">{text}</a>'
        )
    return text


def describe(
    meta: Mapping[str, Any],
    features: Sequence[tuple[str, Mapping[str, Any]]],
    language: str = "en",
) -> str:
    """Return a plain-text description of the map, for screen readers."""
    tr = translate
    described = []
    for _, feature in features:
        properties = feature.get("properties") or {}
        if properties.get("kind") in ("border", "tripoint"):
            continue
        text = str(
            properties.get(f"name_{language}") or properties.get("name_en", feature.get("id"))
        )
        details = []
        if properties.get("status") not in (None, "existing"):
            details.append(tr(str(properties["status"]), language))
        if isinstance(properties.get("length_m"), int | float):
            details.append(
                tr(
                    "drawn {length} long",
                    language,
                    length=format_metres(float(properties["length_m"]), language),
                )
            )
        if properties.get("approximate") and isinstance(properties.get("accuracy_m"), int | float):
            details.append(
                tr(
                    "position approximate, within {accuracy}",
                    language,
                    accuracy=format_metres(float(properties["accuracy_m"]), language),
                )
            )
        described.append(text + (f" ({', '.join(details)})" if details else ""))
    return (
        f"{as_of_sentence(meta, features, language)} "
        f"{tr('The map shows', language)}: " + "; ".join(described) + "."
    )


def timeline_html(layers: Layers, story: Sequence[str], language: str = "en") -> str:
    """Return the time control and the dated events, with their sources, and the notes.

    The slider steps through ``story`` (the dates on which a status changed, the last
    being the map's date); every event of every feature is listed with its sources,
    and the layers' notes (links not drawn, such as air routes) follow.
    """
    esc = html.escape
    tr = translate
    english = "" if language == "en" else ' lang="en"'
    last = len(story) - 1
    events = []
    for layer in layers.values():
        for feature in layer.get("features", []):
            properties = feature.get("properties") or {}
            name = properties.get(f"name_{language}") or properties.get("name_en") or ""
            by_id = {
                str(source.get("id")): source
                for source in properties.get("sources") or []
                if isinstance(source, Mapping)
            }
            for event in properties.get("events") or []:
                if not isinstance(event, Mapping):
                    continue
                cited = [by_id[str(i)] for i in event.get("sources") or [] if str(i) in by_id]
                events.append((str(event.get("date", "")), str(name), event, cited))
    events.sort(key=lambda item: item[0])
    items = []
    for date, name, event, cited in events:
        expected = f" ({esc(tr('expected', language))})" if event.get("expected") else ""
        links = "; ".join(source_html(source, language) for source in cited)
        items.append(
            f'<li data-date="{esc(date)}"><b>{esc(format_date(date, language))}</b>{expected} '
            f"· {esc(name)}: <span{english}>{esc(str(event.get('what', '')))}</span>"
            f'<span class="bm-event-sources"> — {links}</span></li>'
        )
    notes = []
    for layer in layers.values():
        meta = layer.get("bordermap")
        for note in (meta.get("notes") if isinstance(meta, Mapping) else None) or []:
            links = "; ".join(
                source_html(source, language)
                for source in note.get("sources") or []
                if isinstance(source, Mapping)
            )
            notes.append(
                f'<li data-date="{esc(str(note.get("date", "")))}">'
                f"<span{english}>{esc(str(note.get('text', '')))}</span>"
                f'<span class="bm-event-sources"> — {links}</span></li>'
            )
    notes_html = (
        f"<h4>{esc(tr('Other links', language))}</h4>"
        f'<ul class="bm-timeline-events bm-notes">{"".join(notes)}</ul>'
        if notes
        else ""
    )
    now = esc(format_date(story[last], language)) if story else ""
    return (
        f'<details class="bm-timeline-box" data-bm-collapse open>'
        f"<summary>{esc(tr('Timeline', language))}"
        "</summary>"
        f'<label class="bm-when" for="bm-when">{esc(tr("Show the map as of", language))} '
        f'<output id="bm-when-text" for="bm-when">{now}</output></label>'
        f'<input id="bm-when" type="range" min="0" max="{last}" step="1" value="{last}" '
        f'aria-valuetext="{now}">'
        f'<details class="bm-events-box"><summary>{esc(tr("Events", language))} '
        f"({len(items)})</summary>"
        f'<ol class="bm-timeline-events">{"".join(items)}</ol>{notes_html}</details>'
        "</details>"
    )
