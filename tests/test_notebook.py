"""The example notebook under docs/ runs from top to bottom."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from helpers import cli_args
from nbclient import NotebookClient

from bordermap.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_example_notebook_runs_and_shows_the_map_and_the_image():
    notebook = nbformat.read(DOCS / "example.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(DOCS)}}
    ).execute()
    outputs = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "FAIL" not in text and "PASS road-bridge-downstream" in text
    rich = [o["data"] for o in outputs if o.output_type in ("execute_result", "display_data")]
    assert any("<iframe" in data.get("text/html", "") for data in rich), "the map shows inline"
    assert any("image/png" in data for data in rich), "the exported image shows inline"


README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_notebook_recipe() -> str:
    """The code the README gives for showing the map inline in Jupyter."""
    readme = " ".join(README.read_text(encoding="utf-8").split())
    match = re.search(r"\*Jupyter\*:.*? run `([^`]+)` in a cell", readme)
    assert match, "the README gives a notebook recipe"
    return match.group(1).replace("; ", "\n")


def _run_in_a_notebook(code: str, cwd: Path) -> list[dict]:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return notebook.cells[0].outputs


@pytest.mark.browser
def test_the_readme_s_notebook_recipe_shows_a_working_map(project, browser, tmp_path):
    # The recipe runs in a kernel beside outputs/; the notebook page itself lives
    # elsewhere (Jupyter serves it from its own URL), so nothing relative may be needed.
    assert main(cli_args(project, "build")) == 0
    outputs = _run_in_a_notebook(_readme_notebook_recipe(), project)
    assert [o for o in outputs if o.output_type == "error"] == []
    [shown] = [o["data"]["text/html"] for o in outputs if o.output_type == "execute_result"]
    assert "<iframe" in shown
    notebook_page = tmp_path / "notebook" / "page.html"
    notebook_page.parent.mkdir()
    notebook_page.write_text(f"<!doctype html><html><body>{shown}</body></html>", "utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    try:
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:", "about:"))
                else route.abort()
            ),
        )
        page.goto(notebook_page.as_uri())
        frame = page.frames[1]
        frame.wait_for_selector(".leaflet-container path.leaflet-interactive", timeout=20_000)
        assert "404" not in frame.content()[:2000]
        title = page.get_attribute("iframe", "title")
        assert title and "Tumen River" in title
    finally:
        page.close()
