"""One resource budget for all of a submission's processes together: a cgroup of its own.

Memory (tmpfs pages included: they are charged to the cgroup that wrote them), the number of
processes and threads, and CPU (at most one core, so CPU time never exceeds wall time) are
capped for the whole process tree, not per process. cgroup v1 (memory, pids, cpu controllers)
and v2 are both handled; where neither can be written (an unprivileged grader, a container
without delegation) ``CgroupBudget.create`` returns None and the sandbox falls back to
per-process rlimits, recording which limits were enforced.
"""
from __future__ import annotations

import itertools
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

_SEQ = itertools.count()


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(fstype, mount point, options) of every cgroup filesystem."""
    out = []
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        parts = line.split()
        if len(parts) >= 4 and parts[2] in ("cgroup", "cgroup2"):
            out.append((parts[2], parts[1], set(parts[3].split(","))))
    return out


def _own_cgroups() -> dict[str, str]:
    """controller (or "" for v2) -> this process's cgroup path."""
    own = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return own
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(",") if controllers else [""]:
            own[c] = path
    return own


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


@dataclass
class CgroupBudget:
    """The cgroup directories of one sandbox child; every process it starts stays inside."""

    dirs: list[Path]
    version: int
    enforced: dict = field(default_factory=dict)

    @classmethod
    def create(cls, memory_bytes: int, pids: int, cpus: float = 1.0) -> "CgroupBudget | None":
        name = f"course-sandbox-{os.getpid()}-{next(_SEQ)}"
        own = _own_cgroups()
        mounts = _mounts()
        try:
            v1 = {c: m for t, m, opts in mounts if t == "cgroup" for c in ("memory", "pids", "cpu") if c in opts}
            if {"memory", "pids"} <= set(v1) and all(c in own for c in v1):
                return cls._create_v1(name, v1, own, memory_bytes, pids, cpus)
            v2 = next((m for t, m, _ in mounts if t == "cgroup2"), None)
            if v2 is not None and "" in own:
                return cls._create_v2(name, Path(v2 + own[""]), memory_bytes, pids, cpus)
        except OSError:
            pass
        return None

    @classmethod
    def _create_v1(cls, name, mounts, own, memory_bytes, pids, cpus) -> "CgroupBudget":
        budget = cls([], 1)
        try:
            for controller, mount in mounts.items():
                d = Path(mount + own[controller].rstrip("/")) / name
                d.mkdir()
                budget.dirs.append(d)
                if controller == "memory":
                    _write(d / "memory.limit_in_bytes", str(memory_bytes))
                    if (d / "memory.memsw.limit_in_bytes").exists():  # swap counted too, where accounted
                        _write(d / "memory.memsw.limit_in_bytes", str(memory_bytes))
                    budget.enforced["memory_bytes"] = memory_bytes
                elif controller == "pids":
                    _write(d / "pids.max", str(pids))
                    budget.enforced["pids"] = pids
                elif controller == "cpu":
                    _write(d / "cpu.cfs_period_us", "100000")
                    _write(d / "cpu.cfs_quota_us", str(int(100000 * cpus)))
                    budget.enforced["cpus"] = cpus
        except OSError:
            budget.remove()
            raise
        return budget

    @classmethod
    def _create_v2(cls, name, parent: Path, memory_bytes, pids, cpus) -> "CgroupBudget":
        wanted = {"memory", "pids", "cpu"}
        enabled = set((parent / "cgroup.subtree_control").read_text().split())
        if not {"memory", "pids"} <= enabled:
            # Only possible where this cgroup holds no process itself (a delegated, empty parent).
            _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in sorted(wanted - enabled)))
            enabled = set((parent / "cgroup.subtree_control").read_text().split())
        d = parent / name
        d.mkdir()
        budget = cls([d], 2)
        try:
            _write(d / "memory.max", str(memory_bytes))
            if (d / "memory.swap.max").exists():
                _write(d / "memory.swap.max", "0")
            budget.enforced["memory_bytes"] = memory_bytes
            _write(d / "pids.max", str(pids))
            budget.enforced["pids"] = pids
            if "cpu" in enabled:
                _write(d / "cpu.max", f"{int(100000 * cpus)} 100000")
                budget.enforced["cpus"] = cpus
        except OSError:
            budget.remove()
            raise
        return budget

    def join(self) -> None:
        """Move the calling process into the budget (called in the forked child before exec)."""
        for d in self.dirs:
            _write(d / "cgroup.procs", "0")

    def _pids(self) -> set[int]:
        found = set()
        for d in self.dirs:
            try:
                found |= {int(p) for p in (d / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                pass
        return found

    def kill_all(self) -> None:
        """SIGKILL every process in the budget, including ones that left the session (setsid daemons)."""
        if self.version == 2 and self.dirs and (self.dirs[0] / "cgroup.kill").exists():
            try:
                _write(self.dirs[0] / "cgroup.kill", "1")
            except OSError:
                pass
        for _ in range(200):  # a fork bomb is capped by pids.max, so this converges
            pids = self._pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.01)

    def out_of_memory(self) -> bool:
        """True when the kernel killed a process of this budget for exceeding its memory."""
        for d in self.dirs:
            for name in ("memory.oom_control", "memory.events"):
                try:
                    for line in (d / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and int(value) > 0:
                            return True
                except (OSError, ValueError):
                    pass
        return False

    def remove(self) -> None:
        self.kill_all()
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # processes still exiting
                    time.sleep(0.02)


def _parents() -> set[Path]:
    """The cgroup directories this process's budgets are made in."""
    own = _own_cgroups()
    found = set()
    for fstype, mount, opts in _mounts():
        if fstype == "cgroup":
            found |= {Path(mount + own[c].rstrip("/")) for c in opts if c in own}
        elif "" in own:
            found.add(Path(mount + own[""]))
    return found


def remove_stale() -> None:
    """Budgets of grading processes that were killed (SIGKILL skips every cleanup): their
    processes died with them, the empty directories stay until removed here."""
    for parent in _parents():
        for d in parent.glob("course-sandbox-*-*"):
            try:
                pid = int(d.name.split("-")[2])
                os.kill(pid, 0)
            except ValueError:
                continue
            except ProcessLookupError:
                CgroupBudget([d], 1 if (d / "tasks").exists() else 2).remove()  # v1 directories have "tasks"
            except PermissionError:
                pass
