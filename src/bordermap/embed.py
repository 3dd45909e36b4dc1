"""The embed snippet: a responsive, accessible iframe to paste into a web page or report.

:func:`embed_snippet` returns HTML that shows the web map full width at an aspect ratio
that suits the screen (landscape on desktops, portrait on phones), with a title and
label for screen readers and the static PNG as a fallback image and link.
"""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

from bordermap import _html
from bordermap._io import write_atomic
from bordermap._rules import link_problem
from bordermap._templates import render
from bordermap.i18n import translate
from bordermap.layers import Layers, read_layers
from bordermap.mapspec import output_in, spec_of

__all__ = [
    "InlineMap",
    "embed_file",
    "embed_html",
    "embed_inline",
    "embed_snippet",
    "write_embed",
]


def embed_file(output: str, language: str = "en") -> str:
    """Return the file name of a map's snippet inside the outputs directory.

    One snippet per map, beside its page and PNG, so that several maps can share
    one outputs directory without overwriting each other's snippet.

    Parameters
    ----------
    output : str
        The map's outputs' name (``[map] output``), e.g. ``"tumen_border_map"``.
    language : str, default "en"
        The language of the snippet and of the page and image it shows, named as
        the command line names a map's files in another language.

    Returns
    -------
    str
        ``<output>.embed.html``, e.g. ``"tumen_border_map.embed.html"``; in another
        language ``<output>.<language>.embed.html``.
    """
    return f"{_stem(output, language)}.embed.html"


def _stem(output: str, language: str) -> str:
    """Return the name of a map's files in ``language``: ``<output>[.<language>]``."""
    return output if language == "en" else f"{output}.{language}"


#: The caption's words, in English (translated by the words files).
_CAPTION = {
    "zoom": "Scroll the page as usual; zoom the map with Ctrl/⌘ + scroll or two fingers.",
    "full_screen": "Open the map full screen",
    "image": "static image (PNG)",
}


def embed_snippet(
    *,
    map_url: str,
    image_url: str,
    title: str,
    description: str,
    language: str = "en",
) -> str:
    """Return the HTML snippet that embeds the map.

    Parameters
    ----------
    map_url : str
        Where the map's HTML page will be served (relative or absolute http(s)).
    image_url : str
        Where its PNG export will be served; shown where frames are not.
    title : str
        The map's title: the iframe's ``title`` and the image's ``alt``.
    description : str
        What the map shows, for ``aria-label`` and the caption.
    language : str, default "en"
        The language of the caption's words (how to zoom, the links).

    Returns
    -------
    str
        A ``<figure>`` holding the ``<iframe>``, a fallback image and a caption.

    Raises
    ------
    ValueError
        If a URL is neither relative nor http(s).
    """
    for url in (map_url, image_url):
        problem = link_problem(url)
        if problem is not None:
            raise ValueError(f"embed URLs: {problem}")
    return render(
        "embed.html.j2",
        map_url=map_url,
        image_url=image_url,
        title=title,
        description=description,
        language=language,
        words={key: translate(text, language) for key, text in _CAPTION.items()},
    )


def embed_html(layers: Layers | str | Path, *, base_url: str = "", language: str = "en") -> str:
    """Return the snippet that embeds the map made from ``layers``.

    Parameters
    ----------
    layers : dict or path
        The layers (or their directory), for the map's title and description.
    base_url : str, optional
        Where the outputs directory will be served, e.g.
        ``"https://example.org/maps/"``; by default the snippet links the files
        relative to itself.
    language : str, default "en"
        The language of the snippet and of the page and PNG it links
        (``<output>.<language>.html`` in another language than English).

    Returns
    -------
    str
        The snippet, as :func:`write_embed` writes it.
    """
    if not isinstance(layers, Mapping):
        layers = read_layers(Path(layers))
    meta = _html.metadata(layers)
    features = [(name, f) for name, layer in layers.items() for f in layer.get("features", [])]
    prefix = base_url if not base_url or base_url.endswith("/") else base_url + "/"
    stem = _stem(spec_of(layers).output, language)
    return embed_snippet(
        map_url=f"{prefix}{stem}.html",
        image_url=f"{prefix}{stem}.png",
        title=str(_html.localized(meta, "title", language) or "bordermap"),
        description=_html.describe(meta, features, language),
        language=language,
    )


def write_embed(
    layers: Layers | str | Path,
    outputs: str | Path,
    *,
    base_url: str = "",
    language: str = "en",
) -> Path:
    """Write ``<output>.embed.html`` beside the map and its PNG in ``outputs``.

    Parameters
    ----------
    layers : dict or path
        The layers (or their directory), for the map's title and description.
    outputs : str or pathlib.Path
        The outputs directory.
    base_url : str, optional
        Where the outputs directory will be served (see :func:`embed_html`).
    language : str, default "en"
        The snippet's language (see :func:`embed_html`).

    Returns
    -------
    pathlib.Path
        The snippet written.
    """
    if not isinstance(layers, Mapping):
        layers = read_layers(Path(layers))
    path = Path(outputs) / embed_file(spec_of(layers).output, language)
    write_atomic(path, embed_html(layers, base_url=base_url, language=language))
    return path


class InlineMap:
    """The map in a frame that carries the whole page, for Jupyter to show inline.

    Jupyter shows it through :meth:`_repr_html_`; :attr:`html` is the markup.
    """

    def __init__(self, markup: str) -> None:
        self.html = markup

    def _repr_html_(self) -> str:
        return self.html


class _Head(HTMLParser):
    """Reads a page's ``<title>`` and ``<meta name="description">``."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.description = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and found.get("name") == "description":
            self.description = found.get("content") or ""

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def embed_inline(map_file: str | Path | None = None) -> InlineMap:
    """Return the web map framed for a Jupyter notebook, where it shows inline.

    The iframe carries the whole page in its ``srcdoc``, so it needs no address
    that the notebook would have to resolve (an iframe whose ``src`` is relative to
    the ``<output>.embed.html`` snippet shows "404" in a notebook). The map's own
    scripts are inlined in the page, so it works offline; basemap tiles still come
    from the network.

    Parameters
    ----------
    map_file : str or pathlib.Path, optional
        The map written by ``bordermap map``; by default the map of ``geodata/``
        in ``outputs/`` (``outputs/<output>.html``, as ``[map] output`` names it).

    Returns
    -------
    InlineMap
        Shown inline by Jupyter; its ``html`` is the ``<iframe>``.

    Raises
    ------
    OutputError
        If the map file cannot be read (run ``bordermap map`` first).
    """
    from bordermap._io import read_input
    from bordermap.errors import OutputError

    if map_file is None:
        map_file = Path("outputs") / f"{output_in('geodata')}.html"
    try:
        page = read_input(Path(map_file), "map not found (run 'bordermap map' first)")
    except ValueError as error:
        raise OutputError(str(error)) from None
    head = _Head()
    head.feed(page[: page.find("</head>") + 7] if "</head>" in page else page)
    markup = render(
        "inline.html.j2",
        page=page,
        title=head.title.strip(),
        description=head.description,
    )
    return InlineMap(markup)
