"""Read master and submitted notebooks and pick out the cells grading needs."""
from __future__ import annotations

import ast
import errno
import functools
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.sandbox.process import Limits


class InvalidNotebook(Exception):
    """The submission is not a notebook we can read (empty, not JSON, not nbformat)."""


TEST_PREFIX = "test_"


@dataclass(frozen=True)
class GradedItem:
    """One graded function of the master notebook.

    nbgrader's model: the function's cell is an *autograded answer* (``solution: true, grade: false``,
    grade_id = the function's name) and the locked cell after it, grade_id ``test_<function>``, is
    an *autograder test* cell (``grade: true``) that carries the points. The gradebook's grade cell
    of an item is that test cell (``grade_cell``); results.json names items by function.
    """

    id: str  # the function's name == grade_id of its answer cell
    points: float
    extra_credit: bool = False  # a bonus: its points add on top of the maximum

    @property
    def grade_cell(self) -> str:
        """grade_id of the autograder test cell that carries the item's points."""
        return TEST_PREFIX + self.id


def item_of_grade_cell(grade_id: str) -> str | None:
    """The function graded by the autograder test cell ``grade_id`` (None: not one of ours)."""
    return grade_id[len(TEST_PREFIX):] if grade_id.startswith(TEST_PREFIX) else None


@dataclass
class MasterNotebook:
    """What grading takes from source/<assignment>/<name>.ipynb."""

    path: Path
    setup_sources: list[str]
    items: list[GradedItem]
    solution_sources: dict[str, str]

    @property
    def max_score(self) -> float:
        """What the required items give; extra-credit items add on top of it."""
        return float(sum(i.points for i in self.items if not i.extra_credit))

    @property
    def extra_credit(self) -> float:
        return float(sum(i.points for i in self.items if i.extra_credit))


@dataclass
class SubmittedCell:
    item_id: str
    source: str | None  # None: no cell defines the function
    matched_by: str  # "grade_id", "def" or "missing"
    notes: list[str] = field(default_factory=list)


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


_MASTERS: dict[Path, tuple[tuple[int, int], MasterNotebook]] = {}


def read_master(path: Path) -> MasterNotebook:
    """The parsed master, read once per process while the file is unchanged (do not mutate it)."""
    path = Path(path)
    info = path.stat()
    key = (info.st_mtime_ns, info.st_size)
    cached = _MASTERS.get(path)
    if cached is None or cached[0] != key:
        cached = _MASTERS[path] = (key, parse_master(path))
    return cached[1]


