"""Do the notebooks run as students and instructors will run them?"""
from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import ASSIGNMENTS, ROOT


def _execute(folder, tmp_path):
    work = tmp_path / folder.name
    shutil.copytree(folder, work)
    path = next(work.glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(work)}}).execute()
    return nb


def _failing_cells(nb):
    failing = []
    for cell in nb.cells:
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.outputs):
            failing.append(cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id")))
    return failing


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_execute_without_error(assignment, tmp_path):
    """Does the instructor notebook in solutions/ run top to bottom without an error?"""
    nb = _execute(ROOT / "solutions" / assignment, tmp_path)
    assert _failing_cells(nb) == []


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_fails_only_in_public_tests(assignment, tmp_path):
    """Run untouched, does the release fail exactly in the public-test cells and in no given cell?"""
    nb = _execute(ROOT / "release" / assignment, tmp_path)
    graded = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
              if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    expected = [f"test_{g}" for g in graded]
    assert _failing_cells(nb) == expected


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_solutions_have_no_error_outputs(assignment):
    """Were the committed solutions/ executed cleanly (outputs present, no error)?"""
    nb = nbformat.read(next((ROOT / "solutions" / assignment).glob("*.ipynb")), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert any(c.outputs for c in code), "solutions/ should hold the executed notebook"
    assert _failing_cells(nb) == []
