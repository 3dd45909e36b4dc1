"""A line's vertices from a GeoJSON file named in the facts file (``file = "..."``).

A river surveyed in full detail (hundreds of thousands of OpenStreetMap vertices)
comes as GeoJSON; the facts file names the file instead of listing the vertices.
"""

from __future__ import annotations

import itertools
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from helpers import TUMEN_CHANNEL_LAT_LON, cli_args

from bordermap.cli import main
from bordermap.errors import FactsError
from bordermap.facts import load_facts
from bordermap.geometry import distance_m
from bordermap.layers import CoordinatePrecisionWarning, build_layers
from bordermap.validate import validate_layers

# The river's inline vertices in the shipped facts file.
LAT_LON_BLOCK = re.compile(r"^lat_lon = \[\n.*?^\]\n", re.DOTALL | re.MULTILINE)

# The channel as GeoJSON writes it: [lon, lat].
CHANNEL_LON_LAT = [[lon, lat] for lat, lon in TUMEN_CHANNEL_LAT_LON]


def with_line_file(facts_text: str, name: str = "channel.geojson") -> str:
    """Return the facts text with the river's lat_lon replaced by ``file = name``."""
    text, count = LAT_LON_BLOCK.subn(f'file = "{name}"\n', facts_text)
    assert count == 1
    return text


def line_string(coordinates: list[Any]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": coordinates}


def write_line(directory: Path, content: Any, name: str = "channel.geojson") -> Path:
    path = directory / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    return caught.value.problems


@pytest.fixture
def file_facts(tmp_path: Path, facts_text: str) -> Path:
    """A facts file whose river comes from ``channel.geojson`` beside it (not yet written)."""
    path = tmp_path / "facts.toml"
    path.write_text(with_line_file(facts_text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda line: line, id="geometry"),
        pytest.param(
            lambda line: {"type": "Feature", "properties": {}, "geometry": line}, id="feature"
        ),
        pytest.param(
            lambda line: {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"name": "Tumen"}, "geometry": line}
                ],
            },
            id="collection",
        ),
    ],
)
def test_a_line_from_a_file_gives_the_same_layers_as_inline_vertices(
    wrap, file_facts, shipped_layers
):
    write_line(file_facts.parent, wrap(line_string(CHANNEL_LON_LAT)))
    layers = build_layers(load_facts(file_facts))
    assert layers == shipped_layers


def test_an_altitude_is_dropped(file_facts, facts):
    write_line(file_facts.parent, line_string([[*position, 5.0] for position in CHANNEL_LON_LAT]))
    river = load_facts(file_facts).feature("tumen-river").geometry
    assert river.vertices == facts.feature("tumen-river").geometry.vertices


def test_the_file_is_found_beside_the_facts_file_wherever_the_command_runs(
    tmp_path, facts_text, monkeypatch, capsys
):
    project = tmp_path / "project"
    (project / "geodata" / "lines").mkdir(parents=True)
    (project / "geodata" / "facts.toml").write_text(
        with_line_file(facts_text, "lines/channel.geojson"), encoding="utf-8"
    )
    write_line(project / "geodata" / "lines", line_string(CHANNEL_LON_LAT))
    monkeypatch.chdir(tmp_path)
    assert main(cli_args(project, "layers")) == 0
    river = json.loads((project / "geodata" / "tumen_river.geojson").read_text("utf-8"))
    assert river["features"][0]["geometry"]["coordinates"] == CHANNEL_LON_LAT


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(None, "geometry file not found", id="missing"),
        pytest.param("{not json", "not valid JSON", id="not json"),
        pytest.param("", "empty", id="empty"),
        pytest.param(
            {"type": "Point", "coordinates": [130.64, 42.41]}, "got 'Point'", id="a point"
        ),
        pytest.param(
            {"type": "MultiLineString", "coordinates": [CHANNEL_LON_LAT]},
            "got 'MultiLineString'",
            id="multi",
        ),
        pytest.param(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {}, "geometry": line_string(CHANNEL_LON_LAT)}
                ]
                * 2,
            },
            "expected one feature, a LineString; found 2",
            id="two features",
        ),
        pytest.param(
            {"type": "LineString", "coordinates": "130.6 42.4"},
            "has no coordinates",
            id="no coordinates",
        ),
        pytest.param(
            {
                **line_string(CHANNEL_LON_LAT),
                "crs": {"type": "name", "properties": {"name": "EPSG:32652"}},
            },
            "EPSG:32652",
            id="projected crs",
        ),
        pytest.param(line_string(CHANNEL_LON_LAT[:1]), "at least two [lon, lat]", id="one vertex"),
    ],
)
def test_a_bad_line_file_is_one_line_naming_facts_feature_field_and_file(
    file_facts, content, expected
):
    if content is not None:
        write_line(file_facts.parent, content)
    [problem] = problems_of(file_facts)
    assert problem.startswith(f"{file_facts}: feature 'tumen-river', geometry")
    assert "field 'file'" in problem
    assert "channel.geojson" in problem
    assert expected in problem


