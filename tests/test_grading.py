"""Grading end to end: exact scores for hostile submissions, unreadable and missing notebooks, batches
that record every result and resume, all on the tiny synthetic course (tests/fixtures/tiny_course); and
the real assignments' samples and masters graded with their documented scores."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import nbformat
import pytest

from course.grading.batch import grade_all
from course.grading.engine import grade_submission
from course.grading.result import check_result, dumps, loads
from course.sandbox.process import Limits, bwrap_works
from helpers import ASSIGNMENTS, ROOT, TINY, TINY_FULL, TINY_NB, fast_limits, item_scores, sample_scores, with_zero

A, NB_NAME = TINY, TINY_NB
FAST = fast_limits()
# The tiny grader's points (its docstring): add 1 (0.5 per case: ints, floats); scale 2 (0.5 per value
# case, 1 for leaving its input unchanged).
FULL = TINY_FULL
ADD = "def add(a, b):\n    return a + b\n"
SCALE = "def scale(x, k):\n    return np.multiply(x, k)\n"


def zero(*ids):
    return with_zero(FULL, *ids)


# --- the tiny course: the machinery -------------------------------------------------------------

def test_source_scores_full(tiny_course):
    """Graded as a submission, does the master notebook get full marks, with every timing recorded?"""
    r = grade_submission(tiny_course.root, A, "source", tiny_course.root / "source" / A / NB_NAME)
    assert (r["score"], r["max_score"], r["status"]) == (3, 3, "graded")
    assert item_scores(r) == FULL
    # the phases bench/time_breakdown.py reports: all recorded, nested ones inside their parent
    t = r["timings"]
    assert set(t) == {"read", "reference", "workdir", "sandbox_start", "child_start", "setup", "cells",
                      "graders", "graders_collect", "child_calls"}
    assert all(v >= 0 for v in t.values())
    assert t["child_start"] + t["setup"] + t["cells"] <= t["sandbox_start"]
    assert t["graders_collect"] + t["child_calls"] <= t["graders"]
    assert t["child_calls"] > 0


def test_grading_is_independent_of_cwd_and_loaded_modules(tiny_course, tmp_path, monkeypatch):
    """A course without an ini file, graded from /, while a module named like the grader is already loaded."""
    path = tiny_course.submit("correct", tiny_course.solved())
    monkeypatch.setitem(sys.modules, "test_tiny", types.ModuleType("test_tiny"))
    monkeypatch.chdir("/")
    r = grade_submission(tiny_course.root, A, "correct", path, limits=FAST)
    assert (r["score"], r["status"]) == (3, "graded"), r.get("message")


def test_release_scores_zero(tiny_course):
    """Does the untouched release get zero, with status graded?"""
    r = grade_submission(tiny_course.root, A, "release", tiny_course.root / "release" / A / NB_NAME)
    assert (r["score"], r["status"]) == (0, "graded")
    assert "NotImplementedError" in r["items"][0]["tests"][0]["message"]


def test_grader_points_match_notebook_points(tiny_course):
    """Are the grader's shares scaled to the notebook's points (add: 2 x 1 -> 0.5 each; scale: 1, 1, 2 -> 0.5,
    0.5, 1)?"""
    r = grade_submission(tiny_course.root, A, "source", tiny_course.root / "source" / A / NB_NAME)
    points = {i["id"]: sorted(t["points"] for t in i["tests"]) for i in r["items"]}
    assert points == {"add": [0.5, 0.5], "scale": [0.5, 0.5, 1.0]}
    for item in r["items"]:
        assert sum(t["points"] for t in item["tests"]) == item["max_score"], item["id"]


HOSTILE = {
    "loop_top_level": (dict(scale="while True:\n    pass\n" + SCALE), zero("scale"), "timeout"),
    "loop_in_function": (dict(scale="def scale(x, k):\n    while True: pass\n"), zero("scale"), "timeout"),
    "os_exit_top_level": (dict(add="import os\nos._exit(1)\n" + ADD), zero("add"), "crashed"),
    "os_exit_in_function": (dict(scale="def scale(x, k):\n    import os; os._exit(1)\n"), zero("scale"), "crashed"),
    "sys_exit": (dict(add="import sys\nsys.exit()\n"), zero("add"), "graded"),
    "raise_at_import": (dict(scale="import no_such_module_here\n" + SCALE), zero("scale"), "graded"),
    "syntax_error": (dict(add="def add(a, b:\n    pass"), zero("add"), "graded"),
    "memory_bomb": (dict(add="x = bytearray(8 << 30)\n" + ADD), zero("add"), "graded"),
    "print_50mb": (dict(add="print('x' * (50 << 20))\n" + ADD), FULL, "graded"),
    "stderr_warning": (dict(add="import warnings, sys\nwarnings.warn('harmless')\nprint('noise', file=sys.stderr)\n" + ADD),
                       FULL, "graded"),
    "patch_allclose": (dict(scale="np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                                  "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                                  "def scale(x, k):\n    return {}"), zero("scale"), "crashed"),
    "eq_always_true": (dict(add="class Anything(float):\n    def __eq__(self, other): return True\n"
                                "def add(a, b):\n    return Anything(0)"), zero("add"), "graded"),
    "ndarray_subclass": (dict(scale="class A(np.ndarray):\n    def __eq__(s, o): return np.ones(s.shape, bool)\n"
                                    "def scale(x, k):\n    return np.multiply(x, k).view(A)"), zero("scale"), "graded"),
    "add_ints_only": (dict(add="def add(a, b):\n    return int(a) + int(b)"), {**FULL, "add": 0.5}, "graded"),  # floats wrong
    "scale_in_place": (dict(scale="def scale(x, k):\n    x *= k\n    return x"), {**FULL, "scale": 1.0}, "graded"),
    "returns_nan": (dict(scale="def scale(x, k):\n    return np.full(np.shape(x), np.nan)"), zero("scale"), "graded"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_submission(tiny_course, tmp_path, name):
    """Does each hostile cell cost exactly its own function's points, with the right status?"""
    replacements, expected, status = HOSTILE[name]
    r = tiny_course.grade(tmp_path, tiny_course.solved(**replacements))
    assert item_scores(r) == expected
    assert r["status"] == status
    assert len(r["output"]) < 200_000  # output is capped
    assert check_result(r) == []


