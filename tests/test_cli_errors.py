"""Mistakes an instructor makes on the command line end in one clear line and a non-zero exit
status (issue 20): a mistyped assignment id in every command that takes one, an extension for a
student the course does not know."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ASSIGNMENTS, ROOT
from course.cli import build_parser
from course.paths import copy_course

# every subcommand that takes assignment ids, with the rest of a valid command line
WITH_ASSIGNMENT = {
    "release": [],
    "grade": ["--db", "none"],
    "export": ["--db", "none"],
    "extension": ["alice", "--hours", "48"],
    "report": [],
    "gradescope": [],
    "samples": [],
    "sync": [],
}


def course_cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=course, capture_output=True, text=True,
                          env=dict(os.environ, COURSE_ROOT=str(course)), timeout=120)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return copy_course(ROOT, tmp_path_factory.mktemp("cli") / "course")


def test_every_command_with_an_assignment_is_checked():
    """The list below is the parser's: a new command taking an assignment id is tested too."""
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    taking = {name for name, p in sub.choices.items() if any(a.dest == "assignment" for a in p._actions)}
    assert taking == set(WITH_ASSIGNMENT)


@pytest.mark.parametrize("command", sorted(WITH_ASSIGNMENT))
def test_a_mistyped_assignment_is_one_line_naming_the_known_ones(course, command):
    before = sorted(p.relative_to(course) for p in course.rglob("*"))
    out = course_cli(course, command, "initialisation", *WITH_ASSIGNMENT[command])
    assert out.returncode == 2, (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr
    assert lines[0].startswith(f"course {command}: unknown assignment 'initialisation'")
    assert "did you mean 'initialization'?" in lines[0]
    assert lines[0].endswith("known assignments: " + ", ".join(ASSIGNMENTS))
    assert sorted(p.relative_to(course) for p in course.rglob("*")) == before  # nothing written


def test_one_unknown_among_known_ones_stops_the_command(course):
    out = course_cli(course, "export", "initialization", "nosuch", "--db", "none")
    assert out.returncode == 2 and "unknown assignment 'nosuch';" in out.stderr, out.stderr
    assert not (course / "grades.csv").exists()


def test_an_extension_for_an_unknown_student_is_refused(course):
    out = course_cli(course, "extension", "initialization", "zed", "--hours", "48")
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert out.stderr.strip().splitlines() == [
        "course extension: unknown student 'zed': not in the gradebook, no submission in submitted/ or "
        "autograded/ and no course serve token; nothing granted (add the student first: nbgrader db student add zed)"]
    assert not (course / "gradebook.db").exists()