def test_swapped_positions_in_a_file_are_named_by_vertex(file_facts):
    # [lat, lon] written where GeoJSON wants [lon, lat]: every vertex is wrong; five
    # are named, the rest counted, so a million bad vertices are not a million lines.
    swapped = [[lat, lon] for lon, lat in CHANNEL_LON_LAT]
    write_line(file_facts.parent, line_string(swapped))
    problems = problems_of(file_facts)
    assert len(problems) == 6, problems
    assert "vertex #1" in problems[0]
    assert "channel.geojson" in problems[0]
    assert "lat and lon look swapped" in problems[0]
    assert "vertex #5" in problems[4]
    assert "and 15 more of its 20 vertices have problems like these" in problems[5]


def test_a_line_needs_vertices_from_one_place_only(write_facts, facts_text):
    both = LAT_LON_BLOCK.sub(
        lambda match: match.group(0) + 'file = "channel.geojson"\n', facts_text, count=1
    )
    neither = LAT_LON_BLOCK.sub("", facts_text, count=1)
    for text in (both, neither):
        [problem] = problems_of(write_facts(text))
        assert "feature 'tumen-river', geometry, field 'lat_lon'" in problem
        assert "either" in problem


@pytest.mark.parametrize(
    ("vertex", "field", "value"),
    [
        ("[true, 130.672274]", "'lat'", "True"),
        ('["42.373007", 130.672274]', "'lat'", "'42.373007'"),
        ("[42.373007, 130.672274, 0.0]", "'lat_lon'", "expected [lat, lon]"),
        ("[42.373007]", "'lat_lon'", "expected [lat, lon]"),
        ("42.373007", "'lat_lon'", "expected [lat, lon]"),
        ("[nan, 130.672274]", "'lat'", "nan"),
    ],
)
def test_inline_vertices_that_are_not_two_numbers_are_refused(
    write_facts, facts_text, vertex, field, value
):
    # The whole line is checked at once (numpy); what it would silently accept (a
    # boolean as 1.0, numeric text) must still be refused, naming the vertex.
    path = write_facts(facts_text.replace("[42.373007, 130.672274]", vertex, 1))
    [problem] = problems_of(path)
    assert "feature 'tumen-river', geometry, vertex #6" in problem
    assert field in problem
    assert value in problem


