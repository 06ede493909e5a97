"""Grading end to end: exact scores for samples and hostile submissions, records never lost."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from helpers import ASSIGNMENTS, ROOT, release_notebook
from course.paths import copy_course
from course.grading.batch import grade_all
from course.grading.result import check_result, dumps, loads
from course.grading.engine import grade_submission
from course.samples import _solutions
from course.sandbox.process import Limits, bwrap_works

A = "initialization"
NB_NAME = "Initialization.ipynb"
SOLUTIONS = _solutions(ROOT / "source" / A / NB_NAME)
FAST = Limits(call_timeout=3.0, memory_bytes=1 << 30)


def solved_notebook(**replacements) -> nbformat.NotebookNode:
    """The release notebook with every graded cell solved, except those replaced."""
    nb = release_notebook(A)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in SOLUTIONS:
            cell.source = replacements.get(gid, SOLUTIONS[gid])
    return nb


def grade_nb(tmp_path, nb_or_text, **kw):
    path = tmp_path / NB_NAME
    if isinstance(nb_or_text, (str, bytes)):
        path.write_bytes(nb_or_text if isinstance(nb_or_text, bytes) else nb_or_text.encode())
    else:
        nbformat.write(nb_or_text, str(path))
    return grade_submission(ROOT, A, "s", path, limits=kw.pop("limits", FAST), **kw)


def item_scores(result):
    return {i["id"]: i["score"] for i in result["items"]}


FULL = {"initialize_parameters_zeros": 2, "initialize_parameters_random": 3,
        "initialize_parameters_he": 3, "initialize_parameters_xavier": 2}


def with_zero(*ids):
    return {k: (0 if k in ids else v) for k, v in FULL.items()}


def test_source_scores_full(tmp_path):
    """Graded as a submission, does the master notebook get full marks?"""
    r = grade_submission(ROOT, A, "source", ROOT / "source" / A / NB_NAME)
    assert (r["score"], r["max_score"], r["status"]) == (10, 8, "graded")  # xavier's 2 are extra credit
    # the phases bench/time_breakdown.py reports: all recorded, nested ones inside their parent
    t = r["timings"]
    assert set(t) == {"read", "reference", "sandbox_start", "child_start", "setup", "cells",
                      "graders", "graders_collect", "child_calls"}
    assert all(v >= 0 for v in t.values())
    assert t["child_start"] + t["setup"] + t["cells"] <= t["sandbox_start"]
    assert t["graders_collect"] + t["child_calls"] <= t["graders"]
    assert t["child_calls"] > 0


def test_grading_is_independent_of_cwd_and_loaded_modules(tmp_path, monkeypatch):
    """A course without an ini file, graded from /, while a module named like the grader is already loaded."""
    import types

    course = copy_course(ROOT, tmp_path / "course")
    monkeypatch.setitem(sys.modules, "test_initialization", types.ModuleType("test_initialization"))
    monkeypatch.chdir("/")
    r = grade_submission(course, A, "correct", ROOT / "samples" / "submitted" / "correct" / A / NB_NAME, limits=FAST)
    assert (r["score"], r["status"]) == (10, "graded"), r.get("message")


def test_release_scores_zero():
    """Does the untouched release get zero, with status graded?"""
    r = grade_submission(ROOT, A, "release", ROOT / "release" / A / NB_NAME)
    assert (r["score"], r["status"]) == (0, "graded")
    assert "NotImplementedError" in r["items"][0]["tests"][0]["message"]


def test_grader_points_match_notebook_points():
    """Does each item's grader points add up to its cell points in the master notebook?"""
    r = grade_submission(ROOT, A, "source", ROOT / "source" / A / NB_NAME)
    for item in r["items"]:
        assert sum(t["points"] for t in item["tests"]) == item["max_score"], item["id"]


