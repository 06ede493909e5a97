"""The per-submission unit every path shares (the batch, Dask workers, course serve, nbgrader
autograde): which version of a notebook it is, and grading it without ever losing it."""
from __future__ import annotations

import hashlib
import os
import stat
import traceback
from dataclasses import dataclass
from pathlib import Path

from course.grading.engine import grade_submission, ungraded_result
from course.grading.feedback import render_feedback
from course.sandbox.process import Limits, SandboxUnavailable


@dataclass(frozen=True)
class Submission:
    student: str
    notebook: Path
    refused: str = ""  # why the submission is not graded (a symlinked folder), or ""
    note: str = ""  # for the student: which file was graded instead of the master's name (or what was found), or ""


def submission_stamp(sub: Submission, max_bytes: int = Limits.notebook_bytes) -> dict:
    """What identifies a version of a submission: the notebook's sha256 and its timestamp.txt
    (nbgrader's submission time), and the note on a renamed notebook. A change to any means a
    resubmission, to be graded again."""
    digest = hashlib.sha256()
    try:
        fd = os.open(sub.notebook, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            else:
                digest.update(f"{info.st_mode} {info.st_size} {info.st_mtime_ns}".encode())
    except OSError as exc:
        digest.update(f"unreadable {exc.errno}".encode())
    # A few bytes of a regular file (never a symlink to /dev/zero or a FIFO); bytes that are not UTF-8
    # stay visible, and unparsable: course.grading.arrival fails closed on them.
    try:
        fd = os.open(sub.notebook.parent / "timestamp.txt", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            raw = f.read(400) if stat.S_ISREG(os.fstat(f.fileno()).st_mode) else b"<not a file>"
        timestamp = raw.decode("utf-8", "backslashreplace").strip()[:100] or None
    except OSError:
        timestamp = None
    stamp = {"sha256": digest.hexdigest(), "timestamp": timestamp}
    if sub.note:  # which file was taken, or which were found: another one next time is graded again
        stamp["note"] = sub.note
    return stamp


def grade_one(root: Path, assignment: str, sub: Submission, *, limits: Limits, timeout: float,
              launcher: str, pool=None) -> dict:
    """grade_submission for one batch entry; any failure becomes that submission's error record."""
    if sub.refused:
        return ungraded_result(root, assignment, sub.student, "invalid-notebook", sub.refused)
    try:
        return with_note(grade_submission(root, assignment, sub.student, sub.notebook, limits=limits,
                                          timeout=timeout, launcher=launcher, pool=pool), sub.note)
    except SandboxUnavailable:
        raise
    except Exception as exc:  # including RecursionError / MemoryError from a pathological notebook
        result = ungraded_result(root, assignment, sub.student, "error",
                                 f"grading failed: {type(exc).__name__}: {str(exc)[:1000]}")
        result["grader_errors"] = [traceback.format_exc()[-4000:]]
        return result


def with_note(result: dict, note: str) -> dict:
    """``result`` with ``note`` (the notebook found under another name) added to its message, which
    the feedback page shows the student."""
    if note:
        result["message"] = f"{result['message']}；{note}" if result.get("message") else note
    return result


def grade_task(root: str, assignment: str, sub, limits: Limits, timeout: float,
                launcher: str, warm: bool = False) -> tuple[dict, str | None]:
    """Runs on a worker: the result (JSON-ready plain data) and its rendered feedback page.

    Rendering here keeps the client, which serializes all writes, from becoming the bottleneck.
    ``warm``: take the sandbox child from this worker's warm pool (course.grading.pool).
    """
    from course.grading.pool import process_pool

    result = grade_one(Path(root), assignment, sub, limits=limits, timeout=timeout, launcher=launcher,
                       pool=process_pool() if warm else None)
    try:
        return result, render_feedback(result)
    except Exception:  # the client renders it again and records the failure there
        return result, None
