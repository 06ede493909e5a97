"""pytest plugin that hands graders the ``submission`` and ``reference`` fixtures and records
one result per test: points, pass/fail and a message fit for the student."""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from course.checks import CheckFailed, take_form_notes
from course.grading.graders import GraderSuite, grade_marks, item_scales
from course.grading.session import SubmissionFailure


@dataclass
class TestResult:
    name: str
    item: str
    points: float
    passed: bool
    message: str = ""
    description: str = ""
    case: str = ""  # which parametrized case this row is (pytest's id), "" when not parametrized
    internal_error: str = ""  # a grader bug: shown to instructors, never to students
    plot: dict | None = None  # curves for the feedback page, see Feedback.curves
    form_only: bool = False  # right values in a wrong container (course.checks.note_wrong_form): points kept, item penalised once


class Feedback:
    """The ``feedback`` fixture: lets a grader attach a plot to its test's feedback."""

    def __init__(self):
        self.plot: dict | None = None

    MAX_CURVES, MAX_POINTS = 8, 500

    def curves(self, title: str, curves: dict, xlabel: str = "", ylabel: str = "") -> None:
        """Attach line plots: curves maps a label to a list of numbers (non-numeric series are dropped;
        at most MAX_CURVES curves, each thinned to at most MAX_POINTS evenly spaced points)."""
        clean = {}
        for label, values in list(curves.items())[:self.MAX_CURVES]:
            if type(values) in (list, tuple) and all(type(v) in (int, float) for v in values):
                step = max(1, -(-len(values) // self.MAX_POINTS))
                clean[str(label)[:100]] = [float(v) for v in values[::step]]
        self.plot = {"title": title, "xlabel": xlabel, "ylabel": ylabel, "curves": clean}


class GradingPlugin:
    """Registered once in a GraderSuite (graders collected once per process); ``run`` points it at
    each submission in turn."""

    def __init__(self, master_items):
        self.master_items = master_items
        self.collected: list[tuple[str, str, float]] = []
        self.scale: dict[str, float] = {}
        self.session = self.reference = None  # the submission being graded (SubmissionSession) and the reference
        self.results: list[TestResult] = []

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "grade(item, points): the graded function a test scores, and its points")

    @pytest.fixture(scope="session")
    def submission(self):
        return self.session

    @pytest.fixture(name="reference", scope="session")
    def reference_fixture(self):
        return self.reference

    @pytest.fixture
    def feedback(self, request):
        fb = Feedback()
        request.node._course_feedback = fb
        return fb

    def pytest_collection_modifyitems(self, session, config, items):
        self.collected.extend(grade_marks(items))
        self.scale = item_scales(self.master_items, self.collected)

    def run(self, suite, session, reference) -> list[TestResult]:
        """Run the suite's graders against ``session``; the results of its tests, in order."""
        self.session, self.reference, self.results = session, reference, []
        try:
            suite.run()
            return self.results
        finally:
            self.session = self.reference = None
            self.results = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        notes = take_form_notes()  # what this phase noted; the setup phase's (none expected) are dropped
        if report.when == "call" or (report.when == "setup" and report.failed):
            mark = item.get_closest_marker("grade")
            doc = (getattr(item, "function", None).__doc__ or "").strip().splitlines()
            callspec = getattr(item, "callspec", None)
            points = round(float(mark.kwargs["points"]) * self.scale.get(mark.kwargs["item"], 1.0), 9)
            result = TestResult(item.name, mark.kwargs["item"], points,
                                report.passed, description=doc[0] if doc else "",
                                case=callspec.id if callspec is not None else "")
            fb = getattr(item, "_course_feedback", None)
            item._course_feedback = None  # the item runs again for the next submission
            if fb is not None and fb.plot and fb.plot["curves"]:
                result.plot = fb.plot
            if report.when == "call" and report.passed and notes:
                result.passed, result.form_only, result.message = False, True, "\n".join(notes)
            if call.excinfo is not None:
                exc = call.excinfo.value
                if isinstance(exc, (CheckFailed, SubmissionFailure)):
                    result.message = str(exc)
                else:
                    result.message = "评分程序内部错误，已通知老师 (grader error)。"
                    result.internal_error = "".join(traceback.format_exception(exc))[-4000:]
            self.results.append(result)


_SUITES: dict[str, GraderSuite] = {}  # oldest first
MAX_SUITES = 8  # a course's assignments; more only when one process grades many course copies (tests)


def grader_suite(graders: Path, master) -> GraderSuite:
    """This process's collected graders for ``master`` (course.grading.notebooks.read_master), built
    again when a grader file or the master changed."""
    key = str(graders.resolve())
    suite = _SUITES.get(key)
    if suite is not None and not suite.broken and suite.plugin.master_items is master.items and suite.is_current():
        return suite
    if suite is not None:
        del _SUITES[key]
        suite.close()
    while len(_SUITES) >= MAX_SUITES:
        _SUITES.pop(next(iter(_SUITES))).close()
    suite = GraderSuite(graders, GradingPlugin(master.items))
    _SUITES[key] = suite
    return suite
