"""What `course release` checks in a master notebook and its graders beyond nbgrader's own rules
(docs/authoring.md explains both to an author).

1. **Setup cells carry the tag ``setup``.** Grading runs only the cells tagged ``setup`` and the
   graded answer cells, in the student's sandbox child and in the reference solution alike. So every
   name a graded answer cell reads from the notebook (``np``, a helper function, a dataset) must be
   bound by a ``setup`` cell or by another answer cell. A name bound only by an untagged cell would be
   missing in every child: every student scores 0 with ``NameError``. The rule, per answer cell: its
   free names (read but not bound in the cell, not builtins) minus what setup and answer cells bind
   must be empty; the message names the untagged cell that binds the name, or says that none does.
2. **Graders use the documented API only** (``GRADER_API`` below): imports of ``course`` are limited
   to the names listed there; other imports must be the standard library or installed; a test's
   parameters are fixtures that exist (``submission``, ``reference``, ``feedback``, pytest's
   ``request``/``tmp_path``/``monkeypatch``, the grader's own fixtures and parametrize names);
   ``submission`` has only ``call``, ``feedback`` only ``curves``, and ``reference.<name>`` and
   ``submission.call("<name>")`` must name something the setup or answer cells bind.
"""
from __future__ import annotations

import ast
import builtins
import importlib.util
import symtable
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.paths import master_notebook

SETUP_TAG = "setup"

# The grader API: what a hidden grader may import from the course package, and what its fixtures offer.
GRADER_API: dict[str, set[str]] = {
    "course.checks": {"CheckFailed", "fail", "plain", "expect_array", "expect_float", "expect_dict_of_arrays",
                      "constant_ratio", "describe_ratio", "RTOL", "ATOL", "note_wrong_form", "FORM_PENALTY"},
    "course.sandbox.wire": {"Unsupported"},
    "course.grading.session": {"SubmissionFailure"},
}
FIXTURES = {
    "submission": {"call"},  # submission.call(name, *args, seed=None, return_args=False, **kwargs)
    "feedback": {"curves"},  # feedback.curves(title, {label: [numbers]}, xlabel="", ylabel="")
    "reference": None,       # reference.<name>: any name the setup or answer cells bind
}
PYTEST_FIXTURES = {"request", "tmp_path", "monkeypatch"}
CHILD_NAMES = {"__builtins__"}  # submission.call("__builtins__.exec", ...) reaches the child's builtins
BUILTINS = set(dir(builtins)) | {"__name__", "__file__", "__builtins__", "display", "get_ipython"}


class AuthoringError(ValueError):
    """The master notebook or the graders break a rule grading relies on (one problem per line)."""


@dataclass
class Cell:
    index: int  # position in the notebook, counting from 1 as Jupyter's cell list does
    role: str  # "setup", "answer", "test", "manual" or "other"
    grade_id: str | None
    source: str
    binds: set[str] = field(default_factory=set)
    open_star: bool = False  # a `from m import *` whose names cannot be listed

    def label(self) -> str:
        first = next((l.strip() for l in self.source.splitlines() if l.strip()), "")[:50]
        gid = f", grade_id {self.grade_id!r}" if self.grade_id else ""
        return f"cell {self.index}{gid} ({first!r})"


def _role(cell) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    if SETUP_TAG in (cell.get("metadata", {}).get("tags") or []):
        return "setup"
    if meta.get("solution") and meta.get("grade"):
        return "manual"
    if meta.get("solution") and meta.get("grade_id"):
        return "answer"
    if meta.get("grade") and meta.get("grade_id"):
        return "test"
    return "other"


def _python(source: str) -> str:
    """The cell as Python: IPython magics and shell lines (``%matplotlib``, ``!pip``) become ``pass``."""
    return "\n".join("pass" if l.lstrip().startswith(("%", "!")) else l for l in source.splitlines())


def module_names(folder: Path, module: str) -> set[str] | None:
    """The names ``from module import *`` binds, for a helper module of the assignment's folder
    (``__all__`` when it is a literal, else its public top-level names); None when it is not one."""
    path = folder / f"{module}.py"
    if "." in module or not path.is_file():
        return None
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return None
    names: set[str] = set()
    for node in tree.body:
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
                and isinstance(node.value, (ast.List, ast.Tuple))):
            return {e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name.split(".")[0]) for a in node.names if a.name != "*")
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return {n for n in names if not n.startswith("_")}


