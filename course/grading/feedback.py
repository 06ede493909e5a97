"""Per-submission feedback page (Chinese): scores, what was wrong, no grader code."""
from __future__ import annotations

import base64
import math
from pathlib import Path

from course.html import render

STATUS_TEXT = {
    "graded": "已评分", "timeout": "超时", "crashed": "进程意外退出",
    "invalid-notebook": "notebook 文件无效", "missing": "未找到提交的 notebook",
    "error": "评分程序出错，老师会处理",
}
CELL_TEXT = {"ok": "正常运行", "error": "运行出错", "timeout": "运行超时", "crashed": "进程退出",
             "missing": "未找到", "not-run": "未运行"}


COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _ticks(lo: float, hi: float, count: int = 5) -> tuple[list[float], int]:
    """Round tick values covering [lo, hi] and the decimals to print them with."""
    if not hi > lo:
        lo, hi = lo - (abs(lo) or 1.0) / 2, hi + (abs(hi) or 1.0) / 2
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)  # the axis covers every value
    ticks = [i * step for i in range(first, last + 1)]
    return ticks, max(0, -math.floor(math.log10(step)) + (1 if step / magnitude == 2.5 else 0))


def _drawable(v: float) -> bool:
    return math.isfinite(v) and abs(v) < 1e150  # the axis span stays a finite float


def _label(t: float, decimals: int) -> str:
    return f"{t:.3g}" if abs(t) >= 1e6 or decimals > 4 else f"{t:.{decimals}f}"


def _plot_src(plot: dict) -> str:
    """A grader's curves as an inline SVG image (data URI): the page stays one offline file, and
    drawing it by hand takes microseconds where matplotlib took a fifth of a second per submission.
    The geometry is computed here; templates/plot.svg writes (and escapes) the markup."""
    box = {"w": 495, "h": 288, "left": 62, "right": 480, "top": 30, "bottom": 240}
    left, right, top, bottom = box["left"], box["right"], box["top"], box["bottom"]
    curves = [(str(label), [float(v) for v in values]) for label, values in plot["curves"].items()]
    finite = [v for _, values in curves for v in values if _drawable(v)]
    n = max((len(values) for _, values in curves), default=1)
    yticks, ydec = _ticks(min(finite, default=0.0), max(finite, default=1.0))
    xticks, xdec = _ticks(0.0, float(max(n - 1, 1)))
    y0, y1, x1 = yticks[0], yticks[-1], xticks[-1]

    def px(i: float) -> float:
        return left + (right - left) * i / x1

    def py(v: float) -> float:
        return bottom - (bottom - top) * (v - y0) / (y1 - y0)

    drawn = []
    for k, (label, values) in enumerate(curves):
        runs, run = [], []
        for i, v in enumerate(values + [math.nan]):  # a non-finite value breaks the line
            if _drawable(v):
                run.append(f"{px(i):.1f},{py(v):.1f}")
            elif run:
                runs.append(" ".join(run))
                run = []
        drawn.append({"color": COLORS[k % len(COLORS)], "runs": runs, "legend_y": top + 14 + 15 * k,
                      "label": label[:20]})
    svg = render("plot.svg", box=box, title=plot.get("title", ""), xlabel=plot.get("xlabel", ""),
                 ylabel=plot.get("ylabel", ""), curves=drawn,
                 yticks=[(f"{py(t):.1f}", f"{py(t) + 4:.1f}", _label(t, ydec)) for t in yticks],
                 xticks=[(f"{px(t):.1f}", _label(t, xdec)) for t in xticks])
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def score_parts(result: dict) -> dict | None:
    """The required items' score and the extra credit apart, so that a bonus never hides a failed
    required function (issue 21): {"required", "required_max", "bonus", "bonus_max"}; None when the
    assignment has no extra credit."""
    bonus_items = [i for i in result.get("items") or [] if i.get("extra_credit")]
    if not bonus_items:
        return None
    required = [i for i in result["items"] if not i.get("extra_credit")]
    return {"required": round(sum(float(i["score"]) for i in required), 6), "required_max": float(result["max_score"]),
            "bonus": round(sum(float(i["score"]) for i in bonus_items), 6),
            "bonus_max": round(sum(float(i["max_score"]) for i in bonus_items), 6)}


def render_feedback(result: dict) -> str:
    """Return the HTML page for one result record (see course.grading.engine)."""
    return render("feedback.html", result=result, parts=score_parts(result), status_text=STATUS_TEXT,
                  cell_text=CELL_TEXT, plot_src=_plot_src)


def write_feedback(root: Path, result: dict, html_text: str | None = None, notebook_id: str = "feedback",
                   submission_folder: Path | None = None) -> Path:
    """Write feedback/<student>/<assignment>/<notebook_id>.html (``html_text`` if a worker already
    rendered it), with the submission's timestamp.txt and submission_secret.txt beside it: the
    layout ``nbgrader release_feedback`` delivers to students (``nbgrader fetch_feedback``)."""
    folder = root / "feedback" / result["student"] / result["assignment"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook_id}.html"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render_feedback(result) if html_text is None else html_text, encoding="utf-8")
    tmp.replace(path)
    copy_submission_files(submission_folder, folder)
    return path


SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")


def copy_submission_files(submission_folder: Path | None, dest: Path) -> None:
    """Copy the submission's timestamp.txt and submission_secret.txt (small regular files only) into
    ``dest``, where nbgrader's release_feedback and formgrader look for them; a stale copy whose
    source is gone is removed."""
    for name in SUBMISSION_FILES:
        src = submission_folder / name if submission_folder is not None else None
        target = dest / name
        if src is not None and src.is_file() and not src.is_symlink() and src.stat().st_size < 4096:
            target.write_bytes(src.read_bytes())
        elif target.exists():
            target.unlink()
