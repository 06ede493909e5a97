"""`course grade`'s progress lines name the assignment as well as the student (issue 20): one run
grades several assignments, and a line "alice: 10/8 graded" did not say which."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from helpers import ROOT
from course.paths import copy_course
from course.sandbox.process import bwrap_works

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable")

SUBMISSIONS = {("correct", "initialization"), ("ml_correct", "ml_setup")}


def _grade(course):
    out = subprocess.run([sys.executable, "-m", "course.cli", "grade", "initialization", "ml_setup", "--db", "none",
                          "--call-timeout", "10"], cwd=course, capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, COURSE_ROOT=str(course)))
    assert out.returncode == 0, out.stderr[-3000:]
    table = out.stdout.index("student ")  # the score table ends the output
    return out.stdout[:table].splitlines()


def test_progress_lines_name_student_and_assignment(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    for student, assignment in SUBMISSIONS:
        shutil.copytree(ROOT / "samples" / "submitted" / student / assignment, course / "submitted" / student / assignment)
    lines = _grade(course)
    graded = {(m.group(1), m.group(2)) for line in lines
              if (m := re.fullmatch(r"(\w+)/(\w+): \d+(\.\d+)?/\d+ graded \(\d+\.\d\d s\)", line))}
    assert graded == SUBMISSIONS, lines
    lines = _grade(course)
    skipped = {(m.group(1), m.group(2)) for line in lines
               if (m := re.fullmatch(r"(\w+)/(\w+): already graded \(\d+(\.\d+)?/\d+\), skipped", line))}
    assert skipped == SUBMISSIONS, lines
