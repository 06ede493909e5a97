"""`course extension` grants time to a student the course knows (issue 20): one with a submission,
one of the gradebook's roster, one with a course serve token; tests/test_cli_errors.py has the
refusal of an unknown one. Integration tier: the first grant puts the assignment into a new gradebook."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import ROOT
from course.grading.store import gradebook, gradebook_students
from course.paths import copy_course

A = "initialization"


def course_cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=course, capture_output=True, text=True,
                          env=dict(os.environ, COURSE_ROOT=str(course)), timeout=120)


def test_an_extension_for_a_known_student_is_granted(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    db = f"sqlite:///{course / 'gradebook.db'}"
    (course / "submitted" / "amy" / A).mkdir(parents=True)  # a submission, nowhere else
    with gradebook(db) as gb:
        gb.add_student("bob")  # the roster (nbgrader db student add)
    out = course_cli(course, "token", "cy")  # a course serve token
    assert out.returncode == 0, out.stderr
    for student, hours in (("amy", 48), ("bob", 24), ("cy", 1.5)):
        out = course_cli(course, "extension", A, student, "--hours", str(hours))
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f"{student}: extension of {hours:g} h on {A}"
    assert {"amy", "bob", "cy"} <= gradebook_students(db)
    with gradebook(db) as gb:
        assert {s: gb.find_submission(A, s).extension.total_seconds() for s in ("amy", "bob", "cy")} == {
            "amy": 48 * 3600, "bob": 24 * 3600, "cy": 1.5 * 3600}
