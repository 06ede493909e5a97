"""A course term with nbgrader's own tools: the exchange round trip, resubmissions, late work,
manual grades that survive regrading, and a gradebook failure that loses nothing."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from helpers import ROOT
from course.grading import record
from course.grading.batch import grade_all
from course.grading.store import export_csv
from course.paths import copy_course
from course.sandbox.process import Limits, bwrap_works
from helpers import INIT_NB as NB_NAME, solutions, solved_notebook as _solved
from services import answer_notebook, nbgrader, nbgrader_env

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable")

A = "initialization"
FAST = Limits(call_timeout=5.0)
HE_WRONG = solutions(A)["initialize_parameters_he"].replace("2 /", "1 /")


def course_cli(course: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=course, capture_output=True, text=True,
                          env=dict(os.environ, COURSE_ROOT=str(course), PATH="/usr/bin:/bin"))


def grade_table(stdout: str) -> dict[str, tuple[float, float, float]]:
    """`course grade`'s table: student -> (score, late penalty, final grade)."""
    rows = {}
    for line in stdout.splitlines():
        cells = line.split()
        if len(cells) >= 7 and cells[1] == A:
            rows[cells[0]] = (float(cells[2]), -float(cells[3]), float(cells[4]))
    return rows


def report_scores(course: Path, assignment: str) -> dict[str, float]:
    """`course report`'s per-student scores (its table of the slowest submissions lists every one)."""
    out = course_cli(course, "report", assignment)
    assert out.returncode == 0, out.stderr[-2000:]
    page = (course / "reports" / f"{assignment}.html").read_text(encoding="utf-8")
    assert "Final grades, as <code>course export</code> writes them" in page
    rows = re.findall(r'<tr><td>([\w-]+)</td><td class="n">[\d.]+</td><td>\w+</td><td class="n">([\d.]+)</td></tr>', page)
    return {student: float(score) for student, score in rows}


def _scores(course: Path) -> dict[str, float]:
    return {p.parent.parent.name: json.loads(p.read_text())["score"]
            for p in (course / "autograded").glob(f"*/{A}/results.json")}


def test_exchange_round_trip(tmp_path, course_copy):
    """release_assignment -> fetch_assignment / submit (three students) -> collect -> course grade ->
    release_feedback -> fetch_feedback (our pages), then generate_feedback --force from our autograded
    notebooks -> release_feedback -> fetch_feedback (nbgrader's page), then a resubmission collected
    with --update is graded again."""
    course = course_copy
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    nbgrader("release_assignment", A, cwd=course, exchange=exchange)
    answers = {"alice": {}, "bob": {"initialize_parameters_he": HE_WRONG}, "carol": None}
    homes = {}
    for student, cells in answers.items():
        home = homes[student] = tmp_path / "home" / student
        home.mkdir(parents=True)
        nbgrader("fetch_assignment", A, cwd=home, exchange=exchange, home=home)
        if cells is not None:  # carol hands in the untouched notebook
            answer_notebook(home / A / NB_NAME, **cells)
        # one machine, one account: students are told apart as on JupyterHub, by their id
        nbgrader("submit", A, f"--student={student}", cwd=home, exchange=exchange, home=home)
    nbgrader("collect", A, cwd=course, exchange=exchange)
    assert all((course / "submitted" / s / A / "timestamp.txt").is_file() for s in answers)

    out = course_cli(course, "grade", A)
    assert out.returncode == 0, out.stderr[-3000:]
    assert _scores(course) == {"alice": 10, "bob": 7, "carol": 0}

    nbgrader("release_feedback", A, cwd=course, exchange=exchange)
    for student in answers:
        nbgrader("fetch_feedback", A, f"--student={student}", cwd=homes[student], exchange=exchange,
                 home=homes[student])
        pages = list((homes[student] / A / "feedback").rglob("*.html"))
        assert len(pages) == 1, student
        assert f"学生：<b>{student}</b>" in pages[0].read_text(encoding="utf-8")

    # nbgrader's own feedback from our autograded notebooks: generate_feedback keeps our pages unless
    # --force, which replaces them with its page (manual grades, comments, our verdict per test cell)
    for student in answers:
        notebook = course / "autograded" / student / A / NB_NAME
        assert (notebook.parent / "timestamp.txt").read_text() == \
            (course / "submitted" / student / A / "timestamp.txt").read_text()
        assert nbformat.read(notebook, as_version=4).cells
    nbgrader("generate_feedback", A, cwd=course, exchange=exchange)
    ours = course / "feedback" / "bob" / A / NB_NAME.replace(".ipynb", ".html")
    assert "学生：<b>bob</b>" in ours.read_text(encoding="utf-8")
    nbgrader("generate_feedback", A, "--force", cwd=course, exchange=exchange)
    theirs = ours.read_text(encoding="utf-8")
    assert "学生：<b>bob</b>" not in theirs and "Score: 7.0 / 8.0" in theirs
    assert "隐藏测试的评分结果" in theirs and "initialize_parameters_he：自动评分 0 / 3" in theirs
    assert not (ours.parent / "results.json").exists()  # our record stays in autograded/
    nbgrader("release_feedback", A, cwd=course, exchange=exchange)
    nbgrader("fetch_feedback", A, "--student=bob", cwd=homes["bob"], exchange=exchange, home=homes["bob"])
    pages = list((homes["bob"] / A / "feedback").rglob("*.html"))
    assert len(pages) == 1 and "initialize_parameters_he：自动评分 0 / 3" in pages[0].read_text(encoding="utf-8")

    # carol resubmits a solved notebook: a newer timestamp, collected with --update, graded again
    answer_notebook(homes["carol"] / A / NB_NAME)
    nbgrader("submit", A, "--student=carol", cwd=homes["carol"], exchange=exchange, home=homes["carol"])
    nbgrader("collect", A, "--update", cwd=course, exchange=exchange)
    out = course_cli(course, "grade", A)
    assert out.returncode == 0, out.stderr[-3000:]
    assert _scores(course) == {"alice": 10, "bob": 7, "carol": 10}
    assert f"carol/{A}: resubmitted" in out.stdout and f"alice/{A}: already graded" in out.stdout


