"""bordermap: sourced facts about border infrastructure, as GeoJSON layers and a web map.

The data flows one way: a facts file (:func:`load_facts`) gives GeoJSON layers
(:func:`build_layers`, :func:`write_layers`, :func:`read_layers`), which are checked
(:func:`validate_layers`) and drawn (:func:`build_map`, :func:`save_map`).

Importing the package is cheap: the functions load their modules on first use, so
``bordermap --help`` does not import geopandas, folium or matplotlib.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from bordermap.errors import (
    BasemapError,
    BasemapUnavailableWarning,
    BaseUnavailableWarning,
    BordermapError,
    BordermapWarning,
    CoordinatePrecisionWarning,
    ExportError,
    FactsError,
    LayerError,
    MissingDependencyError,
    OutputError,
    TranslationError,
)

if TYPE_CHECKING:
    from bordermap.export import export_image
    from bordermap.facts import Facts, load_facts
    from bordermap.gis import to_geodataframe
    from bordermap.layers import build_layers, read_layers, write_layers
    from bordermap.validate import Check, validate_layers
    from bordermap.webmap import build_map, render_html, save_map

try:
    __version__ = version("bordermap")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "BaseUnavailableWarning",
    "BasemapError",
    "BasemapUnavailableWarning",
    "BordermapError",
    "BordermapWarning",
    "Check",
    "CoordinatePrecisionWarning",
    "ExportError",
    "Facts",
    "FactsError",
    "LayerError",
    "MissingDependencyError",
    "OutputError",
    "TranslationError",
    "__version__",
    "build_layers",
    "build_map",
    "export_image",
    "load_facts",
    "read_layers",
    "render_html",
    "save_map",
    "to_geodataframe",
    "validate_layers",
    "write_layers",
]

# Public name -> module that defines it, imported on first use.
_LAZY = {
    "Facts": "bordermap.facts",
    "load_facts": "bordermap.facts",
    "build_layers": "bordermap.layers",
    "read_layers": "bordermap.layers",
    "write_layers": "bordermap.layers",
    "to_geodataframe": "bordermap.gis",
    "Check": "bordermap.validate",
    "validate_layers": "bordermap.validate",
    "build_map": "bordermap.webmap",
    "render_html": "bordermap.webmap",
    "save_map": "bordermap.webmap",
    "export_image": "bordermap.export",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bordermap' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The public API only: not the names this module imports for its own use.
    return sorted(__all__)
