"""HTML and JavaScript text for the web map, built from layer data.

The markup comes from Jinja2 templates with autoescaping (``templates/panels/``,
see :mod:`bordermap._templates`): every string from the data reaches the page as
text. Links accept only http(s) (:func:`bordermap._rules.http_url`), and values
embedded in scripts go through :func:`js_literal`, JSON that cannot close a
``<script>`` element.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from bordermap._rules import http_url
from bordermap._templates import panel, panel_macro
from bordermap._types import CasingStyle, Feature, LayerMetadata, Layers, LeafletStyle, Properties
from bordermap.i18n import format_date as _format_date
from bordermap.i18n import format_number, sentence, translate
from bordermap.styles import UNCERTAINTY_STYLE, Style, style_for


def js_literal(value: object) -> str:
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
    return panel_macro("macros.html.j2", "label", form)


def js_json(value: object) -> str:
    """Encode a value as JavaScript that parses it from JSON text: ``JSON.parse("...")``.

    For objects whose keys come from the data (feature ids): in an object literal a
    key ``__proto__`` would set the object's prototype; parsed from JSON it is a key.
    """
    return f"JSON.parse({js_literal(json.dumps(value, ensure_ascii=False))})"


def legend_entries(features: Iterable[tuple[str, Feature]]) -> list[Style]:
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


def metadata(layers: Layers) -> LayerMetadata:
    """Return the layers' shared metadata (title, subject, as of, ...)."""
    for layer in layers.values():
        meta = layer.get("bordermap")
        if isinstance(meta, Mapping):
            return dict(meta)
    return {}


def format_date(text: str, language: str = "en") -> str:
    """Write "2025-04-30" as "30 April 2025" (or in ``language``)."""
    return _format_date(text, language)


def localized(meta: LayerMetadata, key: str, language: str) -> str:
    """Return ``meta[key]`` in ``language`` (``title_ko``, ...), else in English."""
    return str(meta.get(f"{key}_{language}") or meta.get(key) or "")


#: ``{status:<feature id>}`` in the map's subject: that feature's status on the map's date.
STATUS_PLACEHOLDER = re.compile(r"\{status:([^{}]+)\}")


