"""The facts, as read and checked: the records :func:`bordermap.facts.load_facts` returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from bordermap.mapspec import MapSpec
from bordermap.schema import parse_date
from bordermap.timeline import status_on

GEOMETRY_METHODS = ("line", "point", "same_as", "crossing", "path")


@dataclass(frozen=True)
class Source:
    """A publication that a fact comes from."""

    id: str
    publisher: str
    url: str
    title: str | None = None
    about: str | None = None
    date: str | None = None
    licence: str | None = None
    credit: str | None = None
    credit_ko: str | None = None
    credit_ru: str | None = None

    def as_properties(self) -> dict[str, str]:
        """Return the source as a GeoJSON property value, keys in a fixed order."""
        record = {"id": self.id, "publisher": self.publisher}
        for key in ("title", "about", "date", "licence", "credit", "credit_ko", "credit_ru"):
            value = getattr(self, key)
            if value is not None:
                record[key] = value
        record["url"] = self.url
        return record


@dataclass(frozen=True)
class Event:
    """Something that happened, or is expected, on a date."""

    date: str
    what: str
    sources: tuple[str, ...]
    status: str | None = None
    expected: bool = False


@dataclass(frozen=True)
class FigureValue:
    """One published value of a figure, with its sources."""

    value: float | str
    sources: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class Figure:
    """A figure (length, distance, date) with every value sources give for it."""

    name: str
    values: tuple[FigureValue, ...]
    unit: str | None = None
    drawn: float | str | None = None

    @property
    def disputed(self) -> bool:
        """Whether sources give more than one value."""
        return len({value.value for value in self.values}) > 1


@dataclass(frozen=True)
class Position:
    """A published point, ``lat``/``lon`` in WGS 84."""

    lat: float
    lon: float
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class GeometrySpec:
    """How a feature's geometry is made from the facts.

    ``method`` is one of ``"line"`` (vertices given, ``(lat, lon)``, in the facts
    file or in a GeoJSON file it names), ``"point"`` (a published
    point), ``"same_as"`` (another feature's geometry), ``"crossing"`` (a bridge
    drawn across a river from a centre or a distance downstream of another crossing)
    or ``"path"`` (a schematic line through other features, ``through`` in order,
    approximate within ``accuracy_m``).
    """

    method: str
    note: str | None = None
    vertices: tuple[tuple[float, float], ...] = ()
    point: Position | None = None
    alternatives: tuple[Position, ...] = ()
    feature: str | None = None
    river: str | None = None
    downstream_of: str | None = None
    downstream_m: float | None = None
    length_m: float | None = None
    centre_uncertainty_m: float = 0.0
    bearing_uncertainty_deg: float = 0.0
    through: tuple[str, ...] = ()
    accuracy_m: float | None = None


@dataclass(frozen=True)
class FeatureFacts:
    """Everything the facts file says about one feature."""

    id: str
    layer: str
    kind: str
    name: dict[str, str]
    description: str
    sources: tuple[str, ...]
    geometry: GeometrySpec
    events: tuple[Event, ...] = ()
    figures: tuple[Figure, ...] = ()
    name_note: str | None = None
    label: dict[str, str] | None = None

    def status_on(self, date: dt.date) -> str | None:
        """Return the feature's status on ``date``.

        Parameters
        ----------
        date : datetime.date
            The day to look at.

        Returns
        -------
        str or None
            The status set by the latest event on or before ``date``; "existing"
            for a feature whose events set no status; ``None`` when the feature's
            first status-setting event comes later (it did not exist yet).
        """
        return status_on(
            [
                {"date": event.date, "status": event.status, "expected": event.expected}
                for event in self.events
            ],
            date,
        )

    def cited_sources(self) -> tuple[str, ...]:
        """Return the ids of every source this feature cites anywhere, first use first."""
        ids: list[str] = list(self.sources)
        if self.geometry.point is not None:
            ids.extend(self.geometry.point.sources)
        for alternative in self.geometry.alternatives:
            ids.extend(alternative.sources)
        for event in self.events:
            ids.extend(event.sources)
        for figure in self.figures:
            for value in figure.values:
                ids.extend(value.sources)
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True)
class Note:
    """A sourced remark shown with a layer rather than drawn (e.g. air routes)."""

    layer: str
    date: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    """The whole facts file."""

    path: Path
    id: str
    title: str
    subject: str
    as_of: str
    features: tuple[FeatureFacts, ...]
    sources: dict[str, Source] = field(default_factory=dict)
    naming_convention: str | None = None
    region: tuple[float, float, float, float] | None = None
    translations: dict[str, str] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    spec: MapSpec | None = None

    def feature(self, feature_id: str) -> FeatureFacts:
        """Return the feature with id ``feature_id``."""
        for feature in self.features:
            if feature.id == feature_id:
                return feature
        raise KeyError(feature_id)

    @property
    def as_of_date(self) -> dt.date:
        """The "as of" date as a :class:`datetime.date`."""
        return parse_date(self.as_of)
