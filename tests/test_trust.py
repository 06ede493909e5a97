"""Trust where the course really runs (issue 18): helpers the graders rely on, late work from
times the student cannot write, nbgrader's own Autograde, and student text that reaches records."""
from __future__ import annotations

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
