"""Instructor report for one assignment: statistics over every autograded/*/<assignment>/results.json.

``compute_summary`` returns the numbers (plain data, checked by the tests); ``build_report`` writes
reports/<assignment>.html with its charts in reports/<assignment>/*.png. The page is self-contained
(inline CSS, no scripts, images by relative path) so it opens offline.
"""
from __future__ import annotations

import html
import json
import re
import statistics
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from course.grading.store import RESULTS_NAME

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


def compute_summary(results: list[dict], *, top_messages: int = TOP_MESSAGES, top_slowest: int = TOP_SLOWEST) -> dict:
    """The report's numbers for the results of one assignment.

    Every rate's denominator is the number of submissions: a submission whose notebook is missing
    or did not run has no (or fewer) test entries, and counts as not passing those tests/items.
    Returns a dict with:
    - submissions: number of results; status_counts: {status: count} (every known status, then others)
    - isolation_counts: {isolation mode: count}
    - max_score, score_mean, score_median, score_max, score_min (None when there are no results)
    - scores: every score, sorted
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
    scores = sorted(float(r.get("score", 0.0)) for r in results)
    max_scores = {float(r.get("max_score", 0.0)) for r in results}

    items: dict[str, dict] = {}
    tests: dict[tuple[str, str], dict] = {}
    groups: dict[str, dict] = {}
    for r in results:
        for item in r.get("items", []):
            entry = items.setdefault(item["id"], {"id": item["id"], "max_score": float(item.get("max_score", 0.0)),
                                                  "full": 0, "total": 0.0})
            entry["total"] += float(item.get("score", 0.0))
            if float(item.get("score", 0.0)) >= float(item.get("max_score", 0.0)) - _EPS:
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
                "score": float(r.get("score", 0.0))}
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

def _e(text) -> str:
    return html.escape(str(text))


def _pct(rate: float) -> str:
    return f"{100 * rate:.0f}%"


def _num(x) -> str:
    return "–" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")


_CSS = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;line-height:1.45}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .5em;"
        "vertical-align:top;text-align:left}th{background:#f0f0f0}td.n{text-align:right}"
        ".bad{color:#a11}.muted{color:#666}pre{white-space:pre-wrap;background:#f6f6f6;padding:.4em;margin:.2em 0;"
        "font-size:85%}img{max-width:100%;border:1px solid #ddd}")


def render_report(assignment: str, summary: dict, images: dict[str, str]) -> str:
    """The HTML page; ``images`` maps chart name (histogram, items, tests) to its relative URL."""
    s = summary
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>Grading report — {_e(assignment)}</title><style>{_CSS}</style></head><body>",
           f"<h1>Grading report: {_e(assignment)}</h1>"]
    if not s["submissions"]:
        out.append(f"<p>No results found (autograded/*/{_e(assignment)}/{RESULTS_NAME}). "
                   f"Run <code>course grade {_e(assignment)}</code> first.</p></body></html>")
        return "\n".join(out)

    out.append("<h2>Submissions</h2><table><tr><th>submissions</th>"
               + "".join(f"<th>{_e(k)}</th>" for k in s["status_counts"]) + "</tr><tr>"
               + f"<td class='n'>{s['submissions']}</td>"
               + "".join(f"<td class='n'>{v}</td>" for v in s["status_counts"].values()) + "</tr></table>")
    iso = ", ".join(f"{_e(k)}: {v}" for k, v in s["isolation_counts"].items())
    out.append(f"<p class='muted'>Isolation: {iso}</p>")

    out.append("<h2>Scores</h2><table><tr><th>max possible</th><th>mean</th><th>median</th><th>max</th><th>min</th>"
               f"</tr><tr><td class='n'>{_num(s['max_score'])}</td><td class='n'>{_num(s['score_mean'])}</td>"
               f"<td class='n'>{_num(s['score_median'])}</td><td class='n'>{_num(s['score_max'])}</td>"
               f"<td class='n'>{_num(s['score_min'])}</td></tr></table>")
    out.append(f"<p><img src='{_e(images['histogram'])}' alt='score histogram'></p>")

    out.append("<h2>Graded items</h2><p class='muted'>Pass rate: share of all submissions with the item's full "
               "score.</p>")
    if "items" in images:
        out.append(f"<p><img src='{_e(images['items'])}' alt='item pass rates'></p>")
    out.append("<table><tr><th>item</th><th>points</th><th>full score</th><th>pass rate</th><th>mean score</th></tr>")
    for it in s["items"]:
        out.append(f"<tr><td>{_e(it['id'])}</td><td class='n'>{it['max_score']:g}</td>"
                   f"<td class='n'>{it['full']} / {s['submissions']}</td><td class='n'>{_pct(it['rate'])}</td>"
                   f"<td class='n'>{it['mean_score']:.2f}</td></tr>")
    out.append("</table>")

    out.append("<h2>Hidden tests</h2><p class='muted'>Pass rate: share of all submissions in which the test "
               "passed (a submission that never ran the test counts as failing it).</p>")
    if "tests" in images:
        out.append(f"<p><img src='{_e(images['tests'])}' alt='test pass rates'></p>")
    out.append("<table><tr><th>item</th><th>test</th><th>points</th><th>passed</th><th>pass rate</th>"
               "<th>what it checks</th></tr>")
    for t in s["tests"]:
        out.append(f"<tr><td>{_e(t['item'])}</td><td><code>{_e(t['name'])}</code></td>"
                   f"<td class='n'>{t['points']:g}</td><td class='n'>{t['passed']} / {s['submissions']}</td>"
                   f"<td class='n'>{_pct(t['rate'])}</td><td>{_e(t['description'])}</td></tr>")
    out.append("</table>")

    out.append("<h2>Most frequent failure messages</h2><p class='muted'>Messages of failed tests, grouped after "
               "replacing numbers with # and keeping only the first and last line.</p>")
    if s["failure_messages"]:
        out.append("<table><tr><th>students</th><th>times</th><th>tests</th><th>message</th></tr>")
        for m in s["failure_messages"]:
            out.append(f"<tr><td class='n'>{m['students']}</td><td class='n'>{m['occurrences']}</td>"
                       f"<td>{'<br>'.join(_e(t) for t in m['tests'])}</td><td>{_e(m['message'])}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>No failed tests.</p>")

    out.append("<h2>Slowest submissions</h2><table><tr><th>student</th><th>seconds</th><th>status</th>"
               "<th>score</th></tr>")
    for r in s["slowest"]:
        out.append(f"<tr><td>{_e(r['student'])}</td><td class='n'>{r['seconds']:.2f}</td><td>{_e(r['status'])}</td>"
                   f"<td class='n'>{r['score']:g}</td></tr>")
    out.append("</table>")

    out.append("<h2>Failed submissions</h2><p class='muted'>Status other than <code>graded</code>, or a grader "
               "error (a bug in the graders, not the student's fault).</p>")
    if s["failed"]:
        out.append("<table><tr><th>student</th><th>status</th><th>message</th></tr>")
        for f in s["failed"]:
            errors = "".join(f"<pre>{_e(e)}</pre>" for e in f["grader_errors"])
            if errors:
                errors = f"<details><summary class='bad'>{len(f['grader_errors'])} grader error(s)</summary>{errors}</details>"
            out.append(f"<tr><td>{_e(f['student'])}</td><td class='bad'>{_e(f['status'])}</td>"
                       f"<td>{_e(f['message'])}{errors}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>None.</p>")
    out.append("</body></html>")
    return "\n".join(out)


def build_report(root: Path, assignment: str, out_dir: Path | None = None) -> Path:
    """Write <out_dir>/<assignment>.html and its charts <out_dir>/<assignment>/*.png; return the HTML path.

    out_dir defaults to <root>/reports.
    """
    out_dir = Path(out_dir) if out_dir is not None else root / "reports"
    summary = compute_summary(load_results(root, assignment))
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
