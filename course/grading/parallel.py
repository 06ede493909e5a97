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

from course.grading.engine import ungraded_result
from course.grading.feedback import render_feedback
from course.sandbox.process import Limits


def _grade_task(root: str, assignment: str, sub, limits: Limits, timeout: float,
                isolate: bool, warm: bool = False) -> tuple[dict, str | None]:
    """Runs on a worker: the result (JSON-ready plain data) and its rendered feedback page.

    Rendering here keeps the client, which serializes all writes, from becoming the bottleneck.
    ``warm``: take the sandbox child from this worker's warm pool (course.grading.pool).
    """
    from course.grading.batch import grade_one
    from course.grading.pool import process_pool

    result = grade_one(Path(root), assignment, sub, limits=limits, timeout=timeout, isolate=isolate,
                       pool=process_pool() if warm else None)
    try:
        return result, render_feedback(result)
    except Exception:  # the client renders it again and records the failure there
        return result, None


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
                  timeout: float, isolate: bool, record: Callable[..., None]) -> None:
    """Submit one task per submission and ``record(result, feedback_html)`` each as it completes."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {}
    for sub in submissions:
        future = client.submit(_grade_task, str(root), assignment, sub, limits, timeout, isolate,
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

