"""Several maps in one repository: finding them, and the index page that links them.

The default map keeps its folder (``geodata/``); every other map has one of its own,
``maps/<id>/``, holding its facts file and its layers. Their pages and images share
the outputs folder, each named by its map (``[map] output``), and ``index.html``
there links every map with its thumbnail, for a newsroom that tracks several crossings.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bordermap import settings
from bordermap._types import LayerMetadata, Layers

if TYPE_CHECKING:
    import jinja2

__all__ = ["INDEX_FILE", "MAPS_DIRECTORY", "IndexEntry", "index_html", "map_directories"]

#: The folder of the maps other than the default one, each in ``<id>/``.
MAPS_DIRECTORY: str = "maps"
#: The index page's file name in the outputs folder.
INDEX_FILE: str = "index.html"


def map_directories(default: str | Path = "geodata", root: str | Path = ".") -> list[Path]:
    """Return the folders of every map: ``default`` first (if it has facts), then ``maps/*/``.

    Parameters
    ----------
    default : str or pathlib.Path
        The default map's folder.
    root : str or pathlib.Path
        The folder holding ``maps/``.

    Returns
    -------
    list of pathlib.Path
        Folders holding a facts file, the default first, the others by name.
    """
    found = [Path(default)] if (Path(default) / settings.facts_file).is_file() else []
    others = sorted(Path(root, MAPS_DIRECTORY).glob(f"*/{settings.facts_file}"))
    return found + [
        path.parent
        for path in others
        if path.parent.resolve() not in {folder.resolve() for folder in found}
    ]


@dataclass(frozen=True)
class IndexEntry:
    """One map on the index page: its title, date, page, thumbnail and translations."""

    title: str
    as_of: str
    page: str
    thumbnail: str | None = None
    translations: tuple[tuple[str, str], ...] = ()


def entry_for(layers: Layers, outputs: Path) -> IndexEntry:
    """Return the index entry of a map from its layers and what ``outputs`` holds."""
    from bordermap.mapspec import spec_of

    spec = spec_of(layers)
    meta: LayerMetadata = next(
        (
            layer["bordermap"]
            for layer in layers.values()
            if isinstance(layer.get("bordermap"), dict)
        ),
        {},
    )
    thumbnail = f"{spec.output}.thumb.png"
    return IndexEntry(
        title=str(meta.get("title") or spec.id),
        as_of=str(meta.get("as_of") or ""),
        page=f"{spec.output}.html",
        thumbnail=thumbnail if (outputs / thumbnail).exists() else None,
        translations=tuple(
            (language, f"{spec.output}.{language}.html")
            for language in spec.languages[1:]
            if (outputs / f"{spec.output}.{language}.html").exists()
        ),
    )


def index_html(entries: Sequence[IndexEntry], *, title: str = "Border crossings") -> str:
    """Return the index page linking every map (HTML, escaped by the template).

    Parameters
    ----------
    entries : sequence of IndexEntry
        The maps, in the order to list them.
    title : str
        The page's title.

    Returns
    -------
    str
        The page.
    """
    page: str = _template().render(title=title, maps=entries)
    return page


@functools.cache
def _template() -> jinja2.Template:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bordermap", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("index.html.j2")
