"""Basemaps: tile layers from xyzservices providers or from a server of your own.

A basemap is the only thing the web map loads from the network. :func:`resolve_basemap`
turns what a user names (an xyzservices provider such as ``"OpenTopoMap"``, or a
URL template such as ``"https://tiles.example.org/{z}/{x}/{y}.png"`` with its
attribution) into a :class:`Basemap`, refusing what cannot be credited or used.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bordermap._rules import http_url
from bordermap.errors import BasemapError
from bordermap.schema import brief

__all__ = ["DEFAULT_BASEMAPS", "Basemap", "BasemapError", "resolve_basemap", "resolve_basemaps"]

#: Offered when the user names none: a street map and satellite imagery; the first is shown.
DEFAULT_BASEMAPS: tuple[str, ...] = ("OpenStreetMap.Mapnik", "Esri.WorldImagery")

#: Friendlier layer-control names for the default providers.
_LABELS = {
    "OpenStreetMap.Mapnik": "Street map (OpenStreetMap)",
    "Esri.WorldImagery": "Satellite imagery (Esri World Imagery)",
}

#: Providers whose servers want a key although xyzservices does not say so (Stadia
#: serves tiles without one only to the domains registered with it).
_KEYED_PREFIXES = ("Stadia.",)

#: A host name or an IPv4 address as a tile URL may give it.
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")

_PLACEHOLDERS = ("z", "x", "y", "-y", "s", "r")
_PLACEHOLDER = re.compile(r"\{(-?y|x|z|s|r)\}")


@dataclass(frozen=True)
class Basemap:
    """A tile layer the map can offer.

    Parameters
    ----------
    label : str
        Its name in the layer control.
    url : str
        Leaflet URL template, e.g. ``https://tile.openstreetmap.org/{z}/{x}/{y}.png``.
    attribution : str
        HTML credit shown on the map while it is on (already safe HTML).
    max_zoom : int
        Deepest zoom level the server offers.
    """

    label: str
    url: str
    attribution: str
    max_zoom: int = 19


def resolve_basemap(spec: str, attribution: str | None = None) -> Basemap:
    """Turn a provider name or a URL template into a :class:`Basemap`.

    Parameters
    ----------
    spec : str
        An xyzservices provider name (``"OpenStreetMap.Mapnik"``, ``"OpenTopoMap"``,
        ...; matched as xyzservices does, ignoring case and punctuation) or an http(s)
        URL template with ``{z}``, ``{x}`` and ``{y}``.
    attribution : str, optional
        Plain-text credit for a URL template (required for one; escaped before use).
        A provider credits itself, so it takes none.

    Returns
    -------
    Basemap
        What the map needs to draw and credit it.

    Raises
    ------
    BasemapError
        If the provider is unknown, needs an API key or is given an attribution, or
        a URL template is not http(s), lacks ``{z}``/``{x}``/``{y}``, or comes
        without an attribution.
    """
    if _is_url(spec):
        return _custom(spec, attribution)
    if attribution is not None:
        raise BasemapError(
            f"--attribution goes with a tile URL template; provider {brief(spec)} credits itself"
        )
    try:
        provider = _provider(spec)
    except ValueError:
        raise BasemapError(
            f"--tiles: unknown tile provider {brief(spec)}; give an xyzservices provider name "
            "(e.g. OpenStreetMap.Mapnik, Esri.WorldImagery, OpenTopoMap) or a URL "
            "template with --attribution"
        ) from None
    if provider.requires_token() or str(provider.name).startswith(_KEYED_PREFIXES):
        raise BasemapError(
            f"--tiles: provider {provider.name!r} needs an API key; choose another provider "
            "or give its URL template, key included, with --attribution"
        )
    return Basemap(
        label=_LABELS.get(provider.name, provider.name.replace(".", " ")),
        url=str(provider.build_url()),
        attribution=str(provider.html_attribution),
        max_zoom=int(provider.get("max_zoom", 19)),
    )


def _provider(spec: str) -> Any:
    """Return xyzservices' provider named ``spec``, matched as its ``query_name`` does.

    Raises ValueError for none. ``query_name`` flattens and normalises all ~1,000
    providers at each call, and a build resolves each basemap twice (the command
    line, then the map): the normalised names are indexed once instead.
    """
    from xyzservices.lib import QUERY_NAME_TRANSLATION

    found = _providers().get(spec.translate(QUERY_NAME_TRANSLATION).lower())
    if found is None:
        raise ValueError(f"no tile provider {spec!r}")
    return found


@functools.cache
def _providers() -> dict[str, Any]:
    """Return every xyzservices provider by its name as ``query_name`` normalises it."""
    import xyzservices
    from xyzservices.lib import QUERY_NAME_TRANSLATION

    return {
        name.translate(QUERY_NAME_TRANSLATION).lower(): provider
        for name, provider in xyzservices.providers.flatten().items()
    }


def _is_url(spec: str) -> bool:
    return "://" in spec or "{" in spec


def _custom(url: str, attribution: str | None) -> Basemap:
    if http_url(url) is None:
        raise BasemapError(
            f"--tiles: a tile URL must start with http:// or https://, got {brief(url)}"
        )
    unknown = sorted(set(re.findall(r"\{[^}]*\}?", url)) - {f"{{{p}}}" for p in _PLACEHOLDERS})
    if unknown:
        raise BasemapError(
            f"--tiles: a tile URL template may use only {{z}}, {{x}}, {{y}}, {{-y}}, {{s}} "
            f"and {{r}}, got {', '.join(unknown)} in {brief(url)}"
        )
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # e.g. an unclosed [ in the host
        host = ""
    if not _HOST.fullmatch(_PLACEHOLDER.sub("a", host)) or any(
        ord(c) < 33 or c in "<>\"'`" for c in url
    ):
        raise BasemapError(
            f"--tiles: a tile URL needs a host name (letters, digits, '.', '-') and no "
            f"spaces, quotes or angle brackets, got {brief(url)}"
        )
    found = set(_PLACEHOLDER.findall(url))
    if not {"z", "x"} <= found or not found & {"y", "-y"}:
        raise BasemapError(
            f"--tiles: a tile URL template needs {{z}}, {{x}} and {{y}}, got {brief(url)}"
        )
    if not attribution or not attribution.strip():
        raise BasemapError(
            f"--tiles: tiles from {brief(url)} need an --attribution naming their source "
            "and licence"
        )
    # Escaped, and braces as entities: the credit is HTML on the page and must never
    # be read as a template by folium.
    from bordermap._templates import escaped

    credit = escaped(attribution.strip()).replace("{", "&#123;").replace("}", "&#125;")
    return Basemap(label=escaped(f"Tiles from {host}"), url=url, attribution=credit)


def resolve_basemaps(
    specs: Sequence[str] | None = None, attribution: str | None = None
) -> list[Basemap]:
    """Resolve several basemaps; with none given, the street map and satellite imagery.

    Parameters
    ----------
    specs : sequence of str, optional
        Provider names or URL templates, the first shown; defaults to
        :data:`DEFAULT_BASEMAPS`.
    attribution : str, optional
        Credit for the URL templates among ``specs``.

    Returns
    -------
    list of Basemap
        In the order given.

    Raises
    ------
    BasemapError
        Listing every basemap that cannot be used.
    """
    resolved: list[Basemap] = []
    problems: list[str] = []
    chosen = list(specs or DEFAULT_BASEMAPS)
    if attribution is not None and not any(_is_url(spec) for spec in chosen):
        problems.append("--attribution goes with a tile URL template given with --tiles")
    for spec in chosen:
        try:
            resolved.append(resolve_basemap(spec, attribution if _is_url(spec) else None))
        except BasemapError as error:
            problems.extend(error.problems)
    if problems:
        raise BasemapError(problems)
    return resolved