def _analyse(cell: Cell, folder: Path) -> set[str]:
    """Fill cell.binds (and open_star); return the free names the cell reads from the notebook."""
    source = _python(cell.source)
    top = symtable.symtable(source, f"<cell {cell.index}>", "exec")
    for sym in top.get_symbols():
        if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
            cell.binds.add(sym.get_name())
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            names = module_names(folder, node.module or "") if not node.level else None
            if names is None:
                cell.open_star = True
            else:
                cell.binds |= names
    reads: set[str] = set()

    def walk(table, is_top):
        for sym in table.get_symbols():
            if sym.is_referenced() and (is_top or sym.is_global()):
                reads.add(sym.get_name())
        for child in table.get_children():
            walk(child, False)

    walk(top, True)
    return reads - cell.binds - BUILTINS


@dataclass
class MasterNames:
    cells: list[Cell]
    given: set[str]  # bound by setup and answer cells: what the reference and graders can use
    setup: set[str]  # bound by setup cells: what submission.call may reach besides the graded items
    open_star: bool  # a setup cell star-imports names that cannot be listed: "never bound" is not known


def master_names(path: Path) -> tuple[MasterNames, list[str]]:
    """Every code cell's role and bindings, and the setup-tag problems of the notebook at ``path``."""
    nb = nbformat.read(path, as_version=4)
    cells, reads, problems = [], {}, []
    for index, raw in enumerate(nb.cells, start=1):
        if raw.cell_type != "code":
            continue
        gid = (raw.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
        cell = Cell(index, _role(raw), gid, raw.source)
        try:
            reads[index] = _analyse(cell, path.parent)
        except SyntaxError as exc:
            if cell.role in ("setup", "answer"):
                problems.append(f"{cell.label()} is not valid Python: {exc.msg} (line {exc.lineno})")
            reads[index] = set()
        cells.append(cell)
    setup = set().union(*(c.binds for c in cells if c.role == "setup"))
    given = setup | set().union(*(c.binds for c in cells if c.role == "answer"))
    open_star = any(c.open_star for c in cells if c.role == "setup")
    names = MasterNames(cells, given, setup, open_star)
    users: dict[str, list[Cell]] = {}
    for cell in (c for c in cells if c.role == "answer"):
        for name in sorted(reads[cell.index] - given):
            users.setdefault(name, []).append(cell)
    for name, using in users.items():
        which = ", ".join(f"{c.grade_id} (cell {c.index})" for c in using)
        problems.extend(_missing(names, name, f"the graded answer{'s' if len(using) > 1 else ''} {which} "
                                              f"use{'' if len(using) > 1 else 's'} `{name}`"))
    return names, problems


def _missing(names: MasterNames, name: str, what: str) -> list[str]:
    """The message for a name grading needs that no setup or answer cell binds."""
    untagged = [c for c in names.cells if c.role in ("other", "test", "manual") and name in c.binds]
    if untagged:
        where = untagged[0]
        return [f"{what}, which only {where.label()} binds, and that cell is not tagged `{SETUP_TAG}`: grading "
                f"runs only setup-tagged cells and graded answers, so every submission would fail with "
                f"NameError: {name}. Tag {where.label()} `{SETUP_TAG}` (Jupyter: View > Cell Toolbar > Tags; "
                f"or metadata.tags = [\"{SETUP_TAG}\"])."]
    if names.open_star:
        return []  # a star import of a module we cannot list may bind it
    return [f"{what}, which no setup or answer cell binds: define or import `{name}` in a cell tagged `{SETUP_TAG}`."]


def check_master(root: Path, assignment: str) -> MasterNames:
    """AuthoringError when a graded answer relies on a name no setup (or answer) cell binds."""
    path = master_notebook(root, assignment)
    names, problems = master_names(path)
    if not any(c.role == "answer" for c in names.cells):
        problems.append("no autograded answer cell (nbgrader: solution, grade_id = the function's name)")
    if problems:
        raise AuthoringError("\n".join(f"source/{assignment}/{path.name}: {p}" for p in problems))
    return names


# ---------------------------------------------------------------------------------------------
# Graders


def _installed(module: str) -> bool:
    top = module.split(".")[0]
    if top in sys.stdlib_module_names:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def _decorator_names(node: ast.FunctionDef) -> tuple[bool, set[str]]:
    """(is a pytest fixture, the argument names its parametrize marks give)."""
    fixture, params = False, set()
    for dec in node.decorator_list:
        call = dec if isinstance(dec, ast.Call) else None
        target = ast.unparse(call.func if call else dec)
        if target in ("pytest.fixture", "fixture"):
            fixture = True
        elif target.endswith("mark.parametrize") and call and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                params |= {p.strip() for p in first.value.split(",") if p.strip()}
            elif isinstance(first, (ast.List, ast.Tuple)):
                params |= {e.value for e in first.elts if isinstance(e, ast.Constant)}
    return fixture, params


def grader_problems(path: Path, names: MasterNames, items: set[str]) -> list[str]:
    """What in one grader file uses an API the course does not offer (see GRADER_API and FIXTURES)."""
    rel = f"graders/{path.parent.name}/{path.name}"
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    problems = []
    constants = {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 for t in node.targets if isinstance(t, ast.Name)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}
    api = ", ".join(f"{m}.{{{', '.join(sorted(n))}}}" for m, n in GRADER_API.items())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "course" and alias.name not in GRADER_API:
                    problems.append(f"{rel}:{node.lineno}: imports {alias.name}, not part of the grader API ({api})")
                elif alias.name.split(".")[0] != "course" and not _installed(alias.name):
                    problems.append(f"{rel}:{node.lineno}: imports {alias.name}, which is not installed")
        elif isinstance(node, ast.ImportFrom) and not node.level:
            module = node.module or ""
            if module.split(".")[0] == "course":
                allowed = GRADER_API.get(module)
                unknown = [a.name for a in node.names if allowed is None or a.name not in allowed]
                if unknown:
                    problems.append(f"{rel}:{node.lineno}: imports {', '.join(unknown)} from {module}, not part "
                                    f"of the grader API ({api})")
            elif not _installed(module):
                problems.append(f"{rel}:{node.lineno}: imports from {module}, which is not installed")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in FIXTURES:
            fixture, attr = node.value.id, node.attr
            offered = FIXTURES[fixture]
            if offered is not None and attr not in offered:
                problems.append(f"{rel}:{node.lineno}: {fixture}.{attr} does not exist; the {fixture} fixture "
                                f"offers {', '.join(sorted(offered))}")
            elif offered is None and attr not in names.given:
                problems.extend(f"{rel}:{node.lineno}: {p}" for p in
                                _missing(names, attr, f"reference.{attr} is used"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "call"
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "submission" and node.args):
            first = node.args[0]
            target = (first.value if isinstance(first, ast.Constant) and isinstance(first.value, str)
                      else constants.get(first.id) if isinstance(first, ast.Name) else None)
            if target is None:
                continue  # computed at run time
            head = target.split(".")[0]
            if head not in items and head not in names.setup and head not in CHILD_NAMES:
                if head in names.given:
                    problems.append(f"{rel}:{node.lineno}: submission.call({target!r}): `{head}` is defined by an "
                                    f"answer cell, not a graded function or a setup name; the student's notebook may "
                                    f"not have it")
                else:
                    problems.extend(f"{rel}:{node.lineno}: {p}" for p in
                                    _missing(names, head, f"submission.call({target!r}) calls `{head}`"))
    fixtures = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and _decorator_names(n)[0]}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and (node.name.startswith("test") or node.name in fixtures):
            params = _decorator_names(node)[1]
            known = set(FIXTURES) | PYTEST_FIXTURES | fixtures | params
            for arg in node.args.args + node.args.kwonlyargs:
                if arg.arg not in known:
                    problems.append(f"{rel}:{node.lineno}: {node.name}({arg.arg}): no fixture `{arg.arg}`; graders "
                                    f"get {', '.join(sorted(FIXTURES))}, pytest's {', '.join(sorted(PYTEST_FIXTURES))}, "
                                    f"their own fixtures and parametrize names")
    return sorted(problems, key=lambda p: int(p.split(":")[1]))  # "graders/<a>/<file>:<line>: ..."


def check_graders_api(root: Path, assignment: str, names: MasterNames | None = None) -> None:
    """AuthoringError when a grader of graders/<assignment> uses an unknown API (GRADER_API, FIXTURES)."""
    from course.grading.notebooks import read_master

    folder = root / "graders" / assignment
    files = sorted(folder.glob("*.py"))
    if not files:
        raise AuthoringError(f"graders/{assignment}: no grader (a test_*.py file of pytest tests)")
    names = names or master_names(master_notebook(root, assignment))[0]
    items = {item.id for item in read_master(master_notebook(root, assignment)).items}
    problems = []
    for path in files:
        try:
            problems += grader_problems(path, names, items)
        except SyntaxError as exc:
            problems.append(f"graders/{assignment}/{path.name}:{exc.lineno}: not valid Python: {exc.msg}")
    if problems:
        raise AuthoringError("\n".join(dict.fromkeys(problems)))


def check_assignment(root: Path, assignment: str) -> None:
    """Both checks: setup tags in the master notebook, then the graders' API."""
    names = check_master(root, assignment)
    check_graders_api(root, assignment, names)

