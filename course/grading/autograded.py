"""The autograded notebook: autograded/<student>/<assignment>/<Notebook>.ipynb, as nbgrader's
autograder would leave it, so that nbgrader's own tools work on our results.

nbgrader's formgrader lists (and opens) only submissions that have this notebook, and
``nbgrader generate_feedback`` renders it. It is the submission with:

- every cell that carries a known grade_id given the release's nbgrader metadata (what nbgrader's
  ``OverwriteCells`` does: cell type, locked, points and checksum from the course, never from the
  submission); locked cells get the release's source back; cells with an unknown or a repeated
  grade_id lose their nbgrader metadata (nbgrader would look them up in the gradebook and fail);
- no outputs from the submission (the instructor's browser never renders what a student stored),
  except one output in each autograder test cell (``test_<function>``) written here: the hidden
  tests' verdict for that item in Chinese (passed and failed tests, points, messages), a stream
  output when the item got full marks and an error output otherwise, as a failing test cell would
  show in nbgrader;
- a deleted autograder test cell put back after the cell that defines its function;
- when the submission could not be read (missing, invalid), the release notebook with a Chinese
  note at the top, so that formgrader and generate_feedback still show the verdict.

``timestamp.txt`` and ``submission_secret.txt`` are copied beside it, as ``nbgrader autograde`` does
(``generate_feedback`` carries them to feedback/, where ``release_feedback`` needs them).
"""
from __future__ import annotations

import copy
import html
import os
import re
import tempfile
import uuid
from pathlib import Path

import nbformat

from course.grading.feedback import copy_submission_files
from course.grading.text import clean_record
from course.paths import master_notebook
from course.grading.notebooks import (TEST_PREFIX, InvalidNotebook, defines, nbgrader_meta, item_of_grade_cell,
                                      read_submission)


def autograded_notebook_path(root: Path, student: str, assignment: str, notebook_id: str) -> Path:
    return root / "autograded" / student / assignment / f"{notebook_id}.ipynb"


def _points(value) -> str:
    return f"{float(value):g}"


def item_report(item: dict) -> tuple[bool, list[str]]:
    """(full marks?, lines of Chinese text) for one result item: its score, each hidden test and notes."""
    bonus = "（加分题）" if item.get("extra_credit") else ""
    lines = [f"{item['id']}{bonus}：自动评分 {_points(item['score'])} / {_points(item['max_score'])}"]
    for note in item.get("notes") or []:
        lines += [f"  注意：{line}" for line in str(note).splitlines()[:40]]
    if not item.get("tests"):
        lines.append("  没有运行任何隐藏测试（见上面的说明）。")
    for test in item.get("tests") or []:
        what = test.get("description") or test["name"]
        case = f" [{test['case']}]" if test.get("case") else ""
        verdict = "✓ 通过" if test["passed"] else "△ 数值正确，形式不对" if test.get("form_only") else "✗ 未通过"
        lines.append(f"  {verdict}  {what}{case}（{_points(test['points'])} 分）")
        if not test["passed"] and test.get("message"):
            lines += [f"      {line}" for line in str(test["message"]).splitlines()[:60]]
    full = bool(item.get("tests")) and all(t["passed"] for t in item["tests"]) \
        and float(item["score"]) >= float(item["max_score"])
    return full, lines


def verdict_output(item: dict, message: str = "") -> nbformat.NotebookNode:
    """The output of an item's test cell: our hidden tests' verdict (stream, or error when points were lost)."""
    full, lines = item_report(item)
    if message:
        lines.insert(1, f"  整份作业：{message}")
    header = "隐藏测试的评分结果（课程评分程序）："
    if full:
        return nbformat.v4.new_output("stream", name="stdout", text="\n".join([header, *lines]) + "\n")
    return nbformat.v4.new_output("error", ename="未通过", evalue=lines[0], traceback=[header, *lines])


def _safe_defines(source, name: str) -> bool:
    try:
        return isinstance(source, str) and defines(source, name)
    except (RecursionError, MemoryError):
        return False


def _release_cells(root: Path, assignment: str, notebook_name: str) -> tuple[nbformat.NotebookNode, dict]:
    release = nbformat.read(root / "release" / assignment / notebook_name, as_version=4)
    by_id = {}
    for cell in release.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid:
            by_id[gid] = cell
    return release, by_id


