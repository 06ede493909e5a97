"""Services the tests run and talk to: `course serve` over HTTP, nbgrader's formgrader (a Jupyter
server), nbgrader's exchange commands. Test modules import from here, never from each other."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import nbformat

from helpers import INIT, INIT_NB, SAMPLES, solutions, solved_notebook

COURSE_ID = "practical-aspects-dl"
CORRECT = SAMPLES / "correct" / INIT / INIT_NB  # the correct Initialization sample
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



# --- course serve ---------------------------------------------------------------------------------

class Server:
    """`course serve` in its own process group, on a free loopback port of a course copy."""

    def __init__(self, course: Path, *extra: str, env: dict | None = None):
        self.course, self.extra, self.env = course, extra, env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def cli(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=self.course, capture_output=True,
                             text=True, env=dict(os.environ, COURSE_ROOT=str(self.course)))
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout

    def token(self, user: str, *flags: str) -> str:
        return self.cli("token", user, *flags).split()[-1]

    def start(self) -> "Server":
        self.log = open(self.course / f"serve-{time.time_ns()}.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "course.cli", "serve", "--port", str(self.port),
                                      "--workers", "2", *self.extra], cwd=self.course, start_new_session=True,
                                     env=dict(os.environ, COURSE_ROOT=str(self.course), **self.env), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).text == "ok":
                    return self
            except httpx.HTTPError:
                pass
            assert self.proc.poll() is None and time.monotonic() < deadline, \
                (self.course / self.log.name).read_text()[-3000:]
            time.sleep(0.3)

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self, group: bool = False) -> None:
        """`kill PID`: the server shuts down its runner and its workers itself; ``group``: SIGTERM
        to every process of the server at once, as a service manager stops a service."""
        if self.proc and self.proc.poll() is None:
            if group:
                os.killpg(self.proc.pid, signal.SIGTERM)
            else:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


def upload(server: Server, token: str | None, path: Path | bytes, assignment: str = INIT) -> httpx.Response:
    data = path.read_bytes() if isinstance(path, Path) else path
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{server.url}/api/assignments/{assignment}/submissions", headers=headers,
                      files={"notebook": (INIT_NB, data, "application/x-ipynb+json")}, timeout=60)


def wait_graded(server: Server, token: str, job_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = httpx.get(f"{server.url}/api/submissions/{job_id}", headers={"Authorization": f"Bearer {token}"},
                           timeout=30).json()
        if status["status"] == "graded":
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.1)


def hostile_upload(code: str) -> bytes:
    """The correct notebook with ``code`` appended to its first graded cell."""
    nb = nbformat.reads(CORRECT.read_text(encoding="utf-8"), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "initialize_parameters_zeros")
    cell.source += "\n" + code
    return nbformat.writes(nb).encode("utf-8")


# --- nbgrader: the formgrader and the exchange --------------------------------------------------

def nbgrader_env(**extra) -> dict:
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **extra)


def nbgrader(*args, cwd: Path, exchange: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    """An nbgrader command; a student's runs in their home (HOME: their own submission cache)."""
    env = nbgrader_env(HOME=str(home)) if home else nbgrader_env()
    out = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={exchange}",
                          f"--CourseDirectory.course_id={COURSE_ID}"], cwd=cwd, env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, (args, out.stdout[-2000:], out.stderr[-3000:])
    return out


class Formgrader:
    """`jupyter server` with nbgrader's server extensions (formgrader as `jupyter lab` serves it), run
    from the course root; requests carry the token."""

    def __init__(self, course: Path, tmp: Path):
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "formgrader.log"
        cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        env = nbgrader_env(JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"))
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(cmd, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if self.get("/formgrader/api/status")[0] == 200:
                    return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"the formgrader did not start:\n{self.log.read_text()[-4000:]}")

    def request(self, path: str, method: str = "GET", body: dict | None = None) -> tuple[int, str]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status, resp.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def get(self, path: str) -> tuple[int, str]:
        return self.request(path)

    def json(self, path: str, method: str = "GET", body: dict | None = None):
        status, text = self.request(path, method, body)
        assert status == 200, (path, status, text[-2000:])
        return json.loads(text)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def answer_notebook(notebook: Path, **cells) -> None:
    """Fill the student's copy of Initialization: every graded cell solved, except those given."""
    reference = solutions(INIT)
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in reference:
            cell.source = cells.get(gid, reference[gid])
    nbformat.write(nb, str(notebook))


# --- a payload for nbgrader autograde -------------------------------------------------------------

PAYLOAD = '''
import os as _os, pathlib as _pl
_found = "unreadable"
for _top in [_pl.Path({course!r}), _pl.Path.cwd(), *_pl.Path.cwd().parents]:
    try:
        _found = (_top / "graders" / "initialization" / "test_initialization.py").read_text().splitlines()[0]
        break
    except OSError:
        pass
for _top in [_pl.Path({course!r}), _pl.Path.cwd(), *_pl.Path.cwd().parents]:
    try:
        (_top / "PAYLOAD_RAN").write_text(f"uid={{_os.getuid()}} {{_found}}")
    except OSError:
        pass
'''


def submit_payload(course):
    """mallory's correct notebook with PAYLOAD in its zeros cell, in course's submitted/."""
    nb = solved_notebook(INIT)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "initialize_parameters_zeros")
    cell.source += "\n" + PAYLOAD.format(course=str(course))
    folder = course / "submitted" / "mallory" / INIT
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / INIT_NB))
