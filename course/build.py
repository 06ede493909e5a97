"""Build student releases and instructor solutions from source/.

The build is a fixed sequence of small steps:
0. ``check_authoring`` and ``check_points``: refuse a master whose graded answers rely on cells not
   tagged ``setup``, graders that use an unknown API, or graders and cells that disagree on what is graded
1. ``copy_datasets``: generated data under datasets/ -> source/<assignment>/datasets/ (the files
   graders/<assignment>/assignment.toml lists)
2. ``generate_release``: nbgrader generate_assignment (puts the master and the shipped Python
   files in the course's language: course.language_release,
   clears solutions and outputs, locks given cells, computes checksums, records grade cells in the
   gradebook)
3. ``check_release_is_clean``: refuse a release that leaks solution text or markers
4. ``generate_solutions``: source notebook minus nbgrader markers, executed top to bottom;
   skipped when solutions/<assignment> was built from the same source (``solutions_up_to_date``)

Solutions are stamped with a fingerprint of their source folder (file names and bytes, no
dates), and executed without timing metadata, so rebuilding an unchanged course rewrites
nothing and a committed solutions folder shows whether it is current.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course.config import Course
from course.language import (SOURCE_LANGUAGE, TRANSLATIONS, TranslationError, check_language, in_language,
                             translate_modules, translated_modules)
from course.paths import assignments as list_assignments
from course.paths import dataset_copies
from course.paths import master_notebook

MARKER_RE = re.compile(r"^\s*#+\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
SOLUTION_REGION_RE = re.compile(r"^\s*#+\s*BEGIN SOLUTION\s*$(.*?)^\s*#+\s*END SOLUTION\s*$", re.S | re.M)


class BuildError(Exception):
    """The release could not be built, or would leak solution material."""


def copy_datasets(root: Path, assignments: list[str]) -> list[Path]:
    """Copy each generated dataset into the assignments that ship it (graders/<a>/assignment.toml)."""
    try:
        copies = dataset_copies(root, assignments)
    except ValueError as exc:
        raise BuildError(str(exc)) from None
    copied = []
    for name, assignment in copies:
        src = root / "datasets" / name
        if not src.is_file():
            raise BuildError(f"datasets/{name} (graders/{assignment}/assignment.toml) is missing: run its script under datasets/")
        dest = root / "source" / assignment / "datasets" / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        copied.append(dest)
    return copied


def _nbgrader_env() -> dict:
    env = dict(os.environ)
    # nbgrader shells out to `alembic`, which lives beside this interpreter.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def generate_release(root: Path, assignment: str, release_dir: Path, db_url: str,
                     language: str = SOURCE_LANGUAGE) -> Path:
    """Run nbgrader generate_assignment for one assignment into release_dir/<assignment>, in
    ``language`` (its first step, course.language_release.SelectLanguage, translates the master)."""
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
           f"--CourseDirectory.root={root}", f"--CourseDirectory.release_directory={release_dir}",
           f"--CourseDirectory.db_url={db_url}", f"--SelectLanguage.language={language}", "--log-level=WARN"]
    env = dict(_nbgrader_env(), COURSE_LANGUAGE=language)  # nbgrader_config.py's stubs follow it
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    out = release_dir / assignment
    if proc.returncode != 0 or not out.is_dir():
        raise BuildError(f"nbgrader generate_assignment {assignment} failed:\n{proc.stdout}\n{proc.stderr}")
    for cache in out.rglob("__pycache__"):
        shutil.rmtree(cache)
    return out


def solution_lines(source_nb: nbformat.NotebookNode) -> list[str]:
    """Every non-trivial line inside a BEGIN/END SOLUTION region of the master notebook."""
    lines = []
    for cell in source_nb.cells:
        for region in SOLUTION_REGION_RE.findall(cell.source):
            lines += [l.strip() for l in region.splitlines() if len(l.strip()) > 12]
    return lines


def check_release_is_clean(release_folder: Path, source_nb: nbformat.NotebookNode) -> None:
    """Raise BuildError if any solution line or nbgrader marker reached the release."""
    secrets = solution_lines(source_nb)
    for path in sorted(release_folder.rglob("*")):
        if not path.is_file() or path.suffix not in (".ipynb", ".py", ".md", ".txt", ".json"):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            if pattern in text:
                raise BuildError(f"{path}: contains the marker {pattern!r}")
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        for line in secrets:
            if line in text:
                raise BuildError(f"{path}: contains solution text {line!r}")


# Bump when generate_solutions changes what it writes: every stamp then counts as stale.
SOLUTIONS_FORMAT = 1
IGNORED_IN_SOURCE = ("__pycache__", ".ipynb_checkpoints")


def source_fingerprint(root: Path, assignment: str, language: str = SOURCE_LANGUAGE) -> str:
    """SHA-256 over the relative paths and bytes of source/<assignment> (datasets included; no mtimes),
    and the language when it is not the masters' own."""
    folder = root / "source" / assignment
    digest = hashlib.sha256(f"solutions-format {SOLUTIONS_FORMAT}\n".encode())
    if language != SOURCE_LANGUAGE:
        digest.update(f"language {language}\n".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if any(part in IGNORED_IN_SOURCE for part in rel.parts) or path.suffix == ".pyc":
            continue
        if rel.parts[0] == TRANSLATIONS and rel.as_posix() != f"{TRANSLATIONS}/{language}.md":
            continue  # another language's text: not what these solutions were built from
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def solutions_stamp(notebook_path: Path) -> str | None:
    """The source fingerprint recorded in an executed solutions notebook, or None."""
    if not notebook_path.is_file():
        return None
    try:
        nb = nbformat.read(notebook_path, as_version=4)
    except Exception:  # an unreadable notebook is simply stale
        return None
    return nb.metadata.get("course", {}).get("source_sha256")


def solutions_up_to_date(root: Path, assignment: str, solutions_dir: Path, language: str = SOURCE_LANGUAGE) -> bool:
    """Was solutions_dir/<assignment> executed from exactly the current source/<assignment>, and are its
    helper files still the source's copies?"""
    master = master_notebook(root, assignment)
    out = solutions_dir / assignment
    if solutions_stamp(out / master.name) != source_fingerprint(root, assignment, language):
        return False
    expected = _helper_files(root / "source" / assignment)
    try:
        expected.update({name: text.encode("utf-8") for name, text in
                         translated_modules(root / "source" / assignment, language).items()})
    except TranslationError:
        return False
    return expected == _helper_files(out)


def _helper_files(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file but notebooks and caches (what solutions/ copies from source/)."""
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".ipynb"):
        rel = path.relative_to(folder)
        if not any(part in (*IGNORED_IN_SOURCE, TRANSLATIONS) for part in rel.parts) and path.suffix != ".pyc":
            files[rel.as_posix()] = path.read_bytes()
    return files


def read_master_in(master: Path, language: str) -> nbformat.NotebookNode:
    """The master notebook as students of ``language`` get it (course.language)."""
    return in_language(nbformat.read(master, as_version=4), master, language)


def strip_markers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove nbgrader marker lines, keeping the solution code (for solutions/)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = "\n".join(l for l in cell.source.splitlines() if not MARKER_RE.match(l))
            cell.outputs, cell.execution_count = [], None
    return nb


def generate_solutions(root: Path, assignment: str, solutions_dir: Path, execute: bool = True,
                       timeout: int = 600, language: str = SOURCE_LANGUAGE) -> Path:
    """
    Write solutions_dir/<assignment>: helper files plus the instructor notebook.

    When execute is True the notebook is run top to bottom (without nbclient's timing
    metadata) and stamped with source_fingerprint in ``metadata.course.source_sha256``.
    """
    src_folder = root / "source" / assignment
    out = solutions_dir / assignment
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src_folder, out, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.ipynb",
                                                                   TRANSLATIONS))
    translate_modules(src_folder, out, language)
    master = master_notebook(root, assignment)
    nb = strip_markers(read_master_in(master, language))
    if execute:
        env_backend = os.environ.get("MPLBACKEND")
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        try:
            NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                           resources={"metadata": {"path": str(out)}}).execute()
        finally:
            if env_backend is None:
                os.environ.pop("MPLBACKEND", None)
            else:
                os.environ["MPLBACKEND"] = env_backend
        for cell in nb.cells:  # keep the diff to what a person changed: no run counters
            if cell.cell_type == "code":
                cell.execution_count = None
                for output in cell.get("outputs", []):
                    if "execution_count" in output:
                        output["execution_count"] = None
        nb.metadata.pop("widgets", None)
        nb.metadata["course"] = {"source_sha256": source_fingerprint(root, assignment, language)}
    nbformat.write(nb, str(out / master.name))
    return out


def build(root: Path, *, assignments: list[str] | None = None, release_dir: Path | None = None,
          solutions_dir: Path | None = None, db_url: str | None = None, execute: bool = True,
          solutions: bool = True, force_solutions: bool = False, language: str | None = None,
          log=print) -> list[str]:
    """
    Build release/ and solutions/ for the given (default: all) assignments.

    Executed solutions are rebuilt only when their source changed (or force_solutions);
    log receives one line per assignment whose solutions were kept.
    """
    ids = assignments or list_assignments(root)
    release_dir = release_dir or root / "release"
    solutions_dir = solutions_dir or root / "solutions"
    course = Course.load(root)
    db_url = db_url or course.db_url
    try:
        language = check_language(language or course.language)
        masters = {a: read_master_in(master_notebook(root, a), language) for a in ids}
        for a in ids:  # the shipped Python files too, before anything is written
            translated_modules(root / "source" / a, language)
    except TranslationError as exc:
        raise BuildError(str(exc)) from None
    for assignment in ids:  # before anything is written
        check_authoring(root, assignment)
    copy_datasets(root, ids)
    for assignment in ids:
        check_points(root, assignment)
        folder = generate_release(root, assignment, release_dir, db_url, language)
        check_release_is_clean(folder, masters[assignment])
        if solutions and execute:
            update_solutions(root, assignment, solutions_dir, force=force_solutions, language=language, log=log)
        elif solutions:
            generate_solutions(root, assignment, solutions_dir, execute=False, language=language)
    return ids


def check_authoring(root: Path, assignment: str) -> None:
    """Refuse a master whose graded answers rely on untagged setup cells, or graders that use an API
    the course does not offer (course.authoring; docs/authoring.md)."""
    from course.authoring import AuthoringError, check_assignment

    try:
        check_assignment(root, assignment)
    except AuthoringError as exc:
        raise BuildError(f"{exc}\n(see docs/authoring.md)") from None


def check_points(root: Path, assignment: str) -> None:
    """Refuse a release whose graders and master notebook disagree on what is graded (points
    themselves live only in the notebook: the graders' marks are shares, see plugin.item_scales)."""
    from course.grading.graders import check_graders

    try:
        check_graders(root, assignment)
    except (ValueError, RuntimeError) as exc:
        raise BuildError(str(exc)) from None


def update_solutions(root: Path, assignment: str, solutions_dir: Path, *, force: bool = False,
                     language: str = SOURCE_LANGUAGE, log=print) -> bool:
    """Execute solutions_dir/<assignment> again unless it is up to date with its source; True if it ran."""
    if not force and solutions_up_to_date(root, assignment, solutions_dir, language):
        log(f"solutions/{assignment}: source unchanged, kept")
        return False
    generate_solutions(root, assignment, solutions_dir, execute=True, language=language)
    return True
