"""The embed snippet: valid HTML, a titled iframe, the PNG as fallback, safe links."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import cli_args

from bordermap.cli import main
from bordermap.embed import embed_file, embed_snippet, write_embed

REPO = Path(__file__).resolve().parents[1]
VOID = {"img", "br", "meta", "link", "input", "source"}


class _Tree(HTMLParser):
    """Records elements and checks that every non-void element is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")


def _parse(text: str) -> _Tree:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    assert tree.errors == [] and tree.open == [], (tree.errors, tree.open)
    return tree


def test_snippet_is_well_formed_with_a_titled_iframe():
    snippet = embed_snippet(
        map_url="map.html",
        image_url="map.png",
        title="A <map>",
        description="What it shows & more",
    )
    tree = _parse(snippet)
    iframes = [attrs for tag, attrs in tree.elements if tag == "iframe"]
    assert len(iframes) == 1
    iframe = iframes[0]
    assert iframe["src"] == "map.html"
    assert iframe["title"] == "A <map>"  # escaped in the source, intact once parsed
    assert iframe["aria-label"] == "What it shows & more"
    assert "width: 100%" in (iframe["style"] or "") and "aspect-ratio" in (iframe["style"] or "")
    images = [attrs for tag, attrs in tree.elements if tag == "img"]
    assert images and images[0]["src"] == "map.png" and images[0]["alt"] == "A <map>"
    links = [attrs["href"] for tag, attrs in tree.elements if tag == "a"]
    assert "map.png" in links and "map.html" in links
    assert "<map>" not in snippet


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd"])
def test_snippet_refuses_unsafe_urls(url):
    with pytest.raises(ValueError, match="relative or http"):
        embed_snippet(map_url=url, image_url="map.png", title="t", description="d")


def test_write_embed_names_the_map_and_image_beside_it(tmp_path, layers):
    path = write_embed(layers, tmp_path, base_url="https://example.org/maps")
    assert path == tmp_path / "tumen_border_map.embed.html"
    tree = _parse(path.read_text(encoding="utf-8"))
    iframe = next(attrs for tag, attrs in tree.elements if tag == "iframe")
    assert iframe["src"] == "https://example.org/maps/tumen_border_map.html"
    assert iframe["title"] == "Where North Korea and Russia meet: the Tumen River crossings"
    assert "Friendship Bridge" in (iframe["aria-label"] or "")
    image = next(attrs for tag, attrs in tree.elements if tag == "img")
    assert image["src"] == "https://example.org/maps/tumen_border_map.png"


def test_embed_links_the_map_and_image_beside_it_by_default(tmp_path, layers):
    path = write_embed(layers, tmp_path)
    tree = _parse(path.read_text(encoding="utf-8"))
    iframe = next(attrs for tag, attrs in tree.elements if tag == "iframe")
    assert iframe["src"] == "tumen_border_map.html"  # relative: served beside the map
    image = next(attrs for tag, attrs in tree.elements if tag == "img")
    assert image["src"] == "tumen_border_map.png"


def test_each_map_has_its_own_snippet_name():
    assert embed_file("tumen_border_map") == "tumen_border_map.embed.html"
    assert embed_file("amur_border_map") == "amur_border_map.embed.html"


