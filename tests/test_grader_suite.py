"""The graders collected once per process (course.grading.graders.GraderSuite) and run again for each
submission: every run sees its own submission, a changed grader file is collected again, and a
broken one is an error, never a stale result. No sandbox: the ``submission`` here is a plain object."""
from __future__ import annotations

import os
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from course.grading.notebooks import GradedItem
from course.grading.plugin import grader_suite

ITEMS = [GradedItem("add", 2.0), GradedItem("scale", 1.0)]

GRADER = '''
import pytest

from course.checks import fail

LOG = []


@pytest.fixture(scope="session")
def answer(submission):
    LOG.append(("setup", submission.name))  # a session fixture: set up again for every submission
    yield submission.answer
    LOG.append(("teardown", submission.name))


@pytest.mark.grade(item="add", points=2)
def test_add(answer, reference):
    """add is right"""
    if answer != reference.expected:
        fail(f"{{answer}} is not {{reference.expected}}")


@pytest.mark.grade(item="scale", points=1)
def test_scale(submission, feedback):
    """scale is right"""
    if submission.plot:
        feedback.curves("loss", {{"train": [1.0, 0.5]}})
    {scale_body}
'''


def write_graders(root: Path, scale_body: str = "pass") -> Path:
    graders = root / "graders" / "fake"
    graders.mkdir(parents=True, exist_ok=True)
    path = graders / "test_fake.py"
    before = path.stat().st_mtime_ns if path.exists() else None
    path.write_text(GRADER.format(scale_body=scale_body))
    if before is not None and path.stat().st_mtime_ns == before:  # a coarse clock: make the change visible
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))
    return graders


def run(graders: Path, master, **submission):
    suite = grader_suite(graders, master)
    session = SimpleNamespace(name="s", answer=3, plot=False) if not submission else SimpleNamespace(**submission)
    return suite, suite.plugin.run(suite, session, SimpleNamespace(expected=3))


def scores(results) -> dict[str, tuple[bool, float, str]]:
    return {r.name: (r.passed, r.points, r.message) for r in results}


def test_each_run_sees_its_own_submission_and_session_fixtures_are_set_up_again(tmp_path):
    graders = write_graders(tmp_path)
    master = SimpleNamespace(items=ITEMS)
    suite, first = run(graders, master, name="a", answer=3, plot=True)
    again, second = run(graders, master, name="b", answer=4, plot=False)
    assert again is suite  # collected once
    assert scores(first) == {"test_add": (True, 2.0, ""), "test_scale": (True, 1.0, "")}
    assert scores(second) == {"test_add": (False, 2.0, "4 is not 3"), "test_scale": (True, 1.0, "")}
    assert first[1].plot == {"title": "loss", "xlabel": "", "ylabel": "", "curves": {"train": [1.0, 0.5]}}
    assert second[1].plot is None  # the plot of the previous submission's run does not stay on the test
    log = suite.items[0].module.LOG
    assert log == [("setup", "a"), ("teardown", "a"), ("setup", "b"), ("teardown", "b")]


def test_a_changed_grader_is_collected_again(tmp_path):
    graders = write_graders(tmp_path)
    master = SimpleNamespace(items=ITEMS)
    suite, results = run(graders, master)
    assert scores(results)["test_scale"] == (True, 1.0, "")
    write_graders(tmp_path, scale_body='fail("scale is never right now")')
    changed, results = run(graders, master)
    assert changed is not suite
    assert scores(results)["test_scale"] == (False, 1.0, "scale is never right now")


def test_a_changed_master_is_collected_again(tmp_path):
    graders = write_graders(tmp_path)
    suite, results = run(graders, SimpleNamespace(items=ITEMS))
    doubled = [GradedItem("add", 4.0), GradedItem("scale", 1.0)]  # the master now gives add 4 points
    changed, results = run(graders, SimpleNamespace(items=doubled))
    assert changed is not suite
    assert scores(results)["test_add"] == (True, 4.0, "")


def test_a_grader_that_does_not_import_is_an_error_every_time(tmp_path):
    graders = write_graders(tmp_path, scale_body="pass\ndef broken(:")
    for _ in range(2):  # not cached: the next submission tries again and gets the same error
        with pytest.raises(RuntimeError, match="(?s)could not collect the graders.*test_fake.py.*SyntaxError"):
            grader_suite(graders, SimpleNamespace(items=ITEMS))


def test_graders_that_disagree_with_the_master_are_an_error(tmp_path):
    graders = write_graders(tmp_path)
    with pytest.raises(RuntimeError, match="graders and notebook disagree"):
        grader_suite(graders, SimpleNamespace(items=[GradedItem("add", 2.0)]))


def test_an_interrupted_run_leaves_nothing_set_up(tmp_path):
    """Ctrl-C in a test reaches the caller (the batch stops); the next run starts clean."""
    graders = write_graders(tmp_path)
    master = SimpleNamespace(items=ITEMS)

    class Interrupting:
        name, plot = "i", False

        @property
        def answer(self):
            raise KeyboardInterrupt

    suite = grader_suite(graders, master)
    with pytest.raises(KeyboardInterrupt):
        suite.plugin.run(suite, Interrupting(), SimpleNamespace(expected=3))
    again, results = run(graders, master, name="after", answer=3, plot=False)
    assert again is not suite  # collected again, from a clean start
    assert scores(results) == {"test_add": (True, 2.0, ""), "test_scale": (True, 1.0, "")}
    assert again.items[0].module.LOG == [("setup", "after"), ("teardown", "after")]


def test_a_second_submission_reuses_the_collected_items(tmp_path):
    """What the suite is for (its figures are in bench/time_breakdown.py): the same pytest items,
    not a new configuration and collection, for the next submission."""
    graders = write_graders(tmp_path)
    master = SimpleNamespace(items=ITEMS)
    suite, _ = run(graders, master)
    items = list(suite.items)
    again, _ = run(graders, master, name="b", answer=3, plot=False)
    assert again is suite and again.items == items and len(items) == 2