def test_submission_cannot_read_source_or_graders(tiny_course, tmp_path):
    """Can a submission read source/, graders/ or the gradebook, of the course it is graded in or of the
    repository? (bubblewrap: no file is visible)"""
    if not bwrap_works():
        pytest.skip("bubblewrap not usable: the limits-only mode does not hide files")
    course = tiny_course.root
    secrets = [course / "source" / A / NB_NAME, course / "graders" / A / "test_tiny.py", course / "gradebook.db",
               ROOT / "source" / "initialization" / "Initialization.ipynb",
               ROOT / "graders" / "initialization" / "test_initialization.py",
               ROOT / "samples" / "submitted" / "correct" / "initialization" / "Initialization.ipynb",
               ROOT / "nbgrader_config.py", Path(tempfile.gettempdir()) / "course-secret-gradebook.db"]
    secrets[-1].write_text("a gradebook")  # under the host's /tmp, which the sandbox replaces
    probe = (
        "import os, glob\n"
        f"targets = {[str(p) for p in secrets]!r}\n"
        "targets += ['../../source/tiny/Tiny.ipynb', '../graders', '../../graders']\n"
        "paths = [p for p in targets if os.path.exists(p)]\n"
        "def scale(x, k):\n"
        "    if paths: return {'leak': len(paths)}\n"
        "    return np.multiply(x, k)\n"
    )
    r = tiny_course.grade(tmp_path, tiny_course.solved(scale=probe))
    assert item_scores(r) == FULL
    assert r["isolation"] == "bwrap"
    # The probe does find the files outside the sandbox, so it can fail.
    outside: dict = {"np": __import__("numpy")}
    exec(probe.replace("'../../", f"'{course}/x/../"), outside)
    assert len(outside["paths"]) == len(secrets)


