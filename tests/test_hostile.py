"""Hostile input, round two (issue 14): each numbered reproduction, and its class.

Every case runs the command a user would, in-process, on a copy of a built project,
and checks the exit status, that the error is one line naming the file and field,
that no traceback is printed and that nothing outside the outputs was written.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from helpers import SHIPPED, unpacked

from bordermap import settings
from bordermap.basemaps import BasemapError, resolve_basemap
from bordermap.cli import main
from bordermap.errors import LayerError
from bordermap.layers import layer_path
from bordermap.schema import parse_date

pytestmark = pytest.mark.hostile

REPO = Path(__file__).resolve().parents[1]
ROAD_LAYER = 'layer = "road_bridge"'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with layers and a map built (no base: faster), to copy for each case."""
    root = tmp_path_factory.mktemp("built")
    (root / "geodata").mkdir()
    shutil.copy(REPO / "geodata" / "facts.toml", root / "geodata" / "facts.toml")
    assert main(["build", *_dirs(root), "--no-base"]) == 0
    return root


@pytest.fixture()
def project(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built, tmp_path / "p")
    return tmp_path / "p"


def _dirs(project: Path) -> list[str]:
    return ["--geodata", str(project / "geodata"), "--outputs", str(project / "outputs")]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    status = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err.splitlines()


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _facts(project: Path) -> Path:
    return project / "geodata" / "facts.toml"


def _edit_facts(project: Path, old: str, new: str, count: int = 1) -> None:
    path = _facts(project)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _bad_input(
    capsys: pytest.CaptureFixture[str], project: Path, command: str, *extra: str
) -> list[str]:
    """Run a command that must refuse its input: exit 2, one-line errors, nothing changed."""
    before = _files(project.parent)
    status, lines = _run(capsys, command, *_dirs(project), *extra)
    assert status == 2, lines
    assert lines and all(line.startswith("bordermap: error: ") for line in lines), lines
    assert _files(project.parent) == before
    return lines


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Fail, rather than hang, if the block takes longer than ``seconds``."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------------------
# 1, 3: layer names and ids are identifiers; paths stay inside their folder
# ---------------------------------------------------------------------------

HOSTILE_NAMES = [
    "<img src=x onerror=alert(1)>",
    "../../x",
    "ABSOLUTE",
    "base/local",
    "Road_Bridge",
    "a\\u0000b",
    "a" * 300,
    "__proto__",
    "",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_layer_name_is_refused_and_writes_nothing(capsys, project, name):
    absolute = project.parent / "absolute-x"  # an absolute path, inside tmp_path
    _edit_facts(project, ROAD_LAYER, f'layer = "{name}"'.replace("ABSOLUTE", str(absolute)))
    lines = _bad_input(capsys, project, "build", "--no-base")
    assert any("field 'layer'" in line and "identifier" in line for line in lines), lines
    assert not absolute.with_suffix(".geojson").exists()
    assert all(len(line) < 400 for line in lines)


@pytest.mark.parametrize("name", ["__proto__", "Road-Bridge", "<b>x</b>", "a" * 65, "1st"])
def test_hostile_feature_id_is_refused(capsys, project, name):
    _edit_facts(project, 'id = "road-bridge"', f'id = "{name}"')
    lines = _bad_input(capsys, project, "layers")
    assert any("field 'id'" in line and "identifier" in line for line in lines), lines


@pytest.mark.parametrize("name", ["__proto__", "<img src=x>", "A"])
def test_hostile_id_in_a_layer_file_is_refused(capsys, project, name):
    path = project / "geodata" / "road_bridge.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][0]["id"] = name
    path.write_text(json.dumps(data), encoding="utf-8")
    for command in ("map", "validate", "export"):
        extra = () if command == "validate" else ("--no-base",)
        lines = _bad_input(capsys, project, command, *extra)
        assert str(path) in lines[0] and "field 'id'" in lines[0], lines


def test_hostile_id_in_a_base_file_is_refused(capsys, project):
    shutil.copytree(REPO / "geodata" / "base", project / "geodata" / "base")
    path = project / "geodata" / "base" / "local.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][0]["id"] = "__proto__"
    path.write_text(json.dumps(data), encoding="utf-8")
    lines = _bad_input(capsys, project, "map")
    assert any(str(path) in line and "field 'id'" in line for line in lines), lines


@pytest.mark.parametrize("name", ["../x", "/etc/x", "base/local", "x\x00y", "A"])
def test_layer_path_accepts_only_identifiers(tmp_path, name):
    with pytest.raises(LayerError, match="identifier"):
        layer_path(tmp_path, name)


def test_layer_control_title_is_escaped(shipped_layers):
    from bordermap.webmap import build_map, render_html

    hostile = {"<img src=x onerror=alert(1)>": shipped_layers["road_bridge"]}
    page = unpacked(render_html(build_map(hostile, base=False)))
    # Leaflet's layer control shows its names as HTML: the name must arrive escaped.
    overlays = re.search(r"overlays\s*:\s*\{(.*?)\}", page, re.DOTALL)
    assert overlays is not None
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in overlays[1]
    assert "\\u003cimg" not in overlays[1]


@pytest.mark.parametrize("file", ["../outside.geojson", "/etc/passwd", "sub/../../x.geojson"])
def test_line_file_outside_the_facts_folder_is_refused(capsys, project, file):
    (project / "outside.geojson").write_text("{}", encoding="utf-8")
    text = _facts(project).read_text(encoding="utf-8")
    text, count = re.subn(
        r"lat_lon = \[\n(?:\s*\[[^\]]*\],?\n)+\s*\]\n", f'file = "{file}"\n', text, count=1
    )
    assert count == 1
    _facts(project).write_text(text, encoding="utf-8")
    lines = _bad_input(capsys, project, "layers")
    assert any(
        "field 'file'" in line and "outside the facts file's folder" in line for line in lines
    )


# ---------------------------------------------------------------------------
# 2, 11: tiles
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://<img src=x onerror=alert(1)>/{z}/{x}/{y}.png",
        'https://a"b.example.org/{z}/{x}/{y}.png',
        "https://tiles.example.org/{z}/{x}/{y}.png?<script>",
        "https://[::1/{z}/{x}/{y}.png",
    ],
)
def test_tile_url_with_a_hostile_host_is_refused(capsys, project, url):
    lines = _bad_input(capsys, project, "map", "--tiles", url, "--attribution", "x")
    assert len(lines) == 1 and "--tiles" in lines[0], lines


