"""docs/tutorial.ipynb is executed, cell by cell, in a real Jupyter kernel: a tutorial that no longer runs fails CI."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_tutorial_runs_from_top_to_bottom() -> None:
    nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat")
    nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")
    notebook = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "docs")}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "optimal 64.0 bound 64.0" in outputs  # the solve, checked
    assert "(8,9) DC E may not be served by vehicle truck-1" in outputs  # the checker's verdict on the broken plan
    assert "exact (three-index, MTZ)" in outputs and "route-based (set partitioning)" in outputs
