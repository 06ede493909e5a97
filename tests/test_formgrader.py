"""nbgrader's formgrader on our results, over real HTTP: a Jupyter server with nbgrader's formgrader
extension, started from the course root on a loopback port, lists every graded submission, opens
each submission's page, and takes a manual adjustment that `course grade --force` keeps and
`course export` reports. Also nbgrader's own autograder on our notebooks: no item needs a manual grade."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import ROOT
from course.grading.batch import grade_all
from course.paths import copy_course
from course.sandbox.process import Limits, bwrap_works
from helpers import INIT_NB as NB_NAME, solutions, solved_notebook as _solved
from services import Formgrader, submit_payload

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable")

A = "initialization"
NOTEBOOK = NB_NAME.removesuffix(".ipynb")
SOLUTIONS = solutions(A)
HE_WRONG = SOLUTIONS["initialize_parameters_he"].replace("2 /", "1 /")
STAMP = "2026-11-20 10:00:00.000000 UTC"
EXPECTED = {"alice": 10.0, "bob": 7.0, "carl": 0.0}  # carl's notebook is not JSON


def _env(**extra) -> dict:
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **extra)


def _class(tmp_path: Path) -> Path:
    """A course with three graded submissions (with timestamps) and their gradebook."""
    course = copy_course(ROOT, tmp_path / "course")
    notebooks = {"alice": nbformat.writes(_solved(A)),
                 "bob": nbformat.writes(_solved(A, {"initialize_parameters_he": HE_WRONG})),
                 "carl": "{not a notebook"}
    for student, text in notebooks.items():
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True)
        (folder / NB_NAME).write_text(text, encoding="utf-8")
        (folder / "timestamp.txt").write_text(STAMP)
    results = grade_all(course, A, db_url=f"sqlite:///{course / 'gradebook.db'}", limits=Limits(call_timeout=5.0),
                        log=lambda *_: None)
    assert {r["student"]: r["score"] for r in results} == EXPECTED
    return course


@pytest.fixture
def formgrader(tmp_path):
    course = _class(tmp_path)
    server = Formgrader(course, tmp_path)
    try:
        server.wait_ready()
        yield course, server
    finally:
        server.stop()


def test_formgrader_lists_opens_and_keeps_a_manual_grade(formgrader, tmp_path):
    """Its API lists each graded submission (none needing a manual grade), every submission page
    opens (HTTP 200, our verdict in the test cells), and a manual score PUT through its API
    survives `course grade --force` and is what `course export` reports."""
    course, server = formgrader
    listed = {s["student"]: s for s in server.json(f"/formgrader/api/submissions/{A}")}
    assert {s: v["score"] for s, v in listed.items()} == EXPECTED
    assert all(v["autograded"] and not v["needs_manual_grade"] for v in listed.values())

    notebooks = {n["student"]: n for n in server.json(f"/formgrader/api/submitted_notebooks/{A}/{NOTEBOOK}")}
    assert set(notebooks) == set(EXPECTED)
    for student, entry in notebooks.items():
        status, page = server.get(f"/formgrader/submissions/{entry['id']}/")
        assert status == 200, (student, page[-2000:])
        assert "隐藏测试的评分结果" in page and 'id="test_initialize_parameters_he"' in page, student
    assert "未通过" in server.get(f"/formgrader/submissions/{notebooks['bob']['id']}/")[1]
    assert "评分说明" in server.get(f"/formgrader/submissions/{notebooks['carl']['id']}/")[1]

    grades = {g["name"]: g for g in server.json(f"/formgrader/api/grades?submission_id={notebooks['bob']['id']}")}
    assert set(grades) == {f"test_{f}" for f in SOLUTIONS}
    he = grades["test_initialize_parameters_he"]
    assert (he["auto_score"], he["manual_score"], he["needs_manual_grade"]) == (0.0, None, False)
    changed = server.json(f"/formgrader/api/grade/{he['id']}", "PUT", {"manual_score": 2.5, "extra_credit": None})
    assert changed["manual_score"] == 2.5
    comments = {c["name"]: c for c in server.json(f"/formgrader/api/comments?submission_id={notebooks['bob']['id']}")}
    assert set(comments) == set(SOLUTIONS)  # one per autograded answer cell
    comment = comments["initialize_parameters_he"]
    server.json(f"/formgrader/api/comment/{comment['id']}", "PUT", {"manual_comment": "思路对了，缩放因子错了"})

    env = _env(COURSE_ROOT=str(course))
    out = subprocess.run([sys.executable, "-m", "course.cli", "grade", A, "--force"], cwd=course, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    out = subprocess.run([sys.executable, "-m", "course.cli", "export", "--out", str(tmp_path / "grades.csv")],
                         cwd=course, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "grades.csv").open(encoding="utf-8"))}
    assert (float(rows["bob"]["initialize_parameters_he"]), float(rows["bob"]["total"]),
            rows["bob"]["manually_graded"]) == (2.5, 9.5, "initialize_parameters_he")
    assert {s: float(r["total"]) for s, r in rows.items() if s != "bob"} == {"alice": 10.0, "carl": 0.0}

    after = server.json(f"/formgrader/api/grade/{he['id']}")
    assert (after["auto_score"], after["manual_score"]) == (0.0, 2.5)
    assert server.json(f"/formgrader/api/comment/{comment['id']}")["manual_comment"] == "思路对了，缩放因子错了"
    assert server.json(f"/formgrader/api/submission/{A}/bob")["score"] == 9.5


def test_nbgrader_autograde_needs_no_manual_grade(tmp_path):
    """nbgrader's own autograder, run on a submission, finds only autograded answers and autograder
    test cells: every grade is automatic (it grades through our sandboxed engine, see
    course/grading/nbgrader_autograde.py) and none needs a manual grade."""
    from nbgrader.api import Gradebook

    course = copy_course(ROOT, tmp_path / "course", ("source", "release", "graders", "nbgrader_config.py"))
    db = f"sqlite:///{course / 'gradebook.db'}"
    folder = course / "submitted" / "dana" / A
    folder.mkdir(parents=True)
    nbformat.write(_solved(A, {"initialize_parameters_he": HE_WRONG}), str(folder / NB_NAME))
    common = [f"--CourseDirectory.root={course}", f"--CourseDirectory.db_url={db}"]
    for args in (["generate_assignment", A, "--force"], ["autograde", A, "--student=dana", "--ExecutePreprocessor.timeout=600"]):
        out = subprocess.run([sys.executable, "-m", "nbgrader", *args, *common], cwd=course, env=_env(),
                             capture_output=True, text=True)
        assert out.returncode == 0, (args, out.stderr[-3000:])
    with Gradebook(db) as gb:
        notebook = gb.find_submission_notebook(NOTEBOOK, A, "dana")
        grades = {g.name: (g.auto_score, g.needs_manual_grade) for g in notebook.grades}
        assert not notebook.needs_manual_grade
        xavier = gb.find_grade("test_initialize_parameters_xavier", NOTEBOOK, A, "dana").extra_credit
    # the hidden tests of the wrong He fail, every other one passes; Xavier is extra credit (0 points + 2)
    assert grades == {"test_initialize_parameters_zeros": (2, False), "test_initialize_parameters_random": (3, False),
                      "test_initialize_parameters_he": (0, False), "test_initialize_parameters_xavier": (0, False)}
    assert xavier == 2
    assert json.loads((course / "autograded" / "dana" / A / "results.json").read_text())["score"] == 7


def test_formgrader_autograde_button_grades_in_the_sandbox(formgrader):
    """formgrader's Autograde button (its API's POST .../autograde, the same Autograde converter as
    `nbgrader autograde`, run inside the Jupyter server as the instructor) on a correct notebook
    carrying a payload: graded by our engine (10, the extra credit included), and the payload
    neither wrote beside the course nor read the hidden grader."""

    course, server = formgrader
    submit_payload(course)
    answer = server.json(f"/formgrader/api/submission/{A}/mallory/autograde", "POST", {})
    assert answer["success"], answer
    assert not list(course.parent.rglob("PAYLOAD_RAN"))
    result = json.loads((course / "autograded" / "mallory" / A / "results.json").read_text())
    assert (result["score"], result["status"], result["isolation"]) == (10.0, "graded", "bwrap")
    listed = {s["student"]: s for s in server.json(f"/formgrader/api/submissions/{A}")}
    assert (listed["mallory"]["score"], listed["mallory"]["needs_manual_grade"]) == (10.0, False)
