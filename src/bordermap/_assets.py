"""Leaflet's script and stylesheet for the page: inlined from XStatic-Leaflet, or linked.

The self-contained form reads the files that the XStatic-Leaflet package installed
(nothing third-party is copied into this repository) and inlines them, images as
data: URLs, so the page needs no network but for map tiles. The linked form points
at a CDN copy of the same Leaflet version, for the smallest file.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

_CDN = "https://cdn.jsdelivr.net/npm/leaflet@{version}/dist/"
_CSS_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")


def _leaflet_dir() -> tuple[Path, str]:
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR), str(leaflet.VERSION)


def leaflet_version() -> str:
    """Return the version of Leaflet the page uses (XStatic-Leaflet's)."""
    return _leaflet_dir()[1]


@cache
def leaflet_head(*, inline: bool) -> str:
    """Return the ``<head>`` markup that loads Leaflet.

    Parameters
    ----------
    inline : bool
        Inline the script and stylesheet (self-contained page) or link to a CDN.

    Returns
    -------
    str
        A ``<style>``/``<script>`` pair, or a ``<link>``/``<script src>`` pair.
    """
    base, version = _leaflet_dir()
    if not inline:
        cdn = _CDN.format(version=version)
        return (
            f'<link rel="stylesheet" href="{cdn}leaflet.css">\n'
            f'<script src="{cdn}leaflet.js"></script>'
        )

    def data_url(match: re.Match[str]) -> str:
        png = (base / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    css = _CSS_URL.sub(data_url, (base / "leaflet.css").read_text(encoding="utf-8"))
    script = (base / "leaflet.js").read_text(encoding="utf-8")
    # No source-map fetch, and nothing that could end the <script> element early.
    script = re.sub(r"//# sourceMappingURL=\S+", "", script).replace("</", "<\\/")
    return f"<style>\n{css}\n</style>\n<script>\n{script}\n</script>"
