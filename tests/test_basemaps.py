"""Basemaps: provider names and URL templates, and what is refused."""

from __future__ import annotations

import pytest
from helpers import unpacked

from bordermap.basemaps import DEFAULT_BASEMAPS, BasemapError, resolve_basemap, resolve_basemaps


def test_defaults_are_a_street_map_and_satellite_imagery_each_credited():
    street, satellite = resolve_basemaps()
    assert DEFAULT_BASEMAPS == ("OpenStreetMap.Mapnik", "Esri.WorldImagery")
    assert street.url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in street.attribution and "contributors" in street.attribution
    assert "World_Imagery" in satellite.url and "Esri" in satellite.attribution


def test_any_xyzservices_provider_by_name():
    basemap = resolve_basemap("OpenTopoMap")
    assert "opentopomap" in basemap.url and "OpenTopoMap" in basemap.attribution
    assert basemap.max_zoom == 17


def test_url_template_with_attribution_is_escaped():
    basemap = resolve_basemap("https://tiles.example.org/{z}/{x}/{-y}.png", "Ours <b>CC BY</b>")
    assert basemap.url == "https://tiles.example.org/{z}/{x}/{-y}.png"
    assert basemap.attribution == "Ours &lt;b&gt;CC BY&lt;/b&gt;"
    assert basemap.label == "Tiles from tiles.example.org"


@pytest.mark.parametrize(
    ("spec", "attribution", "message"),
    [
        ("https://tiles.example.org/{z}/{x}/{y}.png", None, "need an --attribution"),
        ("https://tiles.example.org/{z}/{x}/{y}.png", "  ", "need an --attribution"),
        ("javascript:alert(1)//{z}/{x}/{y}", "x", "must start with http"),
        ("file:///tiles/{z}/{x}/{y}.png", "x", "must start with http"),
        ("https://tiles.example.org/tile.png", "x", "needs {z}, {x} and {y}"),
        ("No.Such.Provider", None, "unknown tile provider 'No.Such.Provider'"),
        ("CartoDB.Positron", None, "needs an API key"),
        ("OpenTopoMap", "Mine", "credits itself"),
    ],
)
def test_refused(spec, attribution, message):
    with pytest.raises(BasemapError, match="--") as caught:
        resolve_basemap(spec, attribution)
    assert message in str(caught.value)


def test_all_problems_are_reported_together():
    with pytest.raises(BasemapError) as caught:
        resolve_basemaps(["Nope", "https://x.example/{z}/{x}/{y}.png"], None)
    assert len(caught.value.problems) == 2


def test_attribution_without_a_url_template_is_refused():
    with pytest.raises(BasemapError, match="goes with a tile URL template"):
        resolve_basemaps(["OpenTopoMap"], "Mine")


def test_template_syntax_in_tiles_is_refused_or_kept_as_text(shipped_layers):
    from bordermap import build_map, render_html

    with pytest.raises(BasemapError, match=r"may use only \{z\}"):
        resolve_basemap("https://{{7*7}}.example.org/{z}/{x}/{y}.png", "x")
    basemap = resolve_basemap("https://tiles.example.org/{z}/{x}/{y}.png", "Tiles {{7*7}}")
    assert "{" not in basemap.attribution
    page = unpacked(render_html(build_map(shipped_layers, basemaps=[basemap])))
    assert "Tiles 49" not in page
    assert "Tiles \\u0026#123;\\u0026#123;7*7" in page  # "&#123;" in a script string


def test_providers_are_matched_as_xyzservices_matches_them():
    # The index made once must find what query_name finds, for every name and spelling.
    import xyzservices

    from bordermap.basemaps import _provider

    names = list(xyzservices.providers.flatten())
    for name in [*names, "cartodb positron", "OPEN_street-map/mapnik", "esri worldimagery"]:
        assert _provider(name) is xyzservices.providers.query_name(name)
    with pytest.raises(ValueError):
        _provider("No.Such.Provider")
