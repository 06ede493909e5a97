"""Where results go: results.json per submission, the nbgrader gradebook, grades.csv."""
from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import tempfile
import warnings
from datetime import datetime, timedelta
from pathlib import Path

from course.grading.notebooks import item_of_grade_cell

RESULTS_NAME = "results.json"


def results_path(root: Path, student: str, assignment: str) -> Path:
    return root / "autograded" / student / assignment / RESULTS_NAME


def write_json_atomically(path: Path, data: dict) -> None:
    """Write to a temp file in the same folder, then rename: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_results(root: Path, student: str, assignment: str) -> dict | None:
    path = results_path(root, student, assignment)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def gradebook_identity(db_url: str) -> str:
    """Which gradebook ``db_url`` is, as results.json records it: the URL without its password (a
    SQLite file by its absolute path). A result recorded into another gradebook is recorded again."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and "?" not in db_url:
        path = db_url[len(prefix):]
        return prefix + (str(Path(path).resolve()) if path and path != ":memory:" else path)
    scheme, sep, rest = db_url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        credentials, _, host = rest.partition("@")
        rest = credentials.split(":", 1)[0] + "@" + host
    return scheme + sep + rest


@contextlib.contextmanager
def gradebook(db_url: str):
    """A Gradebook with nbgrader 0.9's SQLAlchemy 2.x autoflush warnings (harmless) silenced."""
    from nbgrader.api import Gradebook  # SQLAlchemy and nbgrader's models: imported when a gradebook is opened
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings(), Gradebook(db_url) as gb:
        warnings.simplefilter("ignore", category=SAWarning)
        yield gb


def _sqlite_grade_cells(db_url: str, assignment: str, notebook: str) -> set[str] | None:
    """The names of the grade cells of ``notebook`` of ``assignment`` in an existing SQLite
    gradebook, read (read-only) with the standard library from nbgrader 0.9's tables, so that a
    gradebook already holding the assignment is not opened with SQLAlchemy and nbgrader's models
    (their import is about a quarter of a cold `course grade`) before anything is graded. None when
    this cannot tell (another database, no such file or notebook, other tables): ask nbgrader."""
    prefix = "sqlite:///"
    path = db_url[len(prefix):] if db_url.startswith(prefix) else ""
    if not path or "?" in path or "%" in path or path == ":memory:" or not os.path.isfile(path):
        return None
    query = ("SELECT base_cell.name FROM assignment JOIN notebook ON notebook.assignment_id = assignment.id "
             "LEFT JOIN base_cell ON base_cell.notebook_id = notebook.id AND base_cell.id IN "
             "(SELECT id FROM grade_cells) WHERE assignment.name = ? AND notebook.name = ?")
    try:
        with contextlib.closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute(query, (assignment, notebook)).fetchall()
    except sqlite3.Error:
        return None
    if not rows:  # no such notebook
        return None
    return {name for (name,) in rows if name is not None}


def ensure_assignment(root: Path, assignment: str, db_url: str) -> bool:
    """Put the assignment and its grade cells into the gradebook if they are not there yet, or if its
    grade cells are not the master notebook's (nbgrader generate_assignment into a scratch folder);
    True when it had to. A gradebook whose notebook already has submissions cannot change its cells
    (nbgrader refuses: course.build.BuildError says so)."""
    from course.grading.notebooks import read_master
    from course.paths import master_notebook

    master = master_notebook(root, assignment)
    expected = {item.grade_cell for item in read_master(master).items}
    recorded = _sqlite_grade_cells(db_url, assignment, master.stem)
    if recorded is not None and expected <= recorded:  # the common case, answered without nbgrader's models
        return False
    from nbgrader.api import MissingEntry

    with gradebook(db_url) as gb:
        try:
            notebooks = {nb.name: nb for nb in gb.find_assignment(assignment).notebooks}
            if master.stem in notebooks and expected <= {c.name for c in notebooks[master.stem].grade_cells}:
                return False
        except MissingEntry:
            pass
    from course.build import BuildError, generate_release

    with tempfile.TemporaryDirectory(prefix="course-gradebook-") as scratch:
        try:
            generate_release(root, assignment, Path(scratch), db_url)
        except BuildError as exc:
            if "because there are submissions" not in str(exc):
                raise
            raise BuildError(f"the gradebook's grade cells of {assignment} are not those of {master.name} "
                             f"(expected {sorted(expected)}), and it already holds submissions, so nbgrader cannot "
                             "change them: grade into a new gradebook (--db), or remove the assignment from this "
                             f"one (nbgrader db assignment remove {assignment}) and grade again") from None
    return True