def test_two_maps_exported_into_one_outputs_folder_keep_both_snippets(project, capsys):
    """The Amur's export beside the Tumen's leaves the Tumen's snippet as it was."""
    shutil.copytree(REPO / "maps" / "amur", project / "amur")
    outputs = project / "outputs"
    assert main(cli_args(project, "layers")) == 0

    def draw(geodata: Path) -> None:
        where = ["--geodata", str(geodata), "--outputs", str(outputs)]
        assert main(["map", *where]) == 0
        assert main(["export", *where, "--embed", "--format", "png", "--width", "300"]) == 0

    draw(project / "geodata")
    tumen_snippet = (outputs / "tumen_border_map.embed.html").read_bytes()
    draw(project / "amur")
    assert "amur_border_map.embed.html" in capsys.readouterr().out
    assert (outputs / "tumen_border_map.embed.html").read_bytes() == tumen_snippet
    assert not (outputs / "embed.html").exists()
    for name in ("tumen_border_map", "amur_border_map"):
        tree = _parse((outputs / f"{name}.embed.html").read_text(encoding="utf-8"))
        [iframe] = [attrs for tag, attrs in tree.elements if tag == "iframe"]
        [image] = [attrs for tag, attrs in tree.elements if tag == "img"]
        links = [attrs["href"] for tag, attrs in tree.elements if tag == "a"]
        assert (iframe["src"], image["src"]) == (f"{name}.html", f"{name}.png")
        assert sorted(links) == [f"{name}.html", f"{name}.png"]
        page = (outputs / f"{name}.html").read_text(encoding="utf-8")  # each link resolves
        assert (outputs / f"{name}.png").is_file()
        assert f"<title>{iframe['title']}</title>" in page  # and names its own map


def test_a_snippet_in_another_language_shows_that_language_s_page(project, capsys):
    outputs = project / "outputs"
    assert main(cli_args(project, "layers")) == 0
    export = ["export", "--embed", "--format", "png", "--width", "300"]
    assert main(cli_args(project, *export)) == 0
    english = (outputs / "tumen_border_map.embed.html").read_bytes()
    capsys.readouterr()
    assert main(cli_args(project, *export, "--lang", "ru")) == 0
    # Before the Russian page is drawn, the note names the command that draws it.
    assert capsys.readouterr().err == (
        "bordermap: note: tumen_border_map.ru.embed.html shows tumen_border_map.ru.html: "
        "run 'bordermap map --lang ru' too\n"
    )
    assert (outputs / "tumen_border_map.embed.html").read_bytes() == english
    text = (outputs / "tumen_border_map.ru.embed.html").read_text(encoding="utf-8")
    tree = _parse(text)
    [figure] = [attrs for tag, attrs in tree.elements if tag == "figure"]
    [iframe] = [attrs for tag, attrs in tree.elements if tag == "iframe"]
    [image] = [attrs for tag, attrs in tree.elements if tag == "img"]
    assert figure["lang"] == "ru"
    assert (iframe["src"], image["src"]) == ("tumen_border_map.ru.html", "tumen_border_map.ru.png")
    assert (outputs / "tumen_border_map.ru.png").is_file()
    facts = (project / "geodata" / "facts.toml").read_text(encoding="utf-8")
    [title_ru] = re.findall(r'^title_ru = "(.*)"$', facts, re.MULTILINE)
    assert iframe["title"] == title_ru
    # Every word of the caption is Russian: no Latin letters but the keys' names.
    caption = text[text.index("<figcaption") : text.index("</figcaption>")]
    words = re.sub(r"<[^>]*>|Ctrl|PNG", " ", caption)
    assert not re.search(r"[A-Za-z]{2,}", words), words
    assert main(cli_args(project, "map", "--lang", "ru")) == 0
    assert f"<title>{title_ru}</title>" in (outputs / "tumen_border_map.ru.html").read_text(
        "utf-8"
    )


def test_embed_inline_carries_the_whole_page_and_needs_no_address(tmp_path):
    from bordermap.embed import embed_inline

    page = '<html><head><title>A &amp; B</title></head><body><p class=x>"map"</p></body></html>'
    path = tmp_path / "map.html"
    path.write_text(page, encoding="utf-8")
    shown = embed_inline(path)._repr_html_()
    tree = _parse(shown)
    [iframe] = [attrs for tag, attrs in tree.elements if tag == "iframe"]
    assert iframe["srcdoc"] == page and "src" not in iframe
    assert iframe["title"] == "A & B"


def test_embed_inline_without_a_map_says_to_run_map(tmp_path):
    from bordermap.embed import embed_inline
    from bordermap.errors import OutputError

    with pytest.raises(OutputError, match="run 'bordermap map' first"):
        embed_inline(tmp_path / "missing.html")
