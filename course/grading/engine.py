"""Grade one submission end to end and return its result record (plain JSON-ready data)."""
from __future__ import annotations

import contextlib
import json
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from course.checks import FORM_PENALTY
from course.grading.notebooks import InvalidNotebook, match_graded_cells, read_master, read_submission
from course.grading.plugin import grader_suite
from course.grading.pool import copy_release, warm_key
from course.grading.reference import load_reference
from course.grading.session import SubmissionSession
from course.grading.text import clean_record
from course.paths import master_notebook
from course.config import DEFAULT_SUBMISSION_TIMEOUT
from course.sandbox.launchers import bwrap_works, select_launcher
from course.sandbox.process import ChildStartFailed, Limits, SandboxUnavailable

# Everything that came from the submission is clipped to these sizes before it is stored or shown.
MAX_MESSAGE_CHARS = 4000  # one test message, note or cell message
MAX_OUTPUT_CHARS = 20000  # the submission's printed output kept in results.json
MAX_RESULT_BYTES = 1 << 20  # results.json as a whole (and so the feedback page built from it)


def _empty_items(master, message: str) -> list[dict]:
    return [{"id": it.id, "score": 0.0, "max_score": it.points, "extra_credit": it.extra_credit, "cell": "missing",
             "notes": [message], "tests": []} for it in master.items]


def ungraded_result(root: Path, assignment: str, student: str, status: str, message: str) -> dict:
    """The record of a submission that could not be graded at all (every item scores 0)."""
    master = read_master(master_notebook(root, assignment))
    return {"student": student, "assignment": assignment, "score": 0.0, "max_score": master.max_score,
            "status": status, "message": message, "isolation": "bwrap" if bwrap_works() else "limits-only",
            "items": _empty_items(master, message), "output": "", "seconds": 0.0}


