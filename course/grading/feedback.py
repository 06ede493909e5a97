"""Per-submission feedback page (Chinese): scores, what was wrong, no grader code."""
from __future__ import annotations

import base64
import html
import math
from pathlib import Path

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


def _plot_svg(plot: dict) -> str:
    """A grader's curves as an inline SVG image (data URI): the page stays one offline file, and
    drawing it by hand takes microseconds where matplotlib took a fifth of a second per submission."""
    w, h, left, right, top, bottom = 495, 288, 62, 480, 30, 240
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

    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' viewBox='0 0 {w} {h}' "
           "font-family='sans-serif' font-size='11'><rect width='100%' height='100%' fill='white'/>",
           f"<text x='{(left + right) / 2}' y='18' text-anchor='middle' font-size='13'>{_e(plot.get('title', ''))}</text>",
           f"<text x='{(left + right) / 2}' y='{h - 8}' text-anchor='middle'>{_e(plot.get('xlabel', ''))}</text>",
           f"<text transform='translate(14 {(top + bottom) / 2}) rotate(-90)' text-anchor='middle'>"
           f"{_e(plot.get('ylabel', ''))}</text>"]
    for t in yticks:
        out.append(f"<line x1='{left - 4}' x2='{left}' y1='{py(t):.1f}' y2='{py(t):.1f}' stroke='black'/>"
                   f"<text x='{left - 6}' y='{py(t) + 4:.1f}' text-anchor='end'>{_label(t, ydec)}</text>")
    for t in xticks:
        out.append(f"<line x1='{px(t):.1f}' x2='{px(t):.1f}' y1='{bottom}' y2='{bottom + 4}' stroke='black'/>"
                   f"<text x='{px(t):.1f}' y='{bottom + 16}' text-anchor='middle'>{_label(t, xdec)}</text>")
    out.append(f"<rect x='{left}' y='{top}' width='{right - left}' height='{bottom - top}' fill='none' stroke='black'/>")
    for k, (label, values) in enumerate(curves):
        color = COLORS[k % len(COLORS)]
        run: list[str] = []
        for i, v in enumerate(values + [math.nan]):  # a non-finite value breaks the line
            if _drawable(v):
                run.append(f"{px(i):.1f},{py(v):.1f}")
            elif run:
                out.append(f"<polyline fill='none' stroke='{color}' stroke-width='1.6' points='{' '.join(run)}'/>")
                run = []
        ly = top + 14 + 15 * k
        out.append(f"<line x1='{right - 110}' x2='{right - 90}' y1='{ly - 4}' y2='{ly - 4}' stroke='{color}' "
                   f"stroke-width='2'/><text x='{right - 85}' y='{ly}'>{_e(label[:20])}</text>")
    out.append("</svg>")
    return "data:image/svg+xml;base64," + base64.b64encode("".join(out).encode("utf-8")).decode("ascii")


def _e(text) -> str:
    return html.escape(str(text))


# The page must stay readable with long messages at phone and desktop widths: a fixed table layout
# with set column widths (the description column cannot collapse), the points column never wraps,
# long words and numbers break anywhere, and below 40em each row stacks into a card.
CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:60em;margin:1.5em auto;
padding:0 1em;line-height:1.55;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;table-layout:fixed}
col.what{width:38%}col.points{width:5em}col.verdict{width:auto}
td,th{border:1px solid #ccc;padding:.35em .5em;vertical-align:top;text-align:left;overflow-wrap:anywhere;
word-break:normal}
td.points,th.points{white-space:nowrap;text-align:right}
.case{display:block;color:#555;font-size:.9em;font-family:monospace}
.ok{color:#176317}.bad{color:#a11}.bonus{color:#7a4b00;font-size:.85em;font-weight:normal}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.5em;margin:.3em 0;font-size:.9em}
img{max-width:100%;height:auto}
@media (max-width:40em){
 table,tbody,tr,td{display:block;width:auto}
 tr:first-child{display:none}
 tr{border:1px solid #ccc;margin:.6em 0}
 td{border:none;border-bottom:1px solid #eee}
 td.points{text-align:left}
 td.points::before{content:"分值："}
}
"""


def _points(value) -> str:
    return f"{float(value):g}"


def render_feedback(result: dict) -> str:
    """Return the HTML page for one result record (see course.grading.engine)."""
    bonus = sum(float(i["score"]) for i in result["items"] if i.get("extra_credit"))
    total = f"{_points(result['score'])} / {_points(result['max_score'])}"
    if bonus:
        total += f"（其中加分题 {_points(bonus)} 分，加在满分之上）"
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_e(result['assignment'])} 反馈 — {_e(result['student'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>作业 {_e(result['assignment'])} 的评分反馈</h1>",
        f"<p>学生：<b>{_e(result['student'])}</b>　总分：<b>{_e(total)}</b>"
        f"　状态：{_e(STATUS_TEXT.get(result['status'], result['status']))}</p>",
    ]
    if result.get("message"):
        parts.append(f"<p class='bad'>{_e(result['message'])}</p>")
    if result.get("late_notice"):
        parts.append(f"<p class='bad'>{_e(result['late_notice'])}</p>")
    for item in result["items"]:
        label = " <span class='bonus'>（加分题）</span>" if item.get("extra_credit") else ""
        parts.append(f"<h2>{_e(item['id'])}：{_points(item['score'])} / {_points(item['max_score'])}{label}</h2>")
        cell = item.get("cell")
        if cell and cell != "ok":
            parts.append(f"<p class='bad'>定义该函数的单元格：{_e(CELL_TEXT.get(cell, cell))}</p>")
        for note in item.get("notes") or []:
            parts.append(f"<pre>{_e(note)}</pre>")
        if item["tests"]:
            parts.append("<table><colgroup><col class='what'><col class='points'><col class='verdict'></colgroup>"
                         "<tr><th>检查内容</th><th class='points'>分值</th><th>结果</th></tr>")
            for test in item["tests"]:
                verdict = ("<span class='ok'>通过</span>" if test["passed"]
                           else f"<span class='bad'>未通过</span><pre>{_e(test['message'])}</pre>")
                if test.get("plot"):
                    verdict += f"<br><img alt='{_e(test['plot'].get('title', ''))}' src='{_plot_svg(test['plot'])}'>"
                case = f"<span class='case'>{_e(test['case'])}</span>" if test.get("case") else ""
                parts.append(f"<tr><td>{_e(test['description'] or test['name'])}{case}</td>"
                             f"<td class='points'>{_points(test['points'])}</td><td>{verdict}</td></tr>")
            parts.append("</table>")
    if result.get("output"):
        parts.append(f"<h2>你的代码的输出（节选）</h2><pre>{_e(result['output'][:5000])}</pre>")
    parts.append("<p><small>stderr 上的警告不会扣分。</small></p></body></html>")
    return "\n".join(parts)


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
