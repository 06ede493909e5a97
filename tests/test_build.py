"""Is the committed release exactly what source/ builds, and does it leak nothing?"""
from __future__ import annotations

import filecmp

import nbformat
import pytest

from conftest import ASSIGNMENTS, ROOT
import course.build as build_module
from course.build import (BuildError, check_release_is_clean, solution_lines, solutions_up_to_date,
                          source_fingerprint, strip_markers, update_solutions)
from course.paths import copy_course


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


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_solutions_were_executed_from_the_current_source(assignment):
    """Does solutions/<assignment> carry the fingerprint of today's source/<assignment> (run `make release` if not)?"""
    assert solutions_up_to_date(ROOT, assignment, ROOT / "solutions"), "run `make release`: solutions/ is stale"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_solutions_carry_no_timestamps(assignment):
    """Are the executed solutions free of nbclient's per-cell timing metadata (no churn on rebuild)?"""
    nb = nbformat.read(next((ROOT / "solutions" / assignment).glob("*.ipynb")), as_version=4)
    assert all("execution" not in cell.metadata for cell in nb.cells)
    assert all(cell.get("execution_count") is None for cell in nb.cells if cell.cell_type == "code")


class _RecordingClient:
    """Stands in for nbclient.NotebookClient: records executions instead of starting a kernel."""

    runs = []

    def __init__(self, nb, **kwargs):
        self.nb, self.kwargs = nb, kwargs

    def execute(self):
        _RecordingClient.runs.append(self.kwargs)
        return self.nb


def test_solutions_are_executed_only_when_their_source_changed(tmp_path, monkeypatch):
    """Is an up-to-date solutions folder kept byte for byte, and is a changed source executed again?"""
    monkeypatch.setattr(build_module, "NotebookClient", _RecordingClient)
    _RecordingClient.runs = []
    course = copy_course(ROOT, tmp_path / "course", ("source", "solutions"))
    notebook = next((course / "solutions" / "initialization").glob("*.ipynb"))
    before = notebook.read_bytes()
    assert not update_solutions(course, "initialization", course / "solutions", log=lambda *_: None)
    assert notebook.read_bytes() == before and _RecordingClient.runs == []

    helper = course / "source" / "initialization" / "init_utils.py"
    helper.write_text(helper.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert not solutions_up_to_date(course, "initialization", course / "solutions")
    assert update_solutions(course, "initialization", course / "solutions", log=lambda *_: None)
    assert len(_RecordingClient.runs) == 1 and _RecordingClient.runs[0]["record_timing"] is False
    assert solutions_up_to_date(course, "initialization", course / "solutions")
    assert (course / "solutions" / "initialization" / "init_utils.py").read_bytes() == helper.read_bytes()


def test_source_fingerprint_ignores_caches_and_dates(tmp_path):
    """Does the fingerprint depend on file names and bytes only (not on __pycache__ or mtimes)?"""
    import os

    course = copy_course(ROOT, tmp_path / "course", ("source",))
    first = source_fingerprint(course, "initialization")
    folder = course / "source" / "initialization"
    (folder / "__pycache__").mkdir(exist_ok=True)
    (folder / "__pycache__" / "init_utils.cpython-311.pyc").write_bytes(b"cache")
    os.utime(folder / "init_utils.py", (0, 0))
    assert source_fingerprint(course, "initialization") == first
    (folder / "datasets" / "circles.npz").write_bytes(b"other data")
    assert source_fingerprint(course, "initialization") != first
