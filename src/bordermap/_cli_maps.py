"""The commands about several maps: ``bordermap new`` and ``bordermap build --all``."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from bordermap import settings
from bordermap._cli_output import say
from bordermap._types import Layers
from bordermap.schema import brief

#: The width of each map's thumbnail on the index page, in pixels.
THUMBNAIL_WIDTH = 480


def language_code(text: str) -> str:
    """Return a ``--lang`` value that is a language code, or refuse it in one line."""
    if re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?", text):
        return text
    raise argparse.ArgumentTypeError(f"expected a language code such as 'en', got {brief(text)}")


def output_path(arguments: argparse.Namespace, layers: Layers, suffix: str) -> Path:
    """Return ``<outputs>/<map name>[.<lang>]<suffix>``: one file per language."""
    from bordermap.mapspec import spec_of

    language = "" if arguments.lang == "en" else f".{arguments.lang}"
    return Path(arguments.outputs) / f"{spec_of(layers).output}{language}{suffix}"


def check_language(layers: Layers, arguments: argparse.Namespace) -> None:
    """Refuse a ``--lang`` the map is not written in, in one line."""
    from bordermap.mapspec import spec_of

    languages = spec_of(layers).languages
    if arguments.lang not in languages:
        from bordermap.errors import BordermapError

        raise BordermapError(
            f"--lang {arguments.lang}: the map's languages ([map] languages in its facts "
            f"file) are {', '.join(languages)}"
        )


def add_new_command(
    commands: Any, bbox: Callable[[str], tuple[float, float, float, float]]
) -> None:
    """Add ``bordermap new DIR --region W,S,E,N --languages en,ru,zh``."""
    help_text = (
        "make a new map's folder: a commented facts file with the border line and the "
        "country areas of the region"
    )
    new = commands.add_parser("new", help=help_text, description=help_text)
    new.add_argument("directory", type=Path, metavar="DIR", help="the new map's folder")
    new.add_argument(
        "--region", type=bbox, required=True, metavar="W,S,E,N", help="the map's region"
    )
    new.add_argument(
        "--languages",
        type=_languages,
        default=("en",),
        metavar="CODES",
        help="comma-separated language codes every name is given in (default: en)",
    )
    new.add_argument("--id", default=None, help="the map's id (default: the folder's name)")
    data = new.add_mutually_exclusive_group()
    data.add_argument(
        "--packages",
        type=Path,
        default=None,
        metavar="DIR",
        help="a node_modules folder with the npm packages @osm_borders/maritime_10m and "
        "world-atlas (npm ci --prefix scripts): the base's countries, coast and inset",
    )
    data.add_argument(
        "--borders",
        type=Path,
        default=None,
        metavar="FILE",
        help="country areas alone: borders.geo.json of @osm_borders/maritime_10m, or a "
        "base file (default: geodata/base/local.geojson and the inset beside it)",
    )


def _languages(text: str) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not codes or not all(re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?", c) for c in codes):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated language codes such as en,ru,zh, got {brief(text)}"
        )
    return codes


def new(arguments: argparse.Namespace) -> int:
    """Run ``bordermap new``."""
    import sys

    from bordermap.basedata import base_sources
    from bordermap.scaffold import scaffold

    sources = None if arguments.packages is None else base_sources(arguments.packages)
    for path in scaffold(
        arguments.directory,
        arguments.region,
        arguments.languages,
        sources=sources,
        borders=arguments.borders,
        map_id=arguments.id,
    ):
        say(sys.stdout, f"wrote {path}")
    return 0


def build_all(
    arguments: argparse.Namespace, build_one: Callable[[argparse.Namespace], int]
) -> int:
    """Build every map (``--geodata`` and ``maps/*/``), then their thumbnails and index page."""
    import sys

    from bordermap._io import write_all
    from bordermap.atlas import INDEX_FILE, entry_for, index_html, map_directories
    from bordermap.errors import BordermapError
    from bordermap.layers import read_layers

    folders = map_directories(arguments.geodata)
    if not folders:
        raise BordermapError(f"{arguments.geodata}: no map to build (no facts file, no maps/*/)")
    _refuse_shared_outputs(folders)
    worst = 0
    built: list[Path] = []
    for folder in folders:
        one = argparse.Namespace(**{**vars(arguments), "geodata": folder, "facts": None})
        status = build_one(one)
        worst = max(worst, status)
        if status == 0:
            built.append(folder)
    outputs = Path(arguments.outputs)
    thumbnails: dict[Path, str | bytes] = {}
    all_layers = [read_layers(folder) for folder in built]
    for folder, layers in zip(built, all_layers, strict=True):
        path, image = _thumbnail(layers, folder, outputs, no_base=arguments.no_base)
        thumbnails[path] = image
    write_all(thumbnails)
    index = outputs / INDEX_FILE
    write_all({index: index_html([entry_for(layers, outputs) for layers in all_layers])})
    for path in [*thumbnails, index]:
        say(sys.stdout, f"wrote {path}")
    return worst


def _refuse_shared_outputs(folders: list[Path]) -> None:
    """Refuse maps that would write the same files in the outputs folder, or the index's.

    Raises
    ------
    BordermapError
        One line for each clash, naming both facts files and the field to change.
    """
    from bordermap.atlas import INDEX_FILE
    from bordermap.errors import BordermapError
    from bordermap.mapspec import output_in

    index = Path(INDEX_FILE).stem
    first: dict[str, Path] = {}
    problems = []
    for folder in folders:
        facts = folder / settings.facts_file
        name = output_in(folder)
        if name == index:
            problems.append(
                f"{facts}: [map], field 'output': {name!r} is the index page's name "
                f"({INDEX_FILE}); choose another"
            )
        elif name in first:
            problems.append(
                f"{facts}: [map], field 'output': {name!r} is also the outputs' name of "
                f"{first[name] / settings.facts_file}; each map needs its own"
            )
        else:
            first[name] = folder
    if problems:
        raise BordermapError(problems)


def _thumbnail(
    layers: Layers, folder: Path, outputs: Path, *, no_base: bool
) -> tuple[Path, bytes]:
    """Return the path and PNG bytes of a map's thumbnail for the index page."""
    from bordermap.base import BASE_DIRECTORY, Base, read_base
    from bordermap.export import render_images
    from bordermap.mapspec import spec_of

    has_base = not no_base and (folder / BASE_DIRECTORY).is_dir()
    base: Base | Literal[False] = read_base(folder) if has_base else False
    images = render_images(layers, ["png"], width=THUMBNAIL_WIDTH, dpi=100, base=base, inset=False)
    return outputs / f"{spec_of(layers).output}.thumb.png", images["png"]
