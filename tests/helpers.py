"""What the test modules share (they import from here, never from each other): the repository's paths,
notebook surgery, grading one notebook, private course copies and the tiny synthetic course.

tests/conftest.py turns the course copies into fixtures: ``course_copy`` (the real course),
``tiny_course`` (tests/fixtures/tiny_course, released) and ``solved_notebook``.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ASSIGNMENTS = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
SAMPLES = ROOT / "samples" / "submitted"

# The real assignment most tests of a whole course (term, serve, trust) grade.
INIT = "initialization"
INIT_NB = "Initialization.ipynb"

# tests/fixtures/tiny_course: one assignment `tiny`, two graded functions (add: 1 point, scale: 2) and one
# grader module (its docstring gives the shares); the course the tests of the grading machinery grade.
TINY_FIXTURE = ROOT / "tests" / "fixtures" / "tiny_course"
TINY = "tiny"
TINY_NB = "Tiny.ipynb"
TINY_FULL = {"add": 1.0, "scale": 2.0}


def fast_limits():
    """Short call timeout, 1 GB: honest work finishes, a hung call costs 3 s."""
    from course.sandbox.process import Limits

    return Limits(call_timeout=3.0, memory_bytes=1 << 30)


# --- notebooks ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _cached_solutions(master: Path, mtime_ns: int) -> dict[str, str]:
    from course.samples import _solutions

    return _solutions(master)


def solutions(assignment: str, root: Path = ROOT) -> dict[str, str]:
    """grade_id -> the reference solution of each answer cell of the master (markers removed)."""
    from course.paths import master_notebook

    master = master_notebook(root, assignment)
    return dict(_cached_solutions(master, master.stat().st_mtime_ns))


def release_notebook(assignment: str, root: Path = ROOT) -> nbformat.NotebookNode:
    path = next((root / "release" / assignment).glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


def replace_cell(nb: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return nb
    raise KeyError(grade_id)


def solved_notebook(assignment: str, cells: dict[str, str] | None = None, *, root: Path = ROOT,
                    strip: bool = False) -> nbformat.NotebookNode:
    """The release notebook of ``root`` with every graded cell holding the reference solution, except the
    cells given in ``cells`` (grade_id -> source); ``strip`` drops their leading and trailing newlines."""
    cells = cells or {}
    reference = solutions(assignment, root)
    nb = release_notebook(assignment, root)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in reference:
            source = cells.get(gid, reference[gid])
            cell.source = source.strip("\n") if strip else source
    return nb


def solved_release_notebook(assignment: str, cells: dict[str, str]) -> nbformat.NotebookNode:
    """The real course's release notebook solved except ``cells``, as `course samples` writes them."""
    return solved_notebook(assignment, cells, strip=True)


def append_to_cell(nb: nbformat.NotebookNode, grade_id: str, code: str) -> nbformat.NotebookNode:
    """``code`` appended to the cell ``grade_id`` (a function it defines replaces the cell's own)."""
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    cell.source = cell.source + "\n" + code
    return nb


def attack_notebook(base: str, cell_id: str, code: str, *, assignment: str = INIT,
                    root: Path = ROOT) -> nbformat.NotebookNode:
    """An attack of tests/attack_corpus.py: ``code`` appended to ``cell_id`` of the solved notebook
    (base "solved") or of the untouched release (base "release")."""
    nb = solved_notebook(assignment, root=root) if base == "solved" else release_notebook(assignment, root)
    return append_to_cell(nb, cell_id, code)


