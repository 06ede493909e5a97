"""Start, talk to and kill the sandbox child that runs submission code.

With bubblewrap the child sees only the Python installation and a read-only copy of the
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
import functools
import itertools
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
from course.sandbox.budget import CgroupBudget
from course.sandbox.seccomp import filter_program

CHILD_SOURCE = (
    Path(wire.__file__).read_text(encoding="utf-8")
    + "\n\n"
    + Path(__file__).with_name("child.py").read_text(encoding="utf-8")
)
SANDBOX_ROOT = "/submission"
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; or run `make install` as root), "
                "or pass --allow-unsandboxed to grade without isolation (not for untrusted submissions)")
_UID_BASE = 1_900_000_000  # child uids: far above any account, one per sandbox child
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


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's sandbox child (and everything it starts)."""

    call_timeout: float = 30.0  # seconds of wall clock for one exec or call
    memory_bytes: int = 2 << 30  # all processes together (cgroup), tmpfs included; else per process
    cpu_seconds: int = 300
    file_bytes: int = 16 << 20  # largest file the child may write
    open_files: int = 256
    output_bytes: int = 64 << 10  # stdout/stderr kept per stream; the rest is dropped
    pids: int = 64  # processes + threads of the submission
    tmpfs_bytes: int = 64 << 20  # size of the private /tmp
    notebook_bytes: int = 32 << 20  # a larger submitted notebook is refused without being read


class SandboxError(Exception):
    """Base class of what can go wrong with the child."""


class SandboxUnavailable(SandboxError):
    """No usable sandbox on this machine, and unsandboxed grading was not allowed."""


class CallTimeout(SandboxError):
    """The child did not answer (or did not read) in time; it was killed."""


class ChildDied(SandboxError):
    """The child exited (os._exit, a signal, a resource limit) before answering."""


class ChildMisbehaved(SandboxError):
    """The child's reply broke the protocol (forged, oversized, malformed); it was killed."""


class ChildStartFailed(SandboxError):
    """The sandbox could not start a child (fork, exec or preexec failed): the grading host's
    fault, never the submission's; the result is recorded as a sandbox error and graded again."""


class StudentError(SandboxError):
    """The submission's code raised; ``error`` holds type, message and traceback."""

    def __init__(self, error: dict):
        self.error = error
        super().__init__(f"{error.get('type')}: {error.get('message')}")


def _running_as_root() -> bool:
    return os.geteuid() == 0


@functools.lru_cache(maxsize=1)
def _tools() -> tuple[str | None, str | None]:
    return shutil.which("bwrap"), shutil.which("setpriv") or ("/usr/bin/setpriv" if os.path.exists("/usr/bin/setpriv") else None)


@functools.lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """True when bubblewrap is installed and can build the sandbox described above."""
    bwrap, setpriv = _tools()
    if bwrap is None or (_running_as_root() and setpriv is None):
        return False
    try:
        probe = subprocess.run(_namespace_flags() + ["--ro-bind", "/", "/", *_drop_privileges(_UID_BASE), "true"],
                               capture_output=True, timeout=10, env={})
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def unsandboxed_problem() -> str | None:
    """Why grading without bubblewrap cannot run here, or None.

    As root, an unsandboxed child still runs as an unprivileged uid, which must be able to read
    the Python installation (a pyenv under /root, mode 0700, is not readable).
    """
    if not _running_as_root():
        return None
    for top in {os.path.realpath(sys.executable), os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}:
        for folder in [*Path(top).parents, Path(top)]:
            if folder.is_dir() and not os.stat(folder).st_mode & 0o001:
                return (f"without bubblewrap, submissions run as an unprivileged user, which cannot enter {folder} "
                        f"(it holds this Python installation): {INSTALL_HINT.split(', or pass')[0]}")
    return None


def _namespace_flags() -> list[str]:
    bwrap, _ = _tools()
    if _running_as_root():
        # No user namespace: the child's uid is then a real, unprivileged host uid (set by setpriv).
        flags = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                 "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        flags = ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    return [bwrap, *flags, "--die-with-parent", "--new-session"]


def _drop_privileges(uid: int) -> list[str]:
    """Command prefix run inside bwrap as root: become ``uid`` with no capabilities left at all."""
    if not _running_as_root():
        return []
    return [_tools()[1], "--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs"]


