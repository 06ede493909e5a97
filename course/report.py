"""Instructor report for one assignment: statistics over every autograded/*/<assignment>/results.json.

``compute_summary`` returns the numbers (plain data, checked by the tests); ``build_report`` writes
reports/<assignment>.html with its charts in reports/<assignment>/*.png. The page is self-contained
(inline CSS, no scripts, images by relative path) so it opens offline.
"""
from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from course.grading.store import RESULTS_NAME
from course.html import render

STATUSES = ("graded", "timeout", "crashed", "invalid-notebook", "missing", "error")
TOP_MESSAGES = 10
TOP_SLOWEST = 10
_EPS = 1e-9


def load_results(root: Path, assignment: str) -> list[dict]:
    """Every recorded result of ``assignment``, sorted by student."""
    results = [json.loads(p.read_text(encoding="utf-8"))
               for p in (root / "autograded").glob(f"*/{assignment}/{RESULTS_NAME}")]
    return sorted(results, key=lambda r: r["student"])


# Failure messages are grouped after light normalisation, so that one mistake counts once however
# the graders' parameters vary:
# - keep the first line (what was checked) and, for multi-line messages, the last line (for a
#   traceback, the exception: "NotImplementedError" vs "ValueError: ..."); drop the middle (file
#   and line numbers of the student's code);
# - replace each number literal with "#" (sizes, expected/actual values, tolerances) but not the
#   digits inside names like W1, b1 or float64; a run of numbers ("[5, 3, 2, 1]", "(0, 0)") becomes
#   a single "#", so test_zeros[1-1] and test_zeros[5-3-2-1] give the same message;
# - collapse whitespace and cut at 300 characters.
_NUMBER = re.compile(r"(?<![A-Za-z_\d.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBER_RUN = re.compile(r"#(?:[\s,\-/]*#)+")


def normalize_message(message: str) -> str:
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if not lines:
        return "(no message)"
    text = lines[0] if len(lines) == 1 else f"{lines[0]} … {lines[-1]}"
    text = _NUMBER_RUN.sub("#", _NUMBER.sub("#", text))
    return " ".join(text.split())[:300]


def _test_base(name: str) -> str:
    return name.split("[", 1)[0]


def compute_summary(results: list[dict], *, top_messages: int = TOP_MESSAGES, top_slowest: int = TOP_SLOWEST,
                    grades: dict[str, dict] | None = None) -> dict:
    """The report's numbers for the results of one assignment.

    ``grades``: student -> course.grading.store.final_grade() row; the scores are then the final
    grades (manual grades and late penalties as the gradebook states them, as in the export).

    Every rate's denominator is the number of submissions: a submission whose notebook is missing
    or did not run has no (or fewer) test entries, and counts as not passing those tests/items.
    Returns a dict with:
    - submissions: number of results; status_counts: {status: count} (every known status, then others)
    - isolation_counts: {isolation mode: count}
    - max_score, score_mean, score_median, score_max, score_min (None when there are no results)
    - scores: every score, sorted; final: whether they are final grades (``grades`` given)
    - late: submissions with a late penalty; manual: submissions with a manual grade
    - items: [{id, max_score, full, rate, mean_score}] in grader order; ``full`` = submissions with
      the item's full score, rate = full / submissions
    - tests: [{item, name, points, description, passed, rate}]
    - failure_messages: the ``top_messages`` most frequent normalised messages of failed tests,
      [{message, students, occurrences, tests}] by students then occurrences (descending)
    - slowest: the ``top_slowest`` longest submissions, [{student, seconds, status, score}]
    - failed: submissions with status != "graded" or grader errors, [{student, status, message,
      grader_errors}] by student
    """
    n = len(results)
    status_counts = {s: 0 for s in STATUSES}
    status_counts.update(Counter(r.get("status", "error") for r in results))
    grades = grades or {}

    def score(r: dict) -> float:
        return grades[r["student"]]["total"] if r["student"] in grades else float(r.get("score", 0.0))

    def item_score(r: dict, item: dict) -> float:
        g = grades.get(r["student"])
        return float(g["scores"].get(item["id"], item.get("score", 0.0)) if g else item.get("score", 0.0))

    scores = sorted(score(r) for r in results)
    max_scores = {float(r.get("max_score", 0.0)) for r in results}

    items: dict[str, dict] = {}
    tests: dict[tuple[str, str], dict] = {}
    groups: dict[str, dict] = {}
    for r in results:
        for item in r.get("items", []):
            entry = items.setdefault(item["id"], {"id": item["id"], "max_score": float(item.get("max_score", 0.0)),
                                                  "full": 0, "total": 0.0})
            entry["total"] += item_score(r, item)
            if item_score(r, item) >= float(item.get("max_score", 0.0)) - _EPS:
                entry["full"] += 1
            for t in item.get("tests", []):
                te = tests.setdefault((item["id"], t["name"]), {
                    "item": item["id"], "name": t["name"], "points": float(t.get("points", 0.0)),
                    "description": t.get("description", ""), "passed": 0})
                if t.get("passed"):
                    te["passed"] += 1
                    continue
                key = normalize_message(t.get("message", ""))
                g = groups.setdefault(key, {"message": key, "students": set(), "occurrences": 0, "tests": set()})
                g["students"].add(r["student"])
                g["occurrences"] += 1
                g["tests"].add(_test_base(t["name"]))

    item_rows = [{"id": e["id"], "max_score": e["max_score"], "full": e["full"],
                  "rate": e["full"] / n, "mean_score": e["total"] / n} for e in items.values()]
    test_rows = [{**e, "rate": e["passed"] / n} for e in tests.values()]
    messages = sorted(({"message": g["message"], "students": len(g["students"]), "occurrences": g["occurrences"],
                        "tests": sorted(g["tests"])} for g in groups.values()),
                      key=lambda g: (-g["students"], -g["occurrences"], g["message"]))[:top_messages]
    slowest = [{"student": r["student"], "seconds": float(r.get("seconds", 0.0)), "status": r.get("status"),
                "score": score(r)}
               for r in sorted(results, key=lambda r: (-float(r.get("seconds", 0.0)), r["student"]))][:top_slowest]
    failed = [{"student": r["student"], "status": r.get("status"), "message": r.get("message", ""),
               "grader_errors": list(r.get("grader_errors") or [])}
              for r in sorted(results, key=lambda r: r["student"])
              if r.get("status") != "graded" or r.get("grader_errors")]
    return {
        "submissions": n,
        "status_counts": status_counts,
        "isolation_counts": dict(Counter(r.get("isolation", "?") for r in results)),
        "max_score": max(max_scores) if max_scores else None,
        "score_mean": statistics.fmean(scores) if scores else None,
        "score_median": statistics.median(scores) if scores else None,
        "score_max": scores[-1] if scores else None,
        "score_min": scores[0] if scores else None,
        "scores": scores,
        "final": bool(grades),
        "late": sum(1 for g in grades.values() if g["late_penalty"] > 0),
        "manual": sum(1 for g in grades.values() if g["manual"]),
        "items": item_rows,
        "tests": test_rows,
        "failure_messages": messages,
        "slowest": slowest,
        "failed": failed,
    }


# ---------------------------------------------------------------- charts (no pyplot: no global state)

def _histogram(summary: dict, path: Path) -> None:
    import math

    from matplotlib.figure import Figure

    top = max(summary["max_score"] or 0.0, summary["score_max"] or 0.0, 1.0)
    edges = [i - 0.5 for i in range(int(math.ceil(top)) + 2)]  # one bar per whole point, centred
    fig = Figure(figsize=(6.5, 3.6), dpi=100)
    ax = fig.add_subplot()
    ax.hist(summary["scores"], bins=edges, color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"score (out of {summary['max_score']:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"Score distribution ({summary['submissions']} submissions)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.axvline(summary["score_mean"], color="#c44e52", linestyle="--", label=f"mean {summary['score_mean']:.2f}")
    ax.axvline(summary["score_median"], color="#55a868", linestyle=":", label=f"median {summary['score_median']:g}")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, format="png")


def _rate_bars(labels: list[str], rates: list[float], title: str, path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 1.0 + 0.32 * max(len(labels), 1)), dpi=100)
    ax = fig.add_subplot()
    ys = list(range(len(labels)))
    colors = ["#55a868" if r >= 0.8 else "#dd8452" if r >= 0.5 else "#c44e52" for r in rates]
    ax.barh(ys, [100 * r for r in rates], color=colors)
    for y, r in zip(ys, rates):
        ax.text(min(100 * r + 1, 92), y, f"{100 * r:.0f}%", va="center", fontsize=8)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.invert_yaxis()  # first item on top, as in the notebook
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of submissions")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format="png")


