"""No network during a build unless the user asks: every command runs with sockets blocked.

Every way out (``socket.getaddrinfo``, ``socket.create_connection``,
``socket.socket.connect`` and ``connect_ex``) is replaced by one that records the
address and raises. ``build``, ``map`` (even ``--cdn``, which links Leaflet but fetches
nothing), ``export`` and ``validate`` must succeed without trying; ``export --basemap``
is the one command that tries, and without a network it warns and still writes.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import cli_args, unpacked

from bordermap.cli import main

REPO = Path(__file__).resolve().parents[1]
TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"


class Blocked(AssertionError):
    """A test tried to reach the network."""


class Offline(socket.gaierror):
    """The network is down: an OSError, as a real resolver failure would be."""


def _block_network(
    monkeypatch: pytest.MonkeyPatch, error: Callable[[str], BaseException]
) -> list[str]:
    """Make every way out raise ``error``; return the list of addresses tried."""
    attempts: list[str] = []

    def refuse(what: str) -> BaseException:
        attempts.append(what)
        return error(f"network access during a test: {what}")

    def getaddrinfo(host, port, *args, **kwargs):
        raise refuse(f"getaddrinfo({host!r}, {port!r})")

    def create_connection(address, *args, **kwargs):
        raise refuse(f"create_connection({address!r})")

    def connect(self, address):
        raise refuse(f"connect({address!r})")

    def connect_ex(self, address):
        raise refuse(f"connect_ex({address!r})")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return attempts


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Block the network for the test; the addresses tried are listed in the result."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no cached tiles
    return _block_network(monkeypatch, Blocked)


def test_the_block_is_real(offline):
    with pytest.raises(Blocked):
        socket.create_connection(("example.org", 80))
    with pytest.raises(Blocked):
        socket.getaddrinfo("example.org", 443)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(Blocked):
        sock.connect(("93.184.215.14", 80))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(Blocked):
        sock.connect_ex(("93.184.215.14", 80))
    with pytest.raises(Blocked):
        urllib.request.urlopen("http://example.org/", timeout=1)
    requests = pytest.importorskip("requests")
    with pytest.raises(Blocked):
        requests.get("https://tile.openstreetmap.org/0/0/0.png", timeout=1)
    assert len(offline) == 6


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--cdn"],
        ["--tiles", "OpenTopoMap", "--tiles", "Esri.WorldImagery"],
        ["--tiles", TILE_URL, "--attribution", "Example tiles"],
    ],
    ids=["default", "cdn", "providers", "url"],
)
def test_build_touches_no_network(project, offline, extra):
    assert main(cli_args(project, "build", *extra)) == 0
    assert (project / "outputs" / "tumen_border_map.html").is_file()
    assert offline == []


def test_map_with_cdn_links_leaflet_but_fetches_nothing(project, offline):
    assert main(cli_args(project, "layers")) == 0
    assert main(cli_args(project, "map", "--cdn")) == 0
    page = unpacked((project / "outputs" / "tumen_border_map.html").read_text(encoding="utf-8"))
    assert '<script src="https://' in page  # linked, to be fetched by the reader's browser
    assert offline == []


def test_export_touches_no_network(project, offline):
    assert main(cli_args(project, "layers")) == 0
    assert main(cli_args(project, "export", "--format", "png", "--embed")) == 0
    assert (project / "outputs" / "tumen_border_map.png").is_file()
    assert (project / "outputs" / "tumen_border_map.embed.html").is_file()
    assert offline == []


def test_validate_touches_no_network(project, offline, capsys):
    assert main(cli_args(project, "layers")) == 0
    assert main(cli_args(project, "validate")) == 0
    assert "checks passed" in capsys.readouterr().out
    assert offline == []


def test_export_with_basemap_is_the_only_command_that_tries(
    project, monkeypatch, tmp_path, capsys
):
    pytest.importorskip("contextily")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no cached tiles
    attempts = _block_network(monkeypatch, Offline)
    assert main(cli_args(project, "layers")) == 0
    assert attempts == []
    assert main(cli_args(project, "export", "--format", "png", "--basemap")) == 0
    err = capsys.readouterr().err
    assert "bordermap: warning:" in err and "basemap could not be fetched" in err
    assert (project / "outputs" / "tumen_border_map.png").is_file()
    # It tried, and only for the tile server.
    assert attempts, "export --basemap did not try the network"
    assert all("tile.openstreetmap.org" in attempt for attempt in attempts), attempts
