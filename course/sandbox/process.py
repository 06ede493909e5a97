"""Start, talk to and kill the sandbox child that runs submission code.

How the child is isolated is its launcher's (course.sandbox.launchers). With bubblewrap it sees only the Python installation and a read-only copy of the
release folder, has no network, no capabilities, a seccomp filter against mount/namespace/
ptrace-style syscalls, an empty environment, a size-capped private /tmp and its own PID
namespace. When the grader is root, the child runs as a uid of its own (never 0). All of its
processes share one budget (a cgroup: memory with tmpfs, processes/threads, one core) where
the machine allows it, else per-process rlimits; ``Sandbox.enforced`` says which held.
Every pipe operation has a deadline and replies have a size cap, so a child that stops
reading, forges replies or floods the pipe costs one timeout, never a hang.
"""
from __future__ import annotations

import ctypes
import itertools
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.sandbox import wire
from course.sandbox.base import (UID_BASE, CallTimeout, ChildDied, ChildMisbehaved, ChildStartFailed, Limits,  # noqa: F401
                                 SandboxError, SandboxUnavailable, StudentError)
from course.sandbox.budget import CgroupBudget
from course.sandbox.launchers import (INSTALL_HINT, SANDBOX_ROOT, bwrap_works, get_launcher,  # noqa: F401
                                      running_as_root, select_launcher, unsandboxed_problem)

CHILD_SOURCE = (
    Path(wire.__file__).read_text(encoding="utf-8")
    + "\n\n"
    + Path(__file__).with_name("child.py").read_text(encoding="utf-8")
)
_UID_BASE = UID_BASE
_UID_SLOTS = 16  # per grading process: live children (a warm pool's included) never share a uid
_UID_SEQ = itertools.count()
_UIDS_IN_USE: set[int] = set()
_UID_LOCK = threading.Lock()


def _take_uid() -> int:
    """A child uid no other live child of this process holds (a shared uid could signal or
    exhaust the per-uid process limit of another submission's child)."""
    base = _UID_BASE + (os.getpid() % 4_194_304) * _UID_SLOTS
    with _UID_LOCK:
        for _ in range(_UID_SLOTS):
            uid = base + next(_UID_SEQ) % _UID_SLOTS
            if uid not in _UIDS_IN_USE:
                _UIDS_IN_USE.add(uid)
                return uid
    raise SandboxError(f"more than {_UID_SLOTS} sandbox children alive in one grading process")


def _release_uid(uid: int | None) -> None:
    with _UID_LOCK:
        _UIDS_IN_USE.discard(uid)


def _limit_resources(limits: Limits, nproc: bool) -> None:
    """preexec_fn: runs in the forked child before exec."""
    def cap(which, value):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    cap(resource.RLIMIT_CPU, limits.cpu_seconds)
    cap(resource.RLIMIT_FSIZE, limits.file_bytes)
    cap(resource.RLIMIT_NOFILE, limits.open_files)
    cap(resource.RLIMIT_CORE, 0)
    if nproc:  # counted per uid: exact when the child has a uid of its own
        cap(resource.RLIMIT_NPROC, limits.pids)
    # Last: the forked child still has the grader's whole address space (Dask, OpenBLAS and thread
    # arenas can make it larger than the child's budget), so any Python allocation after this
    # cap could raise MemoryError and fail the start ("Exception occurred in preexec_fn").
    cap(resource.RLIMIT_AS, limits.memory_bytes)


