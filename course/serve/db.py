"""The service's own records (serve.db, SQLite): access tokens and browser sessions (both stored
hashed, both revocable) and the durable queue of uploaded attempts. Grades themselves go where
`course grade` puts them."""
from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, student TEXT NOT NULL, assignment TEXT NOT NULL, folder TEXT NOT NULL,
    received REAL NOT NULL, status TEXT NOT NULL, started REAL, finished REAL,
    score REAL, max_score REAL, result_status TEXT);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, received);
CREATE INDEX IF NOT EXISTS jobs_by_student ON jobs (student, assignment, received);
CREATE INDEX IF NOT EXISTS jobs_by_student_status ON jobs (student, status);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    hash TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, token TEXT NOT NULL, created REAL NOT NULL);
"""

SESSION_SECONDS = 14 * 24 * 3600  # as long as the cookie lives

VISIBLE = "status IN ('queued', 'grading', 'graded')"  # attempts that were stored as notebooks


@dataclass(frozen=True)
class Job:
    id: str
    student: str
    assignment: str
    folder: str  # the attempt's folder: the notebook as received and its timestamp.txt
    received: float
    status: str  # queued, grading, graded (receiving and refused rows are only counted, never shown)
    score: float | None = None
    max_score: float | None = None
    result_status: str | None = None  # the result's status (graded, timeout, invalid-notebook, ...)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ServeDB:
    """All access goes through short connections, so request threads and the runner share it safely."""

    def __init__(self, path: Path):
        self.path = path
        with closing(sqlite3.connect(path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def connect(self, write: bool = True, timeout: float = 30) -> Iterator[sqlite3.Connection]:
        """A transaction; ``write=False``: a read that never waits for, nor blocks, the writers
        (students polling their status while the runner records grades)."""
        with closing(sqlite3.connect(self.path, timeout=timeout, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a 202 means the attempt survives a crash
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN DEFERRED")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # tokens -------------------------------------------------------------------------------------
    def create_token(self, user: str, role: str = "student") -> str:
        """A new access token for ``user`` (returned once; only its hash is stored)."""
        token = secrets.token_urlsafe(24)
        with self.connect() as db:
            db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (_hash(token), user, role, time.time()))
        return token

    def user_for(self, token: str | None) -> tuple[str, str] | None:
        """(user, role) of a token, or None."""
        if not token:
            return None
        with self.connect(write=False) as db:
            row = db.execute("SELECT user, role FROM tokens WHERE hash = ?", (_hash(token),)).fetchone()
        return (row[0], row[1]) if row else None

    def revoke(self, user: str) -> tuple[int, int]:
        """Delete every token of ``user`` and every browser session opened with one:
        (tokens, sessions) removed. The user's attempts and grades stay."""
        with self.connect() as db:
            sessions = db.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount
            tokens = db.execute("DELETE FROM tokens WHERE user = ?", (user,)).rowcount
        return tokens, sessions

    def users(self) -> list[tuple[str, str, int, float, int]]:
        """(user, role, tokens, newest token's creation time, open sessions), by user."""
        with self.connect(write=False) as db:
            return db.execute("SELECT t.user, t.role, COUNT(*), MAX(t.created), "
                              "(SELECT COUNT(*) FROM sessions s WHERE s.user = t.user) "
                              "FROM tokens t GROUP BY t.user, t.role ORDER BY t.user").fetchall()

    # browser sessions ---------------------------------------------------------------------------
    def open_session(self, token: str) -> tuple[str, str, str] | None:
        """(session id, user, role) for a valid token; the cookie carries only the id, the
        server keeps (its hash and) who it is, so logout and `course token --revoke` end it."""
        sid = secrets.token_urlsafe(32)
        with self.connect() as db:
            row = db.execute("SELECT user, role FROM tokens WHERE hash = ?", (_hash(token),)).fetchone()
            if row is None:
                return None
            db.execute("DELETE FROM sessions WHERE created < ?", (time.time() - SESSION_SECONDS,))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (_hash(sid), row[0], row[1], _hash(token), time.time()))
        return sid, row[0], row[1]

    def session_user(self, sid: str | None) -> tuple[str, str] | None:
        """(user, role) of a live session: not logged out, not expired, its token not revoked."""
        if not sid:
            return None
        with self.connect(write=False) as db:
            row = db.execute("SELECT s.user, s.role FROM sessions s JOIN tokens t ON t.hash = s.token "
                             "WHERE s.hash = ? AND s.created >= ?", (_hash(sid), time.time() - SESSION_SECONDS)).fetchone()
        return (row[0], row[1]) if row else None

    def close_session(self, sid: str | None) -> None:
        if sid:
            with self.connect() as db:
                db.execute("DELETE FROM sessions WHERE hash = ?", (_hash(sid),))

    def secret(self) -> str:
        """The key that signs session cookies (made on first use)."""
        with self.connect() as db:
            row = db.execute("SELECT value FROM settings WHERE key = 'session_key'").fetchone()
            if row:
                return row[0]
            key = secrets.token_urlsafe(32)
            db.execute("INSERT INTO settings VALUES ('session_key', ?)", (key,))
            return key

    # the queue ----------------------------------------------------------------------------------
    def admit(self, job_id: str, student: str, assignment: str, folder: Path, received: float, *,
              per_minute: int, per_assignment: int) -> str | None:
        """Count an upload against the student's limits and, within them, reserve its row
        ('receiving'); one transaction, so concurrent uploads cannot all pass the check.
        Every upload counts, a refused (not-a-notebook) one too. Returns None, or the limit
        that refused it: "rate" or "attempts"."""
        with self.connect() as db:
            recent = db.execute("SELECT COUNT(*) FROM jobs WHERE student = ? AND received >= ?",
                                (student, received - 60)).fetchone()[0]
            if recent >= per_minute:
                return "rate"
            attempts = db.execute("SELECT COUNT(*) FROM jobs WHERE student = ? AND assignment = ?",
                                  (student, assignment)).fetchone()[0]
            if attempts >= per_assignment:
                return "attempts"
            db.execute("INSERT INTO jobs (id, student, assignment, folder, received, status) "
                       "VALUES (?, ?, ?, ?, ?, 'receiving')", (job_id, student, assignment, str(folder), received))
        return None

    def enqueue(self, job_id: str) -> None:
        """The admitted upload is stored: grade it."""
        with self.connect() as db:
            db.execute("UPDATE jobs SET status = 'queued' WHERE id = ? AND status = 'receiving'", (job_id,))

    def refuse(self, job_id: str) -> None:
        """The admitted upload was not a notebook (or could not be stored): counted, never graded."""
        with self.connect() as db:
            db.execute("UPDATE jobs SET status = 'refused', finished = ?, result_status = 'invalid-notebook' "
                       "WHERE id = ? AND status = 'receiving'", (time.time(), job_id))

    def abandon_receiving(self) -> None:
        """Uploads a killed server was still storing (never answered 202): counted, never graded."""
        with self.connect() as db:
            db.execute("UPDATE jobs SET status = 'refused', finished = ? WHERE status = 'receiving'", (time.time(),))

    def claim(self, limit: int, timeout: float = 30) -> list[Job]:
        """Up to ``limit`` queued jobs, marked as grading, taken round robin over students: first
        the students with the fewest attempts being graded, among them the one served longest
        ago, each student's oldest attempt first. One student's many (slow) uploads therefore
        delay another student by at most the one attempt that holds a worker when they arrive."""
        claimed = []
        with self.connect(timeout=timeout) as db:
            for _ in range(max(0, limit)):
                row = db.execute(
                    "SELECT * FROM jobs j WHERE status = 'queued' ORDER BY "
                    "(SELECT COUNT(*) FROM jobs g WHERE g.student = j.student AND g.status = 'grading'), "
                    "(SELECT COALESCE(MAX(s.started), 0) FROM jobs s WHERE s.student = j.student), "
                    "received LIMIT 1").fetchone()
                if row is None:
                    break
                db.execute("UPDATE jobs SET status = 'grading', started = ? WHERE id = ?", (time.time(), row[0]))
                claimed.append(self._job(row, status="grading"))
        return claimed

    def oldest_queued(self) -> float | None:
        """When the longest-waiting queued attempt arrived (for /healthz)."""
        with self.connect(write=False) as db:
            return db.execute("SELECT MIN(received) FROM jobs WHERE status = 'queued'").fetchone()[0]

    def finish(self, job_id: str, score: float, max_score: float, result_status: str) -> None:
        with self.connect() as db:
            db.execute("UPDATE jobs SET status = 'graded', finished = ?, score = ?, max_score = ?, result_status = ? "
                       "WHERE id = ?", (time.time(), score, max_score, result_status, job_id))

    def interrupted(self) -> list[Job]:
        """Jobs a previous server left in 'grading' (it was killed)."""
        with self.connect(write=False) as db:
            rows = db.execute("SELECT * FROM jobs WHERE status = 'grading' ORDER BY received").fetchall()
        return [self._job(row) for row in rows]

    def requeue(self, job_id: str) -> None:
        with self.connect() as db:
            db.execute("UPDATE jobs SET status = 'queued', started = NULL WHERE id = ?", (job_id,))

    def job(self, job_id: str) -> Job | None:
        with self.connect(write=False) as db:
            row = db.execute(f"SELECT * FROM jobs WHERE id = ? AND {VISIBLE}", (job_id,)).fetchone()
        return self._job(row) if row else None

    def jobs(self, student: str | None = None, assignment: str | None = None) -> list[Job]:
        query, args = f"SELECT * FROM jobs WHERE {VISIBLE}", []
        if student is not None:
            query, args = query + " AND student = ?", args + [student]
        if assignment is not None:
            query, args = query + " AND assignment = ?", args + [assignment]
        with self.connect(write=False) as db:
            rows = db.execute(query + " ORDER BY received DESC", args).fetchall()
        return [self._job(row) for row in rows]

    @staticmethod
    def _job(row, status: str | None = None) -> Job:
        (job_id, student, assignment, folder, received, row_status, _started, _finished,
         score, max_score, result_status) = row
        return Job(job_id, student, assignment, folder, received, status or row_status, score, max_score, result_status)