# ---------------------------------------------------------------- page

def render_report(assignment: str, summary: dict, images: dict[str, str]) -> str:
    """The HTML page; ``images`` maps chart name (histogram, items, tests) to its relative URL."""
    return render("report.html", assignment=assignment, s=summary, images=images, results_name=RESULTS_NAME)


def build_report(root: Path, assignment: str, out_dir: Path | None = None, *, db_url: str | None = None,
                 notebook_id: str | None = None, late_policy=None) -> Path:
    """Write <out_dir>/<assignment>.html and its charts <out_dir>/<assignment>/*.png; return the HTML path.

    out_dir defaults to <root>/reports. With a gradebook (``db_url``, and the master's
    ``notebook_id``) the scores are the final grades every export states: manual grades and the
    late penalty as the due date, extensions and ``late_policy`` say now (store.final_grades).
    """
    out_dir = Path(out_dir) if out_dir is not None else root / "reports"
    results = load_results(root, assignment)
    grades = None
    if db_url and results:
        from course.grading.store import final_grade, sync_recorded

        _, finals = sync_recorded(root, assignment, notebook_id, db_url, late_policy)
        results = load_results(root, assignment)
        grades = {r["student"]: finals.get(r["student"]) or final_grade(r) for r in results}
    summary = compute_summary(results, grades=grades)
    images: dict[str, str] = {}
    if summary["submissions"]:
        img_dir = out_dir / assignment
        img_dir.mkdir(parents=True, exist_ok=True)
        charts = [("histogram", "score_histogram.png", lambda p: _histogram(summary, p))]
        if summary["items"]:
            charts.append(("items", "item_pass_rates.png", lambda p: _rate_bars(
                [i["id"] for i in summary["items"]], [i["rate"] for i in summary["items"]],
                "Items with full score", p)))
        if summary["tests"]:
            charts.append(("tests", "test_pass_rates.png", lambda p: _rate_bars(
                [f"{t['item']} / {t['name']}" for t in summary["tests"]], [t["rate"] for t in summary["tests"]],
                "Hidden tests passed", p)))
        for key, name, draw in charts:
            draw(img_dir / name)
            images[key] = f"{quote(assignment)}/{name}"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{assignment}.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_report(assignment, summary, images), encoding="utf-8")
    tmp.replace(path)
    return path
