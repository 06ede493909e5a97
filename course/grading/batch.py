"""Grade every submission of an assignment: skip the graded ones, record each result at once."""
from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import replace
from pathlib import Path

from course.config import Course
from course.grading.autograded import autograded_notebook_path
from course.grading.gradebook_process import GradebookHelper, HelperGone
from course.grading.pool import WarmPool
from course.grading.record import record_result, writers
from course.grading.store import (ensure_assignment, final_grade, gradebook_identity, gradebook_scores, read_results,
                                  refresh_late_penalties, update_recorded, update_recorded_late)
from course.grading.text import clean_text
from course.grading.unit import Submission, grade_one, submission_stamp
from course.ids import InvalidId, valid_id
from course.paths import master_notebook
from course.sandbox.launchers import select_launcher
from course.sandbox.process import Limits


def find_submissions(root: Path, assignment: str, submitted: Path, students: list[str] | None = None) -> list[Submission]:
    """submitted/<student>/<assignment>/<master notebook name>, one per student folder.

    Ids are validated (InvalidId for a bad requested id; a folder with a bad name is skipped with
    a warning); a student or assignment folder that is a symlink is refused, not followed.
    """
    if not valid_id(assignment):
        raise InvalidId(f"invalid assignment id: {assignment!r}")
    name = master_notebook(root, assignment).name
    if students:
        bad = [s for s in students if not valid_id(s)]
        if bad:
            raise InvalidId(f"invalid student id(s): {', '.join(map(repr, bad))}")
        ids = list(students)
    else:
        ids = []
        for p in sorted(submitted.iterdir()) if submitted.is_dir() else []:
            if not os.path.lexists(p / assignment):
                continue
            if valid_id(p.name):
                ids.append(p.name)
            else:
                print(f"warning: skipped {p.name!r} in {submitted}: not a valid student id", file=sys.stderr)
    found = []
    for s in ids:
        refused = ""
        if (submitted / s).is_symlink() or (submitted / s / assignment).is_symlink():
            refused = "提交的文件夹是一个符号链接 (symlink)，不予评分"
            found.append(Submission(s, submitted / s / assignment / name, refused))
        else:
            found.append(_renamed(Submission(s, submitted / s / assignment / name)))
    return found


def _renamed(sub: Submission) -> Submission:
    """A browser's download renames the notebook (``ML_Setup (1).ipynb``, ``Initialization-Copy1.ipynb``):
    when the master's name is absent and exactly one other notebook is in the folder, that one is
    graded, with a note naming it; with several, the note names them (the submission stays missing)."""
    if os.path.lexists(sub.notebook):
        return sub
    try:
        others = sorted(e.name for e in os.scandir(sub.notebook.parent)
                        if e.name.lower().endswith(".ipynb") and not e.name.startswith(".")
                        and not e.is_dir(follow_symlinks=False))
    except OSError:
        return sub
    shown = [f"“{clean_text(n)[:100]}”" for n in others[:10]] + (["……"] if len(others) > 10 else [])
    if len(others) == 1:
        return replace(sub, notebook=sub.notebook.parent / others[0],
                       note=f"没有找到 {sub.notebook.name}，文件夹里只有 {shown[0]} 这一个 notebook，已按它评分"
                            f"（下次请用原来的文件名提交）")
    if others:
        return replace(sub, note=f"文件夹里有 {len(others)} 个其他名字的 notebook：{'、'.join(shown)}，无法确定评哪一个；"
                                 f"请只提交 {sub.notebook.name} 这一个 notebook")
    return sub


