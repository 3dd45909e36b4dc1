"""The bordermap command: commands, exit codes, messages, and outputs left intact."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas
import pytest
from helpers import cli_args, unpacked

from bordermap import __version__
from bordermap.cli import main
from bordermap.geometry import line_across

REPO = Path(__file__).resolve().parents[1]
LAYER_FILES = ("tumen_river", "border", "rail_bridge", "road_bridge", "places")


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"bordermap {__version__}"


def test_help_lists_the_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("layers", "map", "build", "validate"):
        assert command in out


def test_readme_and_help_say_the_same_about_dpi(capsys):
    assert main(["export", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    match = re.search(r"`--dpi` (.*?), `--bbox", readme)
    assert match, "the README says what --dpi does"
    for claim in ("page size", "width/dpi inches", "looks the same at any dpi", "10 to 2400"):
        assert claim in match.group(1) and claim in help_text, claim


@pytest.mark.parametrize(
    "argv", [[], ["frobnicate"], ["build", "--no-such-option"], ["map", "--geodata"]]
)
def test_bad_usage_exits_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bordermap: error:")


def test_build_writes_what_the_library_makes_of_the_facts(project, capsys):
    # The command is a thin layer: its files are the library's, for the project's facts.
    # (That the committed geodata/ and outputs/ are current is a CI step of its own:
    # scripts/check_outputs.sh.)
    from bordermap.facts import load_facts
    from bordermap.layers import build_layers, render_layers
    from bordermap.webmap import build_map, render_html

    assert main(cli_args(project, "build")) == 0
    out = capsys.readouterr().out
    assert "tumen_border_map.html" in out
    geodata = project / "geodata"
    rendered = render_layers(build_layers(load_facts(geodata / "facts.toml")), geodata)
    assert set(LAYER_FILES) <= {path.stem for path in rendered}
    for path, text in rendered.items():
        assert path.read_bytes() == text.encode("utf-8"), path.name
    built_map = (project / "outputs" / "tumen_border_map.html").read_text(encoding="utf-8")
    assert built_map == render_html(build_map(geodata))


def test_a_command_leaves_the_garbage_collector_as_it_found_it(project):
    # main() collects garbage less often while it runs (it makes millions of small
    # objects for a detailed river) and must give a library caller its settings back.
    before = gc.get_threshold()
    assert main(cli_args(project, "layers")) == 0
    assert gc.get_threshold() == before
    assert main(["validate", "--geodata", str(project / "missing")]) == 2
    assert gc.get_threshold() == before


def test_a_command_leaves_no_collection_pending_and_a_callers_frozen_objects_frozen(project):
    # Back at the caller's thresholds, the objects the command kept are old, not young:
    # a young collection at the next allocation (tens of thousands of objects, finding
    # almost no garbage) would only delay the end of the run.
    assert main(cli_args(project, "layers")) == 0
    young = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
    assert young < 1_000
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert main(cli_args(project, "layers")) == 0
        # Still frozen (a few may be freed by their last reference going); unfrozen,
        # the count would be 0.
        assert gc.get_freeze_count() > frozen // 2
    finally:
        gc.unfreeze()


def test_running_twice_changes_no_byte(project):
    assert main(cli_args(project, "build")) == 0
    first = _snapshot(project / "geodata") | _snapshot(project / "outputs")
    assert main(cli_args(project, "layers")) == 0
    assert main(cli_args(project, "map")) == 0
    assert _snapshot(project / "geodata") | _snapshot(project / "outputs") == first


def test_validate_passes_on_the_shipped_layers(capsys):
    assert main(["validate", "--geodata", str(REPO / "geodata")]) == 0
    lines = capsys.readouterr().out.splitlines()
    checks = [line for line in lines if line.startswith(("PASS", "FAIL"))]
    assert checks and all(line.startswith("PASS") for line in checks)
    names = " ".join(checks)
    for check in (
        "rail-bridge-crosses-river",
        "road-bridge-crosses-river",
        "road-bridge-downstream",
        "lengths",
        "sources",
        "geometry",
    ):
        assert check in names


def test_validate_fails_naming_the_check_on_a_broken_layer(project, capsys):
    assert main(cli_args(project, "layers")) == 0
    path = project / "geodata" / "road_bridge.geojson"
    layer = json.loads(path.read_text(encoding="utf-8"))
    # Turn the road bridge to run along the river: it no longer crosses it.
    feature = layer["features"][0]
    (west, south), (east, north) = feature["geometry"]["coordinates"]
    centre = ((west + east) / 2, (south + north) / 2)
    feature["geometry"]["coordinates"] = [list(c) for c in line_across(centre, 45.0, 1000.0)]
    path.write_text(json.dumps(layer), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--geodata", str(project / "geodata")]) == 1
    captured = capsys.readouterr()
    assert "FAIL  road-bridge-crosses-river" in captured.out
    assert "road-bridge" in captured.err and "failed" in captured.err


def _typo(project: Path) -> None:
    """The issue-13 reproduction: the Friendship Bridge's latitude off by one digit."""
    facts = project / "geodata" / "facts.toml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("lat = 42.415167", "lat = 42.515167"), encoding="utf-8")


