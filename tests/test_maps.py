"""Any crossing, not only the shipped one: a map is data, and the code knows no place.

``tests/maps/synthetic/facts.toml`` is a crossing the project has never seen (made up,
in UTM zone 32N, in English, French and German), written from the README alone. It
must build, validate and draw with no change to the code.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import markupsafe
import pytest
from helpers import REPO, SHIPPED, cli_args, offline_page, unpacked

from bordermap import (
    build_layers,
    build_map,
    i18n,
    load_facts,
    render_html,
    save_map,
    validate_layers,
)
from bordermap.cli import main
from bordermap.errors import FactsError, TranslationError
from bordermap.i18n import format_date, languages, translate
from bordermap.mapspec import activated, planar_crs, spec_of, utm_crs
from bordermap.styles import style_for

SYNTHETIC = REPO / "tests" / "maps" / "synthetic"


@pytest.fixture(scope="module")
def synthetic_layers() -> dict[str, Any]:
    return build_layers(load_facts(SYNTHETIC / "facts.toml"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the synthetic map's folder as a project: geodata/ with its facts."""
    shutil.copytree(SYNTHETIC, tmp_path / "geodata")
    return tmp_path


# --- the map's spec


def test_the_synthetic_map_describes_itself(synthetic_layers):
    spec = spec_of(synthetic_layers)
    assert spec.id == "synthetic" and spec.output == "synthetic_border_map"
    assert spec.languages == ("en", "fr", "de")
    assert list(synthetic_layers) == ["river", "border", "bridges", "crossings", "places"]
    # 7.8°E lies in UTM zone 32 (6°E to 12°E), north of the equator.
    assert spec.projection == "EPSG:32632"
    assert [(c.code, c.bank) for c in spec.countries] == [("FR", "left"), ("DE", "right")]


def test_the_shipped_map_keeps_its_projection_and_outputs():
    assert SHIPPED.projection == "EPSG:32652" and SHIPPED.output == "tumen_border_map"


@pytest.mark.parametrize(
    ("lon", "lat", "crs"),
    [
        (7.8, 48.6, "EPSG:32632"),
        (130.6, 42.4, "EPSG:32652"),
        (-58.4, -34.6, "EPSG:32721"),
        (-180.0, 10.0, "EPSG:32601"),
        (179.99, 10.0, "EPSG:32660"),
        (0.0, 0.0, "EPSG:32631"),
    ],
)
def test_utm_zone_of_a_position(lon, lat, crs):
    assert utm_crs(lon, lat) == crs


def test_planar_work_follows_the_active_map(synthetic_layers, monkeypatch):
    with activated(SHIPPED):
        assert planar_crs((7.8, 48.6)) == "EPSG:32652"  # the map's, wherever the point
    with activated(spec_of(synthetic_layers)):
        assert planar_crs() == "EPSG:32632"
    assert planar_crs((7.8, 48.6)) == "EPSG:32632"  # no map: the point's own zone
    from bordermap import settings

    monkeypatch.setattr(settings, "projected_crs", "EPSG:3035")
    with activated(SHIPPED):
        assert planar_crs() == "EPSG:3035"  # a setting overrides every map


# --- it builds, validates, draws


def test_the_synthetic_map_validates(synthetic_layers):
    checks = validate_layers(synthetic_layers)
    assert [check for check in checks if not check.passed] == []
    crossings = {check.name: check.message for check in checks if "crosses" in check.name}
    assert set(crossings) == {
        "rail-bridge-crosses-river",
        "road-bridge-crosses-river",
        "road-rail-bridge-crosses-river",
    }
    for message in crossings.values():  # the banks are the map's countries
        assert "(East Country, West Country)" in message


