"""The warm pool of sandbox children (course.grading.pool): a pooled child grades exactly like a
child started for the submission, a hostile submission cannot reach the child pooled for the
next student, and a closed pool leaves no process, folder or cgroup behind."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from helpers import ROOT
from course.grading.engine import grade_submission
from course.grading.notebooks import read_master
from course.grading.pool import WARM_PREFIX, WarmPool, remove_stale_folders, warm_key
from course.paths import assignments, master_notebook
from course.sandbox.budget import _parents as _cgroup_parents
from course.sandbox.budget import remove_stale as remove_stale_budgets
from course.sandbox.process import _UID_BASE, _UID_SLOTS, Limits, bwrap_works
from helpers import TINY, append_to_cell, write_notebook

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable: the pool starts sandboxed children")

SAMPLES = ROOT / "samples" / "submitted"
LIMITS = Limits(call_timeout=8.0, memory_bytes=512 << 20)
TIMEOUT = 60.0


def _samples() -> list[tuple[str, Path]]:
    out = []
    for a in assignments(ROOT):
        out += [(a, p) for p in sorted(SAMPLES.glob(f"*/{a}/{master_notebook(ROOT, a).name}"))]
    return out


def _comparable(result: dict) -> dict:
    """A result without what depends on timing."""
    return {k: v for k, v in result.items() if k not in ("seconds", "timings")}


def _grade(assignment: str, notebook: Path, pool: WarmPool | None, root: Path = ROOT) -> dict:
    result = grade_submission(root, assignment, notebook.parent.parent.name, notebook, limits=LIMITS,
                              timeout=TIMEOUT, launcher="bwrap", pool=pool)
    if pool is not None:  # the child really came from the pool (no fallback to a fresh start)
        assert result["timings"]["child_start"] == 0.0 and "pool_take" in result["timings"], result["timings"]
    return result


def test_pooled_child_grades_every_sample_like_a_fresh_child():
    """Fairness: every sample submission of every assignment gets the same record (scores, messages,
    cell outcomes, output, enforced limits) from a pooled child as from a child started for it."""
    pool = WarmPool()
    try:
        samples = _samples()
        assert len({a for a, _ in samples}) == len(assignments(ROOT)) and len(samples) > 20
        for assignment, notebook in samples:
            fresh = _grade(assignment, notebook, None)
            pooled = _grade(assignment, notebook, pool)
            assert _comparable(pooled) == _comparable(fresh), notebook
    finally:
        pool.close()


HOSTILE = {
    # plants modules where the next child would import them from, and fills its own /tmp
    "writes_tmp_and_release": ('''
import os
for folder in ("/tmp", ".", "/submission"):
    for name in ("numpy.py", "init_utils.py", "public_tests.py", "sitecustomize.py"):
        try:
            open(os.path.join(folder, name), "w").write("raise SystemExit('planted')\\n")
        except OSError:
            pass
try:
    open("/tmp/fill", "wb").write(b"x" * (80 << 20))
except OSError:
    pass
''', "graded"),
    # SIGKILLs every pid it can name, then everything it can signal
    "kills_processes": ('''
import os, signal
for pid in range(1, 5000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
''', "graded"),
    # a daemon that outlives the submission's process and keeps killing (its own child too)
    "leaves_a_killer_behind": ('''
import os, signal, time
if os.fork() == 0:
    os.setsid()
    deadline = time.time() + 20
    while time.time() < deadline:
        for pid in range(1, 5000):
            if pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.05)
    os._exit(0)
''', None),
    # more memory than its budget: a MemoryError in its own cell (the per-process limit) or the
    # kernel's kill (the cgroup), whichever trips first; either way the next child is untouched
    "fills_memory": ('''
hog = []
while True:
    hog.append(bytearray(32 << 20))
''', None),
    "exits": ('''
import os
os._exit(0)
''', "crashed"),
}


def test_hostile_submission_cannot_affect_the_next_pooled_child(tiny_course, tmp_path):
    """Each hostile submission is graded from the pool, then an honest one whose child was started
    while the hostile one ran: the honest record equals that from a fresh child, every time."""
    root = tiny_course.root
    honest = tiny_course.submit("correct", tiny_course.solved())
    baseline = _comparable(_grade(TINY, honest, None, root))
    assert baseline["score"] == 3.0
    pool = WarmPool()
    try:
        for name, (code, status) in HOSTILE.items():
            path = write_notebook(tmp_path / name / TINY / tiny_course.NB, append_to_cell(tiny_course.solved(), "add", code))
            hostile = _grade(TINY, path, pool, root)
            assert status is None or hostile["status"] == status, (name, hostile["status"], hostile["message"])
            assert _comparable(_grade(TINY, honest, pool, root)) == baseline, name
    finally:
        pool.close()


def _own_uids() -> set[int]:
    """uids of live processes that run as a sandbox child of this process."""
    return _uids_in(_UID_BASE + (os.getpid() % 4_194_304) * _UID_SLOTS)


def _uids_in(base: int) -> set[int]:
    found = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            uid = int((proc / "status").read_text().split("Uid:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            continue
        if base <= uid < base + _UID_SLOTS:
            found.add(uid)
    return found


def _own_leftovers() -> list[str]:
    """Warm folders and cgroup budgets this process made and did not remove."""
    found = [str(p) for p in Path(tempfile.gettempdir()).glob(f"{WARM_PREFIX}{os.getpid()}-*")]
    for parent in _cgroup_parents():
        found += [str(p) for p in parent.glob(f"course-sandbox-{os.getpid()}-*")]
    return found


def test_closed_pool_leaves_no_process_folder_or_cgroup(tiny_course):
    assert not _own_uids() and not _own_leftovers()
    root = tiny_course.root
    master = read_master(master_notebook(root, TINY))
    pool = WarmPool()
    _grade(TINY, tiny_course.submit("correct", tiny_course.solved()), pool, root)  # took one child, started the next
    other = Limits(call_timeout=LIMITS.call_timeout + 1, memory_bytes=LIMITS.memory_bytes)  # another key
    pool.prewarm(warm_key(root, TINY, other, "bwrap"), master)
    pool.wait_ready()
    assert len(_own_uids()) == 2 and len([p for p in _own_leftovers() if WARM_PREFIX in p]) == 2
    pool.close()
    assert not _own_uids() and not _own_leftovers()
    assert pool.take(warm_key(root, TINY, LIMITS, "bwrap"), master) is None


def test_a_pool_with_a_budget_starts_no_spare_child():
    """A batch that knows its submissions (course grade, serial) starts each one's child while the
    one before is graded, and no child after the last."""
    assert not _own_uids() and not _own_leftovers()
    pool = WarmPool(max_keys=1, budget=2)
    try:
        first = _grade("initialization", SAMPLES / "correct" / "initialization" / "Initialization.ipynb", pool)  # took the first child, started the second
        pool.wait_ready()
        assert len(_own_uids()) == 1  # the second, ready
        second = _grade("initialization", SAMPLES / "correct" / "initialization" / "Initialization.ipynb", pool)
        pool.wait_ready()
        assert not _own_uids() and not _own_leftovers()  # the budget is spent: no third
        assert first["timings"]["pool_take"] >= 0 and second["score"] == first["score"] == 10.0
        assert pool.take(warm_key(ROOT, "initialization", LIMITS, "bwrap"), read_master(master_notebook(ROOT, "initialization"))) is None
    finally:
        pool.close()
    assert not _own_uids() and not _own_leftovers()


def test_a_killed_grading_process_leaves_nothing_after_the_next_start(tiny_course):
    """SIGKILL skips every cleanup: the warm children die with their grading process, and the next
    process's pool removes the folders and cgroups left behind."""
    root = str(tiny_course.root)
    script = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
              "from pathlib import Path\n"
              "from course.grading import pool\n"
              "from course.sandbox.process import Limits\n"
              "for seconds in (8.0, 9.0):  # two keys, two children\n"
              f"    pool.prewarm({root!r}, [{TINY!r}], Limits(call_timeout=seconds, memory_bytes=512 << 20), 'bwrap')\n"
              "pool.process_pool().wait_ready()\n"
              "print('ready', flush=True)\n"
              "import time; time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        base = _UID_BASE + (proc.pid % 4_194_304) * _UID_SLOTS
        folders = list(Path(tempfile.gettempdir()).glob(f"{WARM_PREFIX}{proc.pid}-*"))
        budgets = [p for parent in _cgroup_parents() for p in parent.glob(f"course-sandbox-{proc.pid}-*")]
        assert len(folders) == 2 and len(_uids_in(base)) == 2
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 30  # the children get their SIGKILL from the kernel, asynchronously
    while _uids_in(base) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _uids_in(base)
    remove_stale_folders()
    remove_stale_budgets()
    assert not any(p.exists() for p in folders + budgets)
