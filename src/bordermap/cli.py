"""The ``bordermap`` command: a thin layer over the library.

Exit status: 0 on success, 1 when a check fails (``validate``, or ``layers``, ``map``,
``build`` and ``export`` before they publish, unless ``--force``), 2 on bad usage or bad input
(with one line per problem on stderr, never a traceback).
Heavy libraries are imported inside the commands, so ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from bordermap import __version__, _cli_maps, settings
from bordermap import _cli_values as _values
from bordermap._cli_output import (
    notes_said,
    one_line,
    say,
    say_problems,
    warnings_said,
)
from bordermap._types import Layers
from bordermap.errors import BordermapError

if TYPE_CHECKING:
    import datetime as dt

    from bordermap.base import Base
    from bordermap.facts import Facts

__all__ = ["main"]

EXIT_OK = 0
EXIT_CHECKS_FAILED = 1
EXIT_BAD_INPUT = 2

#: Allocations between garbage collections of the youngest generation during a command.
_GC_THRESHOLD = 200_000


class _UsageError(Exception):
    """Bad command-line usage; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports usage errors in one line instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for ``bordermap`` and its commands."""
    parser = _Parser(
        prog="bordermap",
        description="Turn sourced facts about border infrastructure into GeoJSON layers "
        "and an annotated web map.",
        epilog="Edit the facts file (geodata/facts.toml), then run 'bordermap build'.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for name, help_text in (
        ("layers", "derive the GeoJSON layers in --geodata from its facts file"),
        ("build", "derive the layers, then draw the map (layers + map)"),
    ):
        command = _add_command(commands, name, help_text)
        command.add_argument(
            "--facts",
            type=Path,
            default=None,
            metavar="FILE",
            help=f"the facts file (default: <geodata>/{settings.facts_file})",
        )
    _add_command(commands, "map", "draw the layers in --geodata as an HTML map in --outputs")
    _add_export_options(
        _add_command(
            commands,
            "export",
            "draw the layers as print-quality images (PNG, SVG, PDF) in --outputs",
        )
    )
    _add_command(commands, "validate", "check the layers in --geodata; exit 1 if any check fails")
    _add_drawing_options(commands.choices)
    _add_publishing_options(commands.choices)
    commands.choices["build"].add_argument(
        "--all",
        action="store_true",
        help="build every map: --geodata and each maps/<id>/, then outputs/index.html "
        "linking them with thumbnails",
    )
    _cli_maps.add_new_command(commands, _values.bbox)
    return parser


def _add_command(commands: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    """Add a command with the options every command has: --geodata and --outputs."""
    command: argparse.ArgumentParser = commands.add_parser(
        name, help=help_text, description=help_text
    )
    command.add_argument(
        "--geodata",
        type=Path,
        default=Path("geodata"),
        metavar="DIR",
        help="directory of the facts file and the GeoJSON layers (default: geodata/)",
    )
    command.add_argument(
        "--outputs",
        type=Path,
        default=Path("outputs"),
        metavar="DIR",
        help="directory for the map and other outputs (default: outputs/)",
    )
    return command


def _add_export_options(export: argparse.ArgumentParser) -> None:
    """Add the options of ``bordermap export``: formats, size, area, basemap, embed."""
    export.add_argument(
        "--format",
        type=_values.formats,
        default=_values.EXPORT_FORMATS,
        metavar="FORMATS",
        help="comma-separated formats: images png, svg, pdf; the layers as a GeoPackage "
        "(gpkg, for QGIS) and KML (kml, for Google Earth) (default: all five)",
    )
    export.add_argument(
        "--width",
        type=_values.whole_number("--width", 100, 10_000),
        default=2400,
        metavar="PX",
        help="width of the PNG in pixels (default: 2400)",
    )
    export.add_argument(
        "--dpi",
        type=_values.whole_number("--dpi", 10, 2400),
        default=200,
        help="resolution recorded in the PNG, which sets the page size (width/dpi inches, "
        "also of the SVG and PDF); the map looks the same at any dpi, from 10 to 2400 "
        "(default: 200)",
    )
    export.add_argument(
        "--bbox",
        type=_values.bbox,
        default=None,
        metavar="W,S,E,N",
        help="area to draw, in degrees (default: framed on the bridges, as the web map)",
    )
    export.add_argument(
        "--basemap",
        action="store_true",
        help="draw OpenStreetMap tiles beneath the layers (fetched and cached; needs a network)",
    )
    export.add_argument("--no-inset", action="store_true", help="no locator inset")
    export.add_argument(
        "--embed",
        action="store_true",
        help="also write <output>.embed.html: a responsive iframe snippet for pages and reports",
    )
    export.add_argument(
        "--base-url",
        type=_values.base_url,
        default="",
        metavar="URL",
        help="where --outputs will be served, for the snippet's links (default: relative)",
    )


def _add_drawing_options(choices: Mapping[str, argparse.ArgumentParser]) -> None:
    """Add what the commands that draw share: --as-of, --no-base and --lang."""
    for name in ("map", "build", "export"):
        command = choices[name]
        command.add_argument(
            "--as-of",
            type=_values.day,
            default=None,
            metavar="YYYY-MM-DD",
            help="draw the map as it was known on this date (default: today, or the facts' "
            "own 'as of' date if earlier)",
        )
        command.add_argument(
            "--no-base",
            action="store_true",
            help="no land, sea and country areas beneath the layers, and no locator inset",
        )
        command.add_argument(
            "--lang",
            "--language",
            dest="lang",
            type=_cli_maps.language_code,
            default="en",
            metavar="LANG",
            help="language of labels, popups, legend, title and notes, one of the map's "
            "([map] languages; default: en); other languages write "
            "<name>.<lang>.html/.png/...",
        )


def _add_publishing_options(choices: Mapping[str, argparse.ArgumentParser]) -> None:
    """Add what the commands that publish share: --overwrite, --force, --cdn, --open, tiles."""
    for name in ("layers", "build"):
        choices[name].add_argument(
            "--overwrite",
            action="store_true",
            help="replace layers in --geodata that were edited since bordermap wrote them "
            "(by hand or in QGIS); without it such a layer stops the command",
        )
    for name in ("layers", "map", "build", "export"):
        choices[name].add_argument(
            "--force",
            action="store_true",
            help="publish even if a check of 'bordermap validate' fails, with a warning line "
            "per failed check (without it a failed check writes nothing and exits 1)",
        )
    for name in ("map", "build"):
        command = choices[name]
        command.add_argument(
            "--cdn",
            action="store_true",
            help="link Leaflet from a CDN instead of inlining it (smaller file, needs a network)",
        )
        command.add_argument(
            "--open", action="store_true", help="open the map in the default web browser"
        )
        command.add_argument(
            "--tiles",
            action="append",
            metavar="PROVIDER_OR_URL",
            help="basemap: an xyzservices provider name (e.g. OpenTopoMap) or a tile URL "
            "template with {z}/{x}/{y}; repeat to offer several, the first shown "
            "(default: OpenStreetMap.Mapnik and Esri.WorldImagery)",
        )
        command.add_argument(
            "--attribution",
            metavar="TEXT",
            help="credit for tiles from a URL template (required with one)",
        )


def _built_layers(facts: Facts) -> Layers:
    """Return the layers made from the facts, saying any precision warning."""
    from bordermap.layers import CoordinatePrecisionWarning, build_layers

    with warnings_said(CoordinatePrecisionWarning):
        return build_layers(facts)


def _base(arguments: argparse.Namespace) -> Base | Literal[False]:
    """Return the base (land, sea, countries) in ``--geodata``, or False for none."""
    from bordermap.base import BaseUnavailableWarning, resolve_base

    if arguments.no_base:
        return False
    with warnings_said(BaseUnavailableWarning):
        found = resolve_base(None, arguments.geodata)
    return found or False


def _checks_failed(layers: Layers, arguments: argparse.Namespace) -> bool:
    """Run the checks on layers about to be published; say each failure; True to stop.

    Without ``--force`` a failed check stops the command before anything is written;
    with it, each failed check is said as a warning and the command goes on.
    """
    from bordermap.validate import validate_layers

    failed = [check for check in validate_layers(layers) if not check.passed]
    kind = "warning" if arguments.force else "error"
    for check in failed:
        say(sys.stderr, f"bordermap: {kind}: check {check.name} failed: {check.message}")
    if failed and not arguments.force:
        say(
            sys.stderr,
            f"bordermap: nothing written: {_checks(len(failed))} failed "
            "(fix the facts or layers, or give --force to publish anyway)",
        )
        return True
    return False


def _refuse_to_overwrite_edits(layers: Layers, arguments: argparse.Namespace) -> None:
    """Stop before replacing layers edited since they were written, unless ``--overwrite``."""
    from bordermap.errors import OutputError
    from bordermap.layers import edited_layers

    edited = edited_layers(arguments.geodata, list(layers))
    if edited and not arguments.overwrite:
        raise OutputError(
            [
                f"{line}; '{arguments.command}' would replace it with the layer made from "
                "the facts: carry the edit into the facts file, or give --overwrite"
                for line in edited
            ]
        )
    for line in edited:
        say(sys.stderr, f"bordermap: note: {line}; replaced (--overwrite)")


def _checks(count: int) -> str:
    return f"{count} check" if count == 1 else f"{count} checks"


def _note_date(layers: Layers, arguments: argparse.Namespace) -> dt.date:
    """Return the date to draw, saying so when it is not the one asked for."""
    from bordermap.timeline import effective_date

    date = effective_date(layers, arguments.as_of)
    if arguments.as_of is not None and date != arguments.as_of:
        say(
            sys.stderr,
            f"bordermap: note: the facts were last checked on {date.isoformat()}; "
            f"drawing the map as of then",
        )
    return date


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``bordermap`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments, without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status.
    """
    try:
        with notes_said():
            return _run(argv)
    except KeyboardInterrupt:  # also while the arguments are read or a library loads
        say(sys.stderr, "bordermap: interrupted; outputs left as they were")
        return 130


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    argv = _values.attach_signed_values(sys.argv[1:] if argv is None else argv)
    try:
        arguments = parser.parse_args(argv)
    except _UsageError as error:
        say(sys.stderr, f"bordermap: error: {one_line(str(error))}")
        return EXIT_BAD_INPUT
    except SystemExit as exit_:  # --help and --version print, then exit 0
        return int(exit_.code or 0)
    # A command makes many small objects that live until it ends (a river in full
    # detail is a million position lists) and little garbage: collecting every 700
    # allocations, Python's default, would cost more than the work (mypy does the same).
    thresholds = gc.get_threshold()
    gc.set_threshold(_GC_THRESHOLD, *thresholds[1:])
    try:
        status: int = _COMMANDS[arguments.command](arguments)
    except BordermapError as error:
        say_problems(error.problems)
        return EXIT_BAD_INPUT
    except (RecursionError, MemoryError, OverflowError) as error:
        # A last line of defence: input the checks did not foresee still gets one line.
        say(sys.stderr, f"bordermap: error: the input is too large or too deep to draw: {error}")
        return EXIT_BAD_INPUT
    finally:
        _restore_collector(thresholds)
    return status