def test_cli_builds_validates_and_exports_the_synthetic_map(project, capsys):
    assert main(cli_args(project, "build", "--no-base")) == 0
    assert main(cli_args(project, "validate")) == 0
    for language in ("fr", "de"):
        assert main(cli_args(project, "map", "--lang", language, "--no-base")) == 0
    assert main(cli_args(project, "export", "--lang", "de", "--no-base", "--format", "png")) == 0
    outputs = sorted(path.name for path in (project / "outputs").iterdir())
    assert outputs == [
        "synthetic_border_map.de.html",
        "synthetic_border_map.de.png",
        "synthetic_border_map.fr.html",
        "synthetic_border_map.html",
    ]
    assert sorted(p.name for p in (project / "geodata").glob("*.geojson")) == [
        "border.geojson",
        "bridges.geojson",
        "crossings.geojson",
        "places.geojson",
        "river.geojson",
    ]
    page = unpacked(
        (project / "outputs" / "synthetic_border_map.de.html").read_text(encoding="utf-8")
    )
    assert '<html lang="de">' in page
    assert "Synthetische Grenze (im Flussbett)" in page  # the map's legend word
    assert "Straßenbrücke, im Bau" in page  # the package's German words
    assert format_date("2026-06-01", "de") == "1. Juni 2026"
    assert "1. Juni 2026" in page


