"""Late work: nbgrader's late-submission policies, plus a per-hour penalty, per assignment.

Configured in nbgrader_config.py, where nbgrader's own autograder reads it too
(``c.AssignLatePenalties.plugin_class = "course.late.LatePenalty"``):

    c.LatePenalty.penalty_method = "per_hour"      # "none" (default), "zero" or "per_hour"
    c.LatePenalty.points_per_hour = 1.0            # per started hour late, never below a score of 0
    c.LatePenalty.per_assignment = {"initialization": "zero"}   # overrides penalty_method

Due dates live in nbgrader's gradebook (``nbgrader db assignment add ID --duedate=...``) and
extensions on a student's submission (``course extension``); a submission's time comes from
times the student cannot write, its ``timestamp.txt`` only within them (course.grading.arrival).
"""
from __future__ import annotations

import math

from nbgrader.plugins.latesubmission import LateSubmissionPlugin  # not nbgrader.plugins: it imports the gradebook
from traitlets import Dict, Enum, Float, Unicode

METHODS = ("none", "zero", "per_hour")


class LatePenalty(LateSubmissionPlugin):
    """nbgrader's LateSubmissionPlugin with a per-hour penalty and a policy per assignment."""

    penalty_method = Enum(METHODS, default_value="none",
                          help="'none', 'zero' (the late notebook scores 0) or 'per_hour'").tag(config=True)
    points_per_hour = Float(1.0, help="points taken per started hour late ('per_hour')").tag(config=True)
    per_assignment = Dict(value_trait=Enum(METHODS), help="assignment id -> method, overriding "
                          "penalty_method").tag(config=True)
    assignment_id = Unicode("", help="the assignment being graded (set by the caller)")

    def method(self) -> str:
        return self.per_assignment.get(self.assignment_id, self.penalty_method)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        """The points to take off ``score`` for a notebook ``total_seconds_late`` late (None: none)."""
        if total_seconds_late <= 0 or score <= 0:
            return None
        method = self.method()
        if method == "zero":
            return score
        if method == "per_hour":
            return min(score, self.points_per_hour * math.ceil(total_seconds_late / 3600))
        return None