def _python_roots() -> list[str]:
    """Directories the interpreter and its packages live in (bound read-only)."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
             os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    return sorted(r for r in roots if not r.startswith("/usr/"))


def _bwrap_command(workdir: Path, limits: Limits | None = None, seccomp_fd: int | None = None,
                   uid: int = _UID_BASE) -> list[str]:
    limits = limits or Limits()
    cmd = _namespace_flags()
    if seccomp_fd is not None:
        cmd += ["--seccomp", str(seccomp_fd)]
    # /tmp first: the Python roots may live under /tmp and are bound over it.
    cmd += ["--perms", "1777", "--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    roots = _python_roots()
    # bwrap would create the folders above a bind as 0700 root: unreadable for the child's uid.
    parents = sorted({str(p) for r in roots for p in Path(r).parents if str(p) not in ("/", "/tmp", "/usr")},
                     key=lambda p: p.count("/"))
    for parent in parents:
        cmd += ["--perms", "0755", "--dir", parent]
    for root in roots:
        cmd += ["--ro-bind", root, root]
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--ro-bind", str(workdir), SANDBOX_ROOT, "--chdir", SANDBOX_ROOT,
            "--clearenv", "--setenv", "HOME", "/tmp", "--setenv", "MPLBACKEND", "Agg",
            "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib", "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1"]
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            cmd += ["--setenv", var, os.environ[var]]
    return cmd + _drop_privileges(uid)


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
    - isolate: use bubblewrap (None: required; SandboxUnavailable when it does not work)
    """

    workdir: Path
    limits: Limits = field(default_factory=Limits)
    isolate: bool | None = None

    def __post_init__(self) -> None:
        if self.isolate is None:
            if not bwrap_works():
                raise SandboxUnavailable(f"bubblewrap is not usable on this machine: {INSTALL_HINT}")
            self.isolate = True
        self.proc: subprocess.Popen | None = None
        self.budget: CgroupBudget | None = None
        self._drains: list[_Drain] = []
        self.outputs: list[str] = []  # stdout+stderr of every child this sandbox started
        self.enforced: dict = {}  # which limits held for the last child (recorded in results)
        self._uid: int | None = None

    @property
    def isolation(self) -> str:
        return "bwrap" if self.isolate else "limits-only"

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
        root = _running_as_root()
        uid = self._uid = _take_uid()
        self.budget = CgroupBudget.create(self.limits.memory_bytes, self.limits.pids)
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        fds = [req_r, resp_w]
        # -u: output survives a kill. The pipe fds are passed by number in argv.
        python = [sys.executable, "-I", "-u", "-c", CHILD_SOURCE, str(req_r), str(resp_w)]
        program = filter_program() if self.isolate else None
        user = None
        if self.isolate:
            seccomp_fd = None
            if program is not None:
                seccomp_fd, w = os.pipe()
                os.write(w, program)  # a few hundred bytes: fits in the pipe buffer
                os.close(w)
                fds.append(seccomp_fd)
            cmd, cwd = _bwrap_command(self.workdir, self.limits, seccomp_fd, uid) + python, None
            env = {}  # bubblewrap's own process (PID 1 inside) would otherwise carry the grader's environment
        else:
            cmd, cwd = python, str(self.workdir)
            env = {"HOME": str(self.workdir), "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin",
                   "MPLCONFIGDIR": str(self.workdir / ".matplotlib"),
                   "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
            env.update({k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ})
            if root:  # never run a submission as root: a uid of its own that owns only its folder
                problem = unsandboxed_problem()
                if problem:
                    raise SandboxUnavailable(problem)
                user = uid
                for path in [self.workdir, *self.workdir.rglob("*")]:
                    os.lchown(path, uid, uid)
                os.chmod(self.workdir.parent, 0o711)
        budget, limits = self.budget, self.limits

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

        try:
            self.proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=tuple(fds), preexec_fn=preexec, start_new_session=True,
            )
        except BaseException as exc:
            if self.budget is not None:
                self.budget.remove()
                self.budget = None
            _release_uid(self._uid)
            self._uid = None
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
            "capabilities": "none" if self.isolate or root else "grader's",
            "seccomp": program is not None,
            "environment": "empty",
            "tmpfs_bytes": limits.tmpfs_bytes if self.isolate else None,
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
