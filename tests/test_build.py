"""Is the committed release exactly what source/ builds, and does it leak nothing?"""
from __future__ import annotations

import filecmp

import nbformat
import pytest

from conftest import ASSIGNMENTS, ROOT
from course.build import BuildError, check_release_is_clean, solution_lines, strip_markers


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_release_equals_fresh_build(fresh_build, assignment):
    """Is release/<assignment> identical, file for file, to a fresh nbgrader build?"""
    committed, fresh = ROOT / "release" / assignment, fresh_build / "release" / assignment
    assert _files(committed) == _files(fresh), "run `make release`: file lists differ"
    different = [str(f) for f in _files(fresh) if not filecmp.cmp(committed / f, fresh / f, shallow=False)]
    assert not different, f"run `make release`: these files differ from a fresh build: {different}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_solutions_match_source(fresh_build, assignment):
    """Do the cell sources of solutions/ equal a fresh build (outputs may differ in last digits)?"""
    committed = next((ROOT / "solutions" / assignment).glob("*.ipynb"))
    fresh = fresh_build / "solutions" / assignment / committed.name
    a = [c.source for c in nbformat.read(committed, as_version=4).cells]
    b = [c.source for c in nbformat.read(fresh, as_version=4).cells]
    assert a == b, "run `make release`: solutions/ is out of date"
    assert _files(ROOT / "solutions" / assignment) == _files(fresh_build / "solutions" / assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_leaks_no_solution(assignment):
    """Does any solution line, nbgrader marker or hidden grader text reach release/?"""
    master = next((ROOT / "source" / assignment).glob("*.ipynb"))
    source_nb = nbformat.read(master, as_version=4)
    assert solution_lines(source_nb), "the master notebook should have solution regions"
    check_release_is_clean(ROOT / "release" / assignment, source_nb)
    release_text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "release" / assignment).rglob("*")
                             if p.suffix in (".py", ".ipynb"))
    for grader in (ROOT / "graders" / assignment).glob("test_*.py"):
        for line in grader.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) > 30 and not line.startswith(("#", "import", "from", '"""')):
                assert line not in release_text, f"grader line leaked into release: {line}"
    for marker in ("~~DELETE", "BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
        assert marker not in release_text


def test_leak_check_catches_a_leak(tmp_path):
    """Does the leak check fail when a solution line is planted in a release folder?"""
    master = next((ROOT / "source" / "initialization").glob("*.ipynb"))
    source_nb = nbformat.read(master, as_version=4)
    (tmp_path / "notes.py").write_text(solution_lines(source_nb)[0] + "\n", encoding="utf-8")
    with pytest.raises(BuildError, match="solution text"):
        check_release_is_clean(tmp_path, source_nb)
    (tmp_path / "notes.py").write_text("### BEGIN SOLUTION\n", encoding="utf-8")
    with pytest.raises(BuildError, match="marker"):
        check_release_is_clean(tmp_path, source_nb)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_notebook_has_no_outputs(assignment):
    """Is the student notebook committed without outputs or execution counts?"""
    nb = nbformat.read(next((ROOT / "release" / assignment).glob("*.ipynb")), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_has_no_outputs(assignment):
    """Is the master notebook committed without outputs?"""
    nb = nbformat.read(next((ROOT / "source" / assignment).glob("*.ipynb")), as_version=4)
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


def test_strip_markers_keeps_solution_code():
    """Are marker lines removed from solutions while the code between them stays?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 1\n### BEGIN SOLUTION\nb = 2\n    ### END SOLUTION\nc = 3")])
    assert strip_markers(nb).cells[0].source == "a = 1\nb = 2\nc = 3"
