"""Recording a graded submission: a configured list of writers, then results.json.

Every output of one submission (the feedback page, the autograded notebook formgrader opens, the
gradebook row, and any other format) is a ``Writer``: ``what`` names it in error messages and
``write(result, recording)`` writes it. ``c.CourseGrading.outputs`` in nbgrader_config.py lists
them by name (``WRITERS``) or as ``module:Class`` for a writer of your own. results.json is always
written last: it says what was recorded, and a submission counts as graded only once it exists.
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from course.config import DEFAULT_OUTPUTS
from course.grading.arrival import submission_time
from course.grading.autograded import write_autograded
from course.grading.feedback import write_feedback
from course.grading.gradebook_process import HelperGone
from course.grading.result import Result
from course.grading.store import (gradebook_identity, read_results, record_in_gradebook, results_path,
                                  write_json_atomically)
from course.grading.text import clean_record
from course.paths import master_notebook


@dataclass(frozen=True)
class Recording:
    """Where one graded submission is recorded, and what its writers need besides the result."""

    root: Path  # the course (source/, release/, graders/)
    data: Path  # the class's data: autograded/, feedback/
    assignment: str
    notebook_id: str  # the master notebook's name without .ipynb
    notebook: Path  # the submitted notebook
    folder: Path  # its submitted/<student>/<assignment>/ folder
    db_url: str  # the gradebook ("none": none)
    late_policy: object  # course.late.LatePenalty
    when: dict  # course.grading.arrival.submission_time()
    feedback_html: str | None  # the page a worker rendered, else None (rendered by FeedbackPage)
    gradebook_helper: object | None = None  # course.grading.gradebook_process.GradebookHelper, if started
    new_submission: bool = False  # another notebook than the one recorded before (manual grades are dropped)
    while_waiting: Callable[[], None] | None = None  # the writers' prepare(): run while the gradebook helper writes


class Writer(Protocol):
    what: str

    def write(self, result: Result, recording: Recording) -> None: ...

    # optional: ``prepare()`` warms what write() will need (templates); it runs while this process
    # waits for the gradebook helper, and may fail harmlessly


class FeedbackPage:
    what = "feedback"

    def prepare(self) -> None:
        from course.html import compile_templates

        compile_templates("feedback.html", "base.html", "macros.html", "plot.svg")

    def write(self, result: Result, recording: Recording) -> None:
        # a page a worker rendered before the gradebook's late penalty was known is rendered again
        late = (result.get("late") or {}).get("late_penalty")
        write_feedback(recording.data, result, None if late else recording.feedback_html, recording.notebook_id,
                       recording.folder)


class AutogradedNotebook:
    what = "autograded notebook"

    def write(self, result: Result, recording: Recording) -> None:
        write_autograded(recording.root, result, recording.notebook_id, recording.notebook, recording.folder,
                         class_dir=recording.data)


class GradebookRow:
    """nbgrader's gradebook: scores per grade cell, the submission time and the late penalty."""
    what = "gradebook"
    first = True  # it computes the late penalty that the other records show

    def write(self, result: Result, recording: Recording) -> None:
        if recording.db_url == "none":
            return
        result["gradebook"] = "not recorded"  # until the write below succeeds
        when = recording.when
        args = (recording.db_url, result, recording.notebook_id, when["time"], recording.late_policy)
        kwargs = {"fail_closed": bool(when["problem"]), "claimed": when["claimed_time"],
                  "new_submission": recording.new_submission}
        helper = recording.gradebook_helper
        try:
            if helper is None:
                raise HelperGone
            result["late"] = helper.call("record_in_gradebook", *args, while_waiting=recording.while_waiting, **kwargs)
        except HelperGone:
            result["late"] = record_in_gradebook(*args, **kwargs)
        dropped = result["late"].pop("manual_grades_dropped", None)
        if dropped:
            result["manual_grades_dropped"] = dropped
        if when["problem"]:
            result["late"]["timestamp_problem"] = when["problem"]
        result["gradebook"] = "recorded"
        result["gradebook_db"] = gradebook_identity(recording.db_url)


# What recording adds to the engine's result (course.grading.result.Result), set again by each recording.
RECORDED_FIELDS = ("submission", "submitted_at", "late", "late_notice", "gradebook", "gradebook_db", "record_errors")