def test_a_language_the_map_is_not_written_in_is_one_line(project, capsys):
    assert main(cli_args(project, "build", "--no-base")) == 0
    capsys.readouterr()
    assert main(cli_args(project, "map", "--lang", "ko", "--no-base")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "en, fr, de" in err and "--lang ko" in err


# --- kinds of border infrastructure


#: One feature of each general kind is in the synthetic map, with the status it has.
KINDS_DRAWN = [
    ("rail_bridge", "open"),
    ("road_bridge", "under construction"),
    ("road_rail_bridge", "open"),
    ("ferry", "existing"),
    ("tunnel", "existing"),
    ("cable_car", "existing"),
    ("pipeline", "existing"),
    ("crossing_point", "existing"),
    ("checkpoint", "existing"),
]


def test_every_kind_of_crossing_has_its_own_look_and_legend_entry(synthetic_layers):
    drawn = {
        (f["properties"]["kind"], f["properties"]["status"])
        for layer in synthetic_layers.values()
        for f in layer["features"]
    }
    assert set(KINDS_DRAWN) <= drawn
    styles = [style_for(kind, status) for kind, status in KINDS_DRAWN]
    looks = {(s.color, s.dash, s.marker, s.fill, s.casing) for s in styles}
    assert len(looks) == len(styles)  # no two kinds drawn alike
    assert len({s.label for s in styles}) == len(styles)
    page = unpacked(render_html(build_map(synthetic_layers, base=False)))
    for style in styles:
        # The legend reaches the page as HTML (a <template>) or inside a JSON block.
        label = re.escape(str(markupsafe.escape(style.label)))
        assert re.search(rf'bm-legend-label\\?">{label}<', page), style.label
    for language in ("ko", "ru", "zh", "fr", "de"):  # the package translates them all
        for style in styles:  # (a missing word would raise; "Tunnel" is French too)
            translated = translate(style.label, language)
            assert translated != style.label or language in ("fr", "de"), (style, language)


# --- words as data


def test_interface_words_are_data_for_every_language():
    assert {"en", "ko", "ru", "zh", "fr", "de"} <= set(languages())
    for language in ("ko", "ru", "zh", "fr", "de"):
        assert translate("Legend", language) != "Legend"
    assert translate("Legend", "zh") == "图例"
    assert format_date("2025-04-30", "zh") == "2025年4月30日"


def test_a_missing_translation_names_the_word_and_the_language():
    with pytest.raises(TranslationError) as caught:
        translate("No such interface word", "fr")
    (line,) = caught.value.problems
    assert "'fr'" in line and "'No such interface word'" in line and "[map.words.fr]" in line
    assert translate("No such interface word", "fr", strict=False) == "No such interface word"


def test_a_missing_translation_stops_the_command_in_one_line(project, capsys):
    facts = project / "geodata" / "facts.toml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace('"Bridges" = "Brücken"\n', ""), encoding="utf-8")
    # Found when the facts are read, though an English map would not need the word:
    # nothing is written.
    assert main(cli_args(project, "build", "--no-base")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'de'" in err and "'Bridges'" in err
    assert "facts.toml" in err
    assert not list((project / "geodata").glob("*.geojson"))
    assert not (project / "outputs").exists()
    assert main(["validate", "--geodata", str(project / "geodata")]) == 2  # no layers yet


def test_validate_reports_a_missing_translation_of_the_layers(project, capsys):
    assert main(cli_args(project, "build", "--no-base")) == 0
    # The layers carry the map's words: take one out of every layer, as an old or
    # hand-made set of layers might lack it.
    for path in (project / "geodata").glob("*.geojson"):
        data = json.loads(path.read_text("utf-8"))
        del data["bordermap"]["spec"]["words"]["fr"]["Other crossings"]
        path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    capsys.readouterr()
    for command in ("validate", "map"):
        assert main([command, "--geodata", str(project / "geodata")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert "'fr'" in err and "'Other crossings'" in err


def test_every_word_a_map_needs_is_checked_when_its_facts_are_read(write_facts):
    text = (SYNTHETIC / "facts.toml").read_text(encoding="utf-8")
    # A figure's name is translated in popups: one line per language lacking it.
    renamed = text.replace('name = "length"', 'name = "span"', 1)
    with pytest.raises(FactsError) as caught:
        load_facts(write_facts(renamed))
    lines = caught.value.problems
    assert len(lines) == 2, lines
    assert "'fr'" in lines[0] and "'span'" in lines[0] and "'de'" in lines[1]


def test_a_word_a_language_file_lacks_is_found_when_the_facts_are_read(write_facts, monkeypatch):
    read_file = i18n._language_file
    french = read_file("fr")
    words = {key: value for key, value in french["words"].items() if key != "Legend"}
    monkeypatch.setattr(
        i18n,
        "_language_file",
        lambda language: {**french, "words": words} if language == "fr" else read_file(language),
    )
    text = (SYNTHETIC / "facts.toml").read_text(encoding="utf-8")
    with pytest.raises(FactsError) as caught:
        load_facts(write_facts(text))
    (line,) = caught.value.problems
    assert "no 'fr' translation of the word 'Legend'" in line


def test_a_language_with_no_words_file_is_one_line(write_facts):
    text = (SYNTHETIC / "facts.toml").read_text(encoding="utf-8")
    text = text.replace('languages = ["en", "fr", "de"]', 'languages = ["en", "fr", "de", "it"]')
    # Every name in Italian too, so that only the interface words are missing.
    text = re.sub(r'de = "([^"]*)" \}', r'de = "\1", it = "\1" }', text)
    with pytest.raises(FactsError) as caught:
        load_facts(write_facts(text))
    problems = [line for line in caught.value.problems if "field 'title_it'" not in line]
    (line,) = [line for line in problems if "field 'subject_it'" not in line]
    assert "no 'it' translation of" in line and "interface words (the first:" in line
    assert "bordermap/words/it.toml" in line


# --- the [map] table is checked


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'bank = "left"',
            'bank = "west"',
            "country 'FR', field 'bank': expected 'left' or 'right'",
        ),
        ('bank = "right"', 'bank = "left"', "country 'DE', field 'bank': another country"),
        (
            'languages = ["en", "fr", "de"]',
            'languages = ["en", "fr", "de", "it"]',
            "feature 'synthetic-river', field 'it': missing",
        ),
        ('languages = ["en", "fr", "de"]', 'languages = ["fr", "de"]', "must include 'en'"),
        (
            'layers = ["river", "border", "bridges", "crossings", "places"]',
            'layers = ["river", "border"]',
            "field 'layers': does not list layer 'bridges'",
        ),
        ('id = "synthetic"', 'id = "synthetic"\nprojection = "UTM 32"', "field 'projection'"),
        ('id = "synthetic"', 'id = "synthetic"\noutput = "../x"', "field 'output'"),
    ],
)
def test_mistakes_in_the_map_table_are_named(write_facts, old, new, expected):
    text = (SYNTHETIC / "facts.toml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(FactsError) as caught:
        load_facts(write_facts(text.replace(old, new, 1)))
    assert any(expected in line for line in caught.value.problems), caught.value.problems


def test_layers_of_the_map_carry_its_description(synthetic_layers):
    for layer in synthetic_layers.values():
        spec = layer["bordermap"]["spec"]
        assert spec["languages"] == ["en", "fr", "de"]
        assert json.dumps(spec, ensure_ascii=False)  # plain JSON


# --- in a browser


@pytest.mark.browser
def test_the_synthetic_map_draws_in_a_browser_without_errors(browser, synthetic_layers, tmp_path):
    path = save_map(build_map(synthetic_layers, language="fr", base=False), tmp_path / "m.html")
    page, errors = offline_page(browser, 1280, 800)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(path.as_uri())
        page.wait_for_selector("path.bm-feature")
        page.wait_for_timeout(300)
        for name, layer in synthetic_layers.items():
            lines = page.locator(f'path.bm-feature[data-layer="{name}"]').count()
            points = page.locator(f'.bm-marker[data-layer="{name}"]').count()
            expected_lines = sum(f["geometry"]["type"] == "LineString" for f in layer["features"])
            expected_points = sum(f["geometry"]["type"] == "Point" for f in layer["features"])
            assert (lines, points) == (expected_lines, expected_points), name
        legend = page.locator(".bm-legend-list").inner_text()
        assert "Frontière synthétique (sur le chenal)" in legend
        for kind, status in KINDS_DRAWN:  # every kind of crossing, in French
            with activated(spec_of(synthetic_layers)):
                assert translate(style_for(kind, status).label, "fr") in legend, kind
        assert [e for e in errors if "net::ERR_FAILED" not in e] == []
    finally:
        page.close()


# --- the maps shipped in maps/


@pytest.mark.parametrize(
    "folder", sorted(p.parent for p in (REPO / "maps").glob("*/facts.toml")), ids=lambda p: p.name
)
def test_every_shipped_map_builds_and_validates(folder):
    layers = build_layers(load_facts(folder / "facts.toml"))
    failed = [check for check in validate_layers(layers) if not check.passed]
    assert failed == []
    spec = spec_of(layers)
    for layer in layers.values():  # every feature names its sources, in every language
        for feature in layer["features"]:
            assert feature["properties"]["sources"], feature["id"]
            for language in spec.languages:
                assert feature["properties"][f"name_{language}"].strip(), (feature["id"], language)


def test_the_amur_bridge_is_drawn_from_its_sources():
    facts = load_facts(REPO / "maps" / "amur" / "facts.toml")
    assert facts.spec is not None and facts.spec.languages == ("en", "ru", "zh")
    assert facts.spec.projection == "EPSG:32653"  # 132.7°E: UTM zone 53N
    bridge = facts.feature("amur-rail-bridge")
    assert bridge.status_on(facts.as_of_date) == "open"
    layers = build_layers(facts)
    (drawn,) = layers["rail_bridge"]["features"]
    length = next(f for f in bridge.figures if f.name == "length")
    assert drawn["properties"]["length_m"] == pytest.approx(float(length.drawn or 0), abs=1.0)
    crossing = next(c for c in validate_layers(layers) if c.name == "rail-bridge-crosses-river")
    assert crossing.passed
    assert "(Russia, China)" in crossing.message or "(China, Russia)" in crossing.message


def test_the_first_view_frames_a_crossing_of_any_kind():
    from bordermap._layout import FRAME_KINDS, frame, frame_kinds

    def feature(kind: str, coordinates: list[list[float]]) -> dict[str, Any]:
        geometry = {"type": "LineString", "coordinates": coordinates}
        return {"type": "Feature", "properties": {"kind": kind}, "geometry": geometry}

    ferry = feature("ferry", [[7.80, 48.55], [7.81, 48.55]])
    far = feature("river", [[7.0, 48.0], [8.5, 49.0]])
    features = [("crossings", ferry), ("river", far)]
    assert frame_kinds(features) == (*FRAME_KINDS, "ferry")
    (south, west), (north, east) = frame(features)
    # Around the ferry (with a margin), not around the whole river.
    assert south <= 48.55 <= north and 7.79 < west < 7.80 and 7.81 < east < 7.82
    assert frame_kinds([("river", far)]) == FRAME_KINDS  # the shipped map's kinds as before


@pytest.mark.parametrize("language", languages())
def test_a_year_is_written_once_in_every_language(language):
    # "opened {year}" receives the year as the language writes it ("2022年", "2022 г."):
    # its own text must not add the unit again ("2022年年开通").
    year = format_date("2022", language)
    opened = translate("opened {year}", language, year=year)
    assert year in opened
    unit = year.replace("2022", "").strip()
    assert not unit or unit not in opened.replace(year, "", 1), opened
