"""The public API: what `import bordermap` offers, and the GeoDataFrame view of a layer."""

from __future__ import annotations

import sys

import geopandas
import pytest
from helpers import SHIPPED, cli_args

import bordermap
from bordermap.cli import main
from bordermap.errors import MissingDependencyError


def test_all_is_sorted_and_every_name_resolves():
    assert bordermap.__all__ == sorted(bordermap.__all__)
    for name in bordermap.__all__:
        assert getattr(bordermap, name) is not None, name


def test_every_error_and_warning_lives_in_errors_under_one_base():
    import inspect

    from bordermap import base, basemaps, errors, export, layers

    for module in (basemaps, base, export, layers):
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, (Exception, Warning)):
                assert value.__module__ == "bordermap.errors", (module.__name__, name)
    for name in errors.__all__:
        value = getattr(errors, name)
        assert issubclass(value, (errors.BordermapError, errors.BordermapWarning)), name
        assert getattr(bordermap, name) is value, name
    assert issubclass(errors.BordermapWarning, UserWarning)
    assert issubclass(errors.ExportError, ValueError)
    assert issubclass(errors.BasemapError, ValueError)


def test_layer_as_geodataframe(layers):
    frame = bordermap.to_geodataframe(layers["rail_bridge"])
    assert isinstance(frame, geopandas.GeoDataFrame)
    assert frame.crs.to_epsg() == 4326
    assert list(frame.index) == ["friendship-bridge"]
    projected = frame.to_crs(SHIPPED.projection)
    # UTM's scale factor here is within 0.05 % of 1: a check against the geodesic length.
    assert abs(projected.length.iloc[0] - 623.0) < 623.0 * 0.0005
    assert frame.loc["friendship-bridge", "status"] == "open"


def test_to_geodataframe_without_geopandas_says_how_to_install_it(layers, monkeypatch):
    monkeypatch.setitem(sys.modules, "geopandas", None)  # as if it were not installed
    with pytest.raises(MissingDependencyError) as raised:
        bordermap.to_geodataframe(layers["rail_bridge"])
    (line,) = str(raised.value).splitlines()
    assert "pip install 'bordermap[geopandas]'" in line
    assert isinstance(raised.value, ImportError)


def test_gis_export_without_geopandas_is_one_line_and_writes_nothing(project, monkeypatch, capsys):
    assert main(cli_args(project, "layers")) == 0
    capsys.readouterr()
    monkeypatch.setitem(sys.modules, "geopandas", None)
    status = main([*cli_args(project, "export"), "--format", "gpkg,png"])
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "bordermap: error: writing GeoPackage and KML files needs geopandas, an optional "
        "extra: pip install 'bordermap[geopandas]'"
    ]
    outputs = project / "outputs"
    assert not outputs.exists() or not any(outputs.iterdir())  # not even the PNG


def test_the_precision_warning_points_at_the_line_calling_build_layers(facts, monkeypatch):
    # Not in the mutation-test selection: mutmut's trampolines add frames to every call.
    import dataclasses

    from bordermap import settings
    from bordermap.errors import CoordinatePrecisionWarning
    from bordermap.layers import build_layers

    river = facts.feature("tumen-river")
    # Given at 7 decimals, 14 m long: rounded to 6, each end moves 4 cm outwards.
    given = ((42.0000004, 130.0000004), (42.0000996, 130.0000996))
    short = dataclasses.replace(
        river, geometry=dataclasses.replace(river.geometry, vertices=given)
    )
    monkeypatch.setattr(settings, "length_tolerance_m", 0.01)
    with pytest.warns(CoordinatePrecisionWarning) as caught:
        build_layers(dataclasses.replace(facts, features=(short,)))
    assert caught[0].filename == __file__