def record_in_gradebook(db_url: str, result: dict, notebook_id: str, timestamp: datetime | None = None,
                        late_policy=None, fail_closed: bool = False, claimed: datetime | None = None,
                        new_submission: bool = False) -> dict:
    """Store each item's score as the ``auto_score`` of its autograder test cell's grade
    (``test_<function>``, see notebooks.GradedItem.grade_cell).

    Manual scores and comments (formgrader, nbgrader's API) are never touched: a regrade changes
    only ``auto_score``; grade cells that are not one of the result's items (a cell graded by hand)
    are left as they are. The submission's ``timestamp`` is recorded and, when it is past the due
    date (with the student's extension), ``late_policy`` (course.late.LatePenalty) sets the
    notebook's late penalty, computed on its score including manual grades. Returns
    {"seconds_late", "late_penalty"}. The assignment must be in the gradebook (ensure_assignment).
    An extra-credit item's cell has 0 points for nbgrader; its score goes to the grade's
    ``extra_credit``, which nbgrader adds on top of the notebook's maximum. ``fail_closed`` (a
    timestamp.txt that is not believed, see course.grading.arrival): the submission counts as
    submitted at the latest of ``timestamp`` and one second past its due date, so it is late
    whenever there is a due date, for nbgrader's own tools too; without a due date nothing is late
    and the stamp as parsed (``claimed``, None when unreadable) is kept, as nbgrader records it
    (formgrader lists a submission as autograded only when the two agree).

    ``new_submission``: this notebook is not the one graded before (another sha256). A manual grade
    belongs to the notebook it was given on: every manual score and comment of this notebook is
    removed (a hand-graded cell needs grading again), and returned under "manual_grades_dropped"
    (item or cell, score, comment) so that results.json, the export and the grade table can say so.
    """
    with gradebook(db_url) as gb:
        gb.update_or_create_student(result["student"])
        submission = gb.update_or_create_submission(result["assignment"], result["student"])
        if fail_closed:
            if submission.duedate is None:
                submission.timestamp = claimed
            else:
                after_due = submission.duedate + timedelta(seconds=1)
                submission.timestamp = after_due if timestamp is None else max(timestamp, after_due)
        elif timestamp is not None:
            submission.timestamp = timestamp
        items = {item["id"]: item for item in result["items"]}
        target, dropped = None, []
        for notebook in submission.notebooks:
            if notebook.name != notebook_id:
                continue
            target = notebook
            if new_submission:
                # a TA comments on the answer cell (named after the function), scores on its test cell
                comments = {c.name: c for c in notebook.comments if c.manual_comment}
                for grade in notebook.grades:
                    if grade.manual_score is None:
                        continue
                    name = item_of_grade_cell(grade.name) or grade.name
                    comment = comments.pop(name, None) or comments.pop(grade.name, None)
                    dropped.append({"item": name, "manual_score": grade.manual_score,
                                    "comment": comment.manual_comment if comment is not None else None})
                    grade.manual_score = None
                    if comment is not None:
                        comment.manual_comment = None
                    if name not in items:  # a cell graded by hand only: graded again, by hand
                        grade.needs_manual_grade = True
                for name, comment in comments.items():
                    dropped.append({"item": name, "manual_score": None, "comment": comment.manual_comment})
                    comment.manual_comment = None
            for grade in notebook.grades:
                item = items.get(item_of_grade_cell(grade.name))
                if item is None:
                    continue
                if item.get("extra_credit"):
                    grade.auto_score = 0.0
                    grade.extra_credit = float(item["score"])
                else:
                    grade.auto_score = float(item["score"])
                grade.needs_manual_grade = False
        gb.db.commit()
        seconds_late, penalty = float(submission.total_seconds_late), None
        if target is not None:
            target.late_submission_penalty = None
            if seconds_late > 0 and late_policy is not None:
                gb.db.refresh(target)  # its score includes manual grades
                penalty = late_policy.late_submission_penalty(result["student"], float(target.score), seconds_late)
                target.late_submission_penalty = penalty
            gb.db.commit()
        late = {"seconds_late": seconds_late, "late_penalty": penalty or 0.0}
        if dropped:
            late["manual_grades_dropped"] = dropped
        return late


