"""A whole term, one event after another, with nbgrader's own commands, Unix accounts for the
students and the real PostgreSQL server: after every event each view (`course export`'s CSV, the
`course grade` table, `course report`, the students' feedback pages, formgrader's API and
`nbgrader export`) states the same final grade for every student, and nothing needed --force.

Events: release; fetch and submit by three students (one late); collect; grade; a stricter late
policy after grading; an extension after grading; a manual grade in formgrader; a resubmission
after it (collect --update); a switch of the gradebook to PostgreSQL (course copy-gradebook).
"""
from __future__ import annotations

import csv
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import pg_server
from course.paths import copy_course
from course.sandbox.process import bwrap_works
from helpers import INIT as A, INIT_NB, ROOT, solutions
from services import Formgrader, answer_notebook

pytestmark = [
    pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable"),
    pytest.mark.skipif(os.geteuid() != 0, reason="creates Unix accounts for the students (useradd): run as root"),
    pytest.mark.skipif(shutil.which("useradd") is None, reason="no useradd"),
    pytest.mark.skipif(pg_server.available() is not None, reason=str(pg_server.available())),
]

COURSE_ID = "dl-term"
NOTEBOOK = INIT_NB.removesuffix(".ipynb")
HE_WRONG = solutions(A)["initialize_parameters_he"].replace("2 /", "1 /")
STUDENTS = ("termalice", "termbob", "termcarol")


@pytest.fixture(scope="module")
def postgres_url():
    with pg_server.postgres_server() as url:
        yield url


