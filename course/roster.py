"""The class list in and the grades out: a roster CSV into the gradebook (and course serve's
tokens), and the final grades as the gradebook import files Canvas and Moodle take.

Grades come from course.grading.store.final_grades, the same figures as grades.csv: the
gradebook's scores (manual grades win) less the late penalty, recomputed from the recorded facts.
"""
from __future__ import annotations

import csv
from pathlib import Path

from course.grading.store import final_grades, gradebook
from course.ids import valid_id

ROSTER_COLUMNS = ("id", "first_name", "last_name", "email")


class RosterError(ValueError):
    """A roster file that cannot be read: the message names the line and what is wrong."""


def read_roster(path: Path) -> list[dict[str, str]]:
    """Rows of a roster CSV (header ``id`` and optionally ``first_name``, ``last_name``, ``email``);
    RosterError for a missing id column, an invalid or repeated id."""
    with path.open(newline="", encoding="utf-8-sig") as f:  # an LMS's or a spreadsheet's export may carry a BOM
        reader = csv.DictReader(f)
        if reader.fieldnames is None or "id" not in reader.fieldnames:
            raise RosterError(f"{path}: the first line must name the columns, one of them 'id' "
                              f"(and optionally {', '.join(ROSTER_COLUMNS[1:])})")
        rows, seen = [], set()
        for line, row in enumerate(reader, start=2):
            student = (row.get("id") or "").strip()
            if not valid_id(student):
                raise RosterError(f"{path}, line {line}: {student!r} is not a valid student id "
                                  "(letters, digits, '.', '_', '-')")
            if student in seen:
                raise RosterError(f"{path}, line {line}: student {student} is listed twice")
            seen.add(student)
            rows.append({k: (row.get(k) or "").strip() for k in ROSTER_COLUMNS})
    return rows


def import_roster(rows: list[dict[str, str]], db_url: str) -> int:
    """Create or update every student in the gradebook (names and email as given); returns the count."""
    with gradebook(db_url) as gb:
        for row in rows:
            gb.update_or_create_student(row["id"], first_name=row["first_name"] or None,
                                        last_name=row["last_name"] or None, email=row["email"] or None)
    return len(rows)


def _students(db_url: str | None) -> dict[str, dict[str, str]]:
    if not db_url:
        return {}
    with gradebook(db_url) as gb:
        return {s.id: {"first_name": s.first_name or "", "last_name": s.last_name or "", "email": s.email or ""}
                for s in gb.students}


def lms_table(fmt: str, root: Path, assignments: list[str], db_url: str | None, class_dir: Path | None = None,
              late_policies: dict | None = None) -> list[list[str]]:
    """The rows of the gradebook import for ``fmt``: one row per student (every student of the
    gradebook, and anyone with a result), one column per assignment (its final grade; empty when
    nothing was handed in).

    - ``canvas``: Canvas's gradebook CSV: Student ("Last, First"), ID (Canvas's own user id, which
      the course does not know: left empty), SIS User ID (the course's student id), SIS Login ID,
      Section, then one column per assignment, and a "Points Possible" row under the header.
    - ``moodle``: Moodle's grade import CSV: First name, Last name, ID number (the student id, the
      column to map to "ID number" on import), Email address, then "<assignment> (Real)" columns.
    """
    _, rows = final_grades(root, assignments, db_url, class_dir, late_policies)
    people = _students(db_url)
    totals: dict[str, dict[str, float]] = {}
    max_score: dict[str, float] = {}
    for r in rows:
        totals.setdefault(r["student"], {})[r["assignment"]] = r["total"]
        max_score[r["assignment"]] = float(r["max_score"])
    students = sorted(set(people) | set(totals))

    def grades(student: str) -> list[str]:
        return [f"{totals[student][a]:g}" if a in totals.get(student, {}) else "" for a in assignments]

    if fmt == "canvas":
        table = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignments],
                 ["Points Possible", "", "", "", "", *[f"{max_score[a]:g}" if a in max_score else "" for a in assignments]]]
        for s in students:
            p = people.get(s, {})
            name = ", ".join(x for x in (p.get("last_name"), p.get("first_name")) if x) or s
            table.append([name, "", s, s, "", *grades(s)])
        return table
    if fmt == "moodle":
        table = [["First name", "Last name", "ID number", "Email address", *[f"{a} (Real)" for a in assignments]]]
        for s in students:
            p = people.get(s, {})
            table.append([p.get("first_name", ""), p.get("last_name", ""), s, p.get("email", ""), *grades(s)])
        return table
    raise ValueError(f"unknown LMS format {fmt!r}: canvas or moodle")


def write_lms_csv(fmt: str, out: Path, *args, **kwargs) -> int:
    """Write lms_table to ``out``; returns the number of student rows."""
    table = lms_table(fmt, *args, **kwargs)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(table)
    return len(table) - (2 if fmt == "canvas" else 1)
