"""Where results go: results.json per submission, the nbgrader gradebook, grades.csv."""
from __future__ import annotations

import csv
import json
import os
import tempfile
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

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


def ensure_assignment(root: Path, assignment: str, db_url: str) -> bool:
    """Put the assignment and its grade cells into the gradebook if they are not there yet
    (nbgrader generate_assignment into a scratch folder); True when it had to."""
    with warnings.catch_warnings(), Gradebook(db_url) as gb:
        warnings.simplefilter("ignore", category=SAWarning)
        try:
            if gb.find_assignment(assignment).notebooks:
                return False
        except MissingEntry:
            pass
    from course.build import generate_release

    with tempfile.TemporaryDirectory(prefix="course-gradebook-") as scratch:
        generate_release(root, assignment, Path(scratch), db_url)
    return True


def record_in_gradebook(db_url: str, result: dict, notebook_id: str) -> None:
    """Store the item scores as the grades of the notebook's graded cells.

    The assignment and its grade cells must already be in the gradebook (``course release``
    puts them there through nbgrader generate_assignment).
    """
    with warnings.catch_warnings(), Gradebook(db_url) as gb:
        # nbgrader 0.9 trips SQLAlchemy 2.x autoflush warnings that do not affect the data.
        warnings.simplefilter("ignore", category=SAWarning)
        gb.update_or_create_student(result["student"])
        try:
            submission = gb.find_submission(result["assignment"], result["student"])
        except MissingEntry:
            submission = gb.add_submission(result["assignment"], result["student"])
        scores = {item["id"]: item["score"] for item in result["items"]}
        for notebook in submission.notebooks:
            if notebook.name != notebook_id:
                continue
            for grade in notebook.grades:
                grade.auto_score = scores.get(grade.name, 0.0)
                grade.manual_score = None
                grade.needs_manual_grade = False
        gb.db.commit()


def export_csv(root: Path, assignments: list[str], out: Path) -> int:
    """Write one row per (student, assignment) results.json found; returns the row count."""
    rows, item_ids = [], []
    for assignment in assignments:
        for path in sorted((root / "autograded").glob(f"*/{assignment}/{RESULTS_NAME}")):
            result = json.loads(path.read_text(encoding="utf-8"))
            rows.append(result)
            for item in result["items"]:
                if item["id"] not in item_ids:
                    item_ids.append(item["id"])
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "assignment", *item_ids, "total", "max_score", "status"])
        for r in rows:
            scores = {i["id"]: i["score"] for i in r["items"]}
            writer.writerow([r["student"], r["assignment"],
                             *[scores.get(i, "") for i in item_ids], r["score"], r["max_score"], r["status"]])
    return len(rows)
