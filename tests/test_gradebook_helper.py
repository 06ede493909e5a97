"""The gradebook written from a helper process (course.grading.gradebook_process): the same rows as
written in process, its errors are the submission's gradebook errors, and a helper that died costs
nothing but the overlap (the grading process writes the gradebook itself)."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from helpers import ROOT, solved_release_notebook
from course.grading.batch import grade_all
from course.grading.gradebook_process import GradebookHelper, HelperGone
from course.paths import copy_course
from course.sandbox.process import Limits, bwrap_works

A = "initialization"
NB = "Initialization.ipynb"
FAST = Limits(call_timeout=5.0)
HE_WRONG = {"initialize_parameters_he": "def initialize_parameters_he(layers_dims):\n    return {}\n"}


def test_an_error_in_the_helper_is_raised_here_with_its_type():
    helper = GradebookHelper()
    try:
        with pytest.raises(KeyError):
            helper.call("no_such_call")
        with pytest.raises(Exception, match="unable to open database file"):
            helper.call("record_in_gradebook", "sqlite:////nonexistent/folder/gradebook.db",
                        {"student": "s", "assignment": A, "items": []}, "Initialization")
        assert helper.process.poll() is None  # still serving after both
    finally:
        helper.close()
    assert helper.process.returncode == 0


def test_a_helper_that_died_is_gone():
    helper = GradebookHelper()
    helper.process.kill()
    helper.process.wait()
    with pytest.raises(HelperGone):
        helper.call("record_in_gradebook", "sqlite:///x.db", {}, "Initialization")
    helper.close()


def _class(tmp_path: Path) -> tuple[Path, str]:
    course = copy_course(ROOT, tmp_path / "course")
    for student, cells in (("ana", {}), ("ben", HE_WRONG)):
        path = course / "submitted" / student / A / NB
        path.parent.mkdir(parents=True)
        nbformat.write(solved_release_notebook(A, cells), str(path))
    return course, f"sqlite:///{course / 'gradebook.db'}"


def _gradebook_scores(db: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(db) as gb:
        return {s.student.id: float(s.score) for s in gb.find_assignment(A).submissions}


@pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable")
@pytest.mark.parametrize("helper_state", ["alive", "dead"])
def test_grading_with_a_helper_records_every_submission(tmp_path, helper_state):
    """Whether the helper writes the rows or died before the first one (then this process writes
    them), the gradebook and results.json end the same."""
    course, db = _class(tmp_path)
    helper = GradebookHelper()
    if helper_state == "dead":
        helper.process.kill()
        helper.process.wait()
    try:
        results = grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None, gradebook_helper=helper)
    finally:
        helper.close()
    assert {r["student"]: (r["score"], r["gradebook"]) for r in results} == {"ana": (10.0, "recorded"),
                                                                            "ben": (7.0, "recorded")}
    assert _gradebook_scores(db) == {"ana": 10.0, "ben": 7.0}
    recorded = json.loads((course / "autograded" / "ben" / A / "results.json").read_text())
    assert recorded["late"] == {"seconds_late": 0.0, "late_penalty": 0.0} and "record_errors" not in recorded
