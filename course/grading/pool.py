"""Warm sandbox children: started before the submission they will grade arrives.

Starting a child (bubblewrap, the interpreter, numpy, the assignment's setup cells) costs a few
tenths of a second. A grading process keeps one child per (assignment, limits, sandbox mode,
release files) ready, hands it to the next submission with exactly that key and at once starts
its successor in a background thread, so the start leaves the critical path.

A child is used for one submission only and then killed: it ran nothing of any submission before
its handoff and nothing of another submission after it. Each has its own copy of the release
folder, cgroup budget, uid, PID namespace and /tmp, exactly as a child started for the submission
(course.sandbox.process.Sandbox does the starting either way). Per-submission state (the deadline
of the whole submission, each call's timeout) is applied by the SubmissionSession that adopts it.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from course.paths import master_notebook
from course.sandbox.budget import remove_stale as remove_stale_budgets
from course.sandbox.process import Limits, Sandbox, SandboxError

if TYPE_CHECKING:  # this module is light (a grading command spawns its first child before nbformat loads)
    from course.grading.notebooks import MasterNotebook

WARM_PREFIX = "course-warm-"
RELEASE_IGNORE = ("*.ipynb", "__pycache__")  # what a child's copy of the release folder leaves out


@dataclass(frozen=True)
class WarmKey:
    """What a child was prepared for; it is only handed to a submission with an equal key."""

    root: str
    assignment: str
    limits: Limits
    launcher: str  # course.sandbox.launchers name
    files: tuple  # (path, mtime_ns, size) of the master notebook and the copied release files


def warm_key(root: Path, assignment: str, limits: Limits, launcher: str) -> WarmKey:
    release = root / "release" / assignment
    paths = [master_notebook(root, assignment)]
    for folder, dirs, names in os.walk(release):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        paths += [Path(folder) / n for n in sorted(names) if not n.endswith(".ipynb")]
    files = []
    for path in paths:
        st = path.stat()
        files.append((str(path), st.st_mtime_ns, st.st_size))
    return WarmKey(str(root.resolve()), assignment, limits, launcher, tuple(files))


def copy_release(root: Path, assignment: str, workdir: Path) -> None:
    """The child's private copy of release/<assignment> (notebooks left out)."""
    shutil.copytree(root / "release" / assignment, workdir, ignore=shutil.ignore_patterns(*RELEASE_IGNORE))


class WarmChild:
    """A started, set-up child and the folder it is bound to; ``discard`` removes both."""

    def __init__(self, key: WarmKey):
        self.key = key
        self.folder = Path(tempfile.mkdtemp(prefix=f"{WARM_PREFIX}{os.getpid()}-"))
        self.workdir = self.folder / key.assignment
        try:
            copy_release(Path(key.root), key.assignment, self.workdir)
            self.sandbox = Sandbox(self.workdir, key.limits, key.launcher)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def launch(self) -> None:
        """Spawn the child (it boots on another core while the caller goes on)."""
        self.sandbox.start()

    def prepare(self, master: MasterNotebook, launched: bool = False) -> None:
        from course.grading.session import run_setup

        seconds = self.key.limits.call_timeout
        if not launched:
            self.launch()
        self.sandbox.exec("pass", "<ready>", timeout=seconds)
        run_setup(self.sandbox, master, lambda: seconds)

    def discard(self) -> None:
        self.sandbox.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