def grade_submission(root: Path, assignment: str, student: str, notebook: Path, *,
                     limits: Limits | None = None, timeout: float = DEFAULT_SUBMISSION_TIMEOUT,
                     launcher: str | None = None, pool=None) -> dict:
    """Grade ``notebook`` (student ``student``) against graders/<assignment>.

    Inputs:
    - root: course repository root
    - assignment: assignment id (folder name under source/, release/, graders/)
    - student: student id
    - notebook: path of the submitted .ipynb
    - limits: sandbox resource limits (per call timeout, memory, ...)
    - timeout: wall-clock seconds for the whole submission
    - launcher: how the child is isolated (course.sandbox.launchers: "bwrap", "limits-only"); None
      requires bubblewrap and raises SandboxUnavailable when it does not work
    - pool: a course.grading.pool.WarmPool to take an already started child from (used once, then
      killed); None starts one for this submission
    Returns:
    - dict with student, assignment, score, max_score, status, isolation, items, ...
    """
    started = time.monotonic()
    limits = limits or Limits()
    launcher = launcher or select_launcher()  # None: bubblewrap, required (SandboxUnavailable)
    master_path = master_notebook(root, assignment)
    master = read_master(master_path)
    result = {"student": student, "assignment": assignment, "score": 0.0, "max_score": master.max_score,
              "status": "graded", "message": "", "isolation": launcher,
              "items": [], "output": ""}

    try:
        nb = read_submission(notebook, limits.notebook_bytes)
    except FileNotFoundError:
        result.update(status="missing", message=f"找不到提交的 notebook：{notebook.name}")
        result["items"] = _empty_items(master, result["message"])
        return _finish(result, started)
    except InvalidNotebook as exc:
        result.update(status="invalid-notebook", message=f"{notebook.name}: {exc}")
        result["items"] = _empty_items(master, result["message"])
        return _finish(result, started)

    cells = match_graded_cells(nb, master.items)
    timings = result["timings"] = {"read": time.monotonic() - started}
    mark = time.monotonic()
    reference = load_reference(str(master_path))
    timings["reference"] = time.monotonic() - mark
    with contextlib.ExitStack() as cleanup:
        mark = time.monotonic()
        warm = pool.take(warm_key(root, assignment, limits, launcher), master) if pool is not None else None
        if warm is not None:
            cleanup.callback(warm.discard)  # used once: killed with its folder, whatever happened
            workdir = warm.workdir
        else:
            workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="course-grade-"))) / assignment
            copy_release(root, assignment, workdir)
        timings["pool_take" if pool is not None else "workdir"] = time.monotonic() - mark
        session = SubmissionSession(master, cells, workdir, limits, started + timeout, launcher,
                                    prestarted=warm.sandbox if warm is not None else None)
        tests = []
        try:
            mark = time.monotonic()
            session.start()
            timings["sandbox_start"] = time.monotonic() - mark
            mark = time.monotonic()
            suite = grader_suite(root / "graders" / assignment, master)
            timings["graders_collect"] = time.monotonic() - mark  # ~0 once this process has collected them
            tests = suite.plugin.run(suite, session, reference)
            timings["graders"] = time.monotonic() - mark
        except SandboxUnavailable:
            raise
        except ChildStartFailed as exc:
            session.start_failure = exc
        except Exception as exc:  # the grading machinery failed: record it, never lose the submission
            result.update(status="error", message=f"grading failed: {type(exc).__name__}: {exc}"[:4000],
                          grader_errors=[traceback.format_exc()[-4000:]])
        finally:
            session.close()
            timings.update(session.timings)  # child_start, setup, cells, child_calls
            result["sandbox"] = session.sandbox.enforced

    by_item = {it.id: {"id": it.id, "score": 0.0, "max_score": it.points, "extra_credit": it.extra_credit, "tests": []}
               for it in master.items}
    for cell in cells:
        outcome = session.outcomes.get(cell.item_id)
        by_item[cell.item_id].update(cell=outcome.status if outcome else "not-run", matched_by=cell.matched_by,
                                     notes=cell.notes + ([outcome.message] if outcome and outcome.message else []))
    form_points: dict[str, float] = {}
    for test in tests:
        entry = by_item.setdefault(test.item, {"id": test.item, "score": 0.0, "max_score": 0.0, "tests": []})
        row = {k: v for k, v in asdict(test).items() if k != "item" and (k != "form_only" or v)}
        entry["tests"].append(row)
        if test.passed or test.form_only:
            entry["score"] += test.points
        if test.form_only:
            form_points[test.item] = form_points.get(test.item, 0.0) + test.points
    for item_id, points in form_points.items():  # right values in a wrong container: once per item
        by_item[item_id]["score"] -= min(FORM_PENALTY, points)
    for entry in by_item.values():  # shares of an item's points (e.g. thirds) add up with rounding noise
        entry["score"] = round(entry["score"], 6)
    result["items"] = list(by_item.values())
    result["score"] = round(float(sum(i["score"] for i in result["items"])), 6)
    result["output"] = session.output()[-MAX_OUTPUT_CHARS:]
    if session.start_failure is not None:  # whatever the tests said: they ran without a child
        result.update(status="error", message=f"sandbox error (graded again on the next run): {session.start_failure}"[:4000],
                      grader_errors=[f"sandbox: {session.start_failure}"])
    elif result["status"] == "error":
        pass
    elif session.deadline_hit:
        result.update(status="timeout", message=f"整份作业的评分超过了 {timeout:g} 秒的时间限制")
    elif session.timed_out:
        result.update(status="timeout", message="有单元格或函数调用超时（可能有死循环），相关测试记 0 分")
    elif session.crashed:
        result.update(status="crashed", message="你的代码让进程意外退出（如 os._exit、内存超限），相关测试记 0 分")
    if any(t.internal_error for t in tests):
        result["grader_errors"] = [f"{t.name}: {t.internal_error}" for t in tests if t.internal_error]
    return _finish(result, started)


def clip(text, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f"\n[... 省略了 {len(text) - limit} 个字符]"


def bound_result(result: dict) -> dict:
    """Clip every string that may hold submission text; then, if the record is still too large,
    drop plots and shorten messages further, so results.json and the feedback page stay small."""
    clean_record(result)  # before it leaves the engine: no terminal escapes, nothing unencodable
    result["message"] = clip(result.get("message", ""))
    result["output"] = clip(result.get("output", ""), MAX_OUTPUT_CHARS)
    if "grader_errors" in result:
        result["grader_errors"] = [clip(e) for e in result["grader_errors"][:20]]
    for item in result.get("items", []):
        item["notes"] = [clip(n) for n in (item.get("notes") or [])[:20]]
        for test in item.get("tests", []):
            test["message"] = clip(test.get("message", ""))
    for limit in (1000, 200):
        if len(json.dumps(result, ensure_ascii=False)) <= MAX_RESULT_BYTES:
            break
        result["output"] = clip(result["output"], limit)
        for item in result.get("items", []):
            item["notes"] = [clip(n, limit) for n in item["notes"]]
            for test in item.get("tests", []):
                test["message"] = clip(test["message"], limit)
                test.pop("plot", None)
    return result


def _finish(result: dict, started: float) -> dict:
    result["seconds"] = round(time.monotonic() - started, 3)
    return bound_result(result)