def test_tile_label_escapes_the_host():
    basemap = resolve_basemap("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "© Example")
    assert basemap.label == "Tiles from {s}.tiles.example.org"


@pytest.mark.parametrize("provider", ["Stadia.AlidadeSmooth", "CartoDB.Positron"])
def test_providers_needing_a_key_are_refused_by_name(provider):
    with pytest.raises(BasemapError, match="needs an API key"):
        resolve_basemap(provider)


# ---------------------------------------------------------------------------
# 5: reads are bounded and only of regular files
# ---------------------------------------------------------------------------


def test_a_device_as_facts_is_refused_without_reading(capsys, project):
    with _deadline(20):
        lines = _bad_input(capsys, project, "build", "--facts", "/dev/zero")
    assert lines == ["bordermap: error: /dev/zero: is a character device, not a regular file"]


def test_a_folder_as_facts_is_refused(capsys, project):
    lines = _bad_input(capsys, project, "layers", "--facts", str(project / "geodata"))
    assert len(lines) == 1 and "is a folder" in lines[0], lines


@pytest.mark.parametrize("where", ["facts", "layer", "line file"])
def test_a_fifo_is_refused_without_waiting(capsys, project, where):
    fifo = project / "geodata" / "pipe"
    os.mkfifo(fifo)
    if where == "facts":
        argv = ("layers", "--facts", str(fifo))
    elif where == "layer":
        (project / "geodata" / "places.geojson").unlink()
        os.mkfifo(project / "geodata" / "places.geojson")
        fifo = project / "geodata" / "places.geojson"
        argv = ("map", "--no-base")
    else:
        text = _facts(project).read_text(encoding="utf-8")
        text = re.sub(
            r"lat_lon = \[\n(?:\s*\[[^\]]*\],?\n)+\s*\]\n", 'file = "pipe"\n', text, count=1
        )
        _facts(project).write_text(text, encoding="utf-8")
        argv = ("layers",)
    with _deadline(30):
        lines = _bad_input(capsys, project, argv[0], *argv[1:])
    assert any(str(fifo) in line and "pipe (FIFO), not a regular file" in line for line in lines)


def test_read_stops_after_the_limit(monkeypatch, tmp_path):
    from bordermap import _io

    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 5000 + "0]", encoding="utf-8")
    monkeypatch.setattr(settings, "max_input_bytes", 1000)
    reads: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    # The file claims a size within the limit (as a device or a growing file may).
    real_fstat = os.fstat
    monkeypatch.setattr(
        _io.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:]))
    )
    monkeypatch.setattr(_io.os, "read", counting_read)
    with pytest.raises(ValueError, match="over the limit"):
        _io.read_input(path, "missing")
    assert sum(reads) == 1001