class WarmPool:
    """Ready children of one grading process, one per key, at most ``max_keys`` keys (LRU)."""

    def __init__(self, max_keys: int = 4, budget: int | None = None):
        self.max_keys = max_keys
        # How many children to start in all (a batch that knows its submissions starts no spare one
        # after the last); None: no limit (a service, a Dask worker).
        self.budget = budget
        self._slots: OrderedDict[WarmKey, Future] = OrderedDict()
        self._launched: dict[WarmKey, WarmChild] = {}  # head_start(): spawned, not yet set up
        self._lock = threading.RLock()  # reentrant: close() may run in a signal handler
        self._closed = False
        # One thread: children are started one after another, never a burst competing with grading.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="course-warm")

    def take(self, key: WarmKey, master: MasterNotebook) -> WarmChild | None:
        """The ready child for ``key`` (waiting for it if it is still starting), or None when none
        could be started: the caller then starts one itself. Starts the next one in the background.
        The caller owns the child and must ``discard`` it."""
        with self._lock:
            if self._closed:
                return None
            future = self._slots.pop(key, None)
            if future is None and key in self._launched:  # spawned by head_start: set up now
                future = self._executor.submit(self._prepare_launched, self._launched.pop(key), master)
            if future is None:  # first submission of this kind here: start one now and wait for it
                future = self._submit(key, master)
                if future is None:
                    return None
            successor = self._submit(key, master)
            if successor is not None:
                self._slots[key] = successor
            evicted = []
            while len(self._slots) > self.max_keys:
                evicted.append(self._slots.popitem(last=False)[1])
        for old in evicted:
            old.add_done_callback(_discard_result)
        try:
            child = future.result()
        except CancelledError:  # the pool was closed meanwhile
            return None
        if child is not None and not child.sandbox.ping():
            # it died while waiting (the machine's OOM killer, say): the caller starts one itself
            child.discard()
            return None
        return child

    def prewarm(self, key: WarmKey, master: MasterNotebook) -> None:
        """Start a child for ``key`` in the background unless one is ready or starting."""
        with self._lock:
            if not self._closed and key not in self._slots and len(self._slots) < self.max_keys:
                future = self._submit(key, master)
                if future is not None:
                    self._slots[key] = future

    def head_start(self, key: WarmKey) -> bool:
        """Spawn a child for ``key`` now, in this thread, before the caller has read the master
        notebook or loaded the grading stack (a command's first submission: the child boots while
        the command imports). Its setup cells run when it is taken. Counts against the budget;
        False when it could not be spawned (the first ``take`` then starts one as usual)."""
        with self._lock:
            if self._closed or key in self._launched or (self.budget is not None and self.budget <= 0):
                return False
            try:
                child = WarmChild(key)
            except (OSError, SandboxError):
                return False
            try:
                child.launch()
            except Exception:
                child.discard()
                return False
            if self.budget is not None:
                self.budget -= 1
            self._launched[key] = child
            return True

    def launched(self) -> int:
        """Children spawned by head_start and not taken yet."""
        with self._lock:
            return len(self._launched)

    def _prepare_launched(self, child: WarmChild, master: MasterNotebook) -> WarmChild | None:
        if self._closed:
            child.discard()
            return None
        try:
            child.prepare(master, launched=True)
        except Exception:
            child.discard()
            return None
        return child

    def wait_ready(self) -> None:
        """Wait until no child is being started."""
        with self._lock:
            futures = list(self._slots.values())
        for future in futures:
            try:
                future.exception()
            except CancelledError:
                pass

    def _submit(self, key: WarmKey, master: MasterNotebook) -> Future | None:
        if self.budget is not None:
            if self.budget <= 0:
                return None
            self.budget -= 1
        return self._executor.submit(self._prepare, key, master)

    def _prepare(self, key: WarmKey, master: MasterNotebook) -> WarmChild | None:
        if self._closed:
            return None
        try:
            child = WarmChild(key)
        except (OSError, SandboxError):
            return None
        try:
            child.prepare(master)
        except Exception:  # the caller starts a child itself and meets (and records) the same problem
            child.discard()
            return None
        return child

    def close(self) -> None:
        """Kill every child not handed out and remove its folder; later ``take`` calls return None."""
        with self._lock:
            self._closed = True
            slots = list(self._slots.values())
            self._slots.clear()
            launched = list(self._launched.values())
            self._launched.clear()
        self._executor.shutdown(wait=True, cancel_futures=True)
        for child in launched:
            child.discard()
        for future in slots:
            _discard_result(future)


def _discard_result(future: Future) -> None:
    if not future.cancelled() and future.result() is not None:
        future.result().discard()


_POOL: WarmPool | None = None
_POOL_LOCK = threading.RLock()  # reentrant: close_process_pool() may run in a signal handler


def process_pool() -> WarmPool:
    """This grading process's pool (made on first use; closed at exit or by ``close_process_pool``)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            remove_stale_folders()
            remove_stale_budgets()
            _POOL = WarmPool()
            atexit.register(close_process_pool)
        return _POOL


def close_process_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.close()


def prewarm(root: str, assignments: list[str], limits: Limits, launcher: str) -> None:
    """Start this process's children for ``assignments`` (a server about to take uploads), and
    compile the feedback page's templates."""
    from course.grading.notebooks import read_master
    from course.html import compile_all

    pool = process_pool()
    for assignment in assignments:
        pool.prewarm(warm_key(Path(root), assignment, limits, launcher), read_master(master_notebook(Path(root), assignment)))
    compile_all()  # while the children start (pool.prewarm returns at once)


def remove_stale_folders() -> None:
    """Folders of warm children whose grading process was killed (SIGKILL skips every cleanup;
    the children themselves died with it: bubblewrap's --die-with-parent, or EOF on their pipe).
    remove_stale_budgets does the same for their cgroups."""
    for folder in Path(tempfile.gettempdir()).glob(f"{WARM_PREFIX}*-*"):
        try:
            pid = int(folder.name[len(WARM_PREFIX):].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
