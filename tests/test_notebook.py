"""The example notebook under docs/ runs from top to bottom."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

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