@pytest.fixture(scope="module")
def accounts():
    """The students' Unix accounts, homes in a folder they can reach (pytest's tmp_path is 0700)."""
    top = Path(tempfile.mkdtemp(prefix="course-term-"))
    top.chmod(0o755)
    for user in STUDENTS:
        subprocess.run(["userdel", "-r", user], capture_output=True)  # left by a killed run
        home = top / user
        subprocess.run(["useradd", "--home-dir", str(home), "--create-home", "--shell", "/bin/sh", user],
                       check=True, capture_output=True)
    try:
        yield top
    finally:
        for user in STUDENTS:
            subprocess.run(["userdel", "-r", user], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


class Term:
    """The course, the exchange, the students' accounts, and every view of the grades."""

    def __init__(self, course: Path, exchange: Path, homes: Path, log: Path):
        self.root, self.exchange, self.homes, self.log = course, exchange, homes, log
        self.db_url: str | None = None  # None: the default SQLite gradebook
        self.formgrader: Formgrader | None = None

    def env(self) -> dict:
        env = dict(os.environ, COURSE_ROOT=str(self.root),
                   PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        env.pop("COURSE_DB_URL", None)
        if self.db_url:
            env["COURSE_DB_URL"] = self.db_url
        return env

    def course(self, *args: str) -> str:
        assert "--force" not in args
        out = subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=self.root, env=self.env(),
                             capture_output=True, text=True)
        assert out.returncode == 0, (args, out.stdout[-3000:], out.stderr[-3000:])
        return out.stdout

    def instructor(self, *args: str) -> str:
        """An nbgrader command of the instructor, in the course root."""
        out = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={self.exchange}",
                              f"--CourseDirectory.course_id={COURSE_ID}"], cwd=self.root, env=self.env(),
                             capture_output=True, text=True)
        assert out.returncode == 0, (args, out.stdout[-2000:], out.stderr[-3000:])
        return out.stdout + out.stderr

    def student(self, user: str, *args: str) -> None:
        """An nbgrader command run by the student's own Unix account, in their home; nbgrader knows
        them by that account (no --student)."""
        account = pwd.getpwnam(user)
        home = Path(account.pw_dir)
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
               "USER": user, "LOGNAME": user}
        out = subprocess.run(["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups",
                              sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={self.exchange}",
                              f"--CourseDirectory.course_id={COURSE_ID}"], cwd=home, env=env,
                             capture_output=True, text=True)
        assert out.returncode == 0, (user, args, out.stdout[-2000:], out.stderr[-3000:])

    def hand_in(self, user: str, **cells: str) -> None:
        """The student fetches (once), answers every graded cell (``cells`` override) and submits."""
        home = Path(pwd.getpwnam(user).pw_dir)
        if not (home / A).exists():
            self.student(user, "fetch_assignment", A)
        notebook = home / A / INIT_NB
        answer_notebook(notebook, **cells)  # written as root: given back to the student
        account = pwd.getpwnam(user)
        os.chown(notebook, account.pw_uid, account.pw_gid)
        self.student(user, "submit", A)

    def set_policy(self, method: str) -> None:
        config = self.root / "nbgrader_config.py"
        text = re.sub(r"\n# term policy\n.*\n", "\n", config.read_text())
        config.write_text(text + f"\n# term policy\nc.LatePenalty.per_assignment = {{{A!r}: {method!r}}}\n")

    # --- the views ------------------------------------------------------------------------------
    def views(self) -> dict[str, dict[str, float]]:
        """view -> student -> final grade; `course grade` finds nothing new to grade."""
        out = {}
        graded = self.course("grade", A)
        for user in STUDENTS:
            assert f"{user}/{A}: already graded" in graded, graded[-3000:]
        out["grade table"] = {cells[0]: float(cells[4]) for line in graded.splitlines()
                              if len(cells := line.split()) >= 7 and cells[1] == A}
        self.course("export", "--out", str(self.log / "grades.csv"))
        out["grades.csv"] = {r["student"]: float(r["total"]) for r in csv.DictReader((self.log / "grades.csv").open())}
        self.course("report", A, "--out", str(self.log / "reports"))
        page = (self.log / "reports" / f"{A}.html").read_text(encoding="utf-8")
        out["report"] = {s: float(v) for s, v in re.findall(
            r'<tr><td>([\w-]+)</td><td class="n">[\d.]+</td><td>\w+</td><td class="n">([\d.]+)</td></tr>', page)}
        out["feedback page"] = {user: self.feedback_grade(user) for user in STUDENTS}
        self.instructor("export", f"--to={self.log / 'nbgrader.csv'}")
        rows = list(csv.DictReader((self.log / "nbgrader.csv").open()))
        out["nbgrader export"] = {r["student_id"]: float(r["score"]) for r in rows if r["assignment"] == A}
        penalties = {r["student_id"]: float(r["late_submission_penalty"] or 0) for r in rows if r["assignment"] == A}
        listed = self.formgrader.json(f"/formgrader/api/submissions/{A}")
        out["formgrader"] = {s["student"]: max(0.0, float(s["score"]) - penalties[s["student"]]) for s in listed}
        return out

    def feedback_grade(self, user: str) -> float:
        page = (self.root / "feedback" / user / A / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
        counted = re.search(r"计入成绩 ([\d.]+) / 8 分", page)
        if counted:
            return float(counted.group(1))
        return float(re.search(r"总分：<b>([\d.]+) / 8", page).group(1))

    def start_formgrader(self) -> None:
        if self.formgrader is not None:
            self.formgrader.stop()
        saved = os.environ.get("COURSE_DB_URL")
        os.environ.pop("COURSE_DB_URL", None)
        if self.db_url:
            os.environ["COURSE_DB_URL"] = self.db_url  # formgrader reads nbgrader_config.py, which reads it
        try:
            self.formgrader = Formgrader(self.root, self.log)
        finally:
            os.environ.pop("COURSE_DB_URL", None)
            if saved is not None:
                os.environ["COURSE_DB_URL"] = saved
        self.formgrader.wait_ready()


def assert_agree(views: dict[str, dict[str, float]], expected: dict[str, float], event: str) -> None:
    for view, grades in views.items():
        assert grades == expected, (event, view, views)


def test_a_whole_term_every_view_agrees_after_every_event(tmp_path, accounts, postgres_url):
    exchange = Path(tempfile.mkdtemp(prefix="course-exchange-"))
    exchange.chmod(0o777 | 0o1000)  # as nbgrader's docs set it up: everyone may hand in, sticky
    term = Term(copy_course(ROOT, tmp_path / "course"), exchange, accounts, tmp_path)
    try:
        _play(term, postgres_url)
    finally:
        if term.formgrader is not None:
            term.formgrader.stop()
        shutil.rmtree(exchange, ignore_errors=True)


def _play(term: Term, postgres_url: str) -> None:
    alice, bob, carol = STUDENTS
    term.set_policy("per_hour")  # 1 point per started hour late
    term.instructor("db", "assignment", "add", A)
    term.instructor("release_assignment", A)

    # Release, fetch, submit: alice and bob on time; the due date passes; carol hands in after it.
    term.hand_in(alice)
    term.hand_in(bob, initialize_parameters_he=HE_WRONG)
    due = (datetime.now(timezone.utc) + timedelta(seconds=1)).replace(microsecond=0)
    term.instructor("db", "assignment", "add", A, f"--duedate={due:%Y-%m-%d %H:%M:%S} UTC")
    time.sleep(max(0.0, (due - datetime.now(timezone.utc)).total_seconds()) + 1.5)
    term.hand_in(carol)
    term.instructor("collect", A)
    term.course("grade", A)
    term.start_formgrader()
    grades = {alice: 10.0, bob: 7.0, carol: 9.0}  # carol: 10 less 1 point for a started hour
    assert_agree(term.views(), grades, "graded")

    # A stricter late policy after grading: shows at the next command, nothing graded again.
    term.set_policy("zero")
    assert_agree(term.views(), grades | {carol: 0.0}, "late policy 'zero' after grading")

    # An extension after grading: at once.
    assert "late penalty on initialization is now 0" in term.course("extension", A, carol, "--hours", "1")
    assert_agree(term.views(), grades | {carol: 10.0}, "extension after grading")
    grades[carol] = 10.0

    # A manual grade in formgrader: bob's He initialization, 2.5 of 3 by hand.
    fg = term.formgrader
    notebook = next(n for n in fg.json(f"/formgrader/api/submitted_notebooks/{A}/{NOTEBOOK}") if n["student"] == bob)
    he = next(g for g in fg.json(f"/formgrader/api/grades?submission_id={notebook['id']}")
              if g["name"] == "test_initialize_parameters_he")
    assert fg.json(f"/formgrader/api/grade/{he['id']}", "PUT", {"manual_score": 2.5, "extra_credit": None})["manual_score"] == 2.5
    term.course("sync", A)  # the feedback pages follow (any export, report or grade does it too)
    grades[bob] = 9.5
    assert_agree(term.views(), grades, "manual grade in formgrader")

    # bob resubmits a corrected notebook, late, under 'per_hour' again: the manual grade was given on
    # the old notebook and is dropped (the export says so); 10 less 1 point.
    term.set_policy("per_hour")
    term.hand_in(bob)
    term.instructor("collect", "--update", A)
    regraded = term.course("grade", A)
    assert f"{bob}/{A}: resubmitted" in regraded, regraded[-3000:]
    grades[bob] = 9.0
    assert_agree(term.views(), grades, "resubmission after a manual grade")
    row = next(r for r in csv.DictReader((term.log / "grades.csv").open()) if r["student"] == bob)
    assert row["manual_grades_dropped"] == "initialize_parameters_he" and row["manually_graded"] == ""

    # The gradebook moves to PostgreSQL: everything copied (due date, extension, history), the
    # course pointed at it, formgrader restarted on it; every view the same.
    database = pg_server.fresh_database(postgres_url, "term")
    assert "copied" in term.course("copy-gradebook", database)
    term.db_url = database
    term.start_formgrader()
    assert_agree(term.views(), grades, "switch to PostgreSQL")

