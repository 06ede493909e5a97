"""Dask scheduler and worker classes that never listen for HTTP.

Dask's scheduler and workers always start an HTTP listener (health, metrics, /info; the scheduler
on port 8787), even with the dashboard off, and that listener takes no key. A worker process
imports this module when it starts, so it imports nothing but Dask.
"""
from __future__ import annotations

import logging

from distributed import Scheduler, Worker
from distributed.comm.core import CommClosedError
from distributed.http.routing import RoutingApplication
from tornado.httpserver import HTTPServer


class _WithoutHTTP:
    def start_http_server(self, routes, dashboard_address, default_port=0, ssl_options=None):
        self.http_application = RoutingApplication([])
        self.http_server = HTTPServer(self.http_application)  # closing expects one; it never listens


class SchedulerWithoutHTTP(_WithoutHTTP, Scheduler):
    pass


class WorkerWithoutHTTP(_WithoutHTTP, Worker):
    pass


class _ClosedHeartbeat(logging.Filter):
    """A heartbeat that meets the scheduler's connection closing (the cluster shutting down; the
    worker is told to close a moment later) is a warning of one line, not an error with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, CommClosedError) and "heartbeat" in str(record.msg):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = f"{record.msg} (the scheduler closed the connection: {exc})", ()
            record.exc_info = record.exc_text = None
        return True


if not any(isinstance(f, _ClosedHeartbeat) for f in logging.getLogger("distributed.worker").filters):
    logging.getLogger("distributed.worker").addFilter(_ClosedHeartbeat())
