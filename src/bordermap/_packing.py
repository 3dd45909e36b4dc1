"""The page packed: its data, panels and scripts deflated into one base64 block.

Nearly all of the web map's page is text that deflates about three to one: the layers'
JSON data blocks, the panels' ``<template>`` markup, the map's script and, in the
self-contained page, Leaflet itself. :func:`pack_page` moves them, unchanged, into one
fragment of markup, deflated (zlib) and written as base64 in a
``<script type="application/octet-stream" id="bm-packed">`` element; a small script
(``templates/unpack.js``) inflates it with the browser's own ``DecompressionStream``,
puts the styles, data blocks and panels back where the page's scripts look for them,
and then runs the scripts in their order. The data still reaches the scripts only as
JSON blocks read with ``JSON.parse``; nothing is evaluated that the page did not carry
as a script. (The fragment is parsed in an inert ``<template>``, so nothing in it runs
or loads until the scripts are run one by one; it is the page's own markup, escaped
as it would be in the page.)

:func:`unpack_page` is the inverse for readers of the file (and the tests): the page
with the fragment written out in place of the packed block.
"""

from __future__ import annotations

import base64
import re
import zlib

__all__ = ["PACKED_ID", "pack_page", "unpack_page"]

#: The id of the element holding the packed fragment.
PACKED_ID = "bm-packed"

_PACKED = re.compile(
    rf'<script type="application/octet-stream" id="{PACKED_ID}">([A-Za-z0-9+/=]*)</script>'
)
#: What moves into the fragment from the page's body: data blocks and panels, whole.
_BODY_PARTS = re.compile(
    r'<script type="application/json" id="[^"]+">.*?</script>\n?'
    r'|<template id="[^"]+">.*?</template>\n?',
    re.S,
)


def pack_page(page: str, *, head: str = "", unpack_script: str) -> str:
    """Return ``page`` with its data, panels, map script (and ``head``) packed.

    Parameters
    ----------
    page : str
        The rendered page: its map script the last ``<script>``, after ``</main>``.
    head : str, optional
        Markup of the ``<head>`` to pack too (Leaflet's inlined stylesheet and scripts),
        written in the page exactly once; its styles go back first in ``<head>``.
    unpack_script : str
        The script that inflates the fragment (``templates/unpack.js``).

    Returns
    -------
    str
        The page; :func:`unpack_page` gives back every part moved.
    """
    if head:
        if page.count(head) != 1:
            raise ValueError("the markup to pack from <head> is not in the page exactly once")
        page = page.replace(head, "", 1)
    before, found, rest = page.rpartition("<script>")
    if not found or "</main>" in rest:
        raise ValueError("the page has no map script after its main element")
    script, _, tail = rest.partition("</script>")
    main_start = before.index('<main class="bm-main">')
    body = before[main_start:]
    parts = [match.group(0) for match in _BODY_PARTS.finditer(body)]
    fragment = "".join([head + "\n" if head else "", *parts, f"<script>{script}</script>"])
    packed = base64.b64encode(zlib.compress(fragment.encode("utf-8"), 9)).decode("ascii")
    block = (
        f'<script type="application/octet-stream" id="{PACKED_ID}">{packed}</script>\n'
        f"<script>{unpack_script}</script>"
    )
    return before[:main_start] + _BODY_PARTS.sub("", body) + block + tail


def unpack_page(page: str) -> str:
    """Return a packed page with its fragment written out in place of the packed block.

    A page that is not packed is returned as it is.
    """
    found = _PACKED.search(page)
    if found is None:
        return page
    fragment = zlib.decompress(base64.b64decode(found.group(1))).decode("utf-8")
    return page[: found.start()] + fragment + page[found.end() :]