def _restore_collector(thresholds: tuple[int, int, int]) -> None:
    """Give the garbage collector back its thresholds, without collecting at once.

    Back at 700, the next allocation would collect the youngest generation: every object
    the command made and kept (40 ms for the shipped map, finding almost no garbage, as
    the process ends). Freezing then unfreezing moves them all into the oldest
    generation instead, where a later full collection finds any garbage among them.
    A caller who froze objects of their own keeps them frozen: then nothing is moved.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.set_threshold(*thresholds)


def _layers(arguments: argparse.Namespace) -> int:
    from bordermap.facts import load_facts
    from bordermap.layers import write_layers

    facts_path = arguments.facts or arguments.geodata / settings.facts_file
    facts = load_facts(facts_path)
    layers = _built_layers(facts)
    if _checks_failed(layers, arguments):
        return EXIT_CHECKS_FAILED
    _refuse_to_overwrite_edits(layers, arguments)
    written = write_layers(layers, arguments.geodata)
    for path in written:
        say(sys.stdout, f"wrote {path}")
    return EXIT_OK


def _map(arguments: argparse.Namespace) -> int:
    from bordermap.basemaps import resolve_basemaps
    from bordermap.layers import read_layers
    from bordermap.webmap import build_map, save_map

    basemaps = resolve_basemaps(arguments.tiles, arguments.attribution)
    layers = read_layers(arguments.geodata)
    _cli_maps.check_language(layers, arguments)
    if _checks_failed(layers, arguments):
        return EXIT_CHECKS_FAILED
    web_map = build_map(
        layers,
        basemaps=basemaps,
        self_contained=not arguments.cdn,
        as_of=_note_date(layers, arguments),
        language=arguments.lang,
        base=_base(arguments),
    )
    path = save_map(web_map, _cli_maps.output_path(arguments, layers, ".html"))
    say(sys.stdout, f"wrote {path}")
    if arguments.open:
        _open_in_browser(path)
    return EXIT_OK


def _build(arguments: argparse.Namespace) -> int:
    if getattr(arguments, "all", False):
        return _cli_maps.build_all(arguments, _build_one)
    return _build_one(arguments)


def _build_one(arguments: argparse.Namespace) -> int:
    from bordermap._io import write_all
    from bordermap.basemaps import resolve_basemaps
    from bordermap.facts import load_facts
    from bordermap.layers import render_layers
    from bordermap.webmap import build_map, render_html

    # Everything is made in memory first, then written together: a build that fails
    # or is interrupted leaves the previous layers and map as they were.
    basemaps = resolve_basemaps(arguments.tiles, arguments.attribution)
    facts = load_facts(arguments.facts or arguments.geodata / settings.facts_file)
    layers = _built_layers(facts)
    _cli_maps.check_language(layers, arguments)
    if _checks_failed(layers, arguments):
        return EXIT_CHECKS_FAILED
    page = render_html(
        build_map(
            layers,
            basemaps=basemaps,
            self_contained=not arguments.cdn,
            as_of=_note_date(layers, arguments),
            language=arguments.lang,
            base=_base(arguments),
        )
    )
    _refuse_to_overwrite_edits(layers, arguments)
    files: dict[Path, str] = render_layers(layers, arguments.geodata)
    map_path = _cli_maps.output_path(arguments, layers, ".html")
    files[map_path] = page
    write_all(files)
    for path in files:
        say(sys.stdout, f"wrote {path}")
    if arguments.open:
        _open_in_browser(map_path)
    return EXIT_OK


def _open_in_browser(path: Path) -> None:
    import webbrowser

    webbrowser.open(path.resolve().as_uri())


def _export(arguments: argparse.Namespace) -> int:
    from bordermap._io import write_all
    from bordermap.embed import embed_file, embed_html
    from bordermap.export import BasemapUnavailableWarning, render_images
    from bordermap.gis import gis_files
    from bordermap.layers import read_layers
    from bordermap.mapspec import spec_of
    from bordermap.timeline import layers_as_of

    layers = read_layers(arguments.geodata)
    _cli_maps.check_language(layers, arguments)
    if _checks_failed(layers, arguments):
        return EXIT_CHECKS_FAILED
    date = _note_date(layers, arguments)
    layers = layers_as_of(layers, date)
    # Every image (drawn once), the GIS files and the snippet are made first, then
    # written together: an interrupted export leaves the previous files, all of them.
    made: dict[str, bytes] = {}
    image_formats = [name for name in arguments.format if name in _values.IMAGE_FORMATS]
    if image_formats:
        with warnings_said(BasemapUnavailableWarning):
            made |= render_images(
                layers,
                image_formats,
                width=arguments.width,
                dpi=arguments.dpi,
                bbox=arguments.bbox,
                basemap=arguments.basemap,
                language=arguments.lang,
                base=_base(arguments),
                inset=not arguments.no_inset,
            )
    gis_formats = [name for name in arguments.format if name not in _values.IMAGE_FORMATS]
    if gis_formats:
        made |= gis_files(layers, gis_formats, language=arguments.lang, as_of=date)
    files: dict[Path, str | bytes] = {
        _cli_maps.output_path(arguments, layers, f".{suffix}"): made[suffix]
        for suffix in arguments.format
    }
    output = spec_of(layers).output
    if arguments.embed:
        snippet = Path(arguments.outputs) / embed_file(output, arguments.lang)
        files[snippet] = embed_html(layers, base_url=arguments.base_url, language=arguments.lang)
    write_all(files)
    for path in files:
        say(sys.stdout, f"wrote {path}")
    page = _cli_maps.output_path(arguments, layers, ".html")
    if arguments.embed and not page.exists():
        lang = "" if arguments.lang == "en" else f" --lang {arguments.lang}"
        snippet_name = embed_file(output, arguments.lang)
        note = f"{snippet_name} shows {page.name}: run 'bordermap map{lang}' too"
        say(sys.stderr, f"bordermap: note: {note}")
    return EXIT_OK


def _validate(arguments: argparse.Namespace) -> int:
    from bordermap.layers import read_layers
    from bordermap.validate import validate_layers

    checks = validate_layers(read_layers(arguments.geodata))
    for check in checks:
        say(sys.stdout, f"{'PASS' if check.passed else 'FAIL'}  {check.name}: {check.message}")
    failed = [check for check in checks if not check.passed]
    if failed:
        names = ", ".join(dict.fromkeys(check.name for check in failed))
        say(sys.stderr, f"bordermap: {len(failed)} of {len(checks)} checks failed: {names}")
        return EXIT_CHECKS_FAILED
    say(sys.stdout, f"all {len(checks)} checks passed")
    return EXIT_OK


_COMMANDS = {
    "layers": _layers,
    "map": _map,
    "build": _build,
    "export": _export,
    "validate": _validate,
    "new": _cli_maps.new,
}