def _class(tmp_path, students: dict[str, str | None]) -> tuple[Path, str]:
    """A course copy whose submitted/ holds solved notebooks (He wrong where asked) with timestamps."""
    course = copy_course(ROOT, tmp_path / "course")
    for student, stamp in students.items():
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True)
        nbformat.write(_solved(A, {"initialize_parameters_he": HE_WRONG}) if "wrong" in student else _solved(A),
                       str(folder / NB_NAME))
        if stamp:
            (folder / "timestamp.txt").write_text(stamp)
    return course, f"sqlite:///{course / 'gradebook.db'}"


def test_manual_grade_survives_regrading_and_is_exported(tmp_path):
    """A manual adjustment made through nbgrader's API (what formgrader does) survives
    `course grade --force` and is what `course export` reports."""
    from nbgrader.api import Gradebook

    course, db = _class(tmp_path, {"dora_wrong": None})
    grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)
    with Gradebook(db) as gb:
        grade = gb.find_grade("test_initialize_parameters_he", "Initialization", A, "dora_wrong")
        assert (grade.auto_score, grade.manual_score) == (0, None)
        grade.manual_score = 2.5  # partial credit by hand
        gb.db.commit()
    results = grade_all(course, A, db_url=db, limits=FAST, force=True, log=lambda *_: None)
    assert results[0]["score"] == 7
    with Gradebook(db) as gb:
        grade = gb.find_grade("test_initialize_parameters_he", "Initialization", A, "dora_wrong")
        assert (grade.auto_score, grade.manual_score) == (0, 2.5)
    export_csv(course, [A], tmp_path / "grades.csv", db)
    row = next(csv.DictReader((tmp_path / "grades.csv").open()))
    assert (float(row["initialize_parameters_he"]), float(row["total"]), row["manually_graded"]) == \
        (2.5, 9.5, "initialize_parameters_he")
    # the student's page and results.json say so too (the export brought them to the gradebook)
    recorded = json.loads((course / "autograded" / "dora_wrong" / A / "results.json").read_text())
    assert recorded["final"] == {"score": 9.5, "late_penalty": 0.0, "total": 9.5, "manual": ["initialize_parameters_he"]}
    page = (course / "feedback" / "dora_wrong" / A / "Initialization.html").read_text(encoding="utf-8")
    assert "老师人工评分了 initialize_parameters_he：自动评分 7 分，人工评分后 9.5 分，计入成绩 9.5 / 8 分" in page

    # a manual grade changed in formgrader afterwards: `course sync` (or any export, report or grade) shows it
    with Gradebook(db) as gb:
        gb.find_grade("test_initialize_parameters_he", "Initialization", A, "dora_wrong").manual_score = 1.0
        gb.db.commit()
    out = course_cli(course, "sync", A)
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"{A}: 1 recorded grades as the gradebook states them (1 with manual grades, 0 late)" in out.stdout
    page = (course / "feedback" / "dora_wrong" / A / "Initialization.html").read_text(encoding="utf-8")
    assert "人工评分后 8 分，计入成绩 8 / 8 分" in page
    out = course_cli(course, "grade", A)  # nothing to grade: its table states the same grade
    assert grade_table(out.stdout) == {"dora_wrong": (8.0, 0.0, 8.0)}
    assert report_scores(course, A) == {"dora_wrong": 8.0}


