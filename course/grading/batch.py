"""Grade every submission of an assignment: skip the graded ones, record each result at once."""
from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from course.grading.engine import DEFAULT_SUBMISSION_TIMEOUT, grade_submission
from course.grading.feedback import write_feedback
from course.grading.store import read_results, record_in_gradebook, results_path, write_json_atomically
from course.paths import master_notebook
from course.sandbox.process import Limits, bwrap_works


_WARNED = False  # the limits-only warning is printed once per process


@dataclass(frozen=True)
class Submission:
    student: str
    notebook: Path


def find_submissions(root: Path, assignment: str, submitted: Path, students: list[str] | None = None) -> list[Submission]:
    """submitted/<student>/<assignment>/<master notebook name>, one per student folder."""
    name = master_notebook(root, assignment).name
    if students:
        ids = list(students)
    else:
        ids = sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir()) if submitted.is_dir() else []
    return [Submission(s, submitted / s / assignment / name) for s in ids]


def grade_all(root: Path, assignment: str, *, submitted: Path | None = None, students: list[str] | None = None,
              force: bool = False, timeout: float = DEFAULT_SUBMISSION_TIMEOUT, db_url: str | None = None,
              limits: Limits | None = None, workers: int | None = None, scheduler: str | None = None,
              client=None, progress: bool = False, log=print) -> list[dict]:
    """Grade (or reuse the recorded result of) every submission; returns all results.

    Serial in this process by default; on Dask when a ``client`` is given, or ``workers`` (a
    LocalCluster of that many processes) or ``scheduler`` (an existing cluster's address).
    """
    submitted = submitted or root / "submitted"
    db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    limits = limits or Limits()
    notebook_id = master_notebook(root, assignment).stem
    global _WARNED
    if not bwrap_works() and not _WARNED:
        _WARNED = True
        print("warning: bubblewrap (bwrap) is not usable here: grading with resource limits only "
              "(results record isolation: limits-only)", file=sys.stderr)
    results, todo = [], []
    for sub in find_submissions(root, assignment, submitted, students):
        previous = None if force else read_results(root, sub.student, assignment)
        if previous is not None:
            log(f"{sub.student}: already graded ({previous['score']:g}/{previous['max_score']:g}), skipped")
            results.append(previous)
        else:
            todo.append(sub)

    bar = tqdm(total=len(todo), desc=assignment, unit="sub", disable=not progress or not todo)
    failures = 0

    def record(result: dict, feedback_html: str | None = None) -> None:
        nonlocal failures
        # Write the result first: it is the record that survives an interrupted run.
        write_json_atomically(results_path(root, result["student"], assignment), result)
        write_feedback(root, result, feedback_html)
        if db_url != "none":
            record_in_gradebook(db_url, result, notebook_id)
        failures += result["status"] != "graded"
        bar.set_postfix(failures=failures)
        bar.update()
        log(f"{result['student']}: {result['score']:g}/{result['max_score']:g} {result['status']} "
            f"({result['seconds']:.2f} s)")
        results.append(result)

    try:
        if client is not None or workers or scheduler:
            from course.grading.parallel import dask_client, grade_on_dask

            with contextlib.nullcontext(client) if client is not None else dask_client(workers, scheduler) as c:
                grade_on_dask(c, root, assignment, todo, limits=limits, timeout=timeout, record=record)
        else:
            for sub in todo:
                record(grade_submission(root, assignment, sub.student, sub.notebook, limits=limits, timeout=timeout))
    finally:
        bar.close()
    return results


def score_table(results: list[dict]) -> str:
    """A plain-text table: student, assignment, score, max score, status."""
    sw = max([len("student"), *(len(r["student"]) for r in results)])
    aw = max([len("assignment"), *(len(r["assignment"]) for r in results)])
    lines = [f"{'student':<{sw}}  {'assignment':<{aw}}  {'score':>6} {'max':>6}  status"]
    for r in sorted(results, key=lambda r: (r["assignment"], r["student"])):
        lines.append(f"{r['student']:<{sw}}  {r['assignment']:<{aw}}  {r['score']:>6g} {r['max_score']:>6g}  {r['status']}")
    return "\n".join(lines)