def test_a_missing_line_file_fails_the_command_in_one_line(tmp_path, facts_text, capsys):
    project = tmp_path
    (project / "geodata").mkdir()
    (project / "geodata" / "facts.toml").write_text(with_line_file(facts_text), "utf-8")
    assert main(cli_args(project, "build")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "channel.geojson: geometry file not found" in err[0]
    assert not (project / "outputs").exists()


def _dense_channel(per_segment: int) -> list[list[float]]:
    """The shipped channel with ``per_segment`` vertices a segment, at full float precision.

    As a survey would give it (OpenStreetMap keeps 7 decimals): vertices 18 cm apart
    for 5,000 a segment, closer than the layers' 6 decimals (about 0.1 m) can write.
    """
    dense = []
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(CHANNEL_LON_LAT):
        dense += [
            [lon1 + (lon2 - lon1) * step / per_segment, lat1 + (lat2 - lat1) * step / per_segment]
            for step in range(per_segment)
        ]
    return [*dense, CHANNEL_LON_LAT[-1]]


def test_a_river_surveyed_every_18_cm_places_the_bridges_as_the_published_channel(
    file_facts, shipped_layers
):
    # The same river as the 20 published vertices, so the same bridges and checks,
    # now worked out by whole-line numpy and pyproj calls, not vertex by vertex.
    dense = _dense_channel(5_000)
    write_line(file_facts.parent, line_string(dense))
    with pytest.warns(CoordinatePrecisionWarning) as caught:
        layers = build_layers(load_facts(file_facts))

    river = layers["tumen_river"]["features"][0]
    written = river["geometry"]["coordinates"]
    assert len(written) == len(dense)  # the layers keep every vertex, rounded
    assert all(
        abs(a - b) <= 0.5e-6 + 1e-12
        for position, given in zip(written, dense, strict=True)
        for a, b in zip(position, given, strict=True)
    )
    for name in ("rail_bridge", "road_bridge"):
        drawn = layers[name]["features"][0]["geometry"]["coordinates"]
        shipped = shipped_layers[name]["features"][0]["geometry"]["coordinates"]
        for end, shipped_end in zip(drawn, shipped, strict=True):
            assert distance_m(tuple(end), tuple(shipped_end)) < 0.5, name
    failed = [check for check in validate_layers(layers) if not check.passed]
    assert not failed, failed

    # Rounded, 18 cm steps become a staircase: the warning says by how much it is
    # longer than the channel (17,753.9 m, FACTS.md's 17.7 km) and names the feature.
    [warning] = caught.list
    message = str(warning.message)
    assert f"{file_facts}: feature 'tumen-river', field 'geometry'" in message
    assert f"{len(dense):,} vertices" in message
    assert "more than the line given (17,753.9 m)" in message
    assert f"measures {river['properties']['length_m']:,.1f} m" in message
    measured, more = re.search(r"measures ([\d,.]+) m, ([\d,.]+) m more", message).groups()
    longer = float(measured.replace(",", "")) - 17_753.9
    assert float(more.replace(",", "")) == pytest.approx(longer, abs=0.11)


def test_a_line_given_at_more_decimals_that_rounding_does_not_lengthen_gives_no_warning(
    file_facts,
):
    # A centimetre off each published vertex: 7 decimals, rounded back to the 6.
    finer = [[lon + 1e-7, lat - 1e-7] for lon, lat in CHANNEL_LON_LAT]
    write_line(file_facts.parent, line_string(finer))
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoordinatePrecisionWarning)
        layers = build_layers(load_facts(file_facts))
    written = layers["tumen_river"]["features"][0]["geometry"]["coordinates"]
    assert written != finer and len(written) == len(finer)


def test_a_line_at_the_layers_precision_gives_no_warning(facts):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoordinatePrecisionWarning)
        build_layers(facts)


def test_the_command_says_the_precision_warning_in_one_line(tmp_path, facts_text, capsys):
    (tmp_path / "geodata").mkdir()
    (tmp_path / "geodata" / "facts.toml").write_text(with_line_file(facts_text), "utf-8")
    write_line(tmp_path / "geodata", line_string(_dense_channel(500)))
    assert main(cli_args(tmp_path, "layers")) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("bordermap: warning: ")
    assert "feature 'tumen-river'" in err[0]
    assert "Thin the line" in err[0]
