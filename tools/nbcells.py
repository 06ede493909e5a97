"""Helpers for writing nbgrader master notebooks from Python (used by the authoring scripts).

Each helper returns an nbformat cell carrying the nbgrader metadata its role needs:
- ``setup``: given code that the grading engine runs before the submission's functions
  (tagged "setup"; locked)
- ``given``: other given code (locked)
- ``graded``: a solution cell holding one graded function; grade_id = the function's name
- ``public_test``: locked cell calling public_tests.<name>_test
- ``md``: a markdown cell, its hard-wrapped paragraphs joined into one line each (``unwrap``)
"""
from __future__ import annotations

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _nbgrader(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id,
            "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


_BLOCK_START = re.compile(r"^\s*(#|[-*+] |\d+\. |\||>|\$\$|```|<)")
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def _join(left: str, right: str) -> str:
    """Join two lines of one paragraph: no space between Chinese characters or punctuation
    (a newline there renders as a stray space), one space otherwise."""
    right = right.lstrip()
    if left and right and (_CJK.match(left[-1]) or _CJK.match(right[0])):
        return left + right
    return left + " " + right


def unwrap(text: str) -> str:
    """Join the hard-wrapped lines of each Markdown paragraph, list item and quote.

    Code fences, display maths ($$ ... $$), tables and headings are left as written; a line that
    starts a block (list marker, quote, table row, heading, fence, HTML) starts a new line.
    """
    out: list[str] = []
    verbatim = None  # the fence (``` or $$) we are inside, if any
    for line in text.split("\n"):
        stripped = line.strip()
        if verbatim:
            out.append(line)
            if (stripped.startswith("```") if verbatim == "```" else stripped.endswith("$$")):
                verbatim = None
            continue
        if stripped.startswith("```") or (stripped.startswith("$$") and (stripped == "$$" or not stripped.endswith("$$"))):
            out.append(line)
            verbatim = stripped[:3] if stripped.startswith("```") else "$$"
            continue
        previous = out[-1].strip() if out else ""
        joinable = (previous and not previous.startswith(("#", "|", "$$", "```", "<"))
                    and not previous.endswith("$$"))
        if stripped and joinable and stripped.startswith(">") and previous.startswith(">"):
            out[-1] = _join(out[-1], stripped[1:])
        elif stripped and joinable and not _BLOCK_START.match(line) and not previous.startswith(">"):
            out[-1] = _join(out[-1], stripped)
        else:
            out.append(line)
    return "\n".join(out)


def md(text):
    return new_markdown_cell(unwrap(text.strip("\n")))


def setup(grade_id, source):
    return new_code_cell(source.strip("\n"), metadata={
        "tags": ["setup"], "nbgrader": _nbgrader(grade_id, locked=True)})


def given(grade_id, source):
    return new_code_cell(source.strip("\n"), metadata={"nbgrader": _nbgrader(grade_id, locked=True)})


def graded(name, points, source, extra_credit=False):
    """A graded solution cell. ``extra_credit``: a bonus whose points add on top of the maximum;
    nbgrader sees 0 points (its maximum stays that of the required exercises) and the grading
    engine reads the bonus from metadata.course.extra_credit."""
    if extra_credit:
        return new_code_cell(source.strip("\n"), metadata={
            "course": {"extra_credit": points},
            "nbgrader": _nbgrader(name, grade=True, solution=True, points=0)})
    return new_code_cell(source.strip("\n"), metadata={
        "nbgrader": _nbgrader(name, grade=True, solution=True, points=points)})


def public_test(name):
    return given(f"test_{name}", f"{name}_test({name})")


def notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    # Stable cell ids keep the committed JSON diff-friendly across rebuilds.
    for i, cell in enumerate(nb.cells):
        cell["id"] = cell["metadata"].get("nbgrader", {}).get("grade_id") or f"cell-{i:02d}"
    return nb


def write(nb, path):
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