def test_deep_nesting_is_refused_before_parsing(capsys, project):
    _edit_facts(project, "[map]", "deep = " + "[" * 500 + "]" * 500 + "\n[map]")
    lines = _bad_input(capsys, project, "layers")
    assert len(lines) == 1 and "nested 500 deep" in lines[0], lines


# ---------------------------------------------------------------------------
# 6: one line and exit 2, never a traceback
# ---------------------------------------------------------------------------

FACTS_CASES = {
    "400-digit number": ("centre_uncertainty_m = ", "centre_uncertainty_m = " + "9" * 400 + " #"),
    "events = 5": ("events = []", "events = 5"),
    "figures = 5": ("figures = []", "figures = 5"),
    "notes = 5": ("[map]", "notes = 5\n[map]"),
    "values = 3": ("values = [\n", "values = 3\nunused = [\n"),
    "drawn = [1000]": ('name = "length"\n', 'name = "length"\ndrawn = [1000]\n'),
    "huge uncertainty": ("centre_uncertainty_m = ", "centre_uncertainty_m = 1e308 #"),
}


@pytest.mark.parametrize("case", sorted(FACTS_CASES))
def test_facts_value_of_the_wrong_type_is_one_line(capsys, project, case):
    old, new = FACTS_CASES[case]
    _edit_facts(project, old, new)
    lines = _bad_input(capsys, project, "build", "--no-base")
    assert all(str(_facts(project)) in line for line in lines), lines


LAYER_CASES: dict[str, Any] = {
    "kind is a list": ("properties", "kind", ["road_bridge"]),
    "figures is text": ("properties", "figures", "abc"),
    "source date soon": ("source", "date", "soon"),
    "events is a number": ("properties", "events", 5),
    "lone surrogate": ("properties", "name_en", "\ud800"),
    "huge number": ("properties", "length_m", 10**400),
}


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_layer_value_of_the_wrong_type_is_one_line(capsys, project, case):
    where, key, value = LAYER_CASES[case]
    path = project / "geodata" / "road_bridge.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    feature = data["features"][0]
    target = (
        feature["properties"] if where == "properties" else feature["properties"]["sources"][0]
    )
    target[key] = value
    if isinstance(value, int) and value > 10**300:
        text = json.dumps(data).replace(str(value), "9" * 400)
    else:
        text = json.dumps(data)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for command in ("validate", "map", "export"):
        extra = () if command == "validate" else ("--no-base",)
        lines = _bad_input(capsys, project, command, *extra)
        assert all(str(path) in line for line in lines), lines


def test_crs_of_the_wrong_shape_is_one_line(capsys, project):
    path = project / "geodata" / "border.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["crs"] = {"properties": "x"}
    path.write_text(json.dumps(data), encoding="utf-8")
    lines = _bad_input(capsys, project, "validate")
    assert any("field 'crs'" in line for line in lines), lines


@pytest.mark.parametrize("field", ["kind", "geometry"])
def test_wrong_shapes_in_a_base_file_are_one_line(capsys, project, field):
    shutil.copytree(REPO / "geodata" / "base", project / "geodata" / "base")
    path = project / "geodata" / "base" / "local.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    if field == "kind":
        data["features"][0]["properties"]["kind"] = ["country"]
    else:  # a polygon with no rings, which shapely cannot read
        data["features"][0]["geometry"]["coordinates"][0] = []
    path.write_text(json.dumps(data), encoding="utf-8")
    lines = _bad_input(capsys, project, "map")
    assert any(f"field '{field}'" in line for line in lines), lines


@pytest.mark.parametrize(
    "argv",
    [
        ("export", "--width", "60000"),
        ("export", "--width", "9" * 400),
        ("export", "--dpi", "0"),
        ("export", "--embed", "--base-url", "javascript:alert(1)//"),
        ("export", "--embed", "--base-url", 'https://x.org/"><script>'),
        ("map", "--as-of", "2025-04-30\n"),
        ("map", "--as-of", "２０２５-04-30"),
    ],
)
def test_command_line_values_are_bounded(capsys, project, argv):
    lines = _bad_input(capsys, project, argv[0], *argv[1:])
    assert len(lines) == 1, lines