def test_submission_cannot_write_outside(tiny_course, tmp_path):
    """Does a write outside the sandbox fail (and a write into its own folder too)?"""
    if not bwrap_works():
        pytest.skip("bubblewrap not usable")
    target = tmp_path / "pwned.txt"
    cell = f"open({str(target)!r}, 'w').write('x')\n" + ADD
    r = tiny_course.grade(tmp_path, tiny_course.solved(add=cell))
    assert not target.exists()
    assert item_scores(r) == zero("add")


def test_process_burst_is_cleaned_up(tiny_course, tmp_path):
    """Do processes left running by a submission die with it, and does a burst over the process
    budget fail only the cell that started it?"""
    if not bwrap_works():
        pytest.skip("bubblewrap not usable: PID namespace needed")
    spawn = ("import subprocess, sys\n"
             "procs = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']) for _ in range({n})]\n")
    for n, expected in ((20, FULL), (200, zero("add"))):
        cell = spawn.format(n=n) + ADD
        r = tiny_course.grade(tmp_path, tiny_course.solved(add=cell), limits=Limits(call_timeout=30))
        assert item_scores(r) == expected, n
        left = subprocess.run(["pgrep", "-f", "time.sleep(600)"], capture_output=True, text=True).stdout.split()
        assert left == []


def test_points_metadata_edits_are_ignored(tiny_course, tmp_path):
    """Raised points (on the test cell and the answer cell) and a renamed grade_id: points come from
    source/, the function is found by def."""
    nb = tiny_course.solved()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test_scale":
            meta["points"] = 100
        if meta.get("grade_id") == "scale":
            meta.update(points=100, grade=True, grade_id="renamed")
    r = tiny_course.grade(tmp_path, nb)
    assert (r["score"], r["max_score"]) == (3, 3)
    scale = next(i for i in r["items"] if i["id"] == "scale")
    assert scale["matched_by"] == "def"


def test_stripped_metadata_deleted_duplicated_reordered_retyped(tiny_course, tmp_path):
    """Cells with no metadata, duplicated, reordered, deleted or turned into markdown."""
    def stripped():
        nb = tiny_course.solved()
        by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        for c in nb.cells:
            c.metadata.pop("nbgrader", None)
        return nb, by_id

    nb, by_id = stripped()
    cells = nb.cells
    by_id["add"].cell_type = "markdown"  # retyped
    by_id["add"].pop("outputs", None)
    by_id["add"].pop("execution_count", None)
    cells.insert(0, nbformat.v4.new_code_cell(SCALE.replace("np.multiply(x, k)", "np.multiply(x, k) + 1")))  # duplicate, earlier
    cells.reverse()  # reordered: the wrong duplicate now comes last
    r = tiny_course.grade(tmp_path, nb)
    assert item_scores(r) == zero("add", "scale")
    cells.reverse()
    r = tiny_course.grade(tmp_path, nb)
    assert item_scores(r) == zero("add")

    nb, by_id = stripped()
    nb.cells.remove(by_id["scale"])  # deleted
    r = tiny_course.grade(tmp_path, nb)
    assert item_scores(r) == zero("scale")


@pytest.mark.parametrize("content,status", [
    ("", "invalid-notebook"), ("{not json", "invalid-notebook"), ('{"cells": 5}', "invalid-notebook"),
    (b"\xff\xfe\x00", "invalid-notebook"),
])
def test_unreadable_notebooks(tiny_course, tmp_path, content, status):
    r = tiny_course.grade(tmp_path, content)
    assert (r["score"], r["status"]) == (0, status)
    assert r["message"] and len(r["items"]) == 2


def test_missing_notebook(tiny_course, tmp_path):
    r = grade_submission(tiny_course.root, A, "s", tmp_path / NB_NAME)
    assert (r["score"], r["status"]) == (0, "missing")


