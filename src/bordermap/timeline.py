"""The map as it was known on a date: statuses from dated events.

A feature's events carry dates and, some of them, the status they set ("planned",
"under construction", "open"). On a given day a feature has the status of its latest
such event, and does not exist yet before its first one. Knowledge is bounded by the
facts: a date after the facts' own "as of" date shows the map as of that date.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, cast

from bordermap._types import Feature, FeatureCollection, Layers, Properties
from bordermap.schema import parse_date

__all__ = ["effective_date", "key_dates", "layers_as_of", "status_on"]


def status_on(events: Iterable[Mapping[str, Any]], date: dt.date) -> str | None:
    """Return the status that dated events give a feature on ``date``.

    Parameters
    ----------
    events : iterable of mapping
        Events with ``date`` and optionally ``status`` and ``expected``.
    date : datetime.date
        The day to look at.

    Returns
    -------
    str or None
        The status set by the latest event on or before ``date``; "existing" when no
        event sets a status; ``None`` when the first status comes later (the
        feature did not exist yet). Expected events never set a status.
    """
    # Sorted by date alone: events of one date keep their order in the file, the
    # later one setting the status (sorting the pairs would let the status's
    # spelling decide).
    dated = sorted(
        (
            (parse_date(event["date"]), str(event["status"]))
            for event in events
            if event.get("status") and not event.get("expected")
        ),
        key=lambda pair: pair[0],
    )
    if not dated:
        return "existing"
    current = None
    for when, status in dated:
        if when <= date:
            current = status
    return current


def effective_date(layers: Layers, requested: dt.date | None) -> dt.date:
    """Return the date to draw: ``requested`` (default today), but never after the facts.

    The layers know only what their facts knew on their "as of" date, so a later
    date shows the map as of then.
    """
    known = _known_as_of(layers)
    wanted = requested or dt.date.today()
    return min(wanted, known) if known else wanted


def _known_as_of(layers: Layers) -> dt.date | None:
    for layer in layers.values():
        meta = layer.get("bordermap")
        if isinstance(meta, Mapping) and meta.get("as_of"):
            return parse_date(meta["as_of"])
    return None


def key_dates(layers: Layers, until: dt.date) -> list[str]:
    """Return the dates on which some feature's status changed, up to ``until``, and ``until``.

    Parameters
    ----------
    layers : mapping
        Layer name to FeatureCollection.
    until : datetime.date
        The last date (the map's "as of" date).

    Returns
    -------
    list of str
        Sorted ``YYYY-MM-DD`` strings (dates of the facts' own precision are kept as
        written), the last being ``until``.
    """
    dates = {
        str(event["date"])
        for layer in layers.values()
        for feature in layer.get("features", [])
        for event in (feature.get("properties") or {}).get("events") or []
        if event.get("status") and not event.get("expected") and parse_date(event["date"]) <= until
    }
    ordered = sorted(dates, key=parse_date)
    return [*[d for d in ordered if parse_date(d) < until], until.isoformat()]


def layers_as_of(layers: Layers, date: dt.date) -> Layers:
    """Return copies of the layers as they were known on ``date``.

    Features that did not exist yet are left out; each feature's status is the one
    its events give on that day; events after the day, and figure values whose
    every source was published after it, are dropped; the layers' "as of" becomes
    the day.

    Parameters
    ----------
    layers : mapping
        Layer name to FeatureCollection.
    date : datetime.date
        The day.

    Returns
    -------
    dict of str to dict
        New FeatureCollections; the input is not changed. Geometries are the
        input's own objects, not copies (they do not change with the date, and a
        river in full detail is a million positions): do not modify them in place.
    """
    result: Layers = {}
    for name, layer in layers.items():
        copied = {key: copy.deepcopy(value) for key, value in layer.items() if key != "features"}
        features = []
        for original in layer.get("features", []):
            feature = cast(
                Feature,
                {
                    key: value if key == "geometry" else copy.deepcopy(value)
                    for key, value in original.items()
                },
            )
            properties = feature.get("properties") or {}
            status = status_on(properties.get("events") or [], date)
            if status is None:
                continue
            properties["status"] = status
            published = _publication_dates(properties, date)
            properties["events"] = [
                event
                for event in properties.get("events") or []
                if (parse_date(event["date"]) <= date and not event.get("expected"))
                or (event.get("expected") and _known(event, published, date))
            ]
            _drop_later_values(properties, published, date)
            features.append(feature)
        copied["features"] = features
        meta = copied.get("bordermap")
        if isinstance(meta, dict):
            meta["as_of"] = date.isoformat()
        result[name] = cast(FeatureCollection, copied)
    return result


def _publication_dates(properties: Properties, date: dt.date) -> dict[str, dt.date]:
    """Return when each of a feature's sources was published (undated ones: ``date``)."""
    return {
        str(source.get("id")): parse_date(source["date"]) if source.get("date") else date
        for source in properties.get("sources") or []
        if isinstance(source, Mapping)
    }


def _known(item: Mapping[str, Any], published: Mapping[str, dt.date], date: dt.date) -> bool:
    """Whether any source of ``item`` was published on or before ``date``."""
    return any(published.get(str(s), date) <= date for s in item.get("sources") or [])


def _drop_later_values(
    properties: Properties, published: Mapping[str, dt.date], date: dt.date
) -> None:
    """Drop figure values that only sources published after ``date`` give."""
    for figure in properties.get("figures") or []:
        kept = [value for value in figure.get("values") or [] if _known(value, published, date)]
        if kept:
            figure["values"] = kept
            figure["disputed"] = len({str(v.get("value")) for v in kept}) > 1