@pytest.mark.parametrize("command", ["build", "layers"])
def test_a_failed_check_publishes_nothing_and_exits_1(project, capsys, command):
    assert main(cli_args(project, "build")) == 0
    before = _snapshot(project / "geodata") | _snapshot(project / "outputs")
    _typo(project)
    capsys.readouterr()
    assert main(cli_args(project, command)) == 1
    captured = capsys.readouterr()
    after = _snapshot(project / "geodata") | _snapshot(project / "outputs")
    before.pop("facts.toml"), after.pop("facts.toml")
    assert after == before
    assert captured.out == ""
    lines = captured.err.splitlines()
    failed = [line for line in lines if line.startswith("bordermap: error: check ")]
    assert any("rail-bridge-crosses-river failed" in line for line in failed)
    assert any("sourced-lengths:context failed" in line for line in failed)
    assert lines[-1].startswith("bordermap: nothing written:") and "--force" in lines[-1]
    assert "Traceback" not in captured.err


def test_force_publishes_anyway_with_a_warning_per_failed_check(project, capsys):
    _typo(project)
    assert main(cli_args(project, "build", "--force")) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "warning: check" in line]
    names = {line.split()[3] for line in warnings}
    assert {"rail-bridge-crosses-river", "sourced-lengths:context"} <= names
    assert len(warnings) == len(names)
    assert (project / "outputs" / "tumen_border_map.html").exists()
    rail = json.loads((project / "geodata" / "rail_bridge.geojson").read_text(encoding="utf-8"))
    assert 42.5 < rail["features"][0]["geometry"]["coordinates"][0][1] < 42.6


def test_map_checks_a_hand_edited_layer_before_drawing_it(project, capsys):
    assert main(cli_args(project, "build")) == 0
    html = (project / "outputs" / "tumen_border_map.html").read_bytes()
    path = project / "geodata" / "rail_bridge.geojson"
    layer = json.loads(path.read_text(encoding="utf-8"))
    for position in layer["features"][0]["geometry"]["coordinates"]:
        position[1] = round(position[1] + 0.1, 6)  # the typo, made in an editor
    path.write_text(json.dumps(layer), encoding="utf-8")
    capsys.readouterr()
    assert main(cli_args(project, "map")) == 1
    assert "rail-bridge-crosses-river failed" in capsys.readouterr().err
    assert (project / "outputs" / "tumen_border_map.html").read_bytes() == html
    assert main(cli_args(project, "map", "--force")) == 0
    assert (project / "outputs" / "tumen_border_map.html").read_bytes() != html


