"""Is the committed release exactly what source/ builds, and does it leak nothing?"""
from __future__ import annotations

import filecmp

import nbformat
import pytest

from helpers import ASSIGNMENTS, ROOT, solved_release_notebook
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


# ---------------------------------------------------------------------------------------------
# No reference implementation of a graded function anywhere in the student's folder.
#
# Every function of every module under release/<assignment> is tried in place of every graded
# function it can be called as: first in this process on one case (compared with the reference
# solution), then, for any that agrees, through the hidden graders. A function that earns an
# item's full marks is a reference implementation the student could import.

import ast
import contextlib
import importlib.util
import inspect
import io
import os
import signal
import sys

import numpy as np

from assignment_hooks import hooks
from course.grading.notebooks import read_master
from course.grading.reference import load_reference
from course.paths import master_notebook


def _cases(assignment, ref):
    """One input per graded function (args, seed set right before the call): the probe_cases(ref)
    of tests/assignments/<assignment>.py."""
    module = hooks(assignment)
    if module is None or not hasattr(module, "probe_cases"):
        raise KeyError(f"add tests/assignments/{assignment}.py with probe_cases(ref): one case per graded function")
    cases = module.probe_cases(ref)
    items = {item.id for item in read_master(master_notebook(ROOT, assignment)).items}
    if set(cases) != items:
        raise KeyError(f"tests/assignments/{assignment}.py: probe_cases gives {sorted(cases)}, the graded functions "
                       f"are {sorted(items)}")
    return cases