WRITERS: dict[str, type] = {"feedback": FeedbackPage, "autograded": AutogradedNotebook, "gradebook": GradebookRow}


def writers(names=DEFAULT_OUTPUTS) -> list[Writer]:
    """The writers named in ``names`` (keys of WRITERS or ``module:Class``); ValueError for an unknown one."""
    out = []
    for name in names:
        if name in WRITERS:
            out.append(WRITERS[name]())
        elif ":" in name:
            module, _, cls = name.partition(":")
            out.append(getattr(importlib.import_module(module), cls)())
        else:
            raise ValueError(f"unknown output {name!r} in c.CourseGrading.outputs: use one of {sorted(WRITERS)} "
                             "or module:Class")
    return out


def record_result(root: Path, assignment: str, result: Result, feedback_html: str | None, *, stamp: dict,
                  folder: Path, db_url: str, late_policy, class_dir: Path | None = None,
                  outputs: list[Writer] | None = None, gradebook_helper=None,
                  notebook: Path | None = None) -> Result:
    """Record one graded submission: each writer in turn, then results.json, which says whether the
    gradebook has it (a submission is "already graded" only once every record of it exists). Each
    writer may fail for this submission alone (a full disk, a locked database): it is reported on
    stderr and in ``record_errors``, and the next one still runs.

    Inputs:
    - result: the record from grade_submission (updated in place with submission, submitted_at, late, gradebook)
    - feedback_html: the page if a worker rendered it (else rendered here)
    - stamp: submission_stamp() of the graded notebook; folder: its submitted/<s>/<a>/ folder
    - db_url: the gradebook ("none": no gradebook); late_policy: course.late.LatePenalty
    - class_dir: where autograded/ and feedback/ go (default: root)
    - outputs: the writers (default: writers(), the course's usual three)
    - gradebook_helper: a GradebookHelper that writes the gradebook (None: this process writes it)
    - notebook: the graded file when it is not ``folder``/<master's name> (a renamed notebook)
    """
    data = class_dir or root
    for key in RECORDED_FIELDS:  # a result recorded before (into another gradebook) is recorded afresh
        result.pop(key, None)
    clean_record(result)  # no terminal escapes, nothing unencodable: every record below can be written
    student = result["student"]
    notebook_id = master_notebook(root, assignment).stem
    result["submission"] = stamp
    notebook = notebook or folder / f"{notebook_id}.ipynb"
    # Lateness from times the student cannot write (the exchange's arrival, collect time), never
    # timestamp.txt alone; a stamp that is not believed fails closed (late) and says so.
    when = submission_time(root, student, assignment, notebook, stamp)
    result["submitted_at"] = {"time": when["time"].isoformat() + "Z" if when["time"] else None,
                              "source": when["source"], "problem": when["problem"]}
    if when["problem"]:
        result["late_notice"] = when["problem"]
        feedback_html = None  # a page rendered by a worker does not carry the notice: rendered here
    previous = read_results(data, student, assignment)
    new_submission = previous is not None and (previous.get("submission") or {}).get("sha256") != stamp.get("sha256")
    if previous is not None and not new_submission and previous.get("manual_grades_dropped"):
        result["manual_grades_dropped"] = previous["manual_grades_dropped"]  # a regrade of it still says so
    chosen = writers() if outputs is None else outputs
    warmups = [w.prepare for w in chosen if callable(getattr(w, "prepare", None))]

    def prepare_writers() -> None:
        for prepare in warmups:
            prepare()

    recording = Recording(root, data, assignment, notebook_id, notebook, folder, db_url, late_policy, when,
                          feedback_html, gradebook_helper, new_submission, while_waiting=prepare_writers)
    for writer in sorted(chosen, key=lambda w: not getattr(w, "first", False)):  # stable: the rest keep their order
        try:
            writer.write(result, recording)
        except Exception as exc:
            _failed(result, writer.what, exc)
    try:
        write_json_atomically(results_path(data, student, assignment), result)
    except Exception as exc:
        _failed(result, "results.json", exc)
    return result


def _failed(result: Result, what: str, exc: Exception) -> None:
    message = f"{what}: {type(exc).__name__}: {str(exc)[:500]}"
    print(f"error: {result['student']}: could not write the {message}", file=sys.stderr)
    result.setdefault("record_errors", []).append(message)
