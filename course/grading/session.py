"""A submission loaded into a sandbox child, as graders see it (the ``submission`` fixture)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from course.grading.notebooks import MasterNotebook, SubmittedCell
from course.sandbox.process import (CallTimeout, ChildDied, ChildMisbehaved, ChildStartFailed, Limits, Sandbox,
                                    SandboxError,
                                    StudentError)


def run_setup(sandbox: Sandbox, master: MasterNotebook, timeout: Callable[[], float]) -> None:
    """The course's setup cells, then the seal: the state every submission's child starts from."""
    for i, source in enumerate(master.setup_sources):
        sandbox.exec(source, f"<setup {i}>", timeout=timeout())
    sandbox.seal([item.id for item in master.items], timeout=timeout())


class SubmissionFailure(AssertionError):
    """The submission's code failed during a grader call; the message is for the student."""


@dataclass
class CellOutcome:
    item_id: str
    status: str  # "ok", "error", "timeout", "crashed", "missing", "skipped"
    message: str = ""


@dataclass
class SubmissionSession:
    """Runs the course's setup cells and the submission's graded cells in a sandbox child.

    If the child dies or hangs, the next call starts a new one and replays the cells that
    ran cleanly, so one bad call costs only the tests that depend on it.
    """

    master: MasterNotebook
    cells: list[SubmittedCell]
    workdir: Path
    limits: Limits = field(default_factory=Limits)
    deadline: float = float("inf")  # time.monotonic() after which nothing more runs
    launcher: str | None = None  # course.sandbox.launchers name; None: bubblewrap, required
    # A child from the warm pool (course.grading.pool): started on ``workdir`` with ``limits``, setup
    # run and sealed, nothing of any submission run in it. None: start one here.
    prestarted: Sandbox | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.sandbox = self.prestarted or Sandbox(self.workdir, self.limits, self.launcher)
        self.outcomes: dict[str, CellOutcome] = {}
        self.timed_out = False
        self.crashed = False
        self.deadline_hit = False
        # seconds per phase: child_start (sandbox + interpreter + numpy, until the child answers),
        # setup, cells, child_calls (time spent waiting on calls made by the graders)
        self.timings: dict[str, float] = {"child_calls": 0.0}
        self.hung: set[str] = set()  # functions that timed out once: later calls fail at once
        self.start_failure: ChildStartFailed | None = None  # the host could not start a child: not the student's fault

    @property
    def isolation(self) -> str:
        return self.sandbox.isolation

    def _timeout(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.deadline_hit = True
            raise SubmissionFailure("整份作业的评分时间已用完 (time limit for the submission exceeded)，后面的测试没有运行。")
        return min(self.limits.call_timeout, remaining)

    def _run_setup(self) -> None:
        run_setup(self.sandbox, self.master, self._timeout)

    def _restart(self) -> None:
        """A fresh child holding setup and every graded cell that ran cleanly."""
        self.sandbox.kill()
        self.sandbox.start()
        self._run_setup()
        for cell in self.cells:
            outcome = self.outcomes.get(cell.item_id)
            if outcome is not None and outcome.status == "ok":
                self.sandbox.exec(cell.source, f"<cell {cell.item_id}>", timeout=self._timeout())

    def _run_cell(self, cell: SubmittedCell) -> CellOutcome:
        if cell.source is None:
            return CellOutcome(cell.item_id, "missing", "; ".join(cell.notes))
        try:
            self.sandbox.exec(cell.source, f"<cell {cell.item_id}>", timeout=self._timeout())
            return CellOutcome(cell.item_id, "ok")
        except StudentError as exc:
            return CellOutcome(cell.item_id, "error", _student_error_text(exc))
        except CallTimeout:
            self.timed_out = True
            return CellOutcome(cell.item_id, "timeout", "运行这个单元格超时（可能有死循环）")
        except (ChildDied, ChildMisbehaved) as exc:
            self.crashed = True
            return CellOutcome(cell.item_id, "crashed", f"运行这个单元格时进程退出：{exc}")

    def start(self) -> None:
        """Start the child, run setup, then each graded cell once; a hang or crash restarts the child."""
        mark = time.monotonic()
        self._timeout()
        if self.prestarted is None:
            self.sandbox.start()
            self.sandbox.exec("pass", "<ready>", timeout=self._timeout())  # waits until the child is up
            self.timings["child_start"] = time.monotonic() - mark
            mark = time.monotonic()
            self._run_setup()
            self.timings["setup"] = time.monotonic() - mark
        else:  # started and set up before this submission arrived
            self.timings["child_start"] = self.timings["setup"] = 0.0
        mark = time.monotonic()
        for cell in self.cells:
            outcome = self._run_cell(cell)
            self.outcomes[cell.item_id] = outcome
            if outcome.status in ("timeout", "crashed"):
                self._restart()
        self.timings["cells"] = time.monotonic() - mark

    def call(self, name: str, *args, seed: int | None = None, return_args: bool = False, **kwargs):
        """Call ``name`` (a graded function or a dotted name from setup) in the child."""
        mark = time.monotonic()
        if name in self.hung:
            raise SubmissionFailure(f"调用 {name} 在前面的测试中已经超时，这项测试不再等待它，直接记 0 分。")
        try:
            if not self.sandbox.alive:
                self._restart()
            return self.sandbox.call(name, *args, seed=seed, return_args=return_args,
                                     timeout=self._timeout(), **kwargs)
        except StudentError as exc:
            outcome = self.outcomes.get(name)
            if outcome is not None and outcome.status != "ok" and exc.error.get("type") == "NameError":
                raise SubmissionFailure(f"{name} 不可用：{_outcome_text(outcome)}") from None
            raise SubmissionFailure(f"调用 {name} 时你的代码抛出了异常：\n{_student_error_text(exc)}") from None
        except CallTimeout:
            self.timed_out = True
            self.hung.add(name)
            raise SubmissionFailure(f"调用 {name} 超时（超过 {self.limits.call_timeout:g} 秒，可能有死循环）。") from None
        except ChildDied as exc:
            self.crashed = True
            raise SubmissionFailure(f"调用 {name} 时进程意外退出：{exc}") from None
        except ChildMisbehaved as exc:
            self.crashed = True
            raise SubmissionFailure(f"调用 {name} 时你的代码破坏了与评分程序的通信（{exc}），这项测试记 0 分。") from None
        except ChildStartFailed as exc:  # the grading host's failure: the whole result is an error, graded again
            self.start_failure = exc
            raise
        except SandboxError as exc:
            raise SubmissionFailure(f"调用 {name} 失败：{exc}") from None
        finally:
            self.timings["child_calls"] += time.monotonic() - mark

    def output(self) -> str:
        """What the submission printed (capped)."""
        return "\n".join(o for o in self.sandbox.outputs if o)

    def close(self) -> None:
        self.sandbox.close()


def _student_error_text(exc: StudentError) -> str:
    err = exc.error
    tb = str(err.get("traceback") or "").strip()
    return tb or f"{err.get('type')}: {err.get('message')}"


def _outcome_text(outcome: CellOutcome) -> str:
    labels = {"error": "定义它的单元格运行出错", "timeout": "定义它的单元格运行超时",
              "crashed": "运行定义它的单元格时进程退出", "missing": "没有找到定义它的单元格"}
    text = labels.get(outcome.status, outcome.status)
    return f"{text}。{outcome.message}" if outcome.message else text
