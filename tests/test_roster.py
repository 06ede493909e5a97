"""The class list in (course roster) and the grades out as Canvas's and Moodle's gradebook imports
(course export --format): the real CLI on a copy of the course, the gradebook through nbgrader."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import ROOT
from course.paths import assignments, copy_course

ROSTER = "\ufeffid,first_name,last_name,email\nalice,爱丽丝,王,alice@example.edu\nbob,Bob,Li,bob@example.edu\ncarol,,,\n"


def _cli(course: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=course, capture_output=True, text=True,
                          env=dict(os.environ, COURSE_ROOT=str(course), PATH="/usr/bin:/bin"))


def _result(course: Path, student: str, assignment: str, score: float, max_score: float) -> None:
    path = course / "autograded" / student / assignment / "results.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"student": student, "assignment": assignment, "score": score, "max_score": max_score,
                                "status": "graded", "items": [{"id": "f", "score": score, "max_score": max_score}]}))


def _course(tmp_path: Path) -> Path:
    course = copy_course(ROOT, tmp_path / "course")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    out = _cli(course, "roster", str(tmp_path / "roster.csv"), "--tokens")
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert lines[0] == "3 students in the gradebook"
    tokens = dict(line.split("\t") for line in lines[1:])
    assert sorted(tokens) == ["alice", "bob", "carol"] and len(set(tokens.values())) == 3
    _result(course, "alice", "initialization", 10.0, 8.0)
    _result(course, "bob", "initialization", 5.5, 8.0)
    _result(course, "bob", "regularization", 7.0, 10.0)
    _result(course, "dave", "regularization", 3.0, 10.0)  # not on the roster: still exported
    return course


def test_roster_puts_names_and_emails_into_the_gradebook(tmp_path):
    from nbgrader.api import Gradebook

    course = _course(tmp_path)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        people = {s.id: (s.first_name, s.last_name, s.email) for s in gb.students}
    assert people == {"alice": ("爱丽丝", "王", "alice@example.edu"), "bob": ("Bob", "Li", "bob@example.edu"),
                      "carol": (None, None, None)}


def test_canvas_and_moodle_gradebook_imports(tmp_path):
    """Canvas: Student, ID, SIS User ID, SIS Login ID, Section, one column per assignment, and the
    Points Possible row; Moodle: First name, Last name, ID number, Email address, "<a> (Real)".
    One row per student, the final grade (late penalty and manual grades included) per assignment."""
    course = _course(tmp_path)
    names = assignments(course)
    out = _cli(course, "export", "--format", "canvas")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "4 students, canvas's gradebook import" in out.stdout
    canvas = list(csv.reader((course / "grades-canvas.csv").open(encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names]
    column = {a: 5 + names.index(a) for a in names}
    assert canvas[1][:5] == ["Points Possible", "", "", "", ""]
    assert canvas[1][column["initialization"]] == "8" and canvas[1][column["regularization"]] == "10"
    rows = {r[2]: r for r in canvas[2:]}
    assert sorted(rows) == ["alice", "bob", "carol", "dave"]
    assert rows["alice"][:5] == ["王, 爱丽丝", "", "alice", "alice", ""]
    assert rows["carol"][0] == "carol" and set(rows["carol"][5:]) == {""}  # on the roster, nothing handed in
    assert (rows["alice"][column["initialization"]], rows["alice"][column["regularization"]]) == ("10", "")
    assert (rows["bob"][column["initialization"]], rows["bob"][column["regularization"]]) == ("5.5", "7")
    assert rows["dave"][column["regularization"]] == "3"

    out = _cli(course, "export", "--format", "moodle", "--out", str(tmp_path / "m.csv"))
    assert out.returncode == 0, out.stderr[-2000:]
    moodle = list(csv.reader((tmp_path / "m.csv").open(encoding="utf-8")))
    assert moodle[0] == ["First name", "Last name", "ID number", "Email address", *[f"{a} (Real)" for a in names]]
    rows = {r[2]: r for r in moodle[1:]}
    assert rows["bob"][:4] == ["Bob", "Li", "bob", "bob@example.edu"]
    assert rows["bob"][4 + names.index("regularization")] == "7"


def test_a_roster_that_cannot_be_read_is_refused_with_its_line(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    for text, message in (("name,email\nalice,a@x\n", "must name the columns, one of them 'id'"),
                          ("id\nalice\nbob\nalice\n", "line 4: student alice is listed twice"),
                          ("id\nalice\n../etc\n", "line 3: '../etc' is not a valid student id")):
        (tmp_path / "r.csv").write_text(text, encoding="utf-8")
        out = _cli(course, "roster", str(tmp_path / "r.csv"))
        assert out.returncode == 2 and message in out.stderr, (text, out.stderr)
    assert not (course / "gradebook.db").exists()  # nothing was written