def refresh_late_penalties(db_url: str, assignment: str, notebook_id: str, late_policy,
                           students: list[str] | None = None) -> dict[str, dict]:
    """Recompute the late penalty of every recorded submission of ``assignment`` (or of ``students``)
    from the gradebook's facts as they are now: its timestamp, the due date, the student's extension,
    its score with manual grades, and ``late_policy`` (course.late.LatePenalty) as configured now.
    An extension granted or a policy changed after grading shows at once, without grading again.
    Returns student -> {"seconds_late", "late_penalty"} for each submission whose penalty changed."""
    changed = {}
    with gradebook(db_url) as gb:
        for submission, notebook in _submitted_notebooks(gb, assignment, notebook_id):
            student = submission.student.id
            if students is not None and student not in students:
                continue
            seconds_late = float(submission.total_seconds_late or 0.0)
            penalty = None
            if seconds_late > 0 and late_policy is not None:
                penalty = late_policy.late_submission_penalty(student, float(notebook.score), seconds_late)
            if (notebook.late_submission_penalty or 0.0) != (penalty or 0.0):
                notebook.late_submission_penalty = penalty
                changed[student] = {"seconds_late": seconds_late, "late_penalty": penalty or 0.0}
        gb.db.commit()
    return changed


def _submitted_notebooks(gb, assignment: str, notebook_id: str):
    """(submission, its notebook ``notebook_id``) for every submission of ``assignment`` in ``gb``."""
    from nbgrader.api import MissingEntry

    try:
        submissions = gb.find_assignment(assignment).submissions
    except MissingEntry:
        return
    for submission in submissions:
        for notebook in submission.notebooks:
            if notebook.name == notebook_id:
                yield submission, notebook


def update_recorded_late(data: Path, assignment: str, changed: dict[str, dict], notebook_id: str) -> None:
    """Write refreshed late penalties (refresh_late_penalties) into the students' results.json and
    feedback pages (which show the raw score, the penalty and what counts)."""
    update_recorded(data, assignment, notebook_id, late=changed)


def update_recorded(data: Path, assignment: str, notebook_id: str, *, late: dict[str, dict] | None = None,
                    book: dict[str, dict] | None = None, students: list[str] | None = None) -> dict[str, dict]:
    """Bring results.json and the feedback page of each student of ``assignment`` to the gradebook's
    facts as they are now: ``late`` (refresh_late_penalties' changes) into "late", and with ``book``
    (gradebook_scores) the final grade into "final" (final_grade: manual grades, late penalty, total;
    left out when there is neither a manual grade nor a penalty). A page is rendered again only when
    its result changed. ``students`` limits it to those. Returns student -> final_grade() row."""
    from course.grading.feedback import render_feedback

    late = late or {}
    names = set(late) | set(book or {})
    if students is not None:
        names &= set(students)
    finals = {}
    for student in sorted(names):
        result = read_results(data, student, assignment)
        if result is None:
            continue
        before = json.dumps(result, sort_keys=True, default=str)
        if student in late:
            result["late"] = {**(result.get("late") or {}), **late[student]}
        if book is not None and student in book:
            grade = finals[student] = final_grade(result, book[student])
            result.pop("final", None)
            if grade["manual"] or grade["late_penalty"]:
                result["final"] = {k: grade[k] for k in ("score", "late_penalty", "total", "manual")}
        if json.dumps(result, sort_keys=True, default=str) == before:
            continue
        write_json_atomically(results_path(data, student, assignment), result)
        page = data / "feedback" / student / assignment / f"{notebook_id}.html"
        if page.is_file():
            tmp = page.with_suffix(".tmp")
            tmp.write_text(render_feedback(result), encoding="utf-8")
            tmp.replace(page)
    return finals


