"""Fairness: correct code written differently scores full marks; each common mistake loses exactly
its points, and both the hidden graders and the public tests name it (corpora in tests/corpus.py)."""
from __future__ import annotations

import contextlib
import importlib.util
import os

import nbformat
import pytest

from helpers import ROOT, solved_release_notebook
from corpus import CORRECT, MISTAKES
from course.grading.engine import grade_submission
from course.grading.notebooks import read_master
from course.grading.reference import inside
from course.paths import master_notebook
from course.samples import _solutions
from course.sandbox.process import Limits

LIMITS = Limits(call_timeout=20.0, memory_bytes=1 << 30)


def _points(assignment):
    return {item.id: item.points for item in read_master(master_notebook(ROOT, assignment)).items}


def grade(tmp_path, assignment, cells):
    path = tmp_path / master_notebook(ROOT, assignment).name
    nbformat.write(solved_release_notebook(assignment, cells), str(path))
    return grade_submission(ROOT, assignment, "corpus", path, limits=LIMITS)


def rounds(assignment):
    """Round k holds the k-th variant of every function (functions with fewer variants keep the reference)."""
    per_function = {gid: list(variants.items()) for gid, variants in CORRECT[assignment].items()}
    n = max(len(v) for v in per_function.values())
    return [{gid: variants[k] for gid, variants in per_function.items() if k < len(variants)} for k in range(n)]


ROUNDS = [(a, k) for a in CORRECT for k in range(len(rounds(a)))]


@pytest.mark.parametrize("assignment,k", ROUNDS, ids=[f"{a}-round{k}" for a, k in ROUNDS])
def test_correct_variants_score_full_marks_in_graders(tmp_path, assignment, k):
    """Does every correct variant (other numpy calls, loops, lambda/exec binding, ...) get full marks?"""
    chosen = rounds(assignment)[k]
    result = grade(tmp_path, assignment, {gid: source for gid, (_, source) in chosen.items()})
    assert result["status"] == "graded" and not result.get("grader_errors"), result.get("grader_errors")
    lost = {}
    for item in result["items"]:
        if item["score"] != item["max_score"]:
            failed = [f"{t['name']}: {t['message'][:300]}" for t in item["tests"] if not t["passed"]]
            lost[f"{item['id']} ({chosen.get(item['id'], ('reference',))[0]})"] = failed or item.get("notes")
    assert not lost, lost


def run_public_test(assignment, cells, gid):
    """Run public_tests.<gid>_test as the student's notebook does: setup, the solved cells, then the test."""
    folder = ROOT / "release" / assignment
    master = read_master(master_notebook(ROOT, assignment))
    solutions = _solutions(master_notebook(ROOT, assignment))
    namespace = {"__name__": "__main__"}
    with inside(folder), contextlib.redirect_stdout(open(os.devnull, "w")):
        spec = importlib.util.spec_from_file_location(f"public_tests_{assignment}_corpus", folder / "public_tests.py")
        public = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(public)
        for source in master.setup_sources:
            exec(compile(source, "<setup>", "exec"), namespace)
        for cell_id, source in solutions.items():
            exec(compile(cells.get(cell_id, source), f"<{cell_id}>", "exec"), namespace)
        getattr(public, f"{gid}_test")(namespace[gid])


VARIANTS = [(a, gid, name) for a in CORRECT for gid in CORRECT[a] for name in CORRECT[a][gid]]


@pytest.mark.parametrize("assignment,gid,name", VARIANTS, ids=[f"{g}-{n}" for _, g, n in VARIANTS])
def test_correct_variants_pass_public_tests(assignment, gid, name):
    """Does every correct variant pass its public test?"""
    run_public_test(assignment, {gid: CORRECT[assignment][gid][name]}, gid)


MISTAKE_CASES = [(a, name) for a in MISTAKES for name in MISTAKES[a]]


@pytest.mark.parametrize("assignment,name", MISTAKE_CASES, ids=[n for _, n in MISTAKE_CASES])
def test_mistake_loses_exactly_its_points_and_is_named(tmp_path, assignment, name):
    """Does each common mistake lose exactly its points, with feedback (hidden and public) that names it?"""
    cells, scores, graders_say, public_says = MISTAKES[assignment][name]
    result = grade(tmp_path, assignment, cells)
    assert result["status"] == "graded" and not result.get("grader_errors"), result.get("grader_errors")
    expected = {**_points(assignment), **scores}
    got = {item["id"]: item["score"] for item in result["items"]}
    messages = [t["message"] for item in result["items"] for t in item["tests"] if not t["passed"]]
    assert got == expected, messages
    for text in graders_say:
        if isinstance(text, tuple):  # ("not", text): no message may claim it
            assert not any(text[1] in m for m in messages), (text, messages)
        else:
            assert any(text in m for m in messages), (text, messages)
    if public_says is not None:
        for gid in cells:
            with pytest.raises(AssertionError) as failure:
                run_public_test(assignment, cells, gid)
            assert public_says in str(failure.value), str(failure.value)