def subject(
    meta: LayerMetadata,
    features: Iterable[tuple[str, Feature]],
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
    meta: LayerMetadata,
    features: Iterable[tuple[str, Feature]],
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


def format_value(value: object, unit: str | None) -> str:
    if isinstance(value, int | float) and unit == "m":
        return format_metres(float(value))
    if isinstance(value, int | float):
        return f"{value:g}" + (f" {unit}" if unit else "")
    return str(value)


def safe_url(url: object) -> str | None:
    """Return the URL if it is http(s), else ``None``: no javascript:, data: or file: links."""
    return http_url(url)


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


def title_html(meta: LayerMetadata, layers: Layers, language: str = "en") -> str:
    """Return the title block: title, "as of" date, and a one-line sources and credits note.

    The note names the most-cited publishers and counts the rest; the full list is in
    each feature's popup. Credits that a licence requires (OpenStreetMap) are always named.
    """
    words = {
        "as_of": translate("As of", language),
        "about": translate("About this map and its sources", language),
        "help": translate(
            "Click a feature for its facts and sources; dashed outlines show where an "
            "approximate position may lie.",
            language,
        ),
    }
    return panel(
        "title.html.j2",
        title=localized(meta, "title", language),
        as_of=format_date(str(meta.get("as_of", "")), language),
        note=sources_note(layers, language),
        words=words,
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
    entries: list[dict[str, object]] = []
    key: list[dict[str, object]] = []
    seen: list[Style] = []
    for kind, status in styles:
        style = style_for(kind, status)
        if style in seen:
            continue
        seen.append(style)
        entry = {
            "style": style,
            "label": translate(style.label, language),
            "data_style": f"{kind}|{status}",
        }
        entries.append(entry)
        if kind in key_kinds:  # a compact key of the bridges stays in view when folded
            key.append(entry)
    if uncertainty:
        label = translate(UNCERTAINTY_STYLE.label, language)
        entries.append({"style": UNCERTAINTY_STYLE, "label": label, "data_style": None})
    note = ""
    if simplified_m > 0:
        note = translate(
            "Lines drawn simplified, at most {m} m from the GeoJSON layers' full detail.",
            language,
            m=f"{math.ceil(simplified_m * 10) / 10:g}",
        )
    words = {"legend": translate("Legend", language), "key": translate("Key", language)}
    return panel("legend.html.j2", entries=entries, key=key, note=note, words=words)


def swatch_svg(style: Style) -> str:
    """Return a small SVG showing a style, for the legend."""
    return panel_macro("macros.html.j2", "swatch", style)


def marker_html(style: Style, name: str) -> str | None:
    """Return a point's marker as SVG named ``name``, or None for a style with no marker."""
    if style.marker is None:
        return None
    return panel_macro("macros.html.j2", "marker", style, name)


def leaflet_style(style: Style) -> LeafletStyle:
    leaflet: LeafletStyle = {
        "color": style.color,
        "weight": style.weight,
        "opacity": style.opacity,
        "lineCap": "butt" if style.dash else "round",
    }
    if style.dash_array:
        leaflet["dashArray"] = style.dash_array
    if style.fill is not None:
        leaflet.update({"fill": True, "fillColor": style.fill, "fillOpacity": style.fill_opacity})
    return leaflet


def casing_style(style: Style) -> CasingStyle | None:
    if style.casing is None or style.marker is not None:
        return None
    return {
        "color": style.casing,
        "weight": style.weight + 4,
        "opacity": 0.9,
        "className": "bm-casing",
    }


def tooltip_text(properties: Properties, language: str = "en") -> str:
    """Return a feature's hover text: its name, status and drawn length."""
    name = str(properties.get(f"name_{language}") or properties.get("name_en", ""))
    status = properties.get("status")
    extra = []
    if status and status not in ("existing",):
        extra.append(translate(str(status), language))
    if isinstance(properties.get("length_m"), int | float):
        extra.append(format_metres(float(properties["length_m"]), language))
    return f"{name} ({', '.join(extra)})" if extra else name


def popup_html(feature: Feature, language: str = "en") -> str:
    """Return a feature's popup: names, status, facts, disagreements and linked sources.

    Interface words are in ``language``; names come from the facts in every language;
    descriptions and events are given as written in the facts (English). The status
    and the events carry markers the time control updates.
    """
    properties = feature.get("properties") or {}
    sources = [s for s in properties.get("sources") or [] if isinstance(s, Mapping)]
    numbers = {str(source.get("id")): index + 1 for index, source in enumerate(sources)}

    def cite(ids: Iterable[object] | None) -> list[int]:
        return [numbers[str(i)] for i in ids or [] if str(i) in numbers]

    title = properties.get(f"name_{language}") or properties.get("name_en") or feature.get("id")
    return panel(
        "popup.html.j2",
        language=language,
        title=str(title),
        others=[
            (key.removeprefix("name_"), str(properties.get(key, "")))
            for key in properties
            if key.startswith("name_") and key not in ("name_note", f"name_{language}")
        ],
        name_note=str(properties.get("name_note") or ""),
        feature_id=str(feature.get("id")),
        status=translate(str(properties.get("status", "unknown")), language),
        rows=_fact_rows(properties, language),
        description=str(properties.get("description") or ""),
        geometry_note=str(properties.get("geometry_note") or ""),
        figures=_figures(properties, language, cite),
        alternatives=[
            {
                "lat": str(alternative.get("lat")),
                "lon": str(alternative.get("lon")),
                "away": format_metres(float(alternative.get("distance_m") or 0)),
                "refs": cite(alternative.get("sources")),
            }
            for alternative in properties.get("position_alternatives") or []
            if isinstance(alternative, Mapping)
        ],
        position_refs=cite(properties.get("position_sources")),
        events=[
            {
                "date": str(event.get("date", "")),
                "when": format_date(str(event.get("date", "")), language),
                "expected": bool(event.get("expected")),
                "what": str(event.get("what", "")),
                "refs": cite(event.get("sources")),
            }
            for event in properties.get("events") or []
            if isinstance(event, Mapping)
        ],
        sources=[_source_item(source, language) for source in sources],
        words=_popup_words(language),
    )


def _popup_words(language: str) -> dict[str, str]:
    """Return the interface words of a popup, in ``language``."""
    english = {
        "status": "Status",
        "how_drawn": "How it is drawn",
        "disagree": "sources disagree",
        "drawn": "drawn",
        "between": "between the sourced values",
        "position": "Position",
        "drawn_at": "Drawn at the position given by",
        "others_at": "other sources put it at",
        "from_drawn": "from the drawn point",
        "dates": "Dates",
        "expected": "expected",
        "sources": "Sources",
    }
    return {name: translate(text, language) for name, text in english.items()}


def _fact_rows(properties: Properties, language: str) -> list[tuple[str, str]]:
    """Return the popup's table rows after the status: length drawn, approximate position."""
    rows = []
    if isinstance(properties.get("length_m"), int | float):
        rows.append(
            (
                translate("Length as drawn", language),
                format_metres(float(properties["length_m"])),
            )
        )
    if properties.get("approximate"):
        accuracy = properties.get("accuracy_m")
        text = translate("Approximate: within about", language)
        if isinstance(accuracy, int | float):
            text += f" {format_metres(float(accuracy))}"
        if properties.get("accuracy_note"):
            text += f" ({properties['accuracy_note']})"
        rows.append((translate("Position", language), text))
    return rows


def _figures(
    properties: Properties, language: str, cite: Callable[[Iterable[object] | None], list[int]]
) -> list[dict[str, object]]:
    """Return the popup's figures: heading, each sourced value, and the value drawn."""
    figures = []
    for figure in properties.get("figures") or []:
        if not isinstance(figure, Mapping):
            continue
        unit = figure.get("unit")
        values = [v for v in figure.get("values") or [] if isinstance(v, Mapping)]
        name = translate(str(figure.get("name", "")), language)
        drawn = figure.get("drawn")
        entries = [
            {
                "text": format_value(value.get("value"), unit),
                "note": str(value.get("note") or ""),
                "drawn": drawn is not None and value.get("value") == drawn,
                "refs": cite(value.get("sources")),
            }
            for value in values
        ]
        between = None
        if drawn is not None and drawn not in [v.get("value") for v in values]:
            between = format_value(drawn, unit)
        figures.append(
            {
                "heading": name[:1].upper() + name[1:],
                "disputed": bool(figure.get("disputed")),
                "entries": entries,
                "between": between,
            }
        )
    return figures


def _source_item(source: Mapping[str, object], language: str) -> dict[str, str | None]:
    """Return what the ``source`` macro shows of a source: label, detail, http(s) URL."""
    label = str(source.get("publisher", ""))
    if source.get("date"):
        label += f", {format_date(str(source['date']), language)}"
    detail = source.get("title") or source.get("about")
    return {
        "label": label,
        "detail": str(detail) if detail else "",
        "url": safe_url(source.get("url")),
    }


def source_html(source: Mapping[str, object], language: str = "en") -> str:
    """Return a source as a safe link: publisher, date, title; only http(s) URLs link."""
    return panel_macro("macros.html.j2", "source", _source_item(source, language))


def describe(
    meta: LayerMetadata,
    features: Sequence[tuple[str, Feature]],
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
                date = str(event.get("date", ""))
                cited = [by_id[str(i)] for i in event.get("sources") or [] if str(i) in by_id]
                events.append(
                    {
                        "date": date,
                        "when": format_date(date, language),
                        "expected": bool(event.get("expected")),
                        "name": str(name),
                        "what": str(event.get("what", "")),
                        "sources": [_source_item(source, language) for source in cited],
                    }
                )
    events.sort(key=lambda event: str(event["date"]))
    return panel(
        "timeline.html.j2",
        language=language,
        events=events,
        notes=_notes(layers, language),
        now=format_date(story[-1], language) if story else "",
        last=len(story) - 1,
        words={
            name: translate(text, language)
            for name, text in (
                ("timeline", "Timeline"),
                ("show", "Show the map as of"),
                ("events", "Events"),
                ("expected", "expected"),
                ("other_links", "Other links"),
            )
        },
    )


def _notes(layers: Layers, language: str) -> list[dict[str, object]]:
    """Return the layers' notes (links not drawn) with their sources, for the timeline."""
    notes: list[dict[str, object]] = []
    for layer in layers.values():
        meta = layer.get("bordermap")
        for note in (meta.get("notes") if isinstance(meta, Mapping) else None) or []:
            cited = [s for s in note.get("sources") or [] if isinstance(s, Mapping)]
            notes.append(
                {
                    "date": str(note.get("date", "")),
                    "text": str(note.get("text", "")),
                    "sources": [_source_item(source, language) for source in cited],
                }
            )
    return notes
