"""Start, talk to and kill the sandbox child that runs submission code.

With bubblewrap the child sees only the Python installation and a read-only copy of the
release folder, has no network, and lives in its own PID namespace, so everything it
starts dies with it. Without bubblewrap the same resource limits apply and the process
group is killed; results then record ``isolation: limits-only``.
"""
from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.sandbox import wire

CHILD_SOURCE = (
    Path(wire.__file__).read_text(encoding="utf-8")
    + "\n\n"
    + Path(__file__).with_name("child.py").read_text(encoding="utf-8")
)
SANDBOX_ROOT = "/submission"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandbox child."""

    call_timeout: float = 30.0  # seconds of wall clock for one exec or call
    memory_bytes: int = 2 << 30  # address space
    cpu_seconds: int = 300
    file_bytes: int = 16 << 20  # largest file the child may write
    open_files: int = 256
    output_bytes: int = 64 << 10  # stdout/stderr kept per stream; the rest is dropped


class SandboxError(Exception):
    """Base class of what can go wrong with the child."""


class CallTimeout(SandboxError):
    """The child did not answer in time; it was killed."""


class ChildDied(SandboxError):
    """The child exited (os._exit, a signal, a resource limit) before answering."""


class StudentError(SandboxError):
    """The submission's code raised; ``error`` holds type, message and traceback."""

    def __init__(self, error: dict):
        self.error = error
        super().__init__(f"{error.get('type')}: {error.get('message')}")


@functools.lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """True when bubblewrap is installed and can create the namespaces we need."""
    exe = shutil.which("bwrap")
    if exe is None:
        return False
    try:
        probe = subprocess.run(
            [exe, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
            capture_output=True, timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _python_roots() -> list[str]:
    """Directories the interpreter and its packages live in (bound read-only)."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
             os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    return sorted(r for r in roots if not r.startswith("/usr/"))


def _bwrap_command(workdir: Path) -> list[str]:
    cmd = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
           "--tmpfs", "/tmp",  # first: the Python roots may live under /tmp and are bound over it
           "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    for root in _python_roots():
        cmd += ["--ro-bind", root, root]
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--ro-bind", str(workdir), SANDBOX_ROOT, "--chdir", SANDBOX_ROOT,
            "--clearenv", "--setenv", "HOME", "/tmp", "--setenv", "MPLBACKEND", "Agg",
            "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib", "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1"]
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            cmd += ["--setenv", var, os.environ[var]]
    return cmd


def _limit_resources(limits: Limits) -> None:
    """preexec_fn: runs in the forked child before exec."""
    def cap(which, value):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    cap(resource.RLIMIT_AS, limits.memory_bytes)
    cap(resource.RLIMIT_CPU, limits.cpu_seconds)
    cap(resource.RLIMIT_FSIZE, limits.file_bytes)
    cap(resource.RLIMIT_NOFILE, limits.open_files)
    cap(resource.RLIMIT_CORE, 0)


class _Drain(threading.Thread):
    """Reads a pipe to the end, keeping only the first ``cap`` bytes."""

    def __init__(self, stream, cap: int):
        super().__init__(daemon=True)
        self.stream, self.cap = stream, cap
        self.kept = bytearray()
        self.dropped = 0

    def run(self) -> None:
        while True:
            chunk = self.stream.read1(1 << 16) if hasattr(self.stream, "read1") else self.stream.read(1 << 16)
            if not chunk:
                break
            room = self.cap - len(self.kept)
            if room > 0:
                self.kept += chunk[:room]
            self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        out = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            out += f"\n[... {self.dropped} bytes of output dropped]"
        return out


@dataclass
class Sandbox:
    """One child process holding a submission's namespace.

    Inputs:
    - workdir: folder the child runs in (a private copy of the release folder)
    - limits: resource limits
    - isolate: use bubblewrap (None: when it works)
    """

    workdir: Path
    limits: Limits = field(default_factory=Limits)
    isolate: bool | None = None

    def __post_init__(self) -> None:
        if self.isolate is None:
            self.isolate = bwrap_works()
        self.proc: subprocess.Popen | None = None
        self._drains: list[_Drain] = []
        self.outputs: list[str] = []  # stdout+stderr of every child this sandbox started

    @property
    def isolation(self) -> str:
        return "bwrap" if self.isolate else "limits-only"

    def start(self) -> None:
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        # -u: output survives a kill. The pipe fds are passed by number in argv.
        python = [sys.executable, "-I", "-u", "-c", CHILD_SOURCE, str(req_r), str(resp_w)]
        if self.isolate:
            cmd, cwd, env = _bwrap_command(self.workdir) + python, None, None
        else:
            cmd, cwd = python, str(self.workdir)
            env = {"HOME": str(self.workdir), "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin",
                   "MPLCONFIGDIR": str(self.workdir / ".matplotlib"),
                   "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
            env.update({k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ})
        def preexec():
            _limit_resources(self.limits)

        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, pass_fds=(req_r, resp_w), preexec_fn=preexec,
            start_new_session=True,
        )
        os.close(req_r)
        os.close(resp_w)
        self._req, self._resp = req_w, resp_r
        self._drains = [_Drain(self.proc.stdout, self.limits.output_bytes),
                        _Drain(self.proc.stderr, self.limits.output_bytes)]
        for d in self._drains:
            d.start()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def request(self, message: dict, timeout: float | None = None) -> dict:
        """Send one request and wait for its answer; kills the child on timeout or death."""
        if not self.alive:
            self.kill()
            self.start()
        deadline = time.monotonic() + (timeout or self.limits.call_timeout)
        try:
            wire.write_message(self._req, message)
            reply = wire.read_message(self._resp, deadline)
        except TimeoutError:
            self.kill()
            raise CallTimeout(f"no answer within {timeout or self.limits.call_timeout:g} s") from None
        except (EOFError, BrokenPipeError, OSError, wire.WireError) as exc:
            code = self.kill()
            tail = self.outputs[-1][-800:] if self.outputs and self.outputs[-1] else ""
            raise ChildDied(_describe_exit(code, exc) + (f"; last output:\n{tail}" if tail else "")) from None
        if not reply.get("ok"):
            error = reply.get("error")
            raise StudentError(error if type(error) is dict else {"type": "?", "message": str(error)})
        return reply

    def exec(self, source: str, filename: str, timeout: float | None = None) -> None:
        self.request({"op": "exec", "source": source, "filename": filename}, timeout)

    def call(self, target: str, *args, seed: int | None = None, timeout: float | None = None,
             return_args: bool = False, **kwargs):
        reply = self.request({"op": "call", "target": target, "args": list(args), "kwargs": kwargs,
                              "seed": seed, "return_args": return_args}, timeout)
        if return_args:
            return reply.get("value"), reply.get("args"), reply.get("kwargs")
        return reply.get("value")

    def has(self, name: str, timeout: float | None = None) -> bool:
        return bool(self.request({"op": "has", "name": name}, timeout).get("value"))

    def kill(self) -> int | None:
        """Kill the child and everything it started; returns its exit status."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        try:  # it may be exiting on its own (os._exit): keep its real status
            proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
        for fd in (self._req, self._resp):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        for d in self._drains:
            d.join(timeout=2)
        self.outputs.append("".join(d.text() for d in self._drains))
        return code

    close = kill

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.kill()


def _describe_exit(code: int | None, exc: BaseException) -> str:
    if code is None:
        return f"the submission's process stopped answering ({type(exc).__name__})"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the submission's process was killed by signal {name}"
    return f"the submission's process exited with status {code}"
