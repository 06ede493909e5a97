"""Read master and submitted notebooks and pick out the cells grading needs."""
from __future__ import annotations

import errno
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat


class InvalidNotebook(Exception):
    """The submission is not a notebook we can read (empty, not JSON, not nbformat)."""


@dataclass(frozen=True)
class GradedItem:
    """One graded function of the master notebook."""

    id: str  # grade_id == function name
    points: float


@dataclass
class MasterNotebook:
    """What grading takes from source/<assignment>/<name>.ipynb."""

    path: Path
    setup_sources: list[str]
    items: list[GradedItem]
    solution_sources: dict[str, str]

    @property
    def max_score(self) -> float:
        return float(sum(i.points for i in self.items))


@dataclass
class SubmittedCell:
    item_id: str
    source: str | None  # None: no cell defines the function
    matched_by: str  # "grade_id", "def" or "missing"
    notes: list[str] = field(default_factory=list)


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def read_master(path: Path) -> MasterNotebook:
    """Setup cells (tagged "setup"), graded items and their solution sources."""
    nb = nbformat.read(path, as_version=4)
    setup, items, solutions = [], [], {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = _nbgrader(cell)
        if "setup" in cell.get("metadata", {}).get("tags", []):
            setup.append(cell.source)
        elif meta.get("solution") and meta.get("grade_id"):
            items.append(GradedItem(meta["grade_id"], float(meta.get("points", 0))))
            solutions[meta["grade_id"]] = cell.source
    return MasterNotebook(path, setup, items, solutions)


MAX_NOTEBOOK_BYTES = 32 << 20


def read_submission(path: Path, max_bytes: int = MAX_NOTEBOOK_BYTES) -> nbformat.NotebookNode:
    """Read a submitted notebook, converting older nbformat versions; InvalidNotebook if unreadable.

    Only a regular file is read (a symlink, FIFO or device is refused without being opened
    through), and one larger than ``max_bytes`` is refused without being read whole.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidNotebook("提交的是一个符号链接 (symlink)，不是 notebook 文件本身，不予评分") from None
        raise InvalidNotebook(f"无法读取文件：{exc.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InvalidNotebook("提交的不是普通文件 (not a regular file)，不予评分")
        if info.st_size > max_bytes:
            raise InvalidNotebook(f"文件太大：{info.st_size} 字节，上限是 {max_bytes} 字节")
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise InvalidNotebook(f"文件太大：超过 {max_bytes} 字节")
    if not raw.strip():
        raise InvalidNotebook("文件是空的 (empty file)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: bad JSON, or an integer too long to read
        raise InvalidNotebook(f"不是有效的 JSON：{str(exc)[:300]}") from None
    except (RecursionError, MemoryError):
        raise InvalidNotebook("JSON 嵌套太深或太大，无法读取") from None
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # nbformat raises several types for malformed documents (and RecursionError)
        raise InvalidNotebook(f"不是有效的 notebook：{type(exc).__name__}: {str(exc)[:300]}") from None
    if not isinstance(nb.get("cells"), list):
        raise InvalidNotebook("notebook 中没有 cells 列表")
    return nb


def _defines(source: str, name: str) -> bool:
    return re.search(rf"^def\s+{re.escape(name)}\s*\(", source, re.M) is not None


def match_graded_cells(nb: nbformat.NotebookNode, items: list[GradedItem]) -> list[SubmittedCell]:
    """Find, for each graded item, the submission's code cell that defines it.

    By grade_id first; when metadata was stripped or edited, by the ``def <name>`` the cell
    contains. When several cells qualify, the last wins, as when a notebook runs top to bottom.
    """
    code_cells = [c for c in nb.cells if c.get("cell_type") == "code" and isinstance(c.get("source"), str)]
    found = []
    for item in items:
        by_id = [c for c in code_cells if _nbgrader(c).get("grade_id") == item.id]
        by_def = [c for c in code_cells if _defines(c.source, item.id)]
        notes = []
        if by_id and _defines(by_id[-1].source, item.id):
            if len(by_id) > 1:
                notes.append(f"有 {len(by_id)} 个单元格的 grade_id 都是 {item.id}，使用最后一个")
            found.append(SubmittedCell(item.id, by_id[-1].source, "grade_id", notes))
        elif by_def:
            notes.append(f"单元格的 nbgrader 元数据被修改或删除，按 def {item.id} 找到了函数")
            found.append(SubmittedCell(item.id, by_def[-1].source, "def", notes))
        else:
            found.append(SubmittedCell(item.id, None, "missing", [f"找不到定义 {item.id} 的代码单元格"]))
    return found
