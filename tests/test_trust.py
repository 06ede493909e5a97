"""Trust where the course really runs (issue 18): helpers the graders rely on, late work from
times the student cannot write, nbgrader's own Autograde, and student text that reaches records."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from attack_corpus import ATTACKS
from conftest import ROOT
from course.sandbox.process import bwrap_works
from test_attacks import _attack_notebook
from test_grading import FAST, NB_NAME, A, grade_nb, solved_notebook

needs_bwrap = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap is not usable here")


def _he_training(result) -> dict:
    item = next(i for i in result["items"] if i["id"] == "initialize_parameters_he")
    return {"score": item["score"], "training": [t["passed"] for t in item["tests"] if t["name"] == "test_he_training_run"]}


@needs_bwrap
@pytest.mark.parametrize("attack", ["rewired_resolver", "rewired_train_code"])
def test_rewired_helper_does_not_train_for_the_grader(tmp_path, attack):
    """A wrong He cell that rewires the given init_utils (its resolver in place, or train's
    __code__) gets no point for the training run: the given train() runs in the grading process."""
    base, cell_id, code, changes, status = ATTACKS[attack]
    result = grade_nb(tmp_path, _attack_notebook(base, cell_id, code))
    assert result["status"] == status
    assert _he_training(result) == {"score": 0.0, "training": [False]}


@needs_bwrap
def test_honest_he_still_passes_the_training_run(tmp_path):
    result = grade_nb(tmp_path, solved_notebook())
    assert (result["score"], _he_training(result)) == (10.0, {"score": 3.0, "training": [True]})


# --- nbgrader's own Autograde goes through the sandbox ---------------------------------------------

PAYLOAD = '''
import os as _os, pathlib as _pl
_found = "unreadable"
for _top in [_pl.Path({course!r}), _pl.Path.cwd(), *_pl.Path.cwd().parents]:
    try:
        _found = (_top / "graders" / "initialization" / "test_initialization.py").read_text().splitlines()[0]
        break
    except OSError:
        pass
for _top in [_pl.Path({course!r}), _pl.Path.cwd(), *_pl.Path.cwd().parents]:
    try:
        (_top / "PAYLOAD_RAN").write_text(f"uid={{_os.getuid()}} {{_found}}")
    except OSError:
        pass
'''


def _nbgrader(course, *args, **env):
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", **env})


def _payload_course(tmp_path):
    from course.grading.store import ensure_assignment
    from course.paths import copy_course

    course = copy_course(ROOT, tmp_path / "course")
    db = f"sqlite:///{course / 'gradebook.db'}"
    ensure_assignment(course, A, db)
    nb = solved_notebook()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "initialize_parameters_zeros")
    cell.source += "\n" + PAYLOAD.format(course=str(course))
    folder = course / "submitted" / "mallory" / A
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / NB_NAME))
    return course, db


@needs_bwrap
def test_nbgrader_autograde_grades_in_the_sandbox(tmp_path):
    """`nbgrader autograde` (formgrader's button runs the same converter) on a correct notebook with
    a payload: the payload writes nothing outside the sandbox and never reads the hidden grader;
    the grades are ours (10 with the extra credit, 8 for nbgrader), recorded as course grade would."""
    import json

    from nbgrader.api import Gradebook
    from test_attacks import _digest

    course, db = _payload_course(tmp_path)
    before = _digest(course, skip=("autograded", "feedback", "gradebook.db"))
    out = _nbgrader(course, "autograde", A, "--student", "mallory", "--force")
    assert out.returncode == 0, out.stderr[-3000:]
    assert "graded in the sandbox: 10/8 graded" in out.stderr
    assert not list(tmp_path.rglob("PAYLOAD_RAN"))
    assert _digest(course, skip=("autograded", "feedback", "gradebook.db")) == before
    secret = (ROOT / "graders" / A / "test_initialization.py").read_text().splitlines()[0]
    autograded = course / "autograded" / "mallory" / A
    for path in [*autograded.rglob("*"), *(course / "feedback").rglob("*")]:
        if path.is_file() and path.suffix in (".ipynb", ".json", ".html"):
            assert secret not in path.read_text(encoding="utf-8"), path
    result = json.loads((autograded / "results.json").read_text())
    assert (result["score"], result["status"], result["isolation"]) == (10.0, "graded", "bwrap")
    nb = nbformat.read(autograded / NB_NAME, as_version=4)
    verdicts = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")]
    assert verdicts and all(c.outputs and c.outputs[0].output_type == "stream" for c in verdicts)
    with Gradebook(db) as gb:
        submission = gb.find_submission(A, "mallory")
        assert (submission.score, submission.max_score) == (10.0, 8.0)  # xavier's 2 as extra credit


def test_nbgrader_autograde_refuses_without_the_sandbox(tmp_path):
    """Where bubblewrap is not usable nbgrader autograde grades nothing, runs nothing, and says to
    use course grade."""
    course, db = _payload_course(tmp_path)
    # a PATH without bwrap (only the virtualenv's tools): the engine cannot sandbox, so it must refuse
    out = _nbgrader(course, "autograde", A, "--student", "mallory", "--force", PATH=str(Path(sys.executable).parent))
    assert out.returncode != 0
    assert "course grade initialization --student mallory" in out.stderr
    assert not list(tmp_path.rglob("PAYLOAD_RAN"))
    assert not (course / "autograded" / "mallory" / A / NB_NAME).exists()