def _agrees(a, b):
    if isinstance(b, dict):
        # a subset will do (graders may check only some keys): the graders decide below
        return isinstance(a, dict) and 0 < len(a) and all(k in b and _agrees(a[k], b[k]) for k in a)
    if isinstance(b, (tuple, list)):
        return isinstance(a, (tuple, list)) and len(a) == len(b) and all(map(_agrees, a, b))
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def _module_functions(folder):
    """(module name, function name, function) for every top-level def of every .py file in folder."""
    found = []
    for path in sorted(folder.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"leakscan_{folder.name}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and callable(getattr(module, node.name, None)):
                found.append((path.stem, node.name, getattr(module, node.name)))
    return found


def _callable_with(func, n_args):
    try:
        inspect.signature(func).bind(*range(n_args))
        return True
    except (TypeError, ValueError):
        return False


@contextlib.contextmanager
def _deadline(seconds):
    def stop(*_):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def find_reference_implementations(assignment, folder, tmp_path):
    """The (module.function, graded item) pairs of folder that earn the item's full marks."""
    master_path = master_notebook(ROOT, assignment)
    ref = load_reference(str(master_path))
    cases = _cases(assignment, ref)
    old_cwd, old_path = os.getcwd(), list(sys.path)
    suspects = []
    try:
        os.chdir(folder)
        sys.path.insert(0, str(folder))
        functions = _module_functions(folder)
        for item, (args, seed) in cases.items():
            if seed is not None:
                np.random.seed(seed)
            expected = getattr(ref, item)(*args)
            for module, name, func in functions:
                if not _callable_with(func, len(args)):
                    continue
                if seed is not None:
                    np.random.seed(seed)
                try:
                    with _deadline(5), contextlib.redirect_stdout(io.StringIO()):
                        got = func(*[a.copy() if hasattr(a, "copy") else a for a in args])
                except BaseException:  # noqa: BLE001 - any failure means "not an implementation"
                    continue
                if _agrees(got, expected):
                    suspects.append((module, name, item))
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
    leaks = []
    course = ROOT
    if suspects and folder != ROOT / "release" / assignment:  # grade against the scanned folder
        import shutil

        from course.paths import copy_course

        course = copy_course(ROOT, tmp_path / "course")
        shutil.rmtree(course / "release" / assignment)
        shutil.copytree(folder, course / "release" / assignment)
    for module, name, item in suspects:  # confirm through the hidden graders
        from course.grading.engine import grade_submission

        nb_path = tmp_path / f"{module}-{name}-{item}" / master_path.name
        nb_path.parent.mkdir(parents=True)
        cells = {item: f"from {module} import {name} as {item}\n"}
        nbformat.write(solved_release_notebook(assignment, cells), str(nb_path))
        result = grade_submission(course, assignment, "leak", nb_path)
        assert result["status"] == "graded" and not result.get("grader_errors"), result["message"]
        item_result = next(i for i in result["items"] if i["id"] == item)
        if item_result["score"] == item_result["max_score"]:
            leaks.append((f"{module}.{name}", item))
    return leaks


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_reference_implementation(tmp_path, assignment):
    """Can any function a student receives (helper modules, public tests) be imported as a graded function for full marks?"""
    assert find_reference_implementations(assignment, ROOT / "release" / assignment, tmp_path) == []


def test_reference_scan_finds_a_planted_implementation(tmp_path):
    """Does the scan catch a correct backward pass hidden in a helper module under another name?"""
    import shutil

    folder = tmp_path / "gradient_checking"
    shutil.copytree(ROOT / "release" / "gradient_checking", folder)
    master = read_master(master_notebook(ROOT, "gradient_checking"))
    body = master.solution_sources["backward_propagation_n_fixed"].replace(
        "def backward_propagation_n_fixed(", "def _expected_gradients(")
    body = "\n".join(l for l in body.splitlines() if "SOLUTION" not in l)
    with (folder / "public_tests.py").open("a", encoding="utf-8") as f:
        f.write("\n\n" + body + "\n")
    leaks = find_reference_implementations("gradient_checking", folder, tmp_path / "scan")
    assert leaks == [("public_tests._expected_gradients", "backward_propagation_n_fixed")]


def test_points_live_in_the_notebook(course_copy):
    """Raising an autograder test cell's points in source/ (He: 3 -> 4) scales its graders: the master
    notebook then scores 9/9 plus the 2 points of the Xavier bonus, not 8/9 plus 2."""
    import nbformat as nbf

    from course.grading.engine import grade_submission

    course = course_copy
    master = course / "source" / "initialization" / "Initialization.ipynb"
    nb = nbf.read(master, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_initialize_parameters_he")
    cell.metadata["nbgrader"]["points"] = 4
    nbf.write(nb, str(master))
    r = grade_submission(course, "initialization", "source", master)
    assert (r["score"], r["max_score"]) == (11, 9)
    he = next(i for i in r["items"] if i["id"] == "initialize_parameters_he")
    assert sum(t["points"] for t in he["tests"]) == pytest.approx(4) and he["max_score"] == 4


def test_release_refuses_graders_that_disagree_with_the_notebook(tmp_path):
    """A grader test scoring an item the notebook does not grade (or an item without tests) stops
    the release with a clear error."""
    import os
    import subprocess
    import sys

    from course.paths import copy_course

    course = copy_course(ROOT, tmp_path / "course", ("source", "release", "graders", "datasets", "nbgrader_config.py"))
    grader = course / "graders" / "initialization" / "test_initialization.py"
    grader.write_text(grader.read_text().replace('item="initialize_parameters_zeros"', 'item="initialize_parameters_zero"'))
    # a fresh process, as `course release` always is (pytest keeps grader modules it imported)
    out = subprocess.run([sys.executable, "-m", "course.cli", "release", "initialization", "--release-only",
                          "--db", f"sqlite:///{tmp_path / 'gb.db'}"], cwd=course, capture_output=True, text=True,
                         env=dict(os.environ, COURSE_ROOT=str(course)))
    assert out.returncode == 1
    assert "initialize_parameters_zero'" in out.stderr and "no grader test for ['initialize_parameters_zeros']" in out.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_graded_cells_are_autograded_answers_and_test_cells(assignment):
    """nbgrader's model, so that its autograder and formgrader never see a manual item: each graded
    function's cell is an autograded answer (solution, no grade, no points) and the locked
    test_<function> cell after it is an autograder test cell carrying the item's points."""
    nb = nbformat.read(master_notebook(ROOT, assignment), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    items = read_master(master_notebook(ROOT, assignment)).items
    assert items
    for item in items:
        at = next(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == item.id)
        answer, test = cells[at].metadata["nbgrader"], cells[at + 1].metadata["nbgrader"]
        assert (answer["solution"], answer["grade"], "points" in answer) == (True, False, False), item.id
        assert (test["grade_id"], test["grade"], test["solution"], test["locked"]) == (item.grade_cell, True, False, True)
        expected = 0 if item.extra_credit else item.points
        assert test["points"] == expected, item.id
    assert not [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                and c.metadata["nbgrader"].get("solution")], "no manually graded answers"


def test_release_refuses_a_test_cell_named_after_no_function(course_copy):
    """An autograder test cell must be test_<function> of an answer cell: otherwise its points
    would grade nothing, and the release stops."""
    import nbformat as nbf

    from course.build import BuildError, check_points

    course = course_copy
    master = course / "source" / "initialization" / "Initialization.ipynb"
    nb = nbf.read(master, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_initialize_parameters_he")
    cell.metadata["nbgrader"]["grade_id"] = "check_he"
    nbf.write(nb, str(master))
    with pytest.raises(BuildError, match="'check_he' must be named test_<function>"):
        check_points(course, "initialization")