def build_autograded(root: Path, assignment: str, result: dict, notebook: Path) -> nbformat.NotebookNode:
    """The autograded notebook of ``result`` (a record from grade_submission) for the submission at ``notebook``."""
    release, known = _release_cells(root, assignment, master_notebook(root, assignment).name)
    note = ""
    if result.get("status") in ("missing", "invalid-notebook"):  # refused or unreadable: never read again
        nb = None
        why = result.get("message") or "提交的 notebook 无法评分"
    else:
        try:
            nb = read_submission(notebook)
        except (FileNotFoundError, InvalidNotebook, OSError) as exc:
            nb, why = None, f"{type(exc).__name__}: {exc}"
    if nb is None:
        nb = copy.deepcopy(release)
        note = f"**评分说明：** 无法评分你提交的 notebook（{_escape(why)}）。下面是作业的原始版本，各题的得分见每道题的测试单元格。"

    seen, cells = set(), []
    for cell in nb.cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        gid = nbgrader_meta(cell).get("grade_id")
        if not isinstance(gid, str):  # a list, dict, number...: not one of the course's cells
            gid = None
        tags = cell.get("metadata", {}).get("tags")
        # of the submission's own cell metadata only plain tags are kept (no arbitrary, unbounded data)
        cell["metadata"] = meta = {"tags": tags} if _plain_tags(tags) else {}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if gid in known and gid not in seen:
            seen.add(gid)
            source = known[gid]
            if cell.cell_type != source.cell_type:  # nbgrader's OverwriteCells restores the type
                cell = nbformat.from_dict({"cell_type": source.cell_type, "metadata": meta,
                                           "source": cell.get("source", "")})
                if source.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            cell.metadata["nbgrader"] = copy.deepcopy(source.metadata["nbgrader"])
            if "course" in source.metadata:
                cell.metadata["course"] = copy.deepcopy(source.metadata["course"])
            if source.metadata["nbgrader"].get("locked"):
                cell.source = source.source
        cells.append(cell)

    items = {item["id"]: item for item in result.get("items", [])}
    for item_id in items:  # a deleted test cell goes back after the cell that defines its function
        test_id = TEST_PREFIX + item_id
        if test_id in seen or test_id not in known:
            continue
        at = len(cells)
        for i, cell in enumerate(cells):
            if cell.cell_type == "code" and (nbgrader_meta(cell).get("grade_id") == item_id
                                             or _safe_defines(cell.get("source", ""), item_id)):
                at = i + 1
        cells.insert(at, copy.deepcopy(known[test_id]))
        seen.add(test_id)

    course_text = {c.source for c in release.cells if c.cell_type == "markdown"}
    for cell in cells:  # formgrader renders Markdown as HTML in the instructor's logged-in page
        if (cell.cell_type in ("markdown", "raw") and not nbgrader_meta(cell).get("locked")
                and cell.get("source") not in course_text):
            cell.pop("attachments", None)
            cell.source = inert_markdown(cell.get("source", ""))

    message = result.get("message", "") if result.get("status") != "graded" else ""
    for cell in cells:
        item = items.get(item_of_grade_cell(nbgrader_meta(cell).get("grade_id", "")) or "")
        if item is not None and cell.cell_type == "code":
            cell.outputs = [verdict_output(item, message)]
    if note:
        cells.insert(0, nbformat.v4.new_markdown_cell(note))

    ids = set()
    for cell in cells:  # nbformat 4.5: unique cell ids
        if not isinstance(cell.get("id"), str) or cell["id"] in ids:
            cell["id"] = uuid.uuid4().hex[:8]
        ids.add(cell["id"])
    out = nbformat.v4.new_notebook(metadata=copy.deepcopy(release.metadata), cells=cells)
    out.metadata.pop("course", None)
    # formgrader renders ANSI in outputs, and a lone surrogate would make the write fail
    return _bounded(nbformat.from_dict(clean_record(out)))


def _escape(text: str) -> str:
    """Text for Markdown that renders as itself: no HTML, no maths."""
    return html.escape(str(text)).replace("$", "&#36;").replace("`", "&#96;")


def inert_markdown(source) -> str:
    """A student's Markdown or raw cell as a fenced block: formgrader (and generate_feedback) render
    cell Markdown to HTML unsanitized inside the instructor's authenticated Jupyter page, where raw
    HTML, event handlers or MathJax links would run as the instructor. A code block shows the text
    and renders none of it."""
    text = source if isinstance(source, str) else "".join(source) if isinstance(source, list) else ""
    if not text.strip():
        return ""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


MAX_AUTOGRADED_BYTES = 1 << 20  # as results.json: a notebook of 32 MB stays a small record
MAX_TAGS = 20


def _plain_tags(tags) -> bool:
    return isinstance(tags, list) and len(tags) <= MAX_TAGS and all(isinstance(t, str) and len(t) <= 100 for t in tags)


def _bounded(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep the notebook under MAX_AUTOGRADED_BYTES: attachments go, then the sources of the student's
    cells are clipped ever shorter; as a last resort only the course's nbgrader cells stay, with a note."""
    from course.grading.engine import clip

    def size() -> int:
        return len(nbformat.writes(nb).encode("utf-8"))

    if size() <= MAX_AUTOGRADED_BYTES:
        return nb
    for cell in nb.cells:
        cell.pop("attachments", None)
    for limit in (100_000, 10_000, 1_000):
        if size() <= MAX_AUTOGRADED_BYTES:
            return nb
        for cell in nb.cells:
            if not nbgrader_meta(cell).get("locked") and isinstance(cell.get("source"), str):
                cell.source = clip(cell.source, limit)
    if size() > MAX_AUTOGRADED_BYTES:
        kept = [c for c in nb.cells if nbgrader_meta(c).get("grade_id")]
        nb.cells = [nbformat.v4.new_markdown_cell("**评分说明：** 提交的 notebook 太大，这里只保留了作业中带评分信息的单元格（内容可能被截短）。"),
                    *kept]
    return nb


def write_autograded(root: Path, result: dict, notebook_id: str, notebook: Path,
                     submission_folder: Path | None = None, class_dir: Path | None = None) -> Path:
    """Write autograded/<student>/<assignment>/<notebook_id>.ipynb atomically under ``class_dir``
    (default: ``root``, the course), with the submission's timestamp.txt and submission_secret.txt
    beside it (a stale copy is removed)."""
    path = autograded_notebook_path(class_dir or root, result["student"], result["assignment"], notebook_id)
    nb = build_autograded(root, result["assignment"], result, notebook)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".autograded-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    copy_submission_files(submission_folder, path.parent)
    return path