def test_export_checks_what_it_publishes_like_build(project, capsys):
    # The issue-13 typo, published as layers with --force: export must not draw it
    # into print files silently either.
    export = cli_args(project, "export", "--format", "png,kml", "--width", "400", "--embed")
    assert main(cli_args(project, "build")) == 0
    assert main(export) == 0
    before = _snapshot(project / "outputs")
    _typo(project)
    assert main(cli_args(project, "layers", "--force")) == 0
    capsys.readouterr()
    assert main(export) == 1
    captured = capsys.readouterr()
    assert _snapshot(project / "outputs") == before
    assert captured.out == ""
    lines = captured.err.splitlines()
    failed = [line for line in lines if line.startswith("bordermap: error: check ")]
    assert any("rail-bridge-crosses-river failed" in line for line in failed)
    assert any("sourced-lengths:context failed" in line for line in failed)
    assert lines[-1].startswith("bordermap: nothing written:") and "--force" in lines[-1]
    assert len(lines) == len(failed) + 1 and "Traceback" not in captured.err
    assert main([*export, "--force"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "warning: check" in line]
    names = [line.split()[3] for line in warnings]
    assert {"rail-bridge-crosses-river", "sourced-lengths:context"} <= set(names)
    assert len(names) == len(set(names)) == len(failed)
    after = _snapshot(project / "outputs")
    assert after.keys() == before.keys()
    assert after["tumen_border_map.png"] != before["tumen_border_map.png"]
    assert after["tumen_border_map.kml"] != before["tumen_border_map.kml"]


def test_export_refuses_a_name_no_print_font_has_in_one_line(project, capsys):
    # The web map draws an emoji as the browser can; print would draw an empty box.
    facts = project / "geodata" / "facts.toml"
    text = facts.read_text(encoding="utf-8")
    edited = text.replace('en = "Friendship Bridge (rail)"', 'en = "Friendship 🌉 Bridge (rail)"')
    assert edited != text
    facts.write_text(edited, encoding="utf-8")
    assert main(cli_args(project, "build")) == 0
    capsys.readouterr()
    assert main(cli_args(project, "export", "--format", "png,pdf")) == 2
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith(
        "bordermap: error: layer 'rail_bridge', feature 'friendship-bridge', field 'label_en':"
    )
    assert "'🌉'" in line and "FONT_FAMILIES" in line
    assert sorted(p.name for p in (project / "outputs").iterdir()) == ["tumen_border_map.html"]


@pytest.mark.parametrize("command", ["build", "layers"])
def test_a_layer_edited_by_hand_is_not_overwritten_without_overwrite(project, capsys, command):
    assert main(cli_args(project, "build")) == 0
    path = project / "geodata" / "road_bridge.geojson"
    text = path.read_text(encoding="utf-8")
    # An edit in a text editor that keeps the layout: only a number changes.
    edited = re.sub(r'"accuracy_m": [0-9.]+', '"accuracy_m": 12345.0', text, count=1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    before = _snapshot(project / "geodata") | _snapshot(project / "outputs")
    capsys.readouterr()
    assert main(cli_args(project, command)) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert str(path) in line and "edited since bordermap wrote it" in line
    assert "--overwrite" in line
    assert _snapshot(project / "geodata") | _snapshot(project / "outputs") == before
    assert main(cli_args(project, command, "--overwrite")) == 0
    err = capsys.readouterr().err
    assert "replaced (--overwrite)" in err and str(path) in err
    assert path.read_text(encoding="utf-8") == text


def test_a_layer_saved_by_another_tool_is_not_overwritten_without_overwrite(project, capsys):
    assert main(cli_args(project, "build")) == 0
    path = project / "geodata" / "places.geojson"
    frame = geopandas.read_file(path, engine="pyogrio")
    path.unlink()
    frame.to_file(path, engine="pyogrio")  # as QGIS saves it: GDAL drops our metadata
    capsys.readouterr()
    assert main(cli_args(project, "build")) == 2
    assert "not as bordermap wrote it" in capsys.readouterr().err


def test_missing_facts_file_exits_2_naming_the_file(tmp_path, capsys):
    assert main(cli_args(tmp_path, "layers")) == 2
    err = capsys.readouterr().err
    assert "facts.toml" in err and "not found" in err and "Traceback" not in err


def test_bad_fact_exits_2_naming_file_feature_and_field(project, capsys):
    facts = project / "geodata" / "facts.toml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("lat = 42.415167", "lat = 142.415167"), encoding="utf-8")
    assert main(cli_args(project, "build")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "facts.toml" in err and "friendship-bridge" in err and "'lat'" in err


def test_failed_build_leaves_previous_outputs_untouched(project, capsys):
    assert main(cli_args(project, "build")) == 0
    before = _snapshot(project / "geodata") | _snapshot(project / "outputs")
    facts = project / "geodata" / "facts.toml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n[broken", encoding="utf-8")
    assert main(cli_args(project, "build")) == 2
    after = _snapshot(project / "geodata") | _snapshot(project / "outputs")
    before.pop("facts.toml"), after.pop("facts.toml")
    assert after == before
    assert "not valid TOML" in capsys.readouterr().err


def test_map_without_layers_exits_2(tmp_path, capsys):
    assert main(cli_args(tmp_path, "map")) == 2
    err = capsys.readouterr().err
    assert "no layers" in err and "bordermap layers" in err


def test_map_with_malformed_layer_exits_2(project, capsys):
    assert main(cli_args(project, "layers")) == 0
    (project / "geodata" / "places.geojson").write_text("{not json", encoding="utf-8")
    assert main(cli_args(project, "map")) == 2
    assert "places.geojson" in capsys.readouterr().err


def test_cdn_option_links_leaflet(project):
    assert main(cli_args(project, "build", "--cdn")) == 0
    page = unpacked((project / "outputs" / "tumen_border_map.html").read_text(encoding="utf-8"))
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@' in page


def test_open_option_opens_the_map_in_a_browser(project, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    assert main(cli_args(project, "build", "--open")) == 0
    assert opened == [(project / "outputs" / "tumen_border_map.html").resolve().as_uri()]


def test_defaults_are_geodata_and_outputs_in_the_working_directory(project, monkeypatch):
    monkeypatch.chdir(project)
    assert main(["build"]) == 0
    assert (project / "outputs" / "tumen_border_map.html").is_file()
    assert (project / "geodata" / "road_bridge.geojson").is_file()


def test_python_m_bordermap_and_help_import_no_heavy_library():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['bordermap', '--help']\n"
        "try:\n    runpy.run_module('bordermap', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "heavy = {'geopandas', 'folium', 'matplotlib', 'shapely', 'pyproj', 'branca', 'pandas'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "usage: bordermap" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_tiles_from_a_provider_and_from_a_url(project):
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    argv = cli_args(
        project,
        "build",
        "--tiles",
        "OpenTopoMap",
        "--tiles",
        url,
        "--attribution",
        "Example tiles, CC BY 4.0",
    )
    assert main(argv) == 0
    page = unpacked((project / "outputs" / "tumen_border_map.html").read_text(encoding="utf-8"))
    assert url in page and "Example tiles, CC BY 4.0" in page and "opentopomap" in page


def test_custom_tiles_without_attribution_are_refused_before_anything_is_written(project, capsys):
    argv = cli_args(project, "build", "--tiles", "https://tiles.example.org/{z}/{x}/{y}.png")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--attribution" in err
    assert not (project / "outputs").exists()
    assert not (project / "geodata" / "road_bridge.geojson").exists()


def test_unknown_tile_provider_exits_2(project, capsys):
    assert main(cli_args(project, "build", "--tiles", "Nowhere.Tiles")) == 2
    assert "unknown tile provider 'Nowhere.Tiles'" in capsys.readouterr().err


def test_export_writes_the_images_and_the_embed_snippet(project, capsys):
    assert main(cli_args(project, "build")) == 0
    argv = cli_args(project, "export", "--format", "png,svg", "--width", "2000", "--embed")
    assert main(argv) == 0
    out = capsys.readouterr().out
    outputs = project / "outputs"
    for name in ("tumen_border_map.png", "tumen_border_map.svg", "tumen_border_map.embed.html"):
        assert (outputs / name).is_file() and name in out
    assert not (outputs / "tumen_border_map.pdf").exists()
    png = (outputs / "tumen_border_map.png").read_bytes()
    assert int.from_bytes(png[16:20], "big") == 2000  # IHDR width


def test_export_with_embed_writes_every_format_by_default(project, capsys):
    assert main(cli_args(project, "layers")) == 0
    assert main(cli_args(project, "export", "--embed", "--width", "600")) == 0
    outputs = project / "outputs"
    starts = {
        "tumen_border_map.png": b"\x89PNG\r\n\x1a\n",
        "tumen_border_map.svg": b"<?xml",
        "tumen_border_map.pdf": b"%PDF-",
        "tumen_border_map.gpkg": b"SQLite format 3\x00",
        "tumen_border_map.kml": b"<?xml",
        "tumen_border_map.embed.html": b"<",
    }
    for name, start in starts.items():
        assert (outputs / name).read_bytes().startswith(start), name
    assert b"<kml" in (outputs / "tumen_border_map.kml").read_bytes()
    assert b"<iframe" in (outputs / "tumen_border_map.embed.html").read_bytes()
    assert sorted(path.name for path in outputs.iterdir()) == sorted(starts)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--format", "png,gif", "expected formats from png, svg, pdf, gpkg, kml"),
        ("--width", "-5", "expected a positive whole number"),
        ("--bbox", "130.7,42.3,130.6,42.5", "west < east"),
        ("--bbox", "42.4,130.6,42.5,130.7", "within ±90"),
        ("--bbox", "1,2,3", "four numbers"),
        ("--language", "k!", "expected a language code"),
    ],
)
def test_export_options_are_checked(project, capsys, option, value, message):
    assert main(cli_args(project, "export", option, value)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_a_bbox_west_of_greenwich_is_read_as_a_value_not_an_option(project, capsys):
    # argparse takes "-1.5,..." for an option; the command reads it as the value it is.
    assert main(cli_args(project, "layers")) == 0
    assert main(cli_args(project, "export", "--bbox", "-1.5,-1,1,1", "--format", "png")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "bbox -1.5,-1,1,1: none of the map's features is in this area" in err
    # Where they are, so that the reader can fix the numbers: around the river's mouth.
    extent = [float(v) for v in re.search(r"within (\S+) \(W,S,E,N", err).group(1).split(",")]
    assert 130.5 < extent[0] < extent[2] < 130.8 and 42.2 < extent[1] < extent[3] < 42.5
    assert not list(project.glob("outputs/*.png"))


def test_a_region_south_and_west_keeps_its_signs(tmp_path, capsys):
    # Read as a value: the command then finds the region's countries (none in the base).
    args = ["new", str(tmp_path / "m"), "--region", "-5.2,-50,-4.9,-49.7", "--languages", "en"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "[-5.2, -50.0, -4.9, -49.7]" in err and "expected one argument" not in err


def test_export_with_unreachable_basemap_warns_and_still_writes(project, capsys, monkeypatch):
    import contextily.tile
    import requests

    def offline(*args, **kwargs):
        raise requests.ConnectionError("no network in the tests")

    monkeypatch.setattr(contextily.tile, "_fetch_tile", offline)
    monkeypatch.setenv("XDG_CACHE_HOME", str(project / "cache"))
    assert main(cli_args(project, "layers")) == 0
    assert main(cli_args(project, "export", "--format", "png", "--basemap")) == 0
    err = capsys.readouterr().err
    assert "bordermap: warning:" in err and "could not be fetched" in err
    assert (project / "outputs" / "tumen_border_map.png").is_file()


def test_export_in_korean(project):
    assert main(cli_args(project, "layers")) == 0
    assert main(cli_args(project, "export", "--format", "svg", "--lang", "ko")) == 0
    assert (project / "outputs" / "tumen_border_map.ko.svg").stat().st_size > 10_000
