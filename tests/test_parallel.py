"""Grading a class: Dask-parallel with a worker killed mid-run, and a run interrupted by SIGINT."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import json

import pytest

from course.grading.batch import grade_all
from course.grading.parallel import dask_client
from course.sandbox.process import Limits
from helpers import TINY, TINY_NB

A, NB_NAME = TINY, TINY_NB
LIMITS = Limits(call_timeout=3.0, memory_bytes=1 << 30)
# grade_id -> source of each student's cells (the others solved); the tiny grader's points give the scores
SUBMISSIONS = {
    "correct": {},
    "add_ints_only": {"add": "def add(a, b):\n    return int(a) + int(b)"},  # floats case wrong: add 0.5
    "scale_in_place": {"scale": "def scale(x, k):\n    x *= k\n    return x"},  # input changed: scale 1
    "scale_plus_one": {"scale": "def scale(x, k):\n    return x * k + 1"},
    "add_raises": {"add": "def add(a, b):\n    raise ValueError('no')"},
    "loop_in_function": {"scale": "def scale(x, k):\n    while True: pass\n"},
    "os_exit_in_function": {"scale": "def scale(x, k):\n    import os; os._exit(1)\n"},
    "syntax_error": {"add": "def add(a, b:\n    pass"},
}
EXPECTED = {"correct": (3, "graded"), "untouched": (0, "graded"), "add_ints_only": (2.5, "graded"),
            "scale_in_place": (2, "graded"), "scale_plus_one": (1, "graded"), "add_raises": (2, "graded"),
            "loop_in_function": (1, "timeout"), "os_exit_in_function": (1, "crashed"), "syntax_error": (2, "graded")}


def make_course(tiny_courses, tmp_path):
    """A copy of the tiny course with its untouched release, correct, wrong and hostile submissions."""
    tiny = tiny_courses(tmp_path / "course")
    tiny.submit("untouched", tiny.release())
    for student, cells in SUBMISSIONS.items():
        tiny.submit(student, tiny.solved(**cells))
    return tiny.root


def grade_results(course) -> list[dict]:
    return [json.loads(p.read_text()) for p in (course / "autograded").glob(f"*/{A}/results.json")]


@pytest.fixture(scope="module")
def serial_scores(tiny_courses, tmp_path_factory):
    course = make_course(tiny_courses, tmp_path_factory.mktemp("serial"))
    results = grade_all(course, A, db_url="none", limits=LIMITS, log=lambda *_: None)
    scores = {r["student"]: (r["score"], r["status"]) for r in results}
    assert scores == EXPECTED
    return scores


def test_parallel_with_a_killed_worker_grades_each_once(tiny_courses, tmp_path, serial_scores):
    """Kill a worker after the first result: every submission is recorded exactly once, scores as serial."""
    course = make_course(tiny_courses, tmp_path)
    logged = []
    with dask_client(workers=2) as client:
        pids = list(client.run(os.getpid).values())
        assert len(pids) == 2

        def log(line):
            if not logged:
                os.kill(pids[0], signal.SIGKILL)
            logged.append(line)

        results = grade_all(course, A, db_url="none", limits=LIMITS, client=client, log=log)
        assert pids[0] not in client.run(os.getpid).values()  # the worker really died (and was replaced)
    students = [line.split(":")[0].removesuffix(f"/{A}") for line in logged]  # "student/assignment: ..."
    assert Counter(students) == Counter(list(serial_scores))  # each exactly once
    assert {r["student"]: (r["score"], r["status"]) for r in results} == serial_scores
    assert len(list((course / "autograded").glob(f"*/{A}/results.json"))) == len(serial_scores)


def test_sigint_then_rerun_completes_without_regrading(tiny_courses, tmp_path, serial_scores):
    """Interrupt `course grade` with SIGINT; the rerun grades only what is missing."""
    course = make_course(tiny_courses, tmp_path)
    env = dict(os.environ, PATH=str(os.path.dirname(sys.executable)) + os.pathsep + os.environ["PATH"])
    cmd = [sys.executable, "-m", "course.cli", "grade", A, "--db", "none", "--call-timeout", "3"]
    proc = subprocess.Popen(cmd, cwd=course, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results_dir = course / "autograded"
    deadline = time.monotonic() + 120
    while len(list(results_dir.glob(f"*/{A}/results.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    done_first = {p.parent.parent.name: p.stat().st_mtime_ns for p in results_dir.glob(f"*/{A}/results.json")}
    assert 2 <= len(done_first) < len(serial_scores), "the interrupt should land mid-run"

    rerun = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    for student in done_first:
        assert f"{student}/{A}: already graded" in rerun.stdout
    # the submission being graded when Ctrl-C came is not recorded as a grading error
    assert not [r for r in grade_results(course) if r["status"] == "error"]
    after = {p.parent.parent.name: p.stat().st_mtime_ns for p in results_dir.glob(f"*/{A}/results.json")}
    assert set(after) == set(serial_scores)
    assert all(after[s] == mtime for s, mtime in done_first.items())  # not regraded
