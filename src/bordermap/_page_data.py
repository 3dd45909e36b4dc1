"""What the page's scripts read as JSON: the time control's states, the layout pass's options.

And the scale bar's lengths, written out.

The web map (:mod:`bordermap.webmap`) puts each in a JSON data block of the page;
``templates/timeline.js`` and ``templates/place.js`` read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bordermap import _html
from bordermap._html import leaflet_style
from bordermap._layout import FIRST_VIEW_PLACES, feature_coords, frame_kinds, label_forms
from bordermap.i18n import format_number, translate
from bordermap.layers import Layers
from bordermap.schema import STATUSES, parse_date
from bordermap.styles import style_for
from bordermap.timeline import status_on

__all__ = ["COMPACT_WIDTH", "placement_options", "scale_texts", "timeline_data"]


def timeline_data(
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


#: Below this width (pixels, of the page or the frame) the panels give way: the title
#: keeps its title and date, and the legend, timeline, inset and credits become buttons.
COMPACT_WIDTH: int = 800


def placement_options(
    shown: Sequence[tuple[str, Any]], view: tuple[tuple[float, float], ...], language: str
) -> dict[str, Any]:
    """Return what the page's layout pass (templates/place.js) needs, as JSON data.

    The first view frames the bridges and the tripoint (else the whole initial view)
    in the room the panels leave.
    """
    story = [
        (lat, lon)
        for _, feature in shown
        if (feature.get("properties") or {}).get("kind") in (*frame_kinds(shown), "tripoint")
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
        "essential": [*frame_kinds(shown), *FIRST_VIEW_PLACES],
        "bridges": list(frame_kinds(shown)),
        "zoomOutSteps": 8,
        "prefix": '<a href="https://leafletjs.com" title="A JavaScript library for '
        'interactive maps">Leaflet</a>',
        "words": {"attribution": translate("Attribution", language)},
    }
    return options


def scale_texts(language: str) -> dict[str, str]:
    """Return each length the scale bar may show, as it writes it, by its metres.

    The bar shows 1, 2, 3 or 5 times a power of ten metres ("500 m", "2 km", up to
    50,000 km), written here with the language's separators, so that the page formats
    no number itself: a browser's first ``toLocaleString`` loads its locale data, tens
    of milliseconds before the map is drawn.
    """
    texts = {}
    for power in range(8):
        for digit in (1, 2, 3, 5):
            metres = digit * 10**power
            form, number = ("{n} m", metres) if metres < 1000 else ("{n} km", metres // 1000)
            text = translate(form, language).replace("{n}", format_number(f"{number:,}", language))
            texts[str(metres)] = text
    return texts
