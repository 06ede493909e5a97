"""The gradebook on a real PostgreSQL server (a private one started from Debian's binaries)."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

import pg_server
from helpers import ROOT
from course.paths import copy_course

A = "initialization"
NB = "Initialization.ipynb"
EXPECTED = {"correct": 10.0, "init_he_sqrt1": 7.0, "untouched": 0.0}

pytestmark = pytest.mark.skipif(pg_server.available() is not None, reason=str(pg_server.available()))


@pytest.fixture(scope="module")
def postgres_url():
    with pg_server.postgres_server() as url:
        yield url


def _cli(course, *args):
    env = dict(os.environ, COURSE_ROOT=str(course), PATH="/usr/bin:/bin")  # no venv on PATH, as for a new user
    return subprocess.run([sys.executable, "-m", "course.cli", *args], env=env, capture_output=True, text=True,
                          cwd=course)


def test_grade_into_postgres_and_read_back_with_nbgrader(tmp_path, course_copy, postgres_url):
    """`course grade --db postgresql://...` as the first command (no release before it) records every
    submission; `nbgrader export` reads the same totals back from the server."""
    course = course_copy
    for student in EXPECTED:
        shutil.copytree(ROOT / "samples" / "submitted" / student / A, course / "submitted" / student / A)
    out = _cli(course, "grade", A, "--db", postgres_url)
    assert out.returncode == 0, out.stderr[-3000:]
    export = tmp_path / "grades.csv"
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:/usr/bin:/bin")
    out = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={course}",
                          f"--CourseDirectory.db_url={postgres_url}", f"--to={export}"],
                         cwd=course, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    rows = [r for r in csv.DictReader(export.open()) if r["assignment"] == A]
    assert {r["student_id"]: float(r["score"]) for r in rows} == EXPECTED


def test_release_records_grade_cells_in_postgres(tmp_path, postgres_url):
    """`course release --db URL` puts the assignment and its grade cells into that gradebook."""
    from nbgrader.api import Gradebook

    course = copy_course(ROOT, tmp_path / "course", ("source", "release", "graders", "datasets", "nbgrader_config.py"))
    url = postgres_url.rsplit("/", 1)[0] + "/release_check"
    bin_dir = pg_server._bin_dir()
    host, port = postgres_url.split("@")[1].split("/")[0].split(":")
    if not os.environ.get("COURSE_TEST_POSTGRES_URL"):
        subprocess.run([str(bin_dir / "createdb"), "-h", host, "-p", port, "-U", "postgres", "release_check"], check=True)
    else:
        url = postgres_url
    out = _cli(course, "release", A, "--release-only", "--db", url)
    assert out.returncode == 0, out.stderr[-3000:]
    with Gradebook(url) as gb:
        notebook = gb.find_assignment(A).notebooks[0]
        assert {c.name for c in notebook.grade_cells} >= {"test_initialize_parameters_zeros", "test_initialize_parameters_he"}


def test_one_setting_moves_nbgrader_formgrader_and_every_course_command(tmp_path, course_copy, postgres_url, monkeypatch):
    """COURSE_DB_URL is the only thing set (nbgrader_config.py turns it into CourseDirectory.db_url,
    which nbgrader, formgrader and every `course` command read): `course grade`, `course extension`,
    `course export`, `nbgrader export` and formgrader's API all see the same PostgreSQL gradebook, and
    no SQLite gradebook appears."""
    from nbgrader.api import Gradebook

    from services import Formgrader

    url = pg_server.fresh_database(postgres_url, "one_setting")
    monkeypatch.setenv("COURSE_DB_URL", url)
    course = course_copy
    for student in EXPECTED:
        shutil.copytree(ROOT / "samples" / "submitted" / student / A, course / "submitted" / student / A)
    for args in (("grade", A), ("extension", A, "correct", "--hours", "48"), ("export",)):
        out = _cli(course, *args)
        assert out.returncode == 0, (args, out.stderr[-3000:])
    rows = list(csv.DictReader((course / "grades.csv").open()))
    assert {r["student"]: float(r["total"]) for r in rows} == EXPECTED

    nbgrader_csv = tmp_path / "nbgrader.csv"
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:/usr/bin:/bin")
    out = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--to={nbgrader_csv}"],
                         cwd=course, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert {r["student_id"]: float(r["score"]) for r in csv.DictReader(nbgrader_csv.open())} == EXPECTED
    with Gradebook(url) as gb:
        assert gb.find_submission(A, "correct").extension is not None

    server = Formgrader(course, tmp_path)
    try:
        server.wait_ready()
        listed = server.json(f"/formgrader/api/submissions/{A}")
    finally:
        server.stop()
    assert {s["student"]: s["score"] for s in listed} == EXPECTED
    assert not list(course.rglob("*.db")), list(course.rglob("*.db"))  # nothing went to SQLite


def test_switching_to_postgres_mid_term_records_every_graded_submission(tmp_path, postgres_url):
    """Issue 20: graded into SQLite, then `course grade --db postgresql://...`: nothing is graded again,
    every result goes into the new gradebook, and `course export --db` gives the same totals as before
    (it used to skip them all and export zeros). A second run skips them as recorded there."""
    url = pg_server.fresh_database(postgres_url, "switch")
    course = copy_course(ROOT, tmp_path / "course")
    for student in EXPECTED:
        shutil.copytree(ROOT / "samples" / "submitted" / student / A, course / "submitted" / student / A)
    for args in (("grade", A), ("export", "--out", str(tmp_path / "sqlite.csv"))):
        out = _cli(course, *args)
        assert out.returncode == 0, (args, out.stderr[-3000:])
    before = {r["student"]: float(r["total"]) for r in csv.DictReader((tmp_path / "sqlite.csv").open())}
    assert before == EXPECTED
    seconds = {s: json.loads((course / "autograded" / s / A / "results.json").read_text())["seconds"] for s in EXPECTED}

    out = _cli(course, "grade", A, "--db", url)
    assert out.returncode == 0, out.stderr[-3000:]
    assert all(f"{s}/{A}: graded before, recorded into postgresql://" in out.stdout for s in EXPECTED), out.stdout
    results = {s: json.loads((course / "autograded" / s / A / "results.json").read_text()) for s in EXPECTED}
    assert {s: r["seconds"] for s, r in results.items()} == seconds  # the same results, not graded again
    assert all(r["gradebook"] == "recorded" and r["gradebook_db"].startswith("postgresql://") for r in results.values())
    out = _cli(course, "export", "--db", url, "--out", str(tmp_path / "pg.csv"))
    assert out.returncode == 0, out.stderr[-3000:]
    assert {r["student"]: float(r["total"]) for r in csv.DictReader((tmp_path / "pg.csv").open())} == EXPECTED
    again = _cli(course, "grade", A, "--db", url)
    assert all(f"{s}/{A}: already graded" in again.stdout for s in EXPECTED), again.stdout


def test_copy_gradebook_refuses_a_target_that_holds_data(tmp_path, postgres_url):
    """`course copy-gradebook` copies into an empty gradebook only: a second copy into the same one
    changes nothing and says why (exit 1)."""
    url = pg_server.fresh_database(postgres_url, "copy_twice")
    course = copy_course(ROOT, tmp_path / "course")
    shutil.copytree(ROOT / "samples" / "submitted" / "correct" / A, course / "submitted" / "correct" / A)
    assert _cli(course, "grade", A).returncode == 0
    first = _cli(course, "copy-gradebook", url)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "1 student" in first.stdout and "1 results.json now name it" in first.stdout
    second = _cli(course, "copy-gradebook", url)
    assert second.returncode == 1 and "already holds 1 student" in second.stderr and "nothing copied" in second.stderr
