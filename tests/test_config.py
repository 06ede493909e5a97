"""One configuration: nbgrader_config.py sets the gradebook and the limits of every grading path,
command-line flags override them for one run, and nothing else has a default of its own."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from traitlets.config import Config

from helpers import ROOT
from course.config import Course, CourseGrading, sqlite_url
from course.sandbox.process import Limits

A = "initialization"


def _cli(course: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=course, capture_output=True, text=True,
                          env=dict(os.environ, COURSE_ROOT=str(course), **env))


def test_gradebook_url_comes_from_the_config_file(course_copy, monkeypatch):
    """COURSE_DB_URL reaches us the way it reaches nbgrader: through nbgrader_config.py."""
    course = course_copy
    monkeypatch.delenv("COURSE_DB_URL", raising=False)
    assert Course.load(course).db_url == sqlite_url(course.resolve() / "gradebook.db")
    monkeypatch.setenv("COURSE_DB_URL", "postgresql://grader@db.example/course")
    loaded = Course.load(course)
    assert loaded.db_url == "postgresql://grader@db.example/course"
    assert loaded.gradebook_url(course) == loaded.db_url
    # another class folder (the demo's samples/) keeps a gradebook of its own, never the class's
    assert loaded.gradebook_url(course / "samples") == sqlite_url(course.resolve() / "samples" / "gradebook.db")
    assert loaded.existing_gradebook(course / "samples") is None  # nothing there to read yet


def test_limit_defaults_are_those_the_sandbox_enforces():
    """CourseGrading's defaults are read from Limits, not written again."""
    grading, limits = CourseGrading(), Limits()
    assert grading.call_timeout == limits.call_timeout
    assert grading.memory_mb << 20 == limits.memory_bytes
    assert grading.max_notebook_mb << 20 == limits.notebook_bytes
    assert Course(ROOT, Config()).limits() == limits


def test_configured_limits_reach_course_grade_and_a_flag_overrides_them(course_copy):
    course = course_copy
    with (course / "nbgrader_config.py").open("a") as f:
        f.write("\nc.CourseGrading.call_timeout = 7.5\nc.CourseGrading.memory_mb = 1536\n")
    shutil.copytree(ROOT / "samples" / "submitted" / "correct" / A, course / "submitted" / "s1" / A)
    results = course / "autograded" / "s1" / A / "results.json"

    out = _cli(course, "grade", A, "--db", "none")
    assert out.returncode == 0, out.stderr[-3000:]
    enforced = json.loads(results.read_text())["sandbox"]
    assert enforced["call_timeout"] == 7.5 and enforced["per_process"]["memory_bytes"] == 1536 << 20

    out = _cli(course, "grade", A, "--db", "none", "--force", "--call-timeout", "9")
    assert out.returncode == 0, out.stderr[-3000:]
    enforced = json.loads(results.read_text())["sandbox"]
    assert enforced["call_timeout"] == 9.0 and enforced["per_process"]["memory_bytes"] == 1536 << 20
    assert json.loads(results.read_text())["score"] == 10.0


class ScoreLine:
    """A writer of our own (c.CourseGrading.outputs = [..., "test_config:ScoreLine"])."""
    what = "score line"

    def write(self, result, recording) -> None:
        (recording.data / "scores.txt").open("a").write(f"{result['student']} {result['score']:g}\n")


def test_outputs_are_the_configured_writers(course_copy, monkeypatch):
    """The configured list decides what is written besides results.json; an unknown name is refused."""
    import pytest

    from course.grading.batch import grade_all

    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    course = course_copy
    with (course / "nbgrader_config.py").open("a") as f:
        f.write('\nc.CourseGrading.outputs = ["autograded", "test_config:ScoreLine"]\n')
    shutil.copytree(ROOT / "samples" / "submitted" / "correct" / A, course / "submitted" / "s1" / A)
    [result] = grade_all(course, A, db_url="none", log=lambda *_: None)
    assert (course / "scores.txt").read_text() == "s1 10\n"
    assert (course / "autograded" / "s1" / A / "results.json").is_file()
    assert (course / "autograded" / "s1" / A / "Initialization.ipynb").is_file()
    assert not (course / "feedback").exists()  # not configured: not written
    assert "record_errors" not in result

    with (course / "nbgrader_config.py").open("a") as f:
        f.write('\nc.CourseGrading.outputs = ["feedback", "pdf"]\n')
    with pytest.raises(ValueError, match="unknown output 'pdf'"):
        grade_all(course, A, db_url="none", force=True, log=lambda *_: None)


def test_the_exchange_defaults_are_nbgraders():
    """course.grading.arrival states nbgrader's defaults instead of importing nbgrader.exchange for them."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.exchange import Exchange

    from course.grading import arrival

    assert arrival.EXCHANGE_ROOT_DEFAULT == Exchange.root.default_value
    assert arrival.COURSE_ID_DEFAULT == CourseDirectory.course_id.default_value
