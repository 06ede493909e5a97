"""Per-submission feedback page (Chinese): scores, what was wrong, no grader code."""
from __future__ import annotations

import html
from pathlib import Path

STATUS_TEXT = {
    "graded": "已评分", "timeout": "超时", "crashed": "进程意外退出",
    "invalid-notebook": "notebook 文件无效", "missing": "未找到提交的 notebook",
}
CELL_TEXT = {"ok": "正常运行", "error": "运行出错", "timeout": "运行超时", "crashed": "进程退出",
             "missing": "未找到", "not-run": "未运行"}


def _plot_png(plot: dict) -> str:
    """Render a grader's curves as an inline PNG (data URI), so the page stays one offline file."""
    import base64
    import io

    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 3.2), dpi=90)
    ax = fig.add_subplot()
    for label, values in plot["curves"].items():
        ax.plot(np.arange(len(values)), np.where(np.isfinite(values), values, np.nan), label=label)
    ax.set_title(plot.get("title", ""))
    ax.set_xlabel(plot.get("xlabel", ""))
    ax.set_ylabel(plot.get("ylabel", ""))
    ax.legend()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _e(text) -> str:
    return html.escape(str(text))


def render_feedback(result: dict) -> str:
    """Return the HTML page for one result record (see course.grading.engine)."""
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{_e(result['assignment'])} 反馈 — {_e(result['student'])}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top}"
        ".ok{color:#176317}.bad{color:#a11}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}</style></head><body>",
        f"<h1>作业 {_e(result['assignment'])} 的评分反馈</h1>",
        f"<p>学生：<b>{_e(result['student'])}</b>　总分：<b>{result['score']:g} / {result['max_score']:g}</b>"
        f"　状态：{_e(STATUS_TEXT.get(result['status'], result['status']))}</p>",
    ]
    if result.get("message"):
        parts.append(f"<p class='bad'>{_e(result['message'])}</p>")
    for item in result["items"]:
        parts.append(f"<h2>{_e(item['id'])}：{item['score']:g} / {item['max_score']:g}</h2>")
        cell = item.get("cell")
        if cell and cell != "ok":
            parts.append(f"<p class='bad'>定义该函数的单元格：{_e(CELL_TEXT.get(cell, cell))}</p>")
        for note in item.get("notes") or []:
            parts.append(f"<pre>{_e(note)}</pre>")
        if item["tests"]:
            parts.append("<table><tr><th>检查内容</th><th>分值</th><th>结果</th></tr>")
            for test in item["tests"]:
                verdict = ("<span class='ok'>通过</span>" if test["passed"]
                           else f"<span class='bad'>未通过</span><pre>{_e(test['message'])}</pre>")
                if test.get("plot"):
                    verdict += f"<br><img alt='{_e(test['plot'].get('title', ''))}' src='{_plot_png(test['plot'])}'>"
                parts.append(f"<tr><td>{_e(test['description'] or test['name'])}</td>"
                             f"<td>{test['points']:g}</td><td>{verdict}</td></tr>")
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
    for name in ("timestamp.txt", "submission_secret.txt"):
        src = submission_folder / name if submission_folder is not None else None
        if src is not None and src.is_file() and not src.is_symlink() and src.stat().st_size < 4096:
            (folder / name).write_bytes(src.read_bytes())
    return path
