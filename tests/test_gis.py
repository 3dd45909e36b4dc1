"""bordermap.gis: layers saved by GDAL tools are read and drawn; GeoPackage and KML out."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas
import pyogrio
import pytest
from helpers import LAYER_NAMES, SHIPPED, cli_args, unpacked

from bordermap.cli import main
from bordermap.gis import from_gdal, gis_files
from bordermap.layers import read_layers

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def built(project: Path) -> Path:
    """A project whose layers and map were just built from the shipped facts."""
    assert main(cli_args(project, "build")) == 0
    return project


def _resave_with_gdal(path: Path, **options: str) -> None:
    """Read a layer with geopandas and write it back with pyogrio, as QGIS would."""
    frame = geopandas.read_file(path, engine="pyogrio")
    path.unlink()
    frame.to_file(path, engine="pyogrio", driver="GeoJSON", layer_options=options or None)


def test_the_road_bridge_saved_by_geopandas_is_drawn(built, capsys):
    # The issue's reproduction: this failed with "feature #1, field 'id': every
    # feature needs a text id, got None", as GDAL writes the id as a property.
    path = built / "geodata" / "road_bridge.geojson"
    _resave_with_gdal(path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert "id" not in saved["features"][0] and "crs" in saved
    capsys.readouterr()
    assert main(cli_args(built, "map")) == 0, capsys.readouterr().err
    html = unpacked((built / "outputs" / "tumen_border_map.html").read_text(encoding="utf-8"))
    assert "road-bridge" in html and "Tumen River road bridge" in html


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_every_shipped_layer_written_by_pyogrio_reads_as_it_was_and_draws(built, name, capsys):
    original = read_layers(built / "geodata")[name]
    _resave_with_gdal(built / "geodata" / f"{name}.geojson", WRITE_BBOX="YES")
    saved = json.loads((built / "geodata" / f"{name}.geojson").read_text(encoding="utf-8"))
    assert {"bbox", "crs", "name"} <= saved.keys()
    read = read_layers(built / "geodata")[name]
    assert read["features"] == original["features"]
    capsys.readouterr()
    assert main(cli_args(built, "map")) == 0, capsys.readouterr().err


def test_all_layers_written_by_pyogrio_together_still_draw(built, capsys):
    for name in LAYER_NAMES:
        _resave_with_gdal(built / "geodata" / f"{name}.geojson")
    capsys.readouterr()
    assert main(cli_args(built, "map")) == 0, capsys.readouterr().err
    assert main(cli_args(built, "validate")) == 0


def test_a_layer_through_a_geopackage_and_back_is_read_as_it_was(built, tmp_path):
    # ogr2ogr layers.gpkg -> road_bridge.geojson: lists arrive as JSON text and
    # booleans as numbers where GDAL had no richer type.
    original = read_layers(built / "geodata")
    gpkg = tmp_path / "layers.gpkg"
    gpkg.write_bytes(gis_files(original, ["gpkg"])["gpkg"])
    frame = pyogrio.read_dataframe(gpkg, layer="road_bridge")
    assert isinstance(frame.loc[0, "events"], str)
    frame["approximate"] = frame["approximate"].astype(int)
    frame = frame.drop(columns=["name"])
    path = built / "geodata" / "road_bridge.geojson"
    path.unlink()
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")
    assert (
        read_layers(built / "geodata")["road_bridge"]["features"]
        == (original["road_bridge"]["features"])
    )


def test_from_gdal_keeps_our_own_layers_as_they_are(shipped_layers):
    for layer in shipped_layers.values():
        assert from_gdal(layer) == layer
    assert from_gdal([1, 2]) == [1, 2]


def test_from_gdal_leaves_a_wrong_id_to_the_layer_checks():
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"id": 7}, "geometry": None}],
    }
    assert from_gdal(collection)["features"][0] == collection["features"][0]


def _read_back(path: Path, layer: str) -> geopandas.GeoDataFrame:
    return pyogrio.read_dataframe(path, layer=layer)


@pytest.mark.parametrize("suffix", ["gpkg", "kml"])
def test_export_writes_every_layer_to_a_geopackage_and_kml(built, capsys, suffix):
    capsys.readouterr()
    assert main(cli_args(built, "export", "--format", suffix)) == 0
    path = built / "outputs" / f"tumen_border_map.{suffix}"
    assert str(path) in capsys.readouterr().out
    layers = read_layers(built / "geodata")
    assert [name for name, _ in pyogrio.list_layers(path)] == list(layers)
    for name, layer in layers.items():
        frame = _read_back(path, name)
        name_field = "Name" if suffix == "kml" else "name"
        assert frame["id"].tolist() == [feature["id"] for feature in layer["features"]]
        for row, feature in zip(frame.itertuples(), layer["features"], strict=True):
            properties = feature["properties"]
            assert getattr(row, name_field) == properties["name_en"]
            assert (row.name_ko, row.name_ru) == (properties["name_ko"], properties["name_ru"])
            assert row.status == properties["status"]
            assert json.loads(row.sources) == properties["sources"]
            assert row.geometry.geom_type == feature["geometry"]["type"]
    if suffix == "kml":
        text = path.read_text(encoding="utf-8")
        assert "<name>Korea–Russia Friendship Bridge</name>" in text
        assert "<description>Steel truss rail bridge" in text


def test_gis_exports_follow_the_date_and_language(built):
    assert main(cli_args(built, "export", "--format", "kml", "--as-of", "2025-01-01")) == 0
    frame = _read_back(built / "outputs" / "tumen_border_map.kml", "road_bridge")
    assert frame["status"].tolist() == ["planned"]
    assert main(cli_args(built, "export", "--format", "gpkg", "--lang", "ru")) == 0
    frame = _read_back(built / "outputs" / "tumen_border_map.ru.gpkg", "rail_bridge")
    assert frame["name"].tolist() == ["Мост Дружбы"]


def test_the_same_layers_give_the_same_geopackage_bytes(shipped_layers):
    first = gis_files(shipped_layers)
    assert gis_files(shipped_layers) == first
    assert first["gpkg"].startswith(b"SQLite format 3")
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None


def test_kml_falls_back_to_gdal_s_plain_kml_driver(shipped_layers, tmp_path, monkeypatch):
    # GDAL built without libkml (some wheels and distributions) still writes KML.
    everything = pyogrio.list_drivers(write=True)
    without_libkml = {name: mode for name, mode in everything.items() if name != "LIBKML"}
    monkeypatch.setattr(pyogrio, "list_drivers", lambda write=False: without_libkml)
    path = tmp_path / "layers.kml"
    path.write_bytes(gis_files(shipped_layers, ["kml"])["kml"])
    frame = pyogrio.read_dataframe(path, layer="rail_bridge")
    assert frame["Name"].tolist() == ["Korea–Russia Friendship Bridge"]
    assert json.loads(frame.loc[0, "sources"])[0]["publisher"] == "Wikipedia"


def test_a_layer_saved_in_utm_gets_one_error_naming_its_crs(built, capsys):
    path = built / "geodata" / "road_bridge.geojson"
    frame = geopandas.read_file(path, engine="pyogrio").to_crs(SHIPPED.projection)
    path.unlink()
    frame.to_file(path, engine="pyogrio")
    capsys.readouterr()
    assert main(cli_args(built, "map")) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "road_bridge.geojson: field 'crs'" in line and "EPSG::32652" in line
    assert "reproject it to EPSG:4326" in line


def test_lists_geopandas_wrote_as_python_text_are_read_as_lists_and_nothing_else_runs():
    # pyogrio writes a list column as str(list); GDAL keeps that as text when it is
    # not JSON (a string with both kinds of quotes).
    events = [{"date": "2026", "what": "said \"x\" and 'y'", "expected": True}]
    feature = {"type": "Feature", "properties": {"id": "a", "events": str(events)}}
    collection = {"type": "FeatureCollection", "features": [feature]}
    assert from_gdal(collection)["features"][0]["properties"]["events"] == events
    for text in ("[__import__('os').system('true')]", "[1, 2", "[" * 10_000):
        feature["properties"]["events"] = text
        assert from_gdal(collection)["features"][0]["properties"]["events"] == text