def test_nbformat3_is_converted_and_graded(tiny_course, tmp_path):
    """An nbformat 3 file (older Jupyter) is converted and graded normally."""
    v3 = nbformat.convert(tiny_course.solved(), 3)
    path = tmp_path / NB_NAME
    path.write_text(nbformat.writes(v3, version=3))
    assert json.loads(path.read_text())["nbformat"] == 3
    r = grade_submission(tiny_course.root, A, "s", path, limits=FAST)
    assert (r["score"], r["status"]) == (3, "graded")


def test_batch_records_every_result_and_resumes(tiny_course, tmp_path):
    """A batch writes results.json per student, skips graded ones unless forced, fills the gradebook."""
    course = tiny_course.root
    tiny_course.submit("correct", tiny_course.solved())
    tiny_course.submit("scale_in_place", tiny_course.solved(**HOSTILE["scale_in_place"][0]))
    tiny_course.submit("broken", "{")
    db = tiny_course.db_url  # `course release` put the assignment in this gradebook
    results = grade_all(course, A, db_url=db, log=lambda *_: None)
    assert {r["student"]: r["score"] for r in results} == {"correct": 3, "scale_in_place": 2, "broken": 0}
    for student in ("correct", "scale_in_place", "broken"):
        recorded = json.loads((course / "autograded" / student / A / "results.json").read_text())
        assert check_result(recorded) == [], student  # with what recording added
        assert loads(dumps(recorded)) == recorded
        html = (course / "feedback" / student / A / "Tiny.html").read_text()
        assert "np.multiply" not in html and "expect_array" not in html  # no solution, no grader code
    logs = []
    again = grade_all(course, A, db_url=db, log=logs.append)
    assert all("skipped" in line for line in logs) and len(again) == 3
    out = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={course}",
                          f"--CourseDirectory.db_url={db}", f"--to={tmp_path / 'nb.csv'}"],
                         cwd=course, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader((tmp_path / "nb.csv").open()))
    scores = {row["student_id"]: float(row["score"]) for row in rows}
    assert scores == {"correct": 3.0, "scale_in_place": 2.0, "broken": 0.0}, rows


def test_a_child_the_host_cannot_start_is_a_sandbox_error_and_graded_again(tiny_course, monkeypatch):
    """A crash restarts the child; when the host cannot start one (here: preexec fails), the result
    says "sandbox error", costs the student nothing for good, and the next run grades it again."""
    from course.sandbox import process

    course = tiny_course.root
    tiny_course.submit("s", tiny_course.solved(add="import os\nos._exit(1)"))
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
    assert (again["status"], item_scores(again)) == ("crashed", zero("add"))


def test_batch_of_all_hostile_submissions(tiny_course):
    """A batch holding every hostile submission completes: one result each, honest students unaffected."""
    course = tiny_course.root
    expected = {}
    for name, (replacements, scores, status) in HOSTILE.items():
        tiny_course.submit(name, tiny_course.solved(**replacements))
        expected[name] = (sum(scores.values()), status)
    for name, content in {"empty": "", "bad_json": "{",
                          "nbformat3": nbformat.writes(nbformat.convert(tiny_course.solved(), 3), version=3)}.items():
        tiny_course.submit(name, content)
    (course / "submitted" / "no_notebook" / A).mkdir(parents=True)
    tiny_course.submit("honest_correct", tiny_course.solved())
    tiny_course.submit("honest_add_only", tiny_course.solved(scale="def scale(x, k):\n    raise NotImplementedError()"))
    expected.update(empty=(0, "invalid-notebook"), bad_json=(0, "invalid-notebook"), nbformat3=(3, "graded"),
                    no_notebook=(0, "missing"), honest_correct=(3, "graded"), honest_add_only=(1, "graded"))

    results = grade_all(course, A, db_url="none", limits=FAST, log=lambda *_: None)
    got = {r["student"]: (r["score"], r["status"]) for r in results}
    assert got == expected
    assert sorted(p.parent.parent.name for p in (course / "autograded").glob(f"*/{A}/results.json")) == sorted(expected)


# --- the real assignments: their samples and masters ---------------------------------------------

SAMPLES = sample_scores()


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