def test_facts_date_with_a_trailing_newline_is_refused(capsys, project):
    text = _facts(project).read_text(encoding="utf-8")
    text, count = re.subn(r'(\nas_of = "[0-9-]+)"', r'\1\\n"', text, count=1)
    assert count == 1
    _facts(project).write_text(text, encoding="utf-8")
    lines = _bad_input(capsys, project, "layers")
    assert len(lines) == 1 and "field 'as_of'" in lines[0], lines


def test_dates_reject_a_trailing_newline():
    with pytest.raises(ValueError):
        parse_date("2025-04-30\n")
    with pytest.raises(ValueError):
        parse_date("２０２５")


@pytest.mark.parametrize("where", ["build_parser", "parse_args", "command"])
def test_ctrl_c_at_any_moment_is_one_line(capsys, monkeypatch, project, where):
    from bordermap import cli

    def interrupt(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    if where == "build_parser":
        monkeypatch.setattr(cli, "build_parser", interrupt)
    elif where == "parse_args":
        monkeypatch.setattr(cli._Parser, "parse_args", interrupt)
    else:
        monkeypatch.setattr("bordermap.facts.load_facts", interrupt)
    before = _files(project)
    status, lines = _run(capsys, "build", *_dirs(project))
    assert status == 130
    assert lines == ["bordermap: interrupted; outputs left as they were"]
    assert _files(project) == before


# ---------------------------------------------------------------------------
# 9: floods of errors are capped, values cut
# ---------------------------------------------------------------------------


def test_a_flood_of_empty_features_gives_fifty_lines_and_a_count(capsys, project):
    # The review's flood was 10^6 features (3,000,000 lines); a fifth of it takes the
    # same path in a fifth of the time (the hostile suite's budget is two minutes).
    path = project / "geodata" / "places.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = [{}] * 200_000
    path.write_text(json.dumps(data), encoding="utf-8")
    lines = _bad_input(capsys, project, "validate")
    assert len(lines) == 51
    assert re.fullmatch(r"bordermap: error: and [0-9,]+ more", lines[-1]), lines[-1]


def test_a_huge_bad_value_is_cut(capsys, project):
    # 2 MB (the review's was 10 MB: the same path, five times the parsing time).
    _edit_facts(project, 'kind = "road_bridge"', 'kind = "' + "x" * 2_000_000 + '"')
    lines = _bad_input(capsys, project, "layers")
    assert lines and all(len(line) < 1000 for line in lines)
    assert any("field 'kind'" in line and "…" in line for line in lines), lines


# ---------------------------------------------------------------------------
# 10: data is never substituted
# ---------------------------------------------------------------------------


def test_map_placeholder_in_data_stays_text(capsys, project):
    _edit_facts(project, 'en = "Road bridge"', 'en = "Road bridge {map} __DATA__"')
    status, _ = _run(capsys, "build", *_dirs(project), "--no-base")
    assert status == 0
    page = unpacked((project / "outputs" / f"{SHIPPED.output}.html").read_text(encoding="utf-8"))
    block = re.search(
        r'<script type="application/json" id="bm-timeline-data">(.*?)</script>', page
    )
    assert block is not None
    labels = json.loads(block[1])["labels"]
    forms = [form for value in labels["road-bridge"].values() for form in value]
    assert any("{map} __DATA__" in form for form in forms), forms
    assert "Road bridge map_" not in page


# ---------------------------------------------------------------------------
# 8: export cost does not grow with a name's length
# ---------------------------------------------------------------------------


def test_export_draws_at_most_a_line_of_a_huge_name(layers, monkeypatch):
    from matplotlib.text import Text

    from bordermap.export import render_images

    road = layers["road_bridge"]["features"][0]["properties"]
    road["name_en"] = "Road bridge " + "very " * 20_000  # 100 kB
    road.pop("label_en", None)
    layers["road_bridge"]["bordermap"]["title"] = "T" * 50_000
    drawn: list[str] = []
    real_draw = Text.draw

    def recording_draw(self: Text, renderer: Any) -> None:
        drawn.append(self.get_text())
        real_draw(self, renderer)

    monkeypatch.setattr(Text, "draw", recording_draw)
    images = render_images(layers, ["png"], width=800, base=False, inset=False)
    assert images["png"].startswith(b"\x89PNG")
    assert any("Road bridge very" in text for text in drawn)
    # At most a line of each: drawing time no longer grows with the text's length.
    assert max(text.count("very") for text in drawn) <= 30
    assert max(text.count("T" * 10) for text in drawn) <= 15