def write_notebook(path: Path, nb_or_text) -> Path:
    """A notebook, a str or bytes written to ``path`` (folders made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_text, bytes):
        path.write_bytes(nb_or_text)
    elif isinstance(nb_or_text, str):
        path.write_text(nb_or_text, encoding="utf-8")
    else:
        nbformat.write(nb_or_text, str(path))
    return path


# --- grading --------------------------------------------------------------------------------------

def item_scores(result: dict) -> dict[str, float]:
    return {i["id"]: i["score"] for i in result["items"]}


def grade_nb(tmp_path: Path, nb_or_text, *, root: Path = ROOT, assignment: str = INIT, **kw) -> dict:
    """Grade one notebook (a NotebookNode, str or bytes) as student "s" of ``root``."""
    from course.grading.engine import grade_submission
    from course.paths import master_notebook

    path = write_notebook(tmp_path / master_notebook(root, assignment).name, nb_or_text)
    return grade_submission(root, assignment, "s", path, limits=kw.pop("limits", None) or fast_limits(), **kw)


def digest(folder: Path, skip: tuple[str, ...] = ()) -> str:
    """Hash of every path, link target and file content under folder (bytecode caches excepted)."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if (rel.parts and rel.parts[0] in skip) or "__pycache__" in rel.parts:
            continue
        if path.is_symlink():
            h.update(f"L {rel} -> {os.readlink(path)}\n".encode())
        elif path.is_file():
            h.update(f"F {rel} {path.stat().st_mode:o}\n".encode())
            h.update(path.read_bytes())
        else:
            h.update(f"D {rel} {path.stat().st_mode:o}\n".encode())
    return h.hexdigest()


def sample_scores() -> dict[tuple[str, str], float]:
    """(assignment, student) -> score, from the SCORES of each tools/samples/<assignment>.py."""
    import importlib.util

    scores = {}
    for assignment in ASSIGNMENTS:
        path = ROOT / "tools" / "samples" / f"{assignment}.py"
        if path.is_file():
            spec = importlib.util.spec_from_file_location(f"sample_scores_{assignment}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            assert set(module.SCORES) == set(module.SAMPLES) | {"untouched"}, f"{path}: a score for every sample"
            scores.update({(assignment, student): score for student, score in module.SCORES.items()})
    return scores


# --- courses --------------------------------------------------------------------------------------

def copy_real_course(dest: Path, parts: tuple[str, ...] | None = None) -> Path:
    """A private copy of what grading the real course needs (course.paths.copy_course)."""
    from course.paths import copy_course

    return copy_course(ROOT, dest) if parts is None else copy_course(ROOT, dest, parts)


def build_tiny_course(dest: Path) -> Path:
    """tests/fixtures/tiny_course as a runnable course root at ``dest``: its source/ and graders/, the
    real nbgrader_config.py, and release/, solutions/ (not executed) and gradebook.db built by
    course.build.build, the code path of `course release`."""
    from course.build import build

    shutil.copytree(TINY_FIXTURE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    build(dest, db_url=f"sqlite:///{dest / 'gradebook.db'}", execute=False, log=lambda *_: None)
    return dest


class TinyCourse:
    """A private, released copy of the tiny course: ``root``, and notebooks for it."""

    A = TINY
    NB = TINY_NB
    FULL = TINY_FULL

    def __init__(self, root: Path):
        self.root = root

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def solutions(self) -> dict[str, str]:
        return solutions(TINY, self.root)

    def release(self) -> nbformat.NotebookNode:
        return release_notebook(TINY, self.root)

    def solved(self, **cells: str) -> nbformat.NotebookNode:
        """The release notebook with both functions solved, except the cells given (grade_id=source)."""
        return solved_notebook(TINY, cells, root=self.root)

    def submission(self, student: str) -> Path:
        return self.root / "submitted" / student / TINY / TINY_NB

    def submit(self, student: str, nb_or_text) -> Path:
        """Write submitted/<student>/tiny/Tiny.ipynb."""
        return write_notebook(self.submission(student), nb_or_text)

    def grade(self, tmp_path: Path, nb_or_text, **kw) -> dict:
        return grade_nb(tmp_path, nb_or_text, root=self.root, assignment=TINY, **kw)


def with_zero(full: dict[str, float], *ids: str) -> dict[str, float]:
    return {k: (0 if k in ids else v) for k, v in full.items()}