def grade_all(root: Path, assignment: str, *, submitted: Path | None = None, students: list[str] | None = None,
              force: bool = False, timeout: float | None = None, db_url: str | None = None,
              limits: Limits | None = None, workers: int | None = None, scheduler: str | None = None,
              client=None, progress: bool = False, allow_unsandboxed: bool = False, log=print,
              class_dir: Path | None = None, gradebook_helper: GradebookHelper | None = None,
              head_start: WarmPool | None = None) -> list[dict]:
    """Grade (or reuse the recorded result of) every submission; returns all results.

    Serial in this process by default; on Dask when a ``client`` is given, or ``workers`` (a
    LocalCluster of that many processes) or ``scheduler`` (an existing cluster's address).
    Without a working bubblewrap nothing is graded (SandboxUnavailable) unless
    ``allow_unsandboxed``. One submission's failure (reading, grading, recording, rendering)
    becomes its own error record; it never stops the batch.

    ``root`` holds the course (source/, release/, graders/); ``class_dir`` (default: root) the
    class's data: submitted/, autograded/, feedback/ and gradebook.db. ``gradebook_helper``: the
    process that writes the gradebook (course.grading.gradebook_process); without one, and with
    something to record while this process has not loaded nbgrader's models, one is started here.
    ``head_start``: a WarmPool holding a child the caller spawned for this assignment before it
    imported the grading stack (WarmPool.head_start); serial grading takes its children from it,
    and the caller closes it.
    """
    course = Course.load(root)
    data = class_dir or root
    submitted = submitted or data / "submitted"
    db_url = db_url or course.gradebook_url(class_dir)
    limits = limits or course.limits()
    timeout = course.submission_timeout(timeout)
    launcher = select_launcher(course.grading.sandbox, allow_unsandboxed)
    if launcher == "limits-only":
        print("warning: grading WITHOUT a sandbox (--allow-unsandboxed): submissions can read files and use the "
              "network; results record isolation: limits-only", file=sys.stderr)
    if db_url != "none" and ensure_assignment(root, assignment, db_url):
        log(f"{assignment}: added to the gradebook from source/")
    late_policy = course.late_policy(assignment)
    outputs = writers(course.grading.outputs)
    results, todo, stamps, subs, rerecord = [], [], {}, {}, []
    # Progress lines are "student/assignment: ...", as GRADER ERROR lines: one run grades several assignments.
    notebook_id = master_notebook(root, assignment).stem  # the autograded notebook's name, even for a renamed one
    for sub in find_submissions(root, assignment, submitted, students):
        subs[sub.student] = sub
        stamps[sub.student] = stamp = submission_stamp(sub, limits.notebook_bytes)
        if sub.note:
            log(f"{sub.student}/{assignment}: {sub.notebook.name if sub.notebook.exists() else 'missing'}: {sub.note}")
        previous = None if force else read_results(data, sub.student, assignment)
        notebook_written = autograded_notebook_path(data, sub.student, assignment, notebook_id).is_file()
        if previous is not None and previous.get("status") == "error":  # the machinery failed, not the submission
            log(f"{sub.student}/{assignment}: grading failed last time ({previous.get('message', '')[:80]}), graded again")
            todo.append(sub)
        elif previous is not None and previous.get("submission") == stamp:
            if notebook_written and (db_url == "none" or previous.get("gradebook") == "recorded"):
                if db_url != "none" and previous.get("gradebook_db") != gradebook_identity(db_url):
                    # graded, and recorded in another gradebook (a switch to PostgreSQL): recorded here too
                    rerecord.append(previous)
                    continue
                log(f"{sub.student}/{assignment}: already graded ({previous['score']:g}/{previous['max_score']:g}), skipped")
                results.append(previous)
                continue
            todo.append(sub)  # graded, but its gradebook row or notebook is missing: graded again and recorded
        else:
            if previous is not None:
                log(f"{sub.student}/{assignment}: resubmitted ({stamp['timestamp'] or 'notebook changed'}), graded again")
            todo.append(sub)

    helper, own_helper = gradebook_helper, False
    if helper is None and (todo or rerecord) and db_url != "none" and "nbgrader.api" not in sys.modules:
        # SQLAlchemy and nbgrader's models load in the helper, on the other core, while this process grades
        with contextlib.suppress(OSError):
            helper, own_helper = GradebookHelper(), True
    bar = _progress_bar(len(todo) + len(rerecord), assignment, progress and bool(todo))
    failures = 0

    def record(result: dict, feedback_html: str | None = None) -> None:
        nonlocal failures
        record_result(root, assignment, result, feedback_html, stamp=stamps[result["student"]], outputs=outputs,
                      folder=submitted / result["student"] / assignment, db_url=db_url, late_policy=late_policy,
                      class_dir=data, gradebook_helper=helper, notebook=subs[result["student"]].notebook)
        failures += result["status"] != "graded"
        bar.set_postfix(failures=failures)
        bar.update()
        log(f"{result['student']}/{assignment}: {result['score']:g}/{result['max_score']:g} {result['status']} "
            f"({result['seconds']:.2f} s)")
        for line in grader_failures([result]):  # a grader bug is the instructor's to fix: never quiet
            print(f"GRADER ERROR {line}", file=sys.stderr)
        results.append(result)

    try:
        for previous in rerecord:  # nothing is graded again: the recorded result goes into this gradebook
            log(f"{previous['student']}/{assignment}: graded before, recorded into {gradebook_identity(db_url)}")
            record(previous)
        if client is not None or workers or scheduler:
            from course.grading.parallel import dask_client, grade_on_dask

            with contextlib.nullcontext(client) if client is not None else dask_client(workers, scheduler) as c:
                grade_on_dask(c, root, assignment, todo, limits=limits, timeout=timeout, launcher=launcher, record=record)
        else:
            # Each submission's child starts while the one before is graded (course.grading.pool): no
            # spare child after the last one, and none at all for a single submission.
            to_start = sum(not sub.refused for sub in todo)
            if head_start is not None:  # its spawned child counts as one of them
                pool, own_pool = head_start, False
                pool.budget = max(0, to_start - pool.launched())
            else:
                pool, own_pool = (WarmPool(max_keys=1, budget=to_start) if to_start > 1 else None), True
            try:
                for sub in todo:
                    record(grade_one(root, assignment, sub, limits=limits, timeout=timeout, launcher=launcher,
                                     pool=pool))
            finally:
                if pool is not None and own_pool:
                    pool.close()
        fresh = {s.student for s in todo} | {r["student"] for r in rerecord}
        reused = [r["student"] for r in results if r["student"] not in fresh]
        if reused and db_url != "none":
            # Graded before: the late penalty as the due date, extensions and policy say now (no regrade).
            args = (db_url, assignment, master_notebook(root, assignment).stem, late_policy)
            try:
                if helper is None:
                    raise HelperGone
                changed = helper.call("refresh_late_penalties", *args, students=reused)
            except HelperGone:
                changed = refresh_late_penalties(*args, students=reused)
            update_recorded_late(data, assignment, changed, master_notebook(root, assignment).stem)
            for r in results:
                if r["student"] in changed:
                    r["late"] = {**(r.get("late") or {}), **changed[r["student"]]}
                    log(f"{r['student']}/{assignment}: late penalty now {changed[r['student']]['late_penalty']:g}")
    finally:
        bar.close()
        if own_helper:
            helper.close()
    return results


