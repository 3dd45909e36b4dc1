"""The errors bordermap raises: a small hierarchy on built-in exceptions.

Every error a user can cause carries the list of problems found, each naming the
file, the feature and the field, so that one run reports all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["BordermapError", "FactsError", "LayerError", "OutputError"]


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
