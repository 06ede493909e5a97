"""Grade submissions as Dask tasks: a local cluster on one machine, or an existing scheduler.

Workers only grade and return plain result dicts; the client alone writes results.json,
feedback and the gradebook, so SQLite never sees concurrent writers. A worker that dies
mid-task makes the scheduler run the task again elsewhere; the client records each
submission once, the first time its result arrives.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
import uuid
from pathlib import Path
from typing import Callable, Iterator

from distributed import Client, Nanny, SpecCluster
from distributed.security import Security
from distributed.worker_memory import parse_memory_limit

from course.grading.cluster_nodes import SchedulerWithoutHTTP, WorkerWithoutHTTP
from course.grading.engine import ungraded_result
from course.grading.unit import grade_task
from course.sandbox.process import Limits


class InsecureScheduler(ValueError):
    """An existing scheduler that anyone on its network could also use (plain tcp://), or one
    we cannot authenticate to (tls:// without certificates)."""


TLS_SETTINGS_HINT = ("distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and "
                     "distributed.comm.tls.client.key in Dask's configuration (a YAML file in ~/.config/dask/, or "
                     "DASK_DISTRIBUTED__COMM__TLS__CA_FILE, ..._CLIENT__CERT, ..._CLIENT__KEY)")


def check_scheduler_address(address: str, allow_insecure: bool = False) -> None:
    """Refuse (InsecureScheduler) an existing scheduler we cannot reach with mutual TLS.

    Its workers run the graders as whoever started them (often root): on a plain tcp://
    scheduler anyone who can reach it can run code there, so it takes ``allow_insecure``.
    tls:// takes its certificates from Dask's own configuration (distributed.comm.tls.*).
    """
    scheme = address.split("://", 1)[0].lower() if "://" in address else "tcp"
    if scheme != "tls":
        if not allow_insecure:
            raise InsecureScheduler(
                f"scheduler {address} is not tls://: anyone who can reach it can run code on its workers; "
                f"use a tls:// scheduler and set {TLS_SETTINGS_HINT}, or pass --allow-insecure-scheduler")
        return
    security = Security(require_encryption=True)
    if not (security.tls_ca_file and security.tls_client_cert):
        raise InsecureScheduler(f"scheduler {address} is tls:// but no client certificate is configured: set "
                                f"{TLS_SETTINGS_HINT}")


def scheduler_security(address: str, allow_insecure: bool = False) -> Security:
    """The Security to connect to an existing scheduler with (see check_scheduler_address)."""
    check_scheduler_address(address, allow_insecure)
    if not address.lower().startswith("tls://"):
        print(f"WARNING: grading on an UNAUTHENTICATED Dask scheduler ({address}): anyone who can reach it or "
              "its workers can run code there and read or change grades (--allow-insecure-scheduler)",
              file=sys.stderr)
        return Security()
    return Security(require_encryption=True)


def local_cluster(workers: int):
    """A LocalCluster-like cluster of ``workers`` one-thread worker processes on 127.0.0.1 that only
    holders of its key can use: every connection is TLS with mutual authentication on a fresh
    self-signed certificate that lives in this process's memory (and its workers'), and no
    process of it listens for HTTP."""
    security = Security.temporary()
    common = dict(host="127.0.0.1", protocol="tls://", security=security)
    scheduler = {"cls": SchedulerWithoutHTTP, "options": dict(
        common, port=0, dashboard=False, dashboard_address=None, services={}, service_kwargs=None)}
    worker = {"cls": Nanny, "options": dict(
        common, nthreads=1, worker_class=WorkerWithoutHTTP, dashboard=False, dashboard_address=None,
        services={}, silence_logs=logging.ERROR,
        memory_limit=parse_memory_limit("auto", 1, workers, logger=logging.getLogger(__name__)))}
    return SpecCluster(scheduler=scheduler, workers={i: worker for i in range(workers)}, worker=worker,
                       security=security, silence_logs=logging.ERROR, name="course-grading")


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None,
                allow_insecure_scheduler: bool = False) -> Iterator:
    """A Client on an existing scheduler (see scheduler_security), or on a local_cluster of
    ``workers`` processes (default: one per core)."""
    if scheduler:
        with Client(scheduler, security=scheduler_security(scheduler, allow_insecure_scheduler)) as client:
            yield client
        return
    with local_cluster(workers or os.cpu_count() or 1) as cluster, Client(cluster) as client:
        yield client


def grade_on_dask(client, root: Path, assignment: str, submissions: list, *, limits: Limits,
                  timeout: float, launcher: str, record: Callable[..., None]) -> None:
    """Submit one task per submission and ``record(result, feedback_html)`` each as it completes."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    futures = {}
    for sub in submissions:
        future = client.submit(grade_task, str(root), assignment, sub, limits, timeout, launcher,
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

