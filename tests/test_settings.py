"""Settings take effect when read, also after the library has been used (issue 17)."""

from __future__ import annotations

import pytest
from helpers import unpacked

import bordermap
from bordermap import geometry, settings


def test_dir_lists_the_public_api_only():
    assert dir(bordermap) == sorted(bordermap.__all__)
    for private in ("Any", "TYPE_CHECKING", "version", "import_module"):
        assert private not in dir(bordermap)


def test_projected_crs_changed_after_first_use_takes_effect(monkeypatch):
    line = [(130.64, 42.41), (130.65, 42.42)]
    in_utm52 = geometry._projected(line)
    monkeypatch.setattr(settings, "projected_crs", "EPSG:32653")  # UTM 53N, east of here
    in_utm53 = geometry._projected(line)
    # The same positions, other metres: the transformer follows the setting.
    assert in_utm52[0][0] != pytest.approx(in_utm53[0][0], abs=1000)


def test_ellipsoid_changed_after_first_use_takes_effect(monkeypatch):
    a, b = (130.0, 42.0), (131.0, 43.0)  # about 140 km: the ellipsoids differ by ~40 m
    on_wgs84 = geometry.distance_m(a, b)
    monkeypatch.setattr(settings, "ellipsoid", "sphere")
    on_sphere = geometry.distance_m(a, b)
    assert on_wgs84 != pytest.approx(on_sphere, abs=20)
    assert on_wgs84 == pytest.approx(on_sphere, rel=0.01)


def test_hidden_layers_changed_after_import_take_effect(monkeypatch, shipped_layers):
    from bordermap import build_map, render_html

    page = unpacked(render_html(build_map(shipped_layers, base=False)))
    monkeypatch.setattr(settings, "hidden_layers", ())
    shown = unpacked(render_html(build_map(shipped_layers, base=False)))
    # Switched on, the context layer is added to the map at once; off, it waits.
    assert shown.count(".addTo(map_") > page.count(".addTo(map_")
