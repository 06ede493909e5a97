"""Shared fixtures: the repository root, a fresh build in a temp dir, notebook surgery."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# tests/fixtures/fifth_assignment is a course tree (with a grader named test_*.py) that
# tests/test_authoring.py copies into a course: not tests of this suite.
collect_ignore = ["fixtures"]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

# nbgrader shells out to alembic, which lives beside this interpreter.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def fresh_build(tmp_path_factory) -> Path:
    """release/ and (unexecuted) solutions/ rebuilt from source/ into a temp dir."""
    from course.build import build

    out = tmp_path_factory.mktemp("build")
    build(ROOT, release_dir=out / "release", solutions_dir=out / "solutions",
          db_url=f"sqlite:///{out / 'gradebook.db'}", execute=False)
    return out


def release_notebook(assignment: str) -> nbformat.NotebookNode:
    path = next((ROOT / "release" / assignment).glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


def replace_cell(nb: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return nb
    raise KeyError(grade_id)


def solved_release_notebook(assignment: str, cells: dict[str, str]) -> nbformat.NotebookNode:
    """The release notebook with every graded cell holding the reference solution, except the
    cells given in ``cells`` (grade_id -> source)."""
    from course.paths import master_notebook
    from course.samples import _solutions

    solutions = _solutions(master_notebook(ROOT, assignment))
    nb = release_notebook(assignment)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = cells.get(gid, solutions[gid]).strip("\n")
    return nb
