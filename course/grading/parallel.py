"""Grade submissions as Dask tasks: a LocalCluster on one machine, or an existing scheduler.

Workers only grade and return plain result dicts; the client alone writes results.json,
feedback and the gradebook, so SQLite never sees concurrent writers. A worker that dies
mid-task makes the scheduler run the task again elsewhere; the client records each
submission once, the first time its result arrives.
"""
from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path
from typing import Callable, Iterator

from course.grading.engine import grade_submission, ungraded_result
from course.grading.feedback import render_feedback
from course.sandbox.process import Limits


def _grade_task(root: str, assignment: str, student: str, notebook: str, limits: Limits,
                timeout: float) -> tuple[dict, str]:
    """Runs on a worker: the result (JSON-ready plain data) and its rendered feedback page.

    Rendering here keeps the client, which serializes all writes, from becoming the bottleneck.
    """
    result = grade_submission(Path(root), assignment, student, Path(notebook), limits=limits, timeout=timeout)
    return result, render_feedback(result)


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator:
    """A Client on an existing scheduler, or on a LocalCluster of ``workers`` processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def grade_on_dask(client, root: Path, assignment: str, submissions: list, *, limits: Limits,
                  timeout: float, record: Callable[..., None]) -> None:
    """Submit one task per submission and ``record(result, feedback_html)`` each as it completes."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {}
    for sub in submissions:
        future = client.submit(_grade_task, str(root), assignment, sub.student, str(sub.notebook), limits, timeout,
                               key=f"grade-{assignment}-{sub.student}-{run}", pure=False)
        futures[future] = sub
    recorded = set()
    for future in as_completed(futures):
        sub = futures[future]
        if sub.student in recorded:
            continue
        try:
            result, html_text = future.result()
        except Exception as exc:  # e.g. KilledWorker after repeated worker deaths
            result, html_text = ungraded_result(root, assignment, sub.student, "error",
                                                f"grading task failed: {type(exc).__name__}: {exc}"[:2000]), None
        recorded.add(sub.student)
        record(result, html_text)