@pytest.mark.parametrize("method,expected", [("none", 10.0), ("zero", 0.0), ("per_hour", 7.0)])
def test_late_penalties(tmp_path, method, expected):
    """Due date in the gradebook, timestamps from timestamp.txt, nbgrader's policies plus a per-hour
    penalty; an extension makes a late submission on time."""
    from nbgrader.api import Gradebook

    due = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    late = (due + timedelta(hours=2, minutes=30)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")  # 3 started hours
    course, db = _class(tmp_path, {"erin": late, "frank": late, "gina": "2026-11-01 11:59:00.000000 UTC"})
    config = (course / "nbgrader_config.py").read_text()
    (course / "nbgrader_config.py").write_text(config + f"\nc.LatePenalty.per_assignment = {{{A!r}: {method!r}}}\n")
    with Gradebook(db) as gb:
        gb.update_or_create_assignment(A, duedate=due)
    out = course_cli(course, "extension", A, "frank", "--hours", "3")
    assert out.returncode == 0, out.stderr[-2000:]
    results = {r["student"]: r for r in grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)}
    assert results["erin"]["late"]["seconds_late"] == 9000
    assert results["erin"]["late"]["late_penalty"] == 10 - expected
    assert results["frank"]["late"] == results["gina"]["late"] == {"seconds_late": 0.0, "late_penalty": 0.0}
    export_csv(course, [A], tmp_path / "grades.csv", db)
    totals = {r["student"]: float(r["total"]) for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert totals == {"erin": expected, "frank": 10.0, "gina": 10.0}
    out = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={course}",
                          f"--CourseDirectory.db_url={db}", f"--to={tmp_path / 'nb.csv'}"], cwd=course, env=nbgrader_env(),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    nb_rows = {r["student_id"]: r for r in csv.DictReader((tmp_path / "nb.csv").open())}
    assert float(nb_rows["erin"]["late_submission_penalty"]) == 10 - expected


def test_failed_gradebook_write_is_recorded_on_the_next_run(tmp_path, monkeypatch):
    """A gradebook write that fails leaves results.json marked 'not recorded': the next run records
    it instead of skipping it as already graded; unchanged, recorded submissions are skipped."""
    from nbgrader.api import Gradebook

    course, db = _class(tmp_path, {"hana": None, "ivan_wrong": None})
    real = record.record_in_gradebook

    def flaky(db_url, result, *args, **kwargs):
        if result["student"] == "hana":
            raise OSError("database is locked")
        return real(db_url, result, *args, **kwargs)

    monkeypatch.setattr(record, "record_in_gradebook", flaky)
    grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)
    assert json.loads((course / "autograded" / "hana" / A / "results.json").read_text())["gradebook"] == "not recorded"
    monkeypatch.setattr(record, "record_in_gradebook", real)
    logs = []
    grade_all(course, A, db_url=db, limits=FAST, log=logs.append)
    assert any(line.startswith(f"ivan_wrong/{A}: already graded") for line in logs)
    assert not any(line.startswith(f"hana/{A}: already graded") for line in logs)
    with Gradebook(db) as gb:
        assert gb.find_submission(A, "hana").score == 10


