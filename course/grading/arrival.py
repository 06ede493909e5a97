"""When a submission arrived, from times the student cannot write.

``timestamp.txt`` is written by the student's own ``nbgrader submit`` and travels through the
exchange, so the student can put anything in it. What the student cannot set is a file's
``ctime``: the kernel stamps it whenever a file or folder is created or changed, and only the
clock (root) can move it back. Two such times exist:

- the exchange's arrival: nbgrader submit creates ``<exchange>/<course>/inbound/<student>+<assignment>+
  <timestamp>+<random>/`` (the name is the student's too). The record whose notebook is byte for byte
  the graded one arrived at the latest ctime of its folder and files (a later edit only makes it
  later); with several such records, the earliest counts (that exact notebook was in by then).
- the time the notebook landed in ``submitted/`` (nbgrader collect or zip_collect, course serve,
  a copy): the instructor's folder, so an upper bound of the arrival.

The submission's time is then (GRACE_SECONDS allows for nbgrader submit copying the files after
it wrote the stamp):

- an exchange arrival is known: the stamp if it is valid and within the grace of the arrival,
  else the arrival less the grace (a back-dated stamp gains at most the grace);
- the course has an exchange but no record holds this notebook (the student removed or changed it
  after collect): the landing time (nbgrader's collect time) less the grace, or the stamp if later;
- the course has no exchange (an LMS download via zip_collect, course serve: stamps the
  instructor's tools wrote): the stamp, which cannot be later than the landing time;
- an unparsable or future stamp (later than the trusted time plus the grace) fails closed: the
  trusted time counts, the submission is late whenever the assignment has a due date, and the
  result says why (``problem``);
- no stamp (a file copied by hand; nbgrader's tools always write one): the exchange's arrival or
  collect time where the course has an exchange, else no time (never late, as nbgrader has it).
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

from course.config import read_config
from course.grading.text import clean_text
from course.sandbox.process import Limits

GRACE_SECONDS = 60.0
MAX_RECORD_ENTRIES = 10_000  # files and folders looked at in one inbound record
MAX_NOTEBOOK_BYTES = Limits.notebook_bytes  # larger inbound files are not hashed (nor graded, by default)


# What nbgrader writes into timestamp.txt ("2026-11-01 11:59:00.123456 UTC"), parsed without
# dateutil (40 ms to import); any other text goes to nbgrader's own parser (tests/test_trust.py
# checks that both agree).
_NBGRADER_STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})? UTC")


def parse_stamp(text: str | None) -> datetime | None:
    """nbgrader's timestamp.txt as a naive UTC datetime (nbgrader's convention), or None."""
    if not text:
        return None
    if _NBGRADER_STAMP.fullmatch(text):
        with contextlib.suppress(ValueError):  # a day or hour out of range: nbgrader's parser decides
            return datetime.strptime(text[:-4], "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S")
    from nbgrader.utils import parse_utc

    try:
        parsed = parse_utc(text)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed if isinstance(parsed, datetime) else None


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None)


# nbgrader's defaults for Exchange.root and CourseDirectory.course_id (tests/test_term.py checks them):
# importing nbgrader.exchange to read them would load the gradebook's SQLAlchemy models as well.
EXCHANGE_ROOT_DEFAULT = "/usr/local/share/nbgrader/exchange"
COURSE_ID_DEFAULT = ""


def exchange_inbound(root: Path) -> Path:
    """<Exchange.root>/<course_id>/inbound from the course's nbgrader_config.py (nbgrader's defaults otherwise)."""
    config = read_config(root)
    exchange_root = config.Exchange.root if "root" in config.Exchange else EXCHANGE_ROOT_DEFAULT
    course_id = config.CourseDirectory.course_id if "course_id" in config.CourseDirectory else COURSE_ID_DEFAULT
    return Path(exchange_root) / course_id / "inbound"


def _file_sha256(path: Path) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_NOTEBOOK_BYTES:
            return None
        digest = hashlib.sha256()
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
        return digest.hexdigest()


def _latest_ctime(folder: Path) -> float | None:
    """The latest ctime of the folder and everything in it (symlinks not followed); None if too big."""
    latest = os.lstat(folder).st_ctime
    seen = 0
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            seen += 1
            if seen > MAX_RECORD_ENTRIES:
                return None
            latest = max(latest, os.lstat(os.path.join(top, name)).st_ctime)
    return latest


def exchange_arrival(inbound: Path, student: str, assignment: str, notebook_name: str, sha256: str) -> float | None:
    """The earliest arrival (epoch seconds) of an inbound record of this student and assignment that
    holds exactly this notebook; None when there is none (or the exchange is not readable)."""
    try:
        names = os.listdir(inbound)
    except OSError:
        return None
    arrivals: list[float] = []
    for name in names:
        parts = name.split("+")
        if len(parts) < 3 or parts[0] != student or parts[1] != assignment:
            continue
        record = inbound / name
        try:
            if not stat.S_ISDIR(os.lstat(record).st_mode) or _file_sha256(record / notebook_name) != sha256:
                continue
            arrived = _latest_ctime(record)
        except OSError:
            continue
        if arrived is not None:
            arrivals.append(arrived)
    return min(arrivals) if arrivals else None


def submission_time(root: Path, student: str, assignment: str, notebook: Path, stamp: dict) -> dict:
    """The submission's time and where it came from. ``stamp`` is batch.submission_stamp()'s
    (sha256 of the notebook, timestamp.txt's text). Returns {"time": naive UTC datetime or None,
    "source": "exchange" | "timestamp.txt" | "submitted", "claimed": the stamp's text, "claimed_time": it
    parsed (or None), "problem": Chinese text or ""}; "problem" means the stamp is not believed and the
    submission counts as late."""
    claimed_text = stamp.get("timestamp")
    claimed = parse_stamp(claimed_text)
    grace = timedelta(seconds=GRACE_SECONDS)
    inbound = exchange_inbound(root)
    arrival = exchange_arrival(inbound, student, assignment, notebook.name, stamp.get("sha256", ""))
    through_exchange = arrival is not None or os.path.isdir(inbound)
    if arrival is not None:
        trusted, source = _utc(arrival), "exchange"
    else:
        try:
            trusted, source = _utc(os.lstat(notebook).st_ctime), "submitted"
        except OSError:
            trusted, source = None, "submitted"
    out = {"time": trusted, "source": source, "claimed": claimed_text, "claimed_time": claimed, "problem": ""}
    if trusted is None:  # no notebook: nothing is graded, nothing to date
        out["time"] = claimed
        return out
    if claimed_text is None:  # no stamp (or not UTF-8): the trusted time where there is one, as before otherwise
        if not through_exchange:
            out["time"] = None
    elif claimed is None:
        out["problem"] = (f"提交时间文件 timestamp.txt 无法解析（{claimed_text!r}）：按迟交处理"
                          f"（以服务器记录的时间 {trusted:%Y-%m-%d %H:%M:%S} UTC 为准）。")
    elif claimed > trusted + grace:
        out["problem"] = (f"提交时间文件 timestamp.txt 写的是将来的时间（{claimed_text}，晚于服务器收到作业的时间 "
                          f"{trusted:%Y-%m-%d %H:%M:%S} UTC）：按迟交处理。")
    elif through_exchange:  # the stamp may be back-dated: at most by the grace
        out["time"] = max(claimed, trusted - grace)
        if out["time"] == claimed:
            out["source"] = "timestamp.txt"
    else:
        out["time"], out["source"] = claimed, "timestamp.txt"
    out["problem"] = clean_text(out["problem"])  # it quotes the student's stamp
    return out
