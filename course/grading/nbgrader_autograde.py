"""nbgrader's own Autograde (``nbgrader autograde``, formgrader's Autograde button) grading through
our sandboxed engine instead of running the student's notebook in a kernel as the instructor.

nbgrader's Autograde converter runs two lists of preprocessors, both traitlets-configurable
(nbgrader_config.py sets them): ``sanitize_preprocessors`` on the submitted notebook, whose output
goes to autograded/<s>/<a>/, then ``autograde_preprocessors`` on that copy. The course replaces the
first list with ``GradeInSandbox`` alone and empties the second, so nbgrader's ``Execute`` never
runs: the submission is graded exactly as ``course grade`` grades it (sandbox child, hidden
graders, trusted time and late policy) and recorded the same way (results.json, feedback, the
gradebook), and the notebook nbgrader writes is our autograded notebook. Without a usable
bubblewrap it refuses, with a message that points to ``course grade``.
"""
from __future__ import annotations

from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

REFUSAL = ("nbgrader autograde is disabled for this course: it would run the student's code "
           "unsandboxed as you. Grade with `course grade {assignment} --student {student}` (or `course grade "
           "{assignment}` for everyone); this configuration routes nbgrader autograde through that sandboxed "
           "engine only where it can: {why}")


class AutogradeRefused(Exception):
    """nbgrader autograde cannot grade here safely; the message says to use course grade."""


class GradeInSandbox(NbGraderPreprocessor):
    """Grade the submission with the course's sandboxed engine and return its autograded notebook."""

    course_root = Unicode("", help="the course repository (source/, release/, graders/); "
                          "default: CourseDirectory.root").tag(config=True)
    # The limits are the course's, c.CourseGrading.* (course.config): the same as course grade's.

    def _coursedir(self):
        converter = getattr(self.parent, "parent", None)  # preprocessor -> exporter -> Autograde converter
        coursedir = getattr(converter, "coursedir", None)
        if coursedir is None:
            raise AutogradeRefused(REFUSAL.format(assignment="ASSIGNMENT", student="STUDENT",
                                                  why="not run by nbgrader's Autograde converter"))
        return coursedir

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        from course.grading.autograded import build_autograded
        from course.grading.batch import find_submissions
        from course.grading.record import record_result
        from course.grading.unit import grade_one, submission_stamp
        from course.grading.store import ensure_assignment
        from course.config import Course
        from course.sandbox.process import bwrap_works

        info = resources["nbgrader"]
        student, assignment, db_url = info["student"], info["assignment"], info["db_url"]
        coursedir = self._coursedir()
        class_dir = Path(coursedir.root).resolve()
        root = Path(self.course_root).resolve() if self.course_root else class_dir
        if not bwrap_works():
            raise AutogradeRefused(REFUSAL.format(assignment=assignment, student=student,
                                                  why="bubblewrap is not usable on this machine"))
        [sub] = find_submissions(root, assignment, class_dir / coursedir.submitted_directory, [student])
        if sub.notebook.stem != info["notebook"]:
            raise AutogradeRefused(REFUSAL.format(assignment=assignment, student=student,
                                                  why=f"{info['notebook']}.ipynb is not this assignment's notebook"))
        course = Course(root, self.config)  # the config nbgrader loaded: nbgrader_config.py, its flags included
        limits = course.limits()
        ensure_assignment(root, assignment, db_url)
        result = grade_one(root, assignment, sub, limits=limits, timeout=course.submission_timeout(), launcher="bwrap")
        record_result(root, assignment, result, None, stamp=submission_stamp(sub, limits.notebook_bytes),
                      folder=sub.notebook.parent, db_url=db_url, late_policy=course.late_policy(assignment),
                      class_dir=class_dir, notebook=sub.notebook)
        for error in result.get("grader_errors") or []:  # a grader bug is the instructor's to fix: never quiet
            self.log.error("GRADER ERROR %s/%s: %s", student, assignment, str(error).splitlines()[-1:])
        self.log.info("%s/%s graded in the sandbox: %g/%g %s", student, assignment, result["score"],
                      result["max_score"], result["status"])
        return build_autograded(root, assignment, result, sub.notebook), resources


# Appended to a scratch course's nbgrader_config.py by the benchmarks only (bench/grade_speed.py,
# bench/grade_class.py), which time nbgrader's own Autograde (a kernel runs the notebook
# unsandboxed) on the course's sample submissions: never for a class's submissions.
STOCK_AUTOGRADE_CONFIG = """
# benchmark only: nbgrader's stock Autograde, which executes the notebook unsandboxed
from nbgrader.converters import Autograde as _StockAutograde
c.Autograde.sanitize_preprocessors = _StockAutograde.class_traits()["sanitize_preprocessors"].default()
c.Autograde.autograde_preprocessors = _StockAutograde.class_traits()["autograde_preprocessors"].default()
"""