def test_zip_collect_from_an_lms_archive(tmp_path):
    """nbgrader zip_collect: an LMS download (one zip of files named by student) -> submitted/ -> graded."""
    import zipfile

    course, _ = _class(tmp_path, {})
    archive = course / "downloaded" / A / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "lms.zip", "w") as z:
        for student, nb in (("jay", _solved(A)), ("kim", _solved(A, {"initialize_parameters_he": HE_WRONG}))):
            z.writestr(f"{student}_attempt_2026-11-20-10-00-00_{NB_NAME}", nbformat.writes(nb))
    (course / "nbgrader_config.py").write_text((course / "nbgrader_config.py").read_text() + (
        "\nc.ZipCollectApp.collector_plugin = 'nbgrader.plugins.FileNameCollectorPlugin'\n"
        "c.FileNameCollectorPlugin.named_regexp = "
        r"r'.*/(?P<student_id>[^_/]+)_attempt_(?P<timestamp>[0-9-]+)_(?P<file_id>\w+\.ipynb)'" "\n"))
    out = subprocess.run([sys.executable, "-m", "nbgrader", "zip_collect", A], cwd=course, env=nbgrader_env(),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    out = course_cli(course, "grade", A)
    assert out.returncode == 0, out.stderr[-3000:]
    assert _scores(course) == {"jay": 10, "kim": 7}


def test_sample_students_are_a_class_of_their_own(course_copy):
    """`course grade/export/report --class-dir samples` (what `make demo` runs) writes results,
    feedback, gradebook, CSV and report under samples/ and nothing into the class's folders."""
    course = course_copy
    expected = {"correct": 10.0, "init_he_sqrt1": 7.0, "untouched": 0.0}
    for student in expected:
        shutil.copytree(ROOT / "samples" / "submitted" / student / A, course / "samples" / "submitted" / student / A)
    for args in (("grade", A, "--class-dir", "samples", "--force"), ("export", "--class-dir", "samples"),
                 ("report", A, "--class-dir", "samples")):
        out = course_cli(course, *args)
        assert out.returncode == 0, (args, out.stderr[-3000:])
    demo = course / "samples"
    assert {p.parent.parent.name: json.loads(p.read_text())["score"]
            for p in demo.glob(f"autograded/*/{A}/results.json")} == expected
    assert {r["student"]: float(r["total"]) for r in csv.DictReader((demo / "grades.csv").open())} == expected
    assert (demo / "gradebook.db").is_file() and (demo / "reports" / f"{A}.html").is_file()
    assert len(list(demo.glob(f"feedback/*/{A}/*.html"))) == 3
    leaked = [p.name for p in (course / "autograded", course / "feedback", course / "reports",
                               course / "gradebook.db", course / "grades.csv") if p.exists() and any(p.glob("*") if p.is_dir() else [p])]
    assert not leaked, leaked


def test_committed_samples_equal_a_fresh_build(tmp_path):
    """Are samples/submitted/ exactly what `course samples` builds from release/ and tools/samples/?"""
    from course.samples import build_samples

    course = copy_course(ROOT, tmp_path / "course", ("source", "release", "tools", "nbgrader_config.py"))
    built = {p.relative_to(course / "samples" / "submitted"): p.read_bytes() for p in build_samples(course)}
    committed = {p.relative_to(ROOT / "samples" / "submitted"): p.read_bytes()
                 for p in (ROOT / "samples" / "submitted").glob("*/*/*.ipynb")}
    assert built == committed


def test_gradebook_of_another_cell_model_is_refused_with_a_hint(tmp_path):
    """A gradebook whose notebook has other grade cells (the old model graded the answer cells) and
    already holds submissions cannot take the test cells: grading stops with what to do."""
    from nbgrader.api import Gradebook

    from course.build import BuildError

    course, db = _class(tmp_path, {"lena": None})
    with Gradebook(db) as gb:
        gb.add_assignment(A)
        gb.add_notebook("Initialization", A)
        gb.add_grade_cell("initialize_parameters_he", "Initialization", A, max_score=3, cell_type="code")
        gb.add_student("old")
        gb.add_submission(A, "old")
    with pytest.raises(BuildError, match="already holds submissions.*nbgrader db assignment remove initialization"):
        grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)
    assert not (course / "autograded" / "lena").exists()


def test_a_manual_grade_is_not_carried_over_to_a_resubmission(tmp_path):
    """Issue 20: a TA's 1.5/3 and comment on the He item of a wrong notebook; the student then hands in
    a correct one. The new notebook's automatic score counts, the manual score and comment are gone
    from the gradebook (formgrader), kept in results.json and named by the export; a forced regrade of
    the same notebook keeps a manual grade given on it."""
    from nbgrader.api import Gradebook

    course, db = _class(tmp_path, {"eve_wrong": None})
    grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)
    cell = "test_initialize_parameters_he"
    with Gradebook(db) as gb:
        grade = gb.find_grade(cell, "Initialization", A, "eve_wrong")
        grade.manual_score = 1.5
        gb.find_comment("initialize_parameters_he", "Initialization", A, "eve_wrong").manual_comment = "方差的分子应该是 2"
        gb.db.commit()
    nbformat.write(_solved(A), str(course / "submitted" / "eve_wrong" / A / NB_NAME))  # the resubmission
    logs = []
    results = grade_all(course, A, db_url=db, limits=FAST, log=logs.append)
    assert any(line.startswith(f"eve_wrong/{A}: resubmitted") for line in logs), logs
    assert (results[0]["score"], results[0]["gradebook"]) == (10, "recorded")
    assert results[0]["manual_grades_dropped"] == [
        {"item": "initialize_parameters_he", "manual_score": 1.5, "comment": "方差的分子应该是 2"}]
    with Gradebook(db) as gb:
        grade = gb.find_grade(cell, "Initialization", A, "eve_wrong")
        assert (grade.auto_score, grade.manual_score, grade.score) == (3, None, 3)
        assert gb.find_comment("initialize_parameters_he", "Initialization", A, "eve_wrong").manual_comment is None
        assert gb.find_submission(A, "eve_wrong").score == 10
    export_csv(course, [A], tmp_path / "grades.csv", db)
    row = next(csv.DictReader((tmp_path / "grades.csv").open()))
    assert (float(row["initialize_parameters_he"]), float(row["total"]), row["manually_graded"],
            row["manual_grades_dropped"]) == (3.0, 10.0, "", "initialize_parameters_he")

    # a manual grade on the new notebook survives regrading it
    with Gradebook(db) as gb:
        gb.find_grade(cell, "Initialization", A, "eve_wrong").manual_score = 2.0
        gb.db.commit()
    again = grade_all(course, A, db_url=db, limits=FAST, force=True, log=lambda *_: None)
    assert again[0]["manual_grades_dropped"][0]["manual_score"] == 1.5  # still said: it happened
    with Gradebook(db) as gb:
        assert gb.find_grade(cell, "Initialization", A, "eve_wrong").manual_score == 2.0


