"""Scripts and stylesheets for the page: inlined from XStatic packages, or linked; minified.

The page uses Leaflet and the Leaflet.GestureHandling plugin (so that an embedded map
does not hijack page scrolling). The self-contained form reads the files that the
XStatic packages installed (nothing third-party is copied into this repository) and
inlines them, images as data: URLs, so the page needs no network but for map tiles.
The linked form points at CDN copies of the same versions, for the smallest file.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

_CDN = "https://cdn.jsdelivr.net/npm/leaflet@{version}/dist/"
_GESTURE_CDN = "https://cdn.jsdelivr.net/npm/leaflet-gesture-handling@{version}/dist/"
_CSS_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")


def _leaflet_dir() -> tuple[Path, str]:
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR), str(leaflet.VERSION)


def _gesture_dir() -> tuple[Path, str]:
    from xstatic.pkg import leaflet_gesturehandling

    return Path(leaflet_gesturehandling.BASE_DIR), str(leaflet_gesturehandling.VERSION)


def leaflet_version() -> str:
    """Return the version of Leaflet the page uses (XStatic-Leaflet's)."""
    return _leaflet_dir()[1]


@cache
def leaflet_head(*, inline: bool) -> str:
    """Return the ``<head>`` markup that loads Leaflet and the gesture-handling plugin.

    Parameters
    ----------
    inline : bool
        Inline the scripts and stylesheets (self-contained page) or link to a CDN.

    Returns
    -------
    str
        ``<style>``/``<script>`` elements, or ``<link>``/``<script src>`` elements.
    """
    base, version = _leaflet_dir()
    gesture_base, gesture_version = _gesture_dir()
    if not inline:
        cdn = _CDN.format(version=version)
        gesture_cdn = _GESTURE_CDN.format(version=gesture_version)
        return (
            f'<link rel="stylesheet" href="{cdn}leaflet.css">\n'
            f'<link rel="stylesheet" href="{gesture_cdn}leaflet-gesture-handling.min.css">\n'
            f'<script src="{cdn}leaflet.js"></script>\n'
            f'<script src="{gesture_cdn}leaflet-gesture-handling.min.js"></script>'
        )

    def data_url(match: re.Match[str]) -> str:
        png = (base / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    css = _CSS_URL.sub(data_url, (base / "leaflet.css").read_text(encoding="utf-8"))
    gesture_css = (gesture_base / "leaflet-gesture-handling.min.css").read_text(encoding="utf-8")
    return (
        f"<style>\n{minify_css(css)}\n{gesture_css}\n</style>\n"
        f"<script>\n{_script(base / 'leaflet.js')}\n</script>\n"
        f"<script>\n{_script(gesture_base / 'leaflet-gesture-handling.min.js')}\n</script>"
    )


def _script(path: Path) -> str:
    """Return a script's text, safe to inline: no source-map fetch, no early ``</script>``."""
    script = path.read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S+", "", script).replace("</", "<\\/")


def minify_css(css: str) -> str:
    """Return a stylesheet without its comments and needless whitespace (rcssmin)."""
    from rcssmin import cssmin

    return str(cssmin(css))


def minify_js(script: str) -> str:
    """Return a script without its comments and needless whitespace (rjsmin)."""
    from rjsmin import jsmin

    return str(jsmin(script))


def minify_map_script(page: str) -> str:
    """Return the page with its map script (the last plain ``<script>``) minified.

    That script is the page's own code, folium's and ours, written readably in the
    templates; rjsmin drops comments and whitespace and leaves every string as it is.
    The data blocks (``<script type="application/json">``) are not touched.
    """
    from rjsmin import jsmin

    head, found, rest = page.rpartition("<script>")
    if not found:
        return page
    script, end, tail = rest.partition("</script>")
    return f"{head}<script>{jsmin(script)}{end}{tail}"
