"""The notebooks in notebooks/ run from top to bottom without an error (cwd = notebooks/)."""

from __future__ import annotations

import nbclient
import nbformat
import pytest

NOTEBOOKS = ["quickstart.ipynb", "policy_levers.ipynb", "uncertainty_batch.ipynb",
             # the hydrogen model: the baseline explained, levers with costs, robustness of the targets
             "zhejiang_baseline.ipynb", "zhejiang_policy_levers.ipynb", "zhejiang_uncertainty.ipynb",
             # calibration of the national scenario to 2022, validated on 2023-2025 (about a minute)
             "calibrate_national.ipynb",
             "zhejiang_robustness.ipynb"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(repo_root, name, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline charts
    folder = repo_root / "notebooks"
    notebook = nbformat.read(folder / name, as_version=4)
    # committed with outputs cleared, so that diffs show only what changed in the code
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: clear the outputs"
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()  # raises CellExecutionError with the failing cell and traceback
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, f"{name} drew no chart"
