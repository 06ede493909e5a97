"""Content checks from issue 11: Markdown that renders without stray spaces, no pointers to files
students do not have, the claims the notebooks make about `inf` and the helpers' messages."""
from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from helpers import ASSIGNMENTS, ROOT
from course.grading.reference import load_reference

BLOCK = ("-", "*", "|", "#", ">", "$$", "```", "<") + tuple(f"{i}." for i in range(1, 10))


def _markdown(assignment, folder="source"):
    nb = nbformat.read(next((ROOT / folder / assignment).glob("*.ipynb")), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_hard_wrapped_paragraphs(assignment):
    """Is every Markdown paragraph one line (a newline inside Chinese text renders as a stray space)?"""
    wrapped = []
    for source in _markdown(assignment):
        fence = False
        lines = source.split("\n")
        for a, b in zip(lines, lines[1:]):
            if a.strip().startswith("```"):
                fence = not fence
            if fence or not a.strip() or not b.strip() or b.lstrip().startswith(BLOCK):
                continue
            if a.strip().startswith(("|", "#", "$$")) or a.strip().endswith("$$"):
                continue
            wrapped.append(f"{a[-20:]!r} / {b[:20]!r}")
    assert not wrapped, wrapped


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_names_no_file_students_lack(assignment):
    """Does the student notebook point only at files its folder has (no datasets/make_*.py)?"""
    text = "\n".join(_markdown(assignment, "release"))
    assert not re.search(r"datasets/|make_\w+\.py", text)


def test_inf_explanation_matches_the_numbers():
    """At iteration 0 of the large random initialization is a3 exactly 1.0 for all 300 points (inf from y = 0)?"""
    ref = load_reference(str(next((ROOT / "source" / "initialization").glob("*.ipynb"))))
    a3, _ = ref.forward_propagation(ref.train_X, ref.initialize_parameters_random([2, 10, 5, 1]))
    assert a3.shape == (1, 300) and np.all(a3 == 1.0)
    assert int((ref.train_Y == 0).sum()) == 150
    assert ref.compute_loss(a3, ref.train_Y) == np.inf
    text = "\n".join(_markdown("initialization"))
    assert "全部**正好是 `1.0`" in text and "$dz^{[3]} = a^{[3]} - y$" in text


def test_vector_to_dictionary_without_shapes_explains_itself():
    """Does the one-argument call vector_to_dictionary(thetaplus) say, in Chinese, what to pass?"""
    ref = load_reference(str(next((ROOT / "source" / "gradient_checking").glob("*.ipynb"))))
    with pytest.raises(TypeError, match="vector_to_dictionary\\(thetaplus, parameters\\)"):
        ref.vector_to_dictionary(np.zeros((47, 1)))
