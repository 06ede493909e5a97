"""Dask scheduler and worker classes that never listen for HTTP.

Dask's scheduler and workers always start an HTTP listener (health, metrics, /info; the scheduler
on port 8787), even with the dashboard off, and that listener takes no key. A worker process
imports this module when it starts, so it imports nothing but Dask.
"""
from __future__ import annotations

from distributed import Scheduler, Worker
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
