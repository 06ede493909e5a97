"""The grading side of the service: a thread that takes queued attempts from serve.db, grades
them on Dask (a LocalCluster, or an existing scheduler) with the same engine as `course grade`,
and records each result exactly once. Each worker takes its sandbox children from its warm pool
(course.grading.pool), so a child's start is not part of an upload's wait.

An attempt is recorded in three steps: its own results.json and feedback page in its folder (the
durable mark that it was graded), then -- if it is still the student's latest attempt -- the
course's records exactly as `course grade` writes them (batch.record_result: feedback, gradebook,
autograded/<s>/<a>/results.json), then the job row. A server killed between any two steps finds
the job still 'grading' on restart: with the attempt's results.json present it only repeats the
idempotent recording, without grading again; without it, the attempt is graded again (nothing of
it was recorded).

The loop is supervised: an error in one step (serve.db unavailable, out of file descriptors, a
worker lost) is logged and the step retried with backoff, never the end of grading; ``health()``
says whether grading is progressing, for /healthz.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

from course.grading.record import record_result
from course.config import DEFAULT_SUBMISSION_TIMEOUT, Course
from course.grading.engine import ungraded_result
from course.grading.feedback import render_feedback
from course.grading.pool import close_process_pool, prewarm
from course.grading.store import write_json_atomically
from course.grading.text import clean_record
from course.grading.unit import Submission, grade_task, submission_stamp
from course.paths import assignments as list_assignments
from course.paths import master_notebook
from course.sandbox.launchers import select_launcher
from course.sandbox.process import Limits
from course.serve.db import Job, ServeDB

ATTEMPT_RESULT = "results.json"
ATTEMPT_FEEDBACK = "feedback.html"
CLAIM_TIMEOUT = 5.0  # seconds to wait for serve.db's write lock; then the step fails and is retried
MAX_BACKOFF = 30.0
STUCK_SECONDS = 60.0  # a loop that has not come round for this long is stuck (no step blocks so long)
RECORD_ATTEMPTS = 3  # recording a graded attempt is retried; then it is finished as an error


class WarmPoolPlugin(WorkerPlugin):
    """A worker's warm sandbox children (course.grading.pool) are killed, and their folders
    removed, when the worker closes, or when it is sent SIGTERM or SIGINT itself (a service
    manager or a terminal signals every process of the service, not only the server)."""

    name = "course-warm-pool"

    def setup(self, worker) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(signum)
            if previous is signal.SIG_IGN:
                continue

            def close_then_default(number, frame, previous=previous):
                close_process_pool()
                signal.signal(number, previous if previous is not None else signal.SIG_DFL)
                os.kill(os.getpid(), number)

            signal.signal(signum, close_then_default)

    def teardown(self, worker) -> None:
        close_process_pool()


class Runner(threading.Thread):
    """Grades queued attempts, ``capacity`` at a time, until ``stop()``."""

    def __init__(self, root: Path, db: ServeDB, client, *, db_url: str, capacity: int,
                 limits: Limits | None = None, timeout: float = DEFAULT_SUBMISSION_TIMEOUT):
        super().__init__(daemon=True, name="course-serve-runner")
        self.root, self.db, self.client, self.db_url = root, db, client, db_url
        self.course = Course.load(root)
        self.capacity, self.limits, self.timeout = capacity, limits or self.course.limits(), timeout
        self.launcher = select_launcher(self.course.grading.sandbox)  # the service never grades unsandboxed
        self.wake = threading.Event()
        self._stopping = threading.Event()  # (not ``_stop``: threading.Thread.join calls its own _stop)
        self._record_lock = threading.Lock()
        # what health() reports: when the loop last came round, the last completion, the failures in a row
        self.heartbeat = self.last_completion = time.time()
        self.failures, self.last_error = 0, ""

    def start(self) -> None:
        # LocalCluster workers close their pools when they close; so do an existing cluster's.
        self.client.register_plugin(WarmPoolPlugin(), name=WarmPoolPlugin.name)
        try:  # the first uploads need not wait for a child either
            self.client.run(prewarm, str(self.root), list_assignments(self.root), self.limits, self.launcher)
        except Exception:
            traceback.print_exc()
        super().start()

    def stop(self) -> None:
        self._stopping.set()
        self.wake.set()

    def health(self, oldest_queued: float | None, stall_seconds: float) -> str | None:
        """None while grading progresses, else why not: the thread is dead or stuck, its steps are
        failing, or work has waited ``stall_seconds`` with nothing completed for as long."""
        now = time.time()
        if not self.is_alive():
            return "grading thread stopped"
        if self.failures:
            return f"grading loop failing ({self.failures} in a row): {self.last_error[:300]}"
        if now - self.heartbeat > STUCK_SECONDS:
            return f"grading loop stuck for {now - self.heartbeat:.0f} s"
        if oldest_queued is not None and now - oldest_queued > stall_seconds and now - self.last_completion > stall_seconds:
            return (f"an upload has waited {now - oldest_queued:.0f} s and nothing was graded "
                    f"for {now - self.last_completion:.0f} s")
        return None

    def recover(self) -> None:
        """Jobs a killed server left half done: finish recording what was graded, requeue the rest."""
        self.db.abandon_receiving()
        for job in self.db.interrupted():
            saved = Path(job.folder) / ATTEMPT_RESULT
            if saved.is_file():
                result = json.loads(saved.read_text(encoding="utf-8"))
                self._record(job, result, (Path(job.folder) / ATTEMPT_FEEDBACK).read_text(encoding="utf-8"))
            else:
                self.db.requeue(job.id)

    def run(self) -> None:
        in_flight: dict = {}  # future -> job
        unrecorded: list = []  # [job, result, page, attempts] whose recording failed
        backoff = 0.5
        while not self._stopping.is_set():
            self.heartbeat = time.time()
            try:
                self._step(in_flight, unrecorded)
            except Exception as exc:  # logged and retried: grading must outlive any one failure
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                print(f"course serve: grading step failed ({self.failures} in a row), retrying in {backoff:g} s",
                      file=sys.stderr)
                traceback.print_exc()
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            else:
                self.failures, backoff = 0, 0.5
        for future in in_flight:
            future.cancel()
        try:  # an existing cluster's workers outlive the service: their warm children must not
            self.client.run(close_process_pool)
        except Exception:
            traceback.print_exc()

    def _step(self, in_flight: dict, unrecorded: list) -> None:
        from distributed import wait

        for item in list(unrecorded):  # a recording that failed before (disk full, db locked, ...)
            job, result, page, attempts = item
            try:
                self._complete(job, result, page)
                unrecorded.remove(item)
            except Exception:
                item[3] += 1
                if item[3] >= RECORD_ATTEMPTS:  # never "grading" forever
                    unrecorded.remove(item)
                    self.db.finish(job.id, 0.0, float(result.get("max_score") or 0), "error")
                raise
        for job in self.db.claim(self.capacity - len(in_flight), timeout=CLAIM_TIMEOUT):
            notebook = Path(job.folder) / master_notebook(self.root, job.assignment).name
            try:
                future = self.client.submit(grade_task, str(self.root), job.assignment, Submission(job.student, notebook),
                                            self.limits, self.timeout, self.launcher, True,
                                            key=f"serve-{job.id}-{uuid.uuid4().hex[:6]}", pure=False)
            except BaseException:
                self.db.requeue(job.id)  # claimed but not submitted: back to the queue
                raise
            in_flight[future] = job
        if not in_flight:
            self.wake.wait(0.5)
            self.wake.clear()
            return
        try:
            done, _ = wait(list(in_flight), timeout=0.2, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = []
        failed = None
        for future in done:
            job = in_flight.pop(future)
            try:
                result, page = future.result()
            except Exception as exc:  # a worker that died repeatedly: record the failure, never lose it
                result = ungraded_result(self.root, job.assignment, job.student, "error",
                                         f"grading task failed: {type(exc).__name__}: {str(exc)[:1000]}")
                page = None
            try:
                self._complete(job, result, page)
            except Exception as exc:
                unrecorded.append([job, result, page, 1])
                failed = exc
        if failed is not None:
            raise failed

    def _complete(self, job: Job, result: dict, page: str | None) -> None:
        clean_record(result)  # a lone surrogate would make every write below fail, the attempt 'grading' forever
        folder = Path(job.folder)
        page = page if page is not None else render_feedback(result)
        (folder / ATTEMPT_FEEDBACK).write_text(page, encoding="utf-8")
        write_json_atomically(folder / ATTEMPT_RESULT, result)  # from here on, this attempt is graded
        self._record(job, result, page)

    def _record(self, job: Job, result: dict, page: str) -> None:
        with self._record_lock:  # one writer for the course's records, as in `course grade`
            latest = self.db.jobs(job.student, job.assignment)
            if latest and latest[0].id == job.id:
                notebook = Path(job.folder) / master_notebook(self.root, job.assignment).name
                record_result(self.root, job.assignment, result, page,
                              stamp=submission_stamp(Submission(job.student, notebook), self.limits.notebook_bytes),
                              folder=self.root / "submitted" / job.student / job.assignment, db_url=self.db_url,
                              late_policy=self.course.late_policy(job.assignment))
            self.db.finish(job.id, float(result["score"]), float(result["max_score"]), result["status"])
        self.last_completion = time.time()
