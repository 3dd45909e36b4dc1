"""The errors and warnings bordermap raises: a small hierarchy on built-in classes.

Every error a user can cause carries the list of problems found, each naming the
file, the feature and the field, so that one run reports all of them at once. Every
warning derives from :class:`BordermapWarning`, so that one filter catches them all.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "BaseUnavailableWarning",
    "BasemapError",
    "BasemapUnavailableWarning",
    "BordermapError",
    "BordermapWarning",
    "CoordinatePrecisionWarning",
    "ExportError",
    "FactsError",
    "LayerError",
    "MissingDependencyError",
    "OutputError",
    "TranslationError",
]


class BordermapError(Exception):
    """Base class of every error bordermap raises on purpose.

    Parameters
    ----------
    problems : sequence of str
        One line per problem found, each naming the file, feature and field.
    """

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class FactsError(BordermapError, ValueError):
    """The facts file is missing, malformed or inconsistent."""


class LayerError(BordermapError, ValueError):
    """A GeoJSON layer is missing, malformed or does not fit the schema."""


class OutputError(BordermapError, OSError):
    """An output could not be written."""


class BasemapError(BordermapError, ValueError):
    """A basemap that cannot be used: unknown, needs a key, or cannot be credited."""


class ExportError(BordermapError, ValueError):
    """An image cannot be made as asked: a bad option, or no font for the labels."""


class MissingDependencyError(BordermapError, ImportError):
    """An optional library a call needs is not installed; the message says how to add it."""


class TranslationError(BordermapError, LookupError):
    """An interface word has no translation in the language asked for."""


class BordermapWarning(UserWarning):
    """Base class of every warning bordermap gives: the work was done, with a caveat."""


class BaseUnavailableWarning(BordermapWarning):
    """No base layers were found where they were looked for; the map has no land or sea."""


class BasemapUnavailableWarning(BordermapWarning):
    """The basemap tiles could not be fetched; the image was drawn without them."""


class CoordinatePrecisionWarning(BordermapWarning):
    """A line's vertices are closer together than the layers' coordinates can write.

    Rounded to ``settings.coordinate_decimals`` (6: about 0.1 m), vertices a few
    centimetres apart become a staircase, and the line written measures longer than
    the line given. The layer is still written (its ``length_m`` is the length of
    what it holds); the warning says by how much, so that the line can be thinned.
    """
