"""Build the sample submissions under samples/submitted/ from the release and tools/samples/<assignment>.py.

A spec module defines ``SAMPLES = {student_id: {grade_id: cell_source}}``: the student's
notebook is the release notebook with every graded cell filled with the reference solution,
except the cells named in the spec, which get the given source. Every assignment also gets
the student ``untouched``: the release notebook as handed out. The samples are a class of
their own (``course grade --class-dir samples``): they never mix with a real class's data.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

from course.build import MARKER_RE
from course.config import Course
from course.language import SOURCE_LANGUAGE, check_language, in_language
from course.paths import assignments as list_assignments
from course.paths import master_notebook

UNTOUCHED = "untouched"


def load_spec(root: Path, assignment: str) -> dict[str, dict[str, str]]:
    path = root / "tools" / "samples" / f"{assignment}.py"
    if not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"samples_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.SAMPLES)


def _solutions(master: Path, language: str = SOURCE_LANGUAGE) -> dict[str, str]:
    nb = in_language(nbformat.read(master, as_version=4), master, language)
    out = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            out[grade_id] = "\n".join(l for l in cell.source.splitlines() if not MARKER_RE.match(l))
    return out


def build_samples(root: Path, assignments: list[str] | None = None, language: str | None = None) -> list[Path]:
    """samples/submitted/<student>/<a>/: the release (built in ``language``, default the course's) with
    each sample student's cells, the others solved."""
    language = check_language(language or Course.load(root).language)
    written = []
    for assignment in assignments or list_assignments(root):
        master = master_notebook(root, assignment)
        release_nb = root / "release" / assignment / master.name
        solutions = _solutions(master, language)
        students = {UNTOUCHED: None, **load_spec(root, assignment)}
        for student, replacements in students.items():
            nb = nbformat.read(release_nb, as_version=4)
            if replacements is not None:
                for cell in nb.cells:
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                    if grade_id in solutions:
                        cell.source = replacements.get(grade_id, solutions[grade_id]).strip("\n")
            out = root / "samples" / "submitted" / student / assignment / master.name
            out.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(out))
            written.append(out)
    return written
