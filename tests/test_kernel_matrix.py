"""Does tools/kernel_matrix.py (make check-platforms) judge kernels and figures correctly?"""
from __future__ import annotations

import importlib.util
import subprocess

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def km():
    spec = importlib.util.spec_from_file_location("kernel_matrix", ROOT / "tools" / "kernel_matrix.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _result(kernel, pairs, margin=0.01, figures=None):
    runs = [{"model": model, "perturbation": eps, "train": train, "test": test, "margin": margin, "costs": []}
            for eps in (0.0, 1e-10) for model, (train, test) in pairs.items()]
    return {"kernel": kernel, "core": kernel, "digest": "x", "regularization": runs, "figures": figures or {}}


LESSON = {"no regularization": (0.95, 0.90), "L2": (0.93, 0.94), "dropout": (0.94, 0.935)}


def test_identical_tables_with_margins_pass(km):
    """Is a matrix with one table under every kernel and the lesson's margins accepted?"""
    lines, passed = km.lesson_check([_result("Haswell", LESSON), _result("Nehalem", LESSON)])
    assert passed and "yes (2 kernels, 1 distinct table(s))" in lines[0]


def test_a_kernel_with_other_accuracies_fails(km):
    """Does one kernel with a different accuracy pair make the check fail?"""
    other = dict(LESSON, dropout=(0.94, 0.94))
    lines, passed = km.lesson_check([_result("Haswell", LESSON), _result("Nehalem", other)])
    assert not passed and "NO" in lines[0]


@pytest.mark.parametrize("pairs,phrase", [
    (dict(LESSON, **{"no regularization": (0.93, 0.90)}), "overfits by 3.0 points"),
    (dict(LESSON, L2=(0.93, 0.92)), "L2 gains 2.0 test points"),
    (dict(LESSON, dropout=LESSON["L2"]), "different results: NO"),
])
def test_a_weak_lesson_fails(km, pairs, phrase):
    """Is each lesson margin (overfit >= 4, gains >= 3, L2 != dropout) enforced?"""
    lines, passed = km.lesson_check([_result("Haswell", pairs)])
    assert not passed and any(phrase in line for line in lines), lines


def test_figures_are_classified_by_stability(km):
    """Are equal figures 'stable' and differing ones reported with their shared digits and spread?"""
    results = [_result("Haswell", LESSON, figures={"a": "0.5", "b": "0.1234567"}),
               _result("Nehalem", LESSON, figures={"a": "0.5", "b": "0.1234598"})]
    lines, summary = km.figure_table(results)
    assert summary["a"] == {"stable": True, "values": ["0.5"]}
    assert not summary["b"]["stable"] and summary["b"]["relative_spread"] == pytest.approx(3.1e-6 / 0.1234598, rel=1e-3)
    assert any("shared: 0.12345" in line for line in lines)


def test_a_kernel_the_cpu_cannot_run_is_reported(km, monkeypatch):
    """Is a child killed by SIGILL (an AVX-512 kernel on an AVX2 CPU) listed as not runnable?"""
    monkeypatch.setattr(km.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, -4, "", ""))
    assert km.run_kernel("SkylakeX", parts=()) == {"kernel": "SkylakeX", "error": "illegal instruction: this CPU cannot run it"}


def test_probe_names_the_loaded_kernel(km):
    """Does a probe child report the kernel OpenBLAS loaded and a digest of its products?"""
    result = km.run_kernel("Prescott", parts=())
    if "error" in result:
        pytest.skip(result["error"])
    assert result["core"] and result["core"] != "unknown" and len(result["digest"]) == 12