def sync_recorded(data: Path, assignment: str, notebook_id: str, db_url: str, late_policy,
                  students: list[str] | None = None) -> tuple[dict[str, dict], dict[str, dict]]:
    """The gradebook's facts as they are now, into every record of ``assignment`` (or of
    ``students``): late penalties recomputed (refresh_late_penalties), then results.json and the
    feedback pages brought to the final grades (update_recorded). Returns (student -> changed
    penalty, student -> final_grade() row)."""
    changed = refresh_late_penalties(db_url, assignment, notebook_id, late_policy, students=students)
    book = gradebook_scores(db_url, assignment, notebook_id)
    return changed, update_recorded(data, assignment, notebook_id, late=changed, book=book, students=students)


class GradebookNotEmpty(Exception):
    """copy_gradebook's target already holds data: nothing was copied."""


def copy_gradebook(source_url: str, target_url: str) -> dict[str, int]:
    """Copy every row of nbgrader's gradebook at ``source_url`` into the one at ``target_url``
    (created if needed; SQLite -> PostgreSQL, say): the course, students with names and emails,
    assignments with due dates, grade cells, submissions with their timestamps, extensions, late
    penalties, manual grades and comments, by nbgrader's own table definitions and ids. The target
    must be empty (GradebookNotEmpty otherwise). Returns table -> rows copied."""
    from nbgrader.api import Base
    from sqlalchemy import create_engine, func, select

    with gradebook(target_url):  # nbgrader creates (and stamps) the schema
        pass
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        with source.connect() as src, target.begin() as dst:
            tables = Base.metadata.sorted_tables
            held = {t.name: dst.execute(select(func.count()).select_from(t)).scalar_one() for t in tables
                    if t.name != "course"}  # nbgrader makes its course row when it opens a gradebook
            if any(held.values()):
                raise GradebookNotEmpty(f"{gradebook_identity(target_url)} already holds "
                                        + ", ".join(f"{n} {name}" for name, n in held.items() if n)
                                        + ": nothing copied (copy into a new, empty database)")
            dst.execute(Base.metadata.tables["course"].delete())  # the source's course row replaces it
            copied = {}
            for table in tables:  # parents before children (foreign keys)
                rows = [dict(row._mapping) for row in src.execute(select(table))]
                if rows:
                    dst.execute(table.insert(), rows)
                copied[table.name] = len(rows)
        return copied
    finally:
        source.dispose()
        target.dispose()


def retarget_results(data: Path, source_url: str, target_url: str) -> int:
    """After copy_gradebook: results.json recorded in the source now say the target holds them (it
    does), so `course grade` on the target finds nothing to record again. Returns how many."""
    source, target = gradebook_identity(source_url), gradebook_identity(target_url)
    n = 0
    for path in sorted((data / "autograded").glob(f"*/*/{RESULTS_NAME}")):
        result = json.loads(path.read_text(encoding="utf-8"))
        if result.get("gradebook") == "recorded" and result.get("gradebook_db") == source:
            result["gradebook_db"] = target
            write_json_atomically(path, result)
            n += 1
    return n


def grant_extension(db_url: str, assignment: str, student: str, hours: float) -> None:
    """nbgrader's extension for one student's assignment (0 removes it)."""
    with gradebook(db_url) as gb:
        gb.update_or_create_student(student)
        gb.update_or_create_submission(assignment, student)
        gb.grant_extension(assignment, student, minutes=round(hours * 60))


def gradebook_students(db_url: str) -> set[str]:
    """The ids of the gradebook's students (nbgrader's roster)."""
    with gradebook(db_url) as gb:
        return {student.id for student in gb.students}


def gradebook_scores(db_url: str, assignment: str, notebook_id: str) -> dict[str, dict]:
    """student -> {"items": {item: score (manual if set, else auto)}, "late_penalty", "manual": [items]}.

    Items are named by function (results.json's ids), not by their test cell's grade_id."""
    out = {}
    with gradebook(db_url) as gb:
        for submission, notebook in _submitted_notebooks(gb, assignment, notebook_id):
            out[submission.student.id] = {
                "items": {item_of_grade_cell(g.name) or g.name: float(g.score) for g in notebook.grades},
                "manual": sorted(item_of_grade_cell(g.name) or g.name for g in notebook.grades
                                 if g.manual_score is not None),
                "late_penalty": float(notebook.late_submission_penalty or 0.0),
            }
    return out


