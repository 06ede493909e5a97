"""Helpers for writing nbgrader master notebooks from Python (used by the authoring scripts).

Each helper returns an nbformat cell carrying the nbgrader metadata its role needs:
- ``setup``: given code that the grading engine runs before the submission's functions
  (tagged "setup"; locked)
- ``given``: other given code (locked)
- ``graded``: a solution cell holding one graded function; grade_id = the function's name
- ``public_test``: locked cell calling public_tests.<name>_test
- ``md``: a markdown cell
"""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _nbgrader(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def md(text):
    return new_markdown_cell(text.strip("\n"))


def setup(grade_id, source):
    return new_code_cell(source.strip("\n"), metadata={
        "tags": ["setup"], "nbgrader": _nbgrader(grade_id, locked=True)})


def given(grade_id, source):
    return new_code_cell(source.strip("\n"), metadata={"nbgrader": _nbgrader(grade_id, locked=True)})


def graded(name, points, source):
    return new_code_cell(source.strip("\n"), metadata={
        "nbgrader": _nbgrader(name, grade=True, solution=True, points=points)})


def public_test(name):
    return given(f"test_{name}", f"{name}_test({name})")


def notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    # Stable cell ids keep the committed JSON diff-friendly across rebuilds.
    for i, cell in enumerate(nb.cells):
        cell["id"] = cell["metadata"].get("nbgrader", {}).get("grade_id") or f"cell-{i:02d}"
    return nb


def write(nb, path):
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