def _sample_scores():
    """(assignment, student) -> score, from the SCORES of each tools/samples/<assignment>.py."""
    import importlib.util

    scores = {}
    for assignment in ASSIGNMENTS:
        path = ROOT / "tools" / "samples" / f"{assignment}.py"
        if path.is_file():
            spec = importlib.util.spec_from_file_location(f"sample_scores_{assignment}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            assert set(module.SCORES) == set(module.SAMPLES) | {"untouched"}, f"{path}: a score for every sample"
            scores.update({(assignment, student): score for student, score in module.SCORES.items()})
    return scores


SAMPLES = _sample_scores()


@pytest.mark.parametrize("assignment,student", SAMPLES)
def test_sample_submission_scores(assignment, student):
    """Does each committed sample get exactly its documented score?"""
    notebook = next((ROOT / "source" / assignment).glob("*.ipynb")).name
    r = grade_submission(ROOT, assignment, student, ROOT / "samples" / "submitted" / student / assignment / notebook)
    assert (r["score"], r["status"]) == (SAMPLES[assignment, student], "graded"), r
    assert check_result(r) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_master_full_release_zero(assignment):
    """Graded as submissions, does source/ score full marks and release/ zero?"""
    name = next((ROOT / "source" / assignment).glob("*.ipynb")).name
    full = grade_submission(ROOT, assignment, "source", ROOT / "source" / assignment / name)
    zero = grade_submission(ROOT, assignment, "release", ROOT / "release" / assignment / name)
    assert full["score"] == sum(i["max_score"] for i in full["items"]) >= full["max_score"] > 0 and zero["score"] == 0
    for item in full["items"]:
        assert sum(t["points"] for t in item["tests"]) == item["max_score"], item["id"]


HE_BODY = SOLUTIONS["initialize_parameters_he"]

HOSTILE = {
    "loop_top_level": (dict(initialize_parameters_he="while True:\n    pass\n" + HE_BODY),
                       with_zero("initialize_parameters_he"), "timeout"),
    "loop_in_function": (dict(initialize_parameters_he=HE_BODY.replace("np.random.seed(3)", "np.random.seed(3)\n    while True: pass")),
                         with_zero("initialize_parameters_he"), "timeout"),
    "os_exit_top_level": (dict(initialize_parameters_zeros="import os\nos._exit(1)\n" + SOLUTIONS["initialize_parameters_zeros"]),
                          with_zero("initialize_parameters_zeros"), "crashed"),
    "os_exit_in_function": (dict(initialize_parameters_he=HE_BODY.replace("np.random.seed(3)", "import os; os._exit(1)")),
                            with_zero("initialize_parameters_he"), "crashed"),
    "sys_exit": (dict(initialize_parameters_random="import sys\nsys.exit()\n"), with_zero("initialize_parameters_random"), "graded"),
    "raise_at_import": (dict(initialize_parameters_xavier="import no_such_module_here\n" + SOLUTIONS["initialize_parameters_xavier"]),
                        with_zero("initialize_parameters_xavier"), "graded"),
    "syntax_error": (dict(initialize_parameters_random="def initialize_parameters_random(layers_dims:\n    pass"),
                     with_zero("initialize_parameters_random"), "graded"),
    "memory_bomb": (dict(initialize_parameters_zeros="x = bytearray(8 << 30)\n" + SOLUTIONS["initialize_parameters_zeros"]),
                    with_zero("initialize_parameters_zeros"), "graded"),
    "print_50mb": (dict(initialize_parameters_zeros="print('x' * (50 << 20))\n" + SOLUTIONS["initialize_parameters_zeros"]),
                   FULL, "graded"),
    "stderr_warning": (dict(initialize_parameters_zeros="import warnings, sys\nwarnings.warn('harmless')\nprint('noise', file=sys.stderr)\n"
                            + SOLUTIONS["initialize_parameters_zeros"]), FULL, "graded"),
    "patch_allclose": (dict(initialize_parameters_he="np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                            "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                            "def initialize_parameters_he(layers_dims):\n    return {}"), with_zero("initialize_parameters_he"), "crashed"),
    "eq_always_true": (dict(initialize_parameters_he="class Anything(dict):\n    def __eq__(self, other): return True\n"
                            "def initialize_parameters_he(layers_dims):\n    return Anything()"), with_zero("initialize_parameters_he"), "graded"),
    "ndarray_subclass": (dict(initialize_parameters_zeros="class A(np.ndarray):\n    def __eq__(s, o): return np.ones(s.shape, bool)\n"
                              + SOLUTIONS["initialize_parameters_zeros"].replace("np.zeros((layers_dims[l], 1))", "np.zeros((layers_dims[l], 1)).view(A)")),
                         with_zero("initialize_parameters_zeros"), "graded"),
    "wrong_shapes": (dict(initialize_parameters_zeros=SOLUTIONS["initialize_parameters_zeros"].replace("(layers_dims[l], layers_dims[l - 1])", "(layers_dims[l - 1], layers_dims[l])")),
                     {**FULL, "initialize_parameters_zeros": 0.5}, "graded"),  # [1, 1] is square
    "returns_nan": (dict(initialize_parameters_zeros=SOLUTIONS["initialize_parameters_zeros"].replace("np.zeros((layers_dims[l], 1))", "np.full((layers_dims[l], 1), np.nan)")),
                    with_zero("initialize_parameters_zeros"), "graded"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_submission(tmp_path, name):
    """Does each hostile cell cost exactly its own function's points, with the right status?"""
    replacements, expected, status = HOSTILE[name]
    r = grade_nb(tmp_path, solved_notebook(**replacements))
    assert item_scores(r) == expected
    assert r["status"] == status
    assert len(r["output"]) < 200_000  # output is capped
    assert check_result(r) == []


SECRET_FILES = [ROOT / "source" / A / NB_NAME, ROOT / "graders" / A / "test_initialization.py",
                ROOT / "samples" / "submitted" / "correct" / A / NB_NAME, ROOT / "nbgrader_config.py",
                Path(tempfile.gettempdir()) / "course-secret-gradebook.db"]


def test_submission_cannot_read_source_or_graders(tmp_path):
    """Can a submission read source/, graders/ or the gradebook? (bubblewrap: no file is visible)"""
    if not bwrap_works():
        pytest.skip("bubblewrap not usable: the limits-only mode does not hide files")
    SECRET_FILES[-1].write_text("a gradebook")  # under the host's /tmp, which the sandbox replaces
    probe = (
        "import os, glob\n"
        f"targets = {[str(p) for p in SECRET_FILES]!r}\n"
        "targets += ['../../source/initialization/Initialization.ipynb', '../graders', '../../graders']\n"
        "paths = [p for p in targets if os.path.exists(p)]\n"
        "def initialize_parameters_he(layers_dims):\n"
        "    np.random.seed(3)\n"
        "    if paths: return {'leak': len(paths)}\n"
        "    return {'W%d' % l: np.random.randn(layers_dims[l], layers_dims[l-1]) * np.sqrt(2 / layers_dims[l-1]) for l in range(1, len(layers_dims))} | "
        "{'b%d' % l: np.zeros((layers_dims[l], 1)) for l in range(1, len(layers_dims))}\n"
    )
    r = grade_nb(tmp_path, solved_notebook(initialize_parameters_he=probe))
    assert item_scores(r) == FULL
    assert r["isolation"] == "bwrap"
    # The probe does find the files outside the sandbox, so it can fail.
    outside: dict = {"np": __import__("numpy")}
    exec(probe.replace("'../../", f"'{ROOT}/x/../"), outside)
    assert outside["paths"]


def test_submission_cannot_write_outside(tmp_path):
    """Does a write outside the sandbox fail (and a write into its own folder too)?"""
    if not bwrap_works():
        pytest.skip("bubblewrap not usable")
    target = tmp_path / "pwned.txt"
    cell = f"open({str(target)!r}, 'w').write('x')\n" + SOLUTIONS["initialize_parameters_zeros"]
    r = grade_nb(tmp_path, solved_notebook(initialize_parameters_zeros=cell))
    assert not target.exists()
    assert item_scores(r)["initialize_parameters_zeros"] == 0


def test_process_burst_is_cleaned_up(tmp_path):
    """Do processes left running by a submission die with it, and does a burst over the process
    budget fail only the cell that started it?"""
    if not bwrap_works():
        pytest.skip("bubblewrap not usable: PID namespace needed")
    spawn = ("import subprocess, sys\n"
             "procs = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']) for _ in range({n})]\n")
    for n, expected in ((20, FULL), (200, with_zero("initialize_parameters_zeros"))):
        cell = spawn.format(n=n) + SOLUTIONS["initialize_parameters_zeros"]
        r = grade_nb(tmp_path, solved_notebook(initialize_parameters_zeros=cell), limits=Limits(call_timeout=30))
        assert item_scores(r) == expected, n
        left = subprocess.run(["pgrep", "-f", "time.sleep(600)"], capture_output=True, text=True).stdout.split()
        assert left == []


def test_points_metadata_edits_are_ignored(tmp_path):
    """Raised points (on the test cell and the answer cell) and a renamed grade_id: points come from
    source/, the function is found by def."""
    nb = solved_notebook()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test_initialize_parameters_he":
            meta["points"] = 100
        if meta.get("grade_id") == "initialize_parameters_he":
            meta.update(points=100, grade=True, grade_id="renamed")
    r = grade_nb(tmp_path, nb)
    assert (r["score"], r["max_score"]) == (10, 8)
    he = next(i for i in r["items"] if i["id"] == "initialize_parameters_he")
    assert he["matched_by"] == "def"


def test_stripped_metadata_deleted_duplicated_reordered_retyped(tmp_path):
    """Cells with no metadata, duplicated, reordered, deleted or turned into markdown."""
    nb = solved_notebook()
    cells = nb.cells
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in cells}
    for c in cells:
        c.metadata.pop("nbgrader", None)
    cells.remove(by_id["initialize_parameters_random"])  # deleted
    by_id["initialize_parameters_xavier"].cell_type = "markdown"  # retyped
    by_id["initialize_parameters_xavier"].pop("outputs", None)
    by_id["initialize_parameters_xavier"].pop("execution_count", None)
    cells.insert(0, nbformat.v4.new_code_cell(SOLUTIONS["initialize_parameters_he"].replace("2 /", "1 /")))  # duplicate, earlier
    cells.reverse()  # reordered: the wrong duplicate now comes last
    r = grade_nb(tmp_path, nb)
    assert item_scores(r) == with_zero("initialize_parameters_random", "initialize_parameters_xavier",
                                       "initialize_parameters_he")
    cells.reverse()
    r = grade_nb(tmp_path, nb)
    assert item_scores(r) == with_zero("initialize_parameters_random", "initialize_parameters_xavier")


@pytest.mark.parametrize("content,status", [
    ("", "invalid-notebook"), ("{not json", "invalid-notebook"), ('{"cells": 5}', "invalid-notebook"),
    (b"\xff\xfe\x00", "invalid-notebook"),
])
def test_unreadable_notebooks(tmp_path, content, status):
    r = grade_nb(tmp_path, content)
    assert (r["score"], r["status"]) == (0, status)
    assert r["message"] and len(r["items"]) == 4


def test_missing_notebook(tmp_path):
    r = grade_submission(ROOT, A, "s", tmp_path / NB_NAME)
    assert (r["score"], r["status"]) == (0, "missing")


def test_nbformat3_is_converted_and_graded(tmp_path):
    """An nbformat 3 file (older Jupyter) is converted and graded normally."""
    nb = solved_notebook()
    v3 = nbformat.convert(nb, 3)
    path = tmp_path / NB_NAME
    path.write_text(nbformat.writes(v3, version=3))
    assert json.loads(path.read_text())["nbformat"] == 3
    r = grade_submission(ROOT, A, "s", path, limits=FAST)
    assert (r["score"], r["status"]) == (10, "graded")


def test_batch_records_every_result_and_resumes(tmp_path):
    """A batch writes results.json per student, skips graded ones unless forced, fills the gradebook."""
    import shutil

    course = tmp_path / "course"
    copy_course(ROOT, course)
    for student in ("correct", "init_he_sqrt1"):
        shutil.copytree(ROOT / "samples" / "submitted" / student / A, course / "submitted" / student / A)
    (course / "submitted" / "broken" / A).mkdir(parents=True)
    (course / "submitted" / "broken" / A / NB_NAME).write_text("{")
    db = f"sqlite:///{course / 'gradebook.db'}"
    from course.build import generate_release

    generate_release(course, A, tmp_path / "scratch-release", db)  # puts the assignment in the gradebook
    results = grade_all(course, A, db_url=db, log=lambda *_: None)
    assert {r["student"]: r["score"] for r in results} == {"correct": 10, "init_he_sqrt1": 7, "broken": 0}
    for student in ("correct", "init_he_sqrt1", "broken"):
        recorded = json.loads((course / "autograded" / student / A / "results.json").read_text())
        assert check_result(recorded) == [], student  # with what recording added
        assert loads(dumps(recorded)) == recorded
        html = (course / "feedback" / student / A / "Initialization.html").read_text()
        assert "np.random.randn" not in html and "expect_dict_of_arrays" not in html
    logs = []
    again = grade_all(course, A, db_url=db, log=logs.append)
    assert all("skipped" in line for line in logs) and len(again) == 3
    out = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={course}",
                          f"--CourseDirectory.db_url={db}", f"--to={tmp_path / 'nb.csv'}"],
                         cwd=course, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    import csv

    rows = list(csv.DictReader((tmp_path / "nb.csv").open()))
    scores = {row["student_id"]: float(row["score"]) for row in rows}
    assert scores == {"correct": 10.0, "init_he_sqrt1": 7.0, "broken": 0.0}, rows


def test_a_child_the_host_cannot_start_is_a_sandbox_error_and_graded_again(tmp_path, monkeypatch):
    """A crash restarts the child; when the host cannot start one (here: preexec fails), the result
    says "sandbox error", costs the student nothing for good, and the next run grades it again."""
    from course.sandbox import process

    course = copy_course(ROOT, tmp_path / "course")
    dest = course / "submitted" / "s" / A
    dest.mkdir(parents=True)
    nbformat.write(solved_notebook(initialize_parameters_zeros="import os\nos._exit(1)"), str(dest / NB_NAME))
    broken = {"host": False}
    real_start, real_no_new_privs = process.Sandbox.start, process._no_new_privs

    def start_then_break(self):
        real_start(self)
        broken["host"] = True  # every later fork sees it: the restart after the crash fails

    def no_new_privs():
        if broken["host"]:
            raise OSError(24, "Too many open files")
        real_no_new_privs()

    monkeypatch.setattr(process.Sandbox, "start", start_then_break)
    monkeypatch.setattr(process, "_no_new_privs", no_new_privs)
    [first] = grade_all(course, A, db_url="none", limits=FAST, log=lambda *_: None)
    assert first["status"] == "error", first
    assert first["message"].startswith("sandbox error") and "preexec" in first["message"]
    assert any(e.startswith("sandbox:") for e in first["grader_errors"])

    monkeypatch.undo()
    logs = []
    [again] = grade_all(course, A, db_url="none", limits=FAST, log=logs.append)
    assert any("grading failed last time" in line for line in logs), logs
    assert (again["status"], item_scores(again)) == ("crashed", with_zero("initialize_parameters_zeros"))


def test_batch_of_all_hostile_submissions(tmp_path):
    """A batch holding every hostile submission completes: one result each, honest students unaffected."""
    import shutil

    course = tmp_path / "course"
    copy_course(ROOT, course)
    submitted = course / "submitted"
    expected = {}
    for name, (replacements, scores, status) in HOSTILE.items():
        folder = submitted / name / A
        folder.mkdir(parents=True)
        nbformat.write(solved_notebook(**replacements), str(folder / NB_NAME))
        expected[name] = (sum(scores.values()), status)
    for name, content in {"empty": "", "bad_json": "{", "nbformat3": nbformat.writes(nbformat.convert(solved_notebook(), 3), version=3)}.items():
        (submitted / name / A).mkdir(parents=True)
        (submitted / name / A / NB_NAME).write_text(content)
    (submitted / "no_notebook" / A).mkdir(parents=True)
    for honest in ("correct", "init_he_sqrt1"):
        shutil.copytree(ROOT / "samples" / "submitted" / honest / A, submitted / honest / A)
    expected.update(empty=(0, "invalid-notebook"), bad_json=(0, "invalid-notebook"), nbformat3=(10, "graded"),
                    no_notebook=(0, "missing"), correct=(10, "graded"), init_he_sqrt1=(7, "graded"))

    results = grade_all(course, A, db_url="none", limits=FAST, log=lambda *_: None)
    got = {r["student"]: (r["score"], r["status"]) for r in results}
    assert got == expected
    assert sorted(p.parent.parent.name for p in (course / "autograded").glob(f"*/{A}/results.json")) == sorted(expected)
