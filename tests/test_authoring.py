"""Authoring an assignment (docs/authoring.md): what `course release` refuses in a master notebook or a
grader, and the reference solution behaving as the notebook does."""
from __future__ import annotations

import nbformat
import numpy as np
import pytest

from course.grading.reference import load_reference


def _master(cells) -> nbformat.NotebookNode:
    """A master notebook from (role, source, extra) triples: role "setup" (tagged), "plain" (no role),
    "answer" (autograded answer, grade_id = extra) or "test" (autograder test cell of extra, 1 point)."""
    nb = nbformat.v4.new_notebook()
    for role, source, extra in cells:
        cell = nbformat.v4.new_code_cell(source)
        if role == "setup":
            cell.metadata["tags"] = ["setup"]
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": "setup_imports", "locked": True,
                                         "schema_version": 3, "solution": False}
        elif role == "answer":
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": extra, "locked": False,
                                         "schema_version": 3, "solution": True}
        elif role == "test":
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"test_{extra}", "locked": True,
                                         "points": 1, "schema_version": 3, "solution": False}
        nb.cells.append(cell)
    return nb


def test_reference_solution_may_call_array_methods(tmp_path):
    """Can the reference call an ndarray method with keyword arguments (``z.max(axis=0, keepdims=True)``)?
    numpy's method wrappers look ``__builtins__`` up in the caller's globals: the reference's namespace
    must keep it (it used to be popped: KeyError: '__builtins__')."""
    path = tmp_path / "colmax" / "Colmax.ipynb"
    path.parent.mkdir()
    nbformat.write(_master([
        ("setup", "import numpy as np", None),
        ("answer", "def column_max(z):\n    ### BEGIN SOLUTION\n    return z.max(axis=0, keepdims=True)\n"
                   "    ### END SOLUTION", "column_max"),
        ("test", "assert column_max(np.eye(2)).shape == (1, 2)", "column_max"),
    ]), str(path))
    ref = load_reference(str(path))
    got = ref.column_max(np.array([[1.0, 5.0], [3.0, 2.0]]))
    assert got.tolist() == [[3.0, 5.0]]
    assert not hasattr(ref, "__builtins__")  # the namespace graders see still lists only the notebook's names
