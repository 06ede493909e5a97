"""An English class end to end, through nbgrader's generate_assignment: `course release --lang en`
and `course samples --lang en` in a copy of the course, then the English samples graded. The same
cells, grade ids and points as the Chinese release, no Chinese in the notebook, and every sample
scores exactly what it scores in Chinese (tools/samples/<a>.py SCORES)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.grading.engine import grade_submission
from course.language import has_cjk
from course.paths import copy_course
from helpers import ROOT, sample_scores

pytestmark = pytest.mark.integration

TRANSLATED = sorted(p.parents[1].name for p in (ROOT / "source").glob("*/translations/en.md"))
COURSE = Path(sys.executable).with_name("course")


def run(course: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_ROOT", "COURSE_DB_URL", "COURSE_LANGUAGE")}
    proc = subprocess.run([str(COURSE), *args], cwd=course, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def english_course(tmp_path_factory):
    course = copy_course(ROOT, tmp_path_factory.mktemp("en") / "course",
                         parts=("source", "release", "graders", "datasets", "tools", "nbgrader_config.py"))
    run(course, "release", *TRANSLATED, "--release-only", "--lang", "en")
    run(course, "samples", *TRANSLATED, "--lang", "en")
    return course


def grading_view(nb) -> list:
    """What grading and the gradebook key on: ids, types, grade ids, points, locks (not the text)."""
    keep = ("grade", "grade_id", "locked", "points", "solution", "task")
    return [(c.get("id"), c.cell_type, {k: v for k, v in c.metadata.get("nbgrader", {}).items() if k in keep},
             c.metadata.get("tags")) for c in nb.cells]


@pytest.mark.skipif(not TRANSLATED, reason="no assignment has an English translation yet")
@pytest.mark.parametrize("assignment", TRANSLATED)
def test_english_release_has_the_chinese_release_cells_in_english(english_course, assignment):
    name = next((ROOT / "source" / assignment).glob("*.ipynb")).name
    zh = nbformat.read(ROOT / "release" / assignment / name, as_version=4)
    en = nbformat.read(english_course / "release" / assignment / name, as_version=4)
    assert grading_view(en) == grading_view(zh)
    chinese = [c.id for c in en.cells if has_cjk(c.source)]
    assert not chinese, f"cells with Chinese text in the English release: {chinese}"
    assert not (english_course / "release" / assignment / "translations").exists()
    for module in sorted((english_course / "release" / assignment).glob("*.py")):  # public tests, helpers
        text = module.read_text(encoding="utf-8")
        assert not has_cjk(text), f"{module.name}: {next(l for l in text.splitlines() if has_cjk(l))}"
        compile(text, module.name, "exec")
    stubs = [c.source for c in en.cells if "raise NotImplementedError()" in c.source]
    assert stubs and all("# YOUR CODE HERE" in s for s in stubs)


@pytest.mark.skipif(not TRANSLATED, reason="no assignment has an English translation yet")
@pytest.mark.parametrize("assignment,student", [k for k in sample_scores() if k[0] in TRANSLATED])
def test_english_samples_score_what_the_chinese_ones_do(english_course, assignment, student):
    name = next((ROOT / "source" / assignment).glob("*.ipynb")).name
    notebook = english_course / "samples" / "submitted" / student / assignment / name
    given = [c for c in nbformat.read(notebook, as_version=4).cells if not c.metadata.get("nbgrader", {}).get("solution")]
    assert not any(has_cjk(c.source) for c in given)  # the answers are the sample students' own (tools/samples)
    result = grade_submission(english_course, assignment, student, notebook)
    assert (result["score"], result["status"]) == (sample_scores()[assignment, student], "graded"), result


@pytest.mark.skipif(not TRANSLATED, reason="no assignment has an English translation yet")
def test_nbgraders_own_generate_assignment_builds_the_configured_language(tmp_path):
    """What formgrader's Generate button runs: nbgrader generate_assignment with the course's
    nbgrader_config.py, the language set by $COURSE_LANGUAGE, builds the English release too."""
    assignment = TRANSLATED[0]
    course = copy_course(ROOT, tmp_path / "course", parts=("source", "graders", "datasets", "nbgrader_config.py"))
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_ROOT", "COURSE_DB_URL")}
    env.update(COURSE_LANGUAGE="en", PATH=f"{COURSE.parent}{os.pathsep}{env.get('PATH', '')}")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                          cwd=course, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = course / "release" / assignment
    name = next((ROOT / "source" / assignment).glob("*.ipynb")).name
    nb = nbformat.read(folder / name, as_version=4)
    assert not [c.id for c in nb.cells if has_cjk(c.source)]
    assert not [p.name for p in folder.glob("*.py") if has_cjk(p.read_text(encoding="utf-8"))]
    assert grading_view(nb) == grading_view(nbformat.read(ROOT / "release" / assignment / name, as_version=4))
