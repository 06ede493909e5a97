"""The grading result: one record per graded submission, the schema every view reads.

The engine creates it (course.grading.engine), recording adds where it went
(course.grading.batch.record_result), and results.json stores it as JSON; the feedback page, the
autograded notebook, the gradebook, grades.csv, the report, ``course serve`` and the Gradescope
export all read it. ``check_result`` says what in a record does not fit this schema.
"""
from __future__ import annotations

import json
from typing import Any, Literal, TypedDict, get_args, get_type_hints

Status = Literal["graded", "missing", "invalid-notebook", "timeout", "crashed", "error"]
CellStatus = Literal["ok", "error", "timeout", "crashed", "missing", "skipped", "not-run"]


class TestRow(TypedDict, total=False):
    """One hidden grader test."""
    name: str  # the test function (with its parametrized case, if any)
    points: float  # its share of the item's points (the item's cell points, split by the marks)
    passed: bool
    message: str  # for the student: why it failed (Chinese), "" when it passed
    description: str  # the test's docstring, first line
    case: str  # pytest's id of the parametrized case, "" when not parametrized
    internal_error: str  # a grader bug (traceback): for instructors only, never shown to students
    plot: dict | None  # curves for the feedback page (course.grading.plugin.Feedback)
    form_only: bool  # present (True) when the values were right in a wrong container: the test's points are
    #                  kept and its item loses course.checks.FORM_PENALTY once (docs/grading-policy.md)


class ItemResult(TypedDict, total=False):
    """One graded function (an nbgrader grade cell)."""
    id: str  # the function's name = the answer cell's grade_id
    score: float
    max_score: float  # the item's points (an extra-credit item's are its bonus)
    extra_credit: bool  # a bonus: its points add on top of the assignment's maximum
    cell: CellStatus  # what happened when the student's cell ran
    matched_by: str  # how the cell was found in the submission (grade_id, definition, ...)
    notes: list[str]  # messages about the cell (for the student)
    tests: list[TestRow]


class Late(TypedDict, total=False):
    seconds_late: float
    late_penalty: float  # points the late policy takes off (0.0 when none)
    timestamp_problem: str  # why the student's own timestamp was not believed (then: late)


class DroppedManualGrade(TypedDict):
    item: str  # the graded function, or the hand-graded cell's name
    manual_score: float | None
    comment: str | None


class SubmittedAt(TypedDict):
    time: str | None  # ISO time (UTC, "Z") the submission counts as handed in
    source: str  # which trusted clock said so (exchange arrival, collect, service, ...)
    problem: str | None


class Result(TypedDict, total=False):
    """One graded submission (results.json)."""
    student: str
    assignment: str
    score: float  # sum of the items' scores, extra credit included; before any late penalty
    max_score: float  # what the required items give
    status: Status
    message: str  # the whole submission's problem, for the student ("" when graded; a renamed notebook's note)
    isolation: Literal["bwrap", "limits-only"]
    items: list[ItemResult]
    output: str  # what the submission printed (clipped)
    seconds: float  # wall-clock grading time
    timings: dict[str, float]  # seconds per phase (bench/time_breakdown.py)
    sandbox: dict  # which limits held for the child (course.sandbox.process.Sandbox.enforced)
    grader_errors: list[str]  # grader or machinery failures, for instructors
    # added when recorded (course.grading.batch.record_result):
    submission: dict  # {"sha256", "timestamp", "note" if renamed}: which version of the notebook this is
    submitted_at: SubmittedAt
    late: Late
    late_notice: str  # for the student: why the submission counts as late
    gradebook: Literal["recorded", "not recorded"]
    gradebook_db: str  # which gradebook it is recorded in (store.gradebook_identity: the URL without password)
    record_errors: list[str]  # records that could not be written (reported, retried next run)
    manual_grades_dropped: list[DroppedManualGrade]  # given on an older submission, removed from the gradebook


def _check(value: Any, hint: Any, where: str, problems: list[str]) -> None:
    origin = getattr(hint, "__origin__", None)
    args = get_args(hint)
    if hint is Any:
        return
    if isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__annotations__"):  # a TypedDict
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        hints = get_type_hints(hint)
        for key, sub in value.items():
            if key not in hints:
                problems.append(f"{where}.{key}: not in the schema (course.grading.result.{hint.__name__})")
            else:
                _check(sub, hints[key], f"{where}.{key}", problems)
        missing = [k for k in getattr(hint, "__required_keys__", ()) if k not in value]
        problems += [f"{where}.{k}: missing" for k in missing]
        return
    if origin is Literal:
        if value not in args:
            problems.append(f"{where}: {value!r} is not one of {list(args)}")
        return
    if origin is list:
        if not isinstance(value, list):
            problems.append(f"{where}: expected a list, got {type(value).__name__}")
            return
        for i, sub in enumerate(value):
            _check(sub, args[0], f"{where}[{i}]", problems)
        return
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object, got {type(value).__name__}")
        elif args:
            for key, sub in value.items():
                _check(sub, args[1], f"{where}.{key}", problems)
        return
    if args and type(None) in args:  # X | None
        if value is not None:
            _check(value, next(a for a in args if a is not type(None)), where, problems)
        return
    if hint is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{where}: expected a number, got {type(value).__name__}")
        return
    if isinstance(hint, type) and not isinstance(value, hint):
        problems.append(f"{where}: expected {hint.__name__}, got {type(value).__name__}")


def check_result(result: Any) -> list[str]:
    """What in ``result`` does not fit the schema (unknown keys, wrong types); [] when it all fits."""
    problems: list[str] = []
    _check(result, Result, "result", problems)
    return problems


def dumps(result: Result) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1)


def loads(text: str) -> Result:
    return json.loads(text)