class _NoBar:
    def set_postfix(self, **_) -> None: ...

    def update(self) -> None: ...

    def close(self) -> None: ...


def _progress_bar(total: int, assignment: str, shown: bool):
    """tqdm's bar on a terminal; tqdm (60 ms to import) is not loaded when nothing is shown."""
    if not shown:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=assignment, unit="sub")


def score_table(results: list[dict], grades: dict[tuple[str, str], dict] | None = None) -> str:
    """A plain-text table: student, assignment, score, late penalty, final grade, max score, status.

    ``grades``: (student, assignment) -> store.final_grade() (manual grades and the late penalty
    as the gradebook states them); without it, the results' own scores and penalties."""
    sw = max([len("student"), *(len(r["student"]) for r in results)])
    aw = max([len("assignment"), *(len(r["assignment"]) for r in results)])
    lines = [f"{'student':<{sw}}  {'assignment':<{aw}}  {'score':>6} {'late':>5} {'final':>6} {'max':>6}  status"]
    for r in sorted(results, key=lambda r: (r["assignment"], r["student"])):
        g = (grades or {}).get((r["student"], r["assignment"])) or final_grade(r, gradebook=False)
        manual = "  manual: " + ",".join(g["manual"]) if g["manual"] else ""
        late = -g["late_penalty"] if g["late_penalty"] else 0  # not "-0" for no penalty
        lines.append(f"{r['student']:<{sw}}  {r['assignment']:<{aw}}  {g['score']:>6g} {late:>5g} "
                     f"{g['total']:>6g} {r['max_score']:>6g}  {r['status']}"
                     + ("  GRADER ERROR" if grader_failures([r]) else "") + manual)
    return "\n".join(lines)


def final_grades_of(results: list[dict], db_url: str, notebook_ids: dict[str, str],
                    helper: GradebookHelper | None = None, class_dir: Path | None = None) -> dict[tuple[str, str], dict]:
    """store.final_grade() of each result, with the gradebook's manual grades and late penalties
    (read by ``helper`` when there is one: this process need not load the gradebook's libraries).
    With ``class_dir``, the results' results.json and feedback pages are brought to those grades
    (store.update_recorded): a manual grade given in formgrader shows on the student's page."""
    grades = {}
    for assignment in sorted({r["assignment"] for r in results}):
        book: dict = {}
        if db_url != "none":
            try:
                if helper is None:
                    raise HelperGone
                book = helper.call("gradebook_scores", db_url, assignment, notebook_ids[assignment])
            except HelperGone:
                book = gradebook_scores(db_url, assignment, notebook_ids[assignment])
        ours = [r for r in results if r["assignment"] == assignment]
        if class_dir is not None and book:
            update_recorded(class_dir, assignment, notebook_ids[assignment], book=book,
                            students=[r["student"] for r in ours])
        for r in ours:
            grades[r["student"], assignment] = final_grade(r, book.get(r["student"]), gradebook=db_url != "none")
    return grades


def grader_failures(results: list[dict]) -> list[str]:
    """One line per grader (not submission) failure: "student/assignment: test: exception"."""
    lines = []
    for r in results:
        errors = list(r.get("grader_errors") or [])
        if r.get("status") == "error" and not errors:
            errors = [r.get("message") or "grading failed"]
        for error in errors:
            text = [l.strip() for l in str(error).splitlines() if l.strip()]
            head, last = (text[0], text[-1]) if text else ("grading failed", "")
            lines.append(f"{r['student']}/{r['assignment']}: {head}" + (f" ... {last}" if last != head else ""))
    return lines
