"""A notebook the browser renamed (``Initialization (1).ipynb``, ``Initialization-Copy1.ipynb``) is
graded when it is the only notebook in the folder, with a note naming it; with several, the
"missing" message names what was found (issue 20)."""
from __future__ import annotations

import json

import nbformat
import pytest

from helpers import ROOT
from course.grading.batch import find_submissions, grade_all
from course.grading.result import check_result
from course.paths import copy_course
from course.sandbox.process import bwrap_works
from helpers import INIT_NB as NB_NAME, solutions, solved_notebook as _solved
from helpers import fast_limits

SOLUTIONS = solutions("initialization")
FAST = fast_limits()


def solved_notebook(**cells):
    return _solved("initialization", cells)

A = "initialization"
HE_WRONG = SOLUTIONS["initialize_parameters_he"].replace("2 /", "1 /")


def _course(tmp_path, files: dict[str, list[str]]):
    course = copy_course(ROOT, tmp_path / "course")
    for student, names in files.items():
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True)
        for name in names:
            nbformat.write(solved_notebook(initialize_parameters_he=HE_WRONG) if "wrong" in name else solved_notebook(),
                           str(folder / name))
    return course


def test_which_notebook_is_taken(tmp_path):
    """No grading: what find_submissions hands the grader, and the note for the student."""
    course = _course(tmp_path, {"amy": ["Initialization (1).ipynb"], "bob": ["Initialization-Copy1.ipynb", "x.ipynb"],
                                "cy": [NB_NAME, "Initialization-Copy1.ipynb"], "dan": []})
    (course / "submitted" / "dan" / A / "notes.txt").write_text("x")
    (course / "submitted" / "dan" / A / ".ipynb_checkpoints").mkdir()
    (course / "submitted" / "dan" / A / ".ipynb_checkpoints" / "Initialization-checkpoint.ipynb").write_text("{}")
    subs = {s.student: s for s in find_submissions(course, A, course / "submitted")}
    assert subs["amy"].notebook.name == "Initialization (1).ipynb"
    assert "“Initialization (1).ipynb”" in subs["amy"].note and NB_NAME in subs["amy"].note
    assert subs["bob"].notebook.name == NB_NAME  # several: none is guessed
    assert "“Initialization-Copy1.ipynb”、“x.ipynb”" in subs["bob"].note
    assert (subs["cy"].notebook.name, subs["cy"].note) == (NB_NAME, "")  # the master's name wins
    assert (subs["dan"].notebook.name, subs["dan"].note) == (NB_NAME, "")  # nothing else found


@pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable")
def test_a_renamed_notebook_is_graded_with_a_note(tmp_path):
    course = _course(tmp_path, {"amy": ["Initialization (1).ipynb"],
                                "bob": ["Initialization-Copy1.ipynb", "Initialization (2) wrong.ipynb"]})
    logs: list[str] = []
    results = {r["student"]: r for r in grade_all(course, A, db_url="none", limits=FAST, log=logs.append)}
    amy, bob = results["amy"], results["bob"]
    assert (amy["score"], amy["status"]) == (10, "graded")
    assert "“Initialization (1).ipynb”" in amy["message"] and "已按它评分" in amy["message"]
    assert (bob["score"], bob["status"]) == (0, "missing")
    assert bob["message"].startswith(f"找不到提交的 notebook：{NB_NAME}；")
    assert "“Initialization (2) wrong.ipynb”、“Initialization-Copy1.ipynb”" in bob["message"]
    assert any(line.startswith(f"amy/{A}: Initialization (1).ipynb: ") for line in logs), logs
    for student in ("amy", "bob"):
        recorded = json.loads((course / "autograded" / student / A / "results.json").read_text())
        assert check_result(recorded) == [], student
        html = (course / "feedback" / student / A / "Initialization.html").read_text()
        assert "Initialization (1).ipynb" in html if student == "amy" else "Initialization-Copy1.ipynb" in html
    # what formgrader opens: under the master's name, built from the renamed file
    autograded = nbformat.read(course / "autograded" / "amy" / A / NB_NAME, as_version=4)
    he = next(c for c in autograded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "initialize_parameters_he")
    assert he.source == SOLUTIONS["initialize_parameters_he"]

    logs.clear()
    again = {r["student"]: r for r in grade_all(course, A, db_url="none", limits=FAST, log=logs.append)}
    assert again["amy"]["score"] == 10 and any(line.startswith(f"amy/{A}: already graded (10/8)") for line in logs), logs
    # bob keeps one of them under the master's name: graded again, that file, no note
    folder = course / "submitted" / "bob" / A
    (folder / "Initialization (2) wrong.ipynb").rename(folder / NB_NAME)
    logs.clear()
    again = {r["student"]: r for r in grade_all(course, A, db_url="none", limits=FAST, log=logs.append)}
    assert (again["bob"]["score"], again["bob"]["status"], again["bob"]["message"]) == (7, "graded", "")
