"""Optional libraries: imported when a call needs them, with a hint when they are missing."""

from __future__ import annotations

from types import ModuleType

from bordermap.errors import MissingDependencyError


def import_geopandas(purpose: str) -> ModuleType:
    """Return :mod:`geopandas`, or raise :class:`MissingDependencyError` naming the extra.

    ``purpose`` names what needs it, e.g. ``"to_geodataframe"``.
    """
    try:
        import geopandas
    except ModuleNotFoundError as error:
        if error.name != "geopandas":
            raise  # geopandas is there, something it needs is not: that is another story
        raise MissingDependencyError(
            f"{purpose} needs geopandas, an optional extra: pip install 'bordermap[geopandas]'"
        ) from None
    module: ModuleType = geopandas
    return module