def parse_master(path: Path) -> MasterNotebook:
    """Setup cells (tagged "setup"), graded items and their solution sources.

    Items are the autograder test cells (``grade: true, solution: false``) named ``test_<function>``
    where ``<function>`` is the grade_id of an autograded answer cell; the points are the test cell's.
    An extra-credit item has 0 points for nbgrader (its maximum stays that of the required exercises)
    and its bonus under the test cell's ``metadata.course.extra_credit``. ValueError for an autograder
    test cell that follows no answer cell's name (the release refuses it: course.build.check_points).
    Manually graded cells (``grade`` and ``solution`` both true) are left to formgrader.
    """
    nb = nbformat.read(path, as_version=4)
    setup, tests, solutions = [], [], {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if "setup" in cell.get("metadata", {}).get("tags", []):
            setup.append(cell.source)
        elif meta.get("solution") and not meta.get("grade") and meta.get("grade_id"):
            solutions[meta["grade_id"]] = cell.source
        elif meta.get("grade") and not meta.get("solution") and meta.get("grade_id"):
            tests.append(cell)
    items = []
    for cell in tests:
        meta = nbgrader_meta(cell)
        function = item_of_grade_cell(meta["grade_id"])
        if function not in solutions:
            raise ValueError(f"{path.name}: autograder test cell {meta['grade_id']!r} must be named "
                             f"{TEST_PREFIX}<function>, after the grade_id of the autograded answer cell it tests")
        bonus = (cell.get("metadata", {}).get("course") or {}).get("extra_credit")
        if bonus:
            items.append(GradedItem(function, float(bonus), extra_credit=True))
        else:
            items.append(GradedItem(function, float(meta.get("points", 0))))
    return MasterNotebook(path, setup, items, solutions)


MAX_NOTEBOOK_BYTES = Limits.notebook_bytes  # the default; graders pass the configured cap


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


def defines(source: str, name: str) -> bool:
    """Does the cell bind ``name`` at run time, by whatever statement?

    ``def name``, ``name = lambda ...``, ``name = other_function``, ``import ... as name``,
    ``globals()["name"] = ...``, a ``for``/``with`` target, and ``exec``/``eval`` of text that
    mentions the name (what the text does is known only when it runs). A cell that does not parse
    is judged by its ``def name(`` or ``name =`` lines, so that it is still run and its error reported.
    """
    if name not in source:  # every way of binding it spells it out (exec'd text included)
        return False
    bound = _bindings(source)
    if bound is None:
        return re.search(rf"^\s*(def\s+{re.escape(name)}\s*\(|{re.escape(name)}\s*=[^=])", source, re.M) is not None
    names, runs_text = bound
    return name in names or (runs_text and name in source)


@functools.lru_cache(maxsize=1024)
def _bindings(source: str) -> tuple[frozenset[str], bool] | None:
    """The names a cell binds at module level, and whether it calls exec/eval; None if it does not parse.

    Parsed once per cell text: a notebook's cells are asked about every graded function."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return _bound_names(tree)


def _target_names(target: ast.AST):
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)
    elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Call)
          and isinstance(target.value.func, ast.Name) and target.value.func.id in ("globals", "locals")
          and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
        yield target.slice.value


def _bound_names(tree: ast.AST) -> tuple[frozenset[str], bool]:
    """Walk the module's statements (not function bodies, which run only when called)."""
    names: set[str] = set()
    runs_text = False
    todo = list(ast.iter_child_nodes(tree))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            todo.extend(node.decorator_list)
            continue
        if isinstance(node, ast.Lambda):
            continue
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            targets = [node.target]
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            targets = [node.target]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets = [node.optional_vars]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("exec", "eval"):
            runs_text = True
        names.update(target for t in targets for target in _target_names(t))
        todo.extend(ast.iter_child_nodes(node))
    return frozenset(names), runs_text


def match_graded_cells(nb: nbformat.NotebookNode, items: list[GradedItem]) -> list[SubmittedCell]:
    """Find, for each graded item, the submission's code cell that defines it.

    By grade_id first; when metadata was stripped or edited, by the statement that binds the
    name (``def``, assignment, import, exec; see ``defines``). When several cells qualify, the
    last wins, as when a notebook runs top to bottom. A grade_id cell in which no binding
    statement is visible (e.g. ``exec(open(...).read())``) is still run when no other cell binds
    the name: whether it defines the function shows when the graders call it.
    """
    code_cells = [c for c in nb.cells if c.get("cell_type") == "code" and isinstance(c.get("source"), str)]
    found = []
    for item in items:
        by_id = [c for c in code_cells if nbgrader_meta(c).get("grade_id") == item.id]
        by_def = [c for c in code_cells if defines(c.source, item.id)]
        notes = []
        if by_id and defines(by_id[-1].source, item.id):
            if len(by_id) > 1:
                notes.append(f"有 {len(by_id)} 个单元格的 grade_id 都是 {item.id}，使用最后一个")
            found.append(SubmittedCell(item.id, by_id[-1].source, "grade_id", notes))
        elif by_def:
            notes.append(f"单元格的 nbgrader 元数据被修改或删除，按定义 {item.id} 的语句找到了这个单元格")
            found.append(SubmittedCell(item.id, by_def[-1].source, "def", notes))
        elif by_id:
            notes.append(f"grade_id 为 {item.id} 的单元格里没有看到定义 {item.id} 的语句，仍然运行了这个单元格")
            found.append(SubmittedCell(item.id, by_id[-1].source, "grade_id", notes))
        else:
            found.append(SubmittedCell(item.id, None, "missing", [f"找不到定义 {item.id} 的代码单元格"]))
    return found