def _no_new_privs() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    except (OSError, AttributeError):
        pass


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
    - launcher: the name of a course.sandbox.launchers launcher ("bwrap", "limits-only"); None:
      bubblewrap, required (SandboxUnavailable when it does not work)
    """

    workdir: Path
    limits: Limits = field(default_factory=Limits)
    launcher: str | None = None

    def __post_init__(self) -> None:
        self.launcher = select_launcher(self.launcher) if self.launcher is None else self.launcher
        self._launcher = get_launcher(self.launcher)
        self.proc: subprocess.Popen | None = None
        self.budget: CgroupBudget | None = None
        self._drains: list[_Drain] = []
        self.outputs: list[str] = []  # stdout+stderr of every child this sandbox started
        self.enforced: dict = {}  # which limits held for the last child (recorded in results)
        self._uid: int | None = None

    @property
    def isolation(self) -> str:
        return self.launcher

    def start(self) -> None:
        """Start the child. In the main thread, SIGINT and SIGTERM wait until it is started: a
        Python signal handler that ran inside fork()'s hooks lost its exception (Ctrl-C ignored)."""
        if threading.current_thread() is not threading.main_thread():
            return self._start(None)
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self._start(mask)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def _start(self, mask) -> None:
        root = running_as_root()
        uid = self._uid = _take_uid()
        self.budget = CgroupBudget.create(self.limits.memory_bytes, self.limits.pids)
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        fds = [req_r, resp_w]
        # -u: output survives a kill. The pipe fds are passed by number in argv.
        python = [sys.executable, "-I", "-u", "-c", CHILD_SOURCE, str(req_r), str(resp_w)]
        budget, limits = self.budget, self.limits
        launch = None
        try:
            launch = self._launcher.prepare(self.workdir, limits, uid, python)
            fds += launch.fds
            user = launch.user

            def preexec():  # in the forked child, as root where the grader is root: join, drop, then limit
                if mask is not None:  # the child starts with the grader's usual signal mask
                    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                if budget is not None:
                    budget.join()
                _no_new_privs()
                if user is not None:
                    os.setgroups([])
                    os.setresgid(user, user, user)
                    os.setresuid(user, user, user)
                _limit_resources(limits, nproc=root)  # last: see RLIMIT_AS there (lowering needs no privilege)

            self.proc = subprocess.Popen(
                launch.cmd, cwd=launch.cwd, env=launch.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=tuple(fds), preexec_fn=preexec, start_new_session=True,
            )
        except BaseException as exc:
            if self.budget is not None:
                self.budget.remove()
                self.budget = None
            _release_uid(self._uid)
            self._uid = None
            if launch is None:  # prepare failed: the parent's ends of the pipes go too
                os.close(req_w)
                os.close(resp_r)
            if isinstance(exc, (subprocess.SubprocessError, OSError)):
                raise ChildStartFailed(f"the sandbox could not start a child: {type(exc).__name__}: {exc}") from exc
            raise
        finally:
            for fd in fds:
                os.close(fd)
        self._req, self._resp = req_w, resp_r
        self._drains = [_Drain(self.proc.stdout, self.limits.output_bytes),
                        _Drain(self.proc.stderr, self.limits.output_bytes)]
        for d in self._drains:
            d.start()
        per_process = {"memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds}
        self.enforced = {
            "isolation": self.isolation,
            "uid": "own unprivileged uid" if root else "grader's uid (not root)",
            **self._launcher.facts(limits),  # capabilities, seccomp, tmpfs_bytes
            "environment": "empty",
            "submission_budget": ({"cgroup": f"v{budget.version}", **budget.enforced} if budget is not None
                                  else {"cgroup": None, "pids": limits.pids if root else None}),
            "per_process": per_process,
            "call_timeout": limits.call_timeout,
        }

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def request(self, message: dict, timeout: float | None = None, *, restart: bool = True) -> dict:
        """Send one request and wait for its answer; kills the child on timeout, death or a bad reply.
        A child that is not running is started first, unless ``restart`` is False (ChildDied)."""
        if not self.alive:
            self.kill()
            if not restart:
                raise ChildDied("the submission's process is not running")
            self.start()
        seconds = timeout or self.limits.call_timeout
        deadline = time.monotonic() + seconds
        try:
            wire.write_message(self._req, message, deadline)
            reply = wire.read_message(self._resp, deadline, max_bytes=wire.MAX_REPLY_BYTES,
                                      max_elements=wire.MAX_ELEMENTS, max_str=wire.MAX_STR)
        except TimeoutError:
            self.kill()
            raise CallTimeout(f"no answer within {seconds:g} s") from None
        except wire.WireError as exc:
            self.kill()
            raise ChildMisbehaved(f"the submission's process sent an invalid reply ({exc})") from None
        except (EOFError, BrokenPipeError, OSError) as exc:
            oom = self.budget is not None and self.budget.out_of_memory()
            code = self.kill()
            tail = self.outputs[-1][-800:] if self.outputs and self.outputs[-1] else ""
            what = (f"the submission's processes used more than their memory budget "
                    f"({self.limits.memory_bytes >> 20} MB) and were killed" if oom else _describe_exit(code, exc))
            raise ChildDied(what + (f"; last output:\n{tail}" if tail else "")) from None
        if not reply.get("ok"):
            error = reply.get("error")
            raise StudentError(error if type(error) is dict else {"type": "?", "message": str(error)[:2000]})
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

    def ping(self, timeout: float = 5.0) -> bool:
        """True when the running child answers; never starts one."""
        try:
            return self.request({"op": "has", "name": "__name__"}, timeout, restart=False).get("value") is True
        except SandboxError:
            return False

    def has(self, name: str, timeout: float | None = None) -> bool:
        return bool(self.request({"op": "has", "name": name}, timeout).get("value"))

    def seal(self, graded: list[str], timeout: float | None = None) -> None:
        """Mark what exists now (the course's setup) as given: the child restores those names after
        every graded cell and before every call, so a submission cannot replace a helper graders use."""
        self.request({"op": "seal", "graded": list(graded)}, timeout)

    def kill(self, grace: float = 0.05) -> int | None:
        """Kill the child and everything it started; returns its exit status. ``grace``: seconds to
        let a child that is exiting on its own (os._exit, a limit) finish, to keep its real status."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        try:
            proc.wait(timeout=grace) if grace > 0 else proc.poll()
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
        if self.budget is not None:  # processes that left the session or the process group too
            self.budget.remove()
            self.budget = None
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        for d in self._drains:
            d.join(timeout=2)
        self.outputs.append("".join(d.text() for d in self._drains))
        _release_uid(self._uid)  # its processes are gone (budget, PID namespace or process group)
        self._uid = None
        return code

    def close(self) -> None:
        """Done with the child: killed at once (an idle child has no status worth waiting for)."""
        self.kill(grace=0)

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
