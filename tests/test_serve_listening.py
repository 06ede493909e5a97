"""`course serve` says where it listens, once it does (issue 20): one line on stdout with the
address to open, the real port when asked for port 0."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from helpers import ROOT
from course.paths import copy_course
from course.sandbox.process import bwrap_works

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable")


def test_serve_prints_the_address_it_listens_on(tmp_path):
    course = copy_course(ROOT, tmp_path / "course")
    proc = subprocess.Popen([sys.executable, "-m", "course.cli", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--workers", "1"], cwd=course, start_new_session=True, text=True,
                            env=dict(os.environ, COURSE_ROOT=str(course)), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline()  # the first line the service prints
        match = re.fullmatch(r"course serve: listening on (http://127\.0\.0\.1:(\d+))\n", line)
        assert match and int(match.group(2)) > 0, line
        deadline = time.monotonic() + 120
        while True:  # it answers there (grading may still be starting: ok or 503)
            try:
                assert httpx.get(match.group(1) + "/healthz", timeout=5).status_code in (200, 503)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert proc.stdout.read() == ""  # said once
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