def test_extensions_and_policy_changes_after_grading_show_without_a_regrade(tmp_path):
    """Issue 20: a late penalty is a function of the recorded facts. A policy change after grading
    shows at the next `course grade` (nothing graded again) and an extension granted after grading
    at once; the export, results.json and nbgrader's own gradebook (formgrader) agree each time."""
    from nbgrader.api import Gradebook

    due = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    late = (due + timedelta(hours=2, minutes=30)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")  # 3 started hours
    course, db = _class(tmp_path, {"erin": late, "gina": "2026-11-01 11:59:00.000000 UTC"})
    config = course / "nbgrader_config.py"
    original = config.read_text()
    config.write_text(original + f"\nc.LatePenalty.per_assignment = {{{A!r}: 'per_hour'}}\n")
    with Gradebook(db) as gb:
        gb.update_or_create_assignment(A, duedate=due)

    def views() -> dict[str, tuple]:
        out = course_cli(course, "export")
        assert out.returncode == 0, out.stderr[-2000:]
        totals = {r["student"]: float(r["total"]) for r in csv.DictReader((course / "grades.csv").open())}
        recorded = {s: json.loads((course / "autograded" / s / A / "results.json").read_text())["late"]["late_penalty"]
                    for s in ("erin", "gina")}
        with Gradebook(db) as gb:
            stored = {s: float(gb.find_submission_notebook("Initialization", A, s).late_submission_penalty or 0)
                      for s in ("erin", "gina")}
        pages = {s: (course / "feedback" / s / A / "Initialization.html").read_text(encoding="utf-8")
                 for s in ("erin", "gina")}
        for s in ("erin", "gina"):  # the student's page says what counts
            line = f"迟交扣 {recorded[s]:g} 分，计入成绩 {totals[s]:g} / 8 分"
            assert (line in pages[s]) == (recorded[s] > 0), (s, line)
            assert ("迟交扣" in pages[s]) == (recorded[s] > 0)
        graded = course_cli(course, "grade", A)  # nothing new: its table states the same final grades
        assert graded.returncode == 0, graded.stderr[-2000:]
        assert grade_table(graded.stdout) == {s: (10.0, recorded[s], totals[s]) for s in ("erin", "gina")}
        assert report_scores(course, A) == totals
        return {s: (totals[s], recorded[s], stored[s]) for s in ("erin", "gina")}

    out = course_cli(course, "grade", A)
    assert out.returncode == 0, out.stderr[-3000:]
    assert views() == {"erin": (7.0, 3.0, 3.0), "gina": (10.0, 0.0, 0.0)}

    config.write_text(original + f"\nc.LatePenalty.per_assignment = {{{A!r}: 'zero'}}\n")  # stricter, after grading
    out = course_cli(course, "grade", A)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"erin/{A}: already graded" in out.stdout and f"erin/{A}: late penalty now 10" in out.stdout
    assert views() == {"erin": (0.0, 10.0, 10.0), "gina": (10.0, 0.0, 0.0)}

    out = course_cli(course, "extension", A, "erin", "--hours", "3")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "erin: late penalty on initialization is now 0" in out.stdout
    assert views() == {"erin": (10.0, 0.0, 0.0), "gina": (10.0, 0.0, 0.0)}
