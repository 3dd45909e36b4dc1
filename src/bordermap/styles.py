"""How each kind of feature is drawn: one definition for the web map, its legend and exports.

A :class:`Style` is chosen by a feature's kind and status (:func:`style_for`), so an
existing bridge is drawn solid and one under construction dashed. The web map's
legend is generated from the same styles, never drawn separately.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bordermap.mapspec import active

__all__ = ["UNCERTAINTY_STYLE", "Style", "style_for", "styles"]


@dataclass(frozen=True)
class Style:
    """How to draw one kind of feature in one status.

    Parameters
    ----------
    label : str
        What the legend calls it.
    color : str
        Stroke colour, CSS hex.
    weight : float
        Stroke width in CSS pixels (lines), or outline width (points).
    dash : tuple of float, optional
        Dash pattern in pixels (on, off, ...); ``None`` draws solid.
    opacity : float
        Stroke opacity.
    marker : str, optional
        For points: ``"circle"`` or ``"square"``; ``None`` for lines.
    radius : float
        For points: marker radius in pixels.
    fill : str, optional
        Fill colour for markers and areas.
    fill_opacity : float
        Fill opacity.
    casing : str, optional
        Colour of a wider line drawn beneath, so the line reads on any basemap.
    """

    label: str
    color: str
    weight: float = 3.0
    dash: tuple[float, ...] | None = None
    opacity: float = 1.0
    marker: str | None = None
    radius: float = 6.0
    fill: str | None = None
    fill_opacity: float = 1.0
    casing: str | None = None

    @property
    def dash_array(self) -> str | None:
        """The dash pattern as SVG/Leaflet ``dashArray`` text, e.g. ``"10 8"``."""
        return None if self.dash is None else " ".join(f"{value:g}" for value in self.dash)


_RIVER = Style("River (main channel)", "#3a7fc1", weight=7, opacity=0.85)
# A map names its own border and tripoint in its legend ([map.legend] in its facts).
_BORDER = Style("Border", "#b3261e", weight=2.5, dash=(1, 6, 8, 6))
_TRIPOINT = Style(
    "Tripoint",
    "#b3261e",
    weight=2,
    marker="circle",
    radius=6,
    fill="#ffffff",
)

# Keyed by (kind, status); a status of None serves every status of that kind.
_STYLES: dict[tuple[str, str | None], Style] = {
    ("river", None): _RIVER,
    ("border", None): _BORDER,
    ("tripoint", None): _TRIPOINT,
    ("rail_bridge", "open"): Style("Rail bridge, open", "#1d1d1d", weight=6, casing="#ffffff"),
    ("rail_bridge", None): Style("Rail bridge", "#1d1d1d", weight=6, casing="#ffffff"),
    ("road_bridge", "planned"): Style(
        "Road bridge, planned", "#d9480f", weight=4, dash=(2, 8), casing="#ffffff"
    ),
    ("road_bridge", "under construction"): Style(
        "Road bridge, under construction", "#d9480f", weight=6, dash=(12, 8), casing="#ffffff"
    ),
    ("road_bridge", None): Style("Road bridge", "#d9480f", weight=6, casing="#ffffff"),
    ("station", None): Style(
        "Railway station", "#1d1d1d", weight=2, marker="square", radius=6, fill="#ffd43b"
    ),
    ("settlement", None): Style(
        "Settlement", "#495057", weight=2, marker="circle", radius=5, fill="#adb5bd"
    ),
    ("railway", None): Style(
        "Railway (schematic)", "#495057", weight=3, dash=(10, 3), casing="#ffffff"
    ),
    ("bridge_site", None): Style(
        "Other border bridges", "#5f3dc4", weight=2, marker="square", radius=6, fill="#e5dbff"
    ),
    ("river_mouth", None): Style(
        "River mouth", "#3a7fc1", weight=2, marker="circle", radius=6, fill="#d0ebff"
    ),
    # A bridge carrying road and rail: the two bridges' colours, road on rail.
    ("road_rail_bridge", "planned"): Style(
        "Road and rail bridge, planned", "#1d1d1d", weight=4, dash=(2, 8), casing="#d9480f"
    ),
    ("road_rail_bridge", "under construction"): Style(
        "Road and rail bridge, under construction",
        "#1d1d1d",
        weight=6,
        dash=(12, 8),
        casing="#d9480f",
    ),
    ("road_rail_bridge", None): Style(
        "Road and rail bridge", "#1d1d1d", weight=6, casing="#d9480f"
    ),
    ("tunnel", None): Style("Tunnel", "#495057", weight=5, dash=(6, 4), opacity=0.8),
    ("ferry", None): Style("Ferry", "#1864ab", weight=3, dash=(8, 6), casing="#ffffff"),
    ("cable_car", None): Style("Cable car", "#862e9c", weight=3, dash=(1, 5), casing="#ffffff"),
    ("pipeline", None): Style("Pipeline", "#2b8a3e", weight=3, dash=(14, 4, 2, 4)),
    ("crossing_point", None): Style(
        "Border crossing point", "#b3261e", weight=2, marker="square", radius=6, fill="#ffffff"
    ),
    ("checkpoint", None): Style(
        "Checkpoint (border control)",
        "#1d1d1d",
        weight=2,
        marker="circle",
        radius=6,
        fill="#ff8787",
    ),
}

#: The area within which an approximate feature may lie, drawn beneath it.
UNCERTAINTY_STYLE = Style(
    "Possible position of an approximate feature",
    "#d9480f",
    weight=1,
    dash=(3, 4),
    opacity=0.6,
    fill="#d9480f",
    fill_opacity=0.05,
)


def style_for(kind: str, status: str | None = None) -> Style:
    """Return the style of a feature of ``kind`` in ``status``.

    Parameters
    ----------
    kind : str
        The feature's kind (``bordermap.schema.KINDS``).
    status : str, optional
        The feature's status; the kind's general style serves a status without its own.

    Returns
    -------
    Style
        The style to draw it with. For a kind with styles of its own for some
        statuses (bridges), another status keeps the general style, its label naming
        the status ("Road bridge, open").

    Raises
    ------
    KeyError
        If no style is defined for ``kind``.

    Notes
    -----
    The map being drawn may name a kind more precisely in its legend
    (``[map.legend]``, e.g. which border): that label replaces the kind's general one.
    """
    style = _style_for(kind, status)
    spec = active()
    label = spec.legend.get(kind) if spec is not None else None
    if label and style is _STYLES.get((kind, None)):
        return dataclasses.replace(style, label=label)
    return style


def _style_for(kind: str, status: str | None) -> Style:
    """Return the package's style of ``kind`` in ``status`` (see :func:`style_for`)."""
    if (kind, status) in _STYLES:
        return _STYLES[(kind, status)]
    general = _STYLES[(kind, None)]
    if status not in (None, "existing") and any(
        known == kind and other is not None for known, other in _STYLES
    ):
        # A kind whose legend tells statuses apart names every status it draws, so
        # an open road bridge is "Road bridge, open" beside "Rail bridge, open".
        return dataclasses.replace(general, label=f"{general.label}, {status}")
    return general


def styles() -> dict[tuple[str, str | None], Style]:
    """Return every defined style, keyed by ``(kind, status)``."""
    return dict(_STYLES)