def final_grade(result: dict, entry: dict | None = None, gradebook: bool = True) -> dict:
    """One recorded result's grade as every view states it (export, grade table, report, feedback).

    ``entry``: the student's gradebook_scores() entry (manual adjustments override the autograder's,
    and its late penalty counts); without a gradebook (``gradebook=False``) the penalty recorded in
    results.json counts. ``total`` includes extra credit, never below 0."""
    scores = {i["id"]: float(i["score"]) for i in result.get("items") or []}
    if entry:
        penalty = float(entry["late_penalty"])
        scores.update({k: v for k, v in entry["items"].items() if k in scores})
    elif gradebook:
        penalty = 0.0  # not (yet) in this gradebook: it states no penalty
    else:
        penalty = float((result.get("late") or {}).get("late_penalty") or 0.0)
    raw = sum(scores.values())
    return {"student": result["student"], "assignment": result["assignment"], "scores": scores,
            "score": raw, "late_penalty": penalty, "total": max(0.0, raw - penalty),
            "max_score": result["max_score"], "status": result["status"],
            "extra_credit": float(sum(scores.get(i["id"], 0.0) for i in result.get("items") or []
                                      if i.get("extra_credit"))),
            "manual": sorted(entry["manual"]) if entry else [],
            "manual_grades_dropped": [d["item"] for d in result.get("manual_grades_dropped") or []]}


def final_grades(root: Path, assignments: list[str], db_url: str | None = None, class_dir: Path | None = None,
                 late_policies: dict | None = None) -> tuple[list[str], list[dict]]:
    """(item ids, one row per (student, assignment) results.json found), each row's grade as every
    export states it: with a gradebook (``db_url``) its scores (manual adjustments override the
    autograder's) less the late penalty (recomputed first from the gradebook's facts with
    ``late_policies``, assignment -> course.late.LatePenalty, when given). ``total`` includes extra
    credit, which can take it above ``max_score``; ``extra_credit`` says how much of it is bonus."""
    from course.paths import master_notebook

    rows, item_ids = [], []
    for assignment in assignments:
        notebook_id = master_notebook(root, assignment).stem
        changed = {}
        if db_url and late_policies is not None:  # the penalties as the due dates, extensions and policy say now
            changed = refresh_late_penalties(db_url, assignment, notebook_id, late_policies.get(assignment))
        book = gradebook_scores(db_url, assignment, notebook_id) if db_url else {}
        if db_url:  # what every other view (feedback page, serve page) shows follows the gradebook too
            update_recorded(class_dir or root, assignment, notebook_id, late=changed, book=book)
        for path in sorted(((class_dir or root) / "autograded").glob(f"*/{assignment}/{RESULTS_NAME}")):
            result = json.loads(path.read_text(encoding="utf-8"))
            rows.append(final_grade(result, book.get(result["student"]), gradebook=bool(db_url)))
            for item in result["items"]:
                if item["id"] not in item_ids:
                    item_ids.append(item["id"])
    return item_ids, rows


def export_csv(root: Path, assignments: list[str], out: Path, db_url: str | None = None,
               class_dir: Path | None = None, late_policies: dict | None = None) -> int:
    """Write one row per (student, assignment) results.json found (final_grades); returns the row count."""
    item_ids, rows = final_grades(root, assignments, db_url, class_dir, late_policies)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "assignment", *item_ids, "late_penalty", "total", "max_score", "extra_credit",
                         "status", "manually_graded", "manual_grades_dropped"])
        for r in rows:
            writer.writerow([r["student"], r["assignment"], *[r["scores"].get(i, "") for i in item_ids],
                             r["late_penalty"], r["total"], r["max_score"], r["extra_credit"], r["status"],
                             " ".join(r["manual"]), " ".join(r["manual_grades_dropped"])])
    return len(rows)
