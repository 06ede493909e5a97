"""How a sandbox child is launched: one Launcher per kind of isolation.

A launcher turns "run this Python command on this folder with these limits as this uid" into the
command, environment and user to start, and says what it enforces. The course ships two:

- ``bwrap`` (Bubblewrap): only the Python installation and a read-only copy of the release folder
  are visible, no network, no capabilities, a seccomp filter, an empty environment, a size-capped
  private /tmp and its own PID namespace;
- ``limits-only`` (LimitsOnly): resource limits and, as root, a uid of its own; files and the
  network stay reachable, so it is only for trusted code (``--allow-unsandboxed``).

Another runtime (a container, gVisor) is one more class with ``name``, ``problem()``, ``prepare()``
and ``facts()``, registered in ``LAUNCHERS``; ``tests/test_sandbox_contract.py`` runs the same
contract against every launcher that works on the machine.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from course.sandbox.base import UID_BASE, Limits, SandboxUnavailable
from course.sandbox.seccomp import filter_program

SANDBOX_ROOT = "/submission"
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; or run `make install` as root), "
                "or pass --allow-unsandboxed to grade without isolation (not for untrusted submissions)")


def running_as_root() -> bool:
    return os.geteuid() == 0


@functools.lru_cache(maxsize=1)
def tools() -> tuple[str | None, str | None]:
    return shutil.which("bwrap"), shutil.which("setpriv") or ("/usr/bin/setpriv" if os.path.exists("/usr/bin/setpriv") else None)


@functools.lru_cache(maxsize=1)
def bwrap_works() -> bool:
    """True when bubblewrap is installed and can build the sandbox described above."""
    bwrap, setpriv = tools()
    if bwrap is None or (running_as_root() and setpriv is None):
        return False
    try:
        probe = subprocess.run(namespace_flags() + ["--ro-bind", "/", "/", *drop_privileges(UID_BASE), "true"],
                               capture_output=True, timeout=10, env={})
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def unsandboxed_problem() -> str | None:
    """Why grading without bubblewrap cannot run here, or None.

    As root, an unsandboxed child still runs as an unprivileged uid, which must be able to read
    the Python installation (a pyenv under /root, mode 0700, is not readable).
    """
    if not running_as_root():
        return None
    for top in {os.path.realpath(sys.executable), os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}:
        for folder in [*Path(top).parents, Path(top)]:
            if folder.is_dir() and not os.stat(folder).st_mode & 0o001:
                return (f"without bubblewrap, submissions run as an unprivileged user, which cannot enter {folder} "
                        f"(it holds this Python installation): {INSTALL_HINT.split(', or pass')[0]}")
    return None


def namespace_flags() -> list[str]:
    bwrap, _ = tools()
    if running_as_root():
        # No user namespace: the child's uid is then a real, unprivileged host uid (set by setpriv).
        flags = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                 "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    else:
        flags = ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    return [bwrap, *flags, "--die-with-parent", "--new-session"]


def drop_privileges(uid: int) -> list[str]:
    """Command prefix run inside bwrap as root: become ``uid`` with no capabilities left at all."""
    if not running_as_root():
        return []
    return [tools()[1], "--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs"]


def python_roots() -> list[str]:
    """Directories the interpreter and its packages live in (bound read-only)."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
             os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    return sorted(r for r in roots if not r.startswith("/usr/"))


def bwrap_command(workdir: Path, limits: Limits | None = None, seccomp_fd: int | None = None,
                   uid: int = UID_BASE) -> list[str]:
    limits = limits or Limits()
    cmd = namespace_flags()
    if seccomp_fd is not None:
        cmd += ["--seccomp", str(seccomp_fd)]
    # /tmp first: the Python roots may live under /tmp and are bound over it.
    cmd += ["--perms", "1777", "--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    roots = python_roots()
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
    return cmd + drop_privileges(uid)


@dataclass
class Launch:
    """What to start: the command, its working folder and environment, the uid to become (None:
    stay), and the file descriptors the child inherits (closed in the parent once it started)."""
    cmd: list[str]
    cwd: str | None
    env: dict
    user: int | None = None
    fds: list[int] = field(default_factory=list)


class Bubblewrap:
    name = "bwrap"
    summary = "bubblewrap: no files but Python and the release folder, no network, seccomp, private /tmp and PIDs"

    def problem(self) -> str | None:
        return None if bwrap_works() else f"bubblewrap is not usable on this machine: {INSTALL_HINT}"

    def prepare(self, workdir: Path, limits: Limits, uid: int, python: list[str]) -> Launch:
        fds = []
        seccomp_fd = None
        program = filter_program()
        if program is not None:
            seccomp_fd, w = os.pipe()
            os.write(w, program)  # a few hundred bytes: fits in the pipe buffer
            os.close(w)
            fds.append(seccomp_fd)
        # env {}: bubblewrap's own process (PID 1 inside) would otherwise carry the grader's environment
        return Launch(bwrap_command(workdir, limits, seccomp_fd, uid) + python, None, {}, None, fds)

    def facts(self, limits: Limits) -> dict:
        return {"capabilities": "none", "seccomp": filter_program() is not None, "tmpfs_bytes": limits.tmpfs_bytes}


class LimitsOnly:
    name = "limits-only"
    summary = "resource limits only (and, as root, a uid of its own): files and the network stay reachable"

    def problem(self) -> str | None:
        return unsandboxed_problem()

    def prepare(self, workdir: Path, limits: Limits, uid: int, python: list[str]) -> Launch:
        env = {"HOME": str(workdir), "MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin",
               "MPLCONFIGDIR": str(workdir / ".matplotlib"), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        env.update({k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ})
        user = None
        if running_as_root():  # never run a submission as root: a uid of its own that owns only its folder
            problem = unsandboxed_problem()
            if problem:
                raise SandboxUnavailable(problem)
            user = uid
            for path in [workdir, *workdir.rglob("*")]:
                os.lchown(path, uid, uid)
            os.chmod(workdir.parent, 0o711)
        return Launch(python, str(workdir), env, user)

    def facts(self, limits: Limits) -> dict:
        return {"capabilities": "none" if running_as_root() else "grader's", "seccomp": False, "tmpfs_bytes": None}


LAUNCHERS = {launcher.name: launcher for launcher in (Bubblewrap(), LimitsOnly())}
DEFAULT = "bwrap"


def get_launcher(name: str):
    try:
        return LAUNCHERS[name]
    except KeyError:
        raise ValueError(f"unknown sandbox {name!r}: one of {sorted(LAUNCHERS)}") from None


def select_launcher(name: str | None = None, allow_unsandboxed: bool = False) -> str:
    """The launcher to grade with: ``name`` (default bwrap) if it works here; else, only with
    ``allow_unsandboxed``, limits-only. SandboxUnavailable says why not."""
    wanted = get_launcher(name or DEFAULT)
    problem = wanted.problem()
    if problem is None:
        return wanted.name
    if not allow_unsandboxed:
        raise SandboxUnavailable(problem)
    fallback = LAUNCHERS["limits-only"]
    if fallback.problem():
        raise SandboxUnavailable(fallback.problem())
    return fallback.name
