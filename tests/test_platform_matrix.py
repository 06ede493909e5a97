"""Does tools/platform_matrix.py (make check-platforms) judge platforms and figures correctly?"""
from __future__ import annotations

import importlib.util
import subprocess

import pytest

from helpers import ROOT


@pytest.fixture(scope="module")
def pm():
    spec = importlib.util.spec_from_file_location("platform_matrix", ROOT / "tools" / "platform_matrix.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _result(platform, pairs, margin=0.01, figures=None, perturbed=None):
    runs = [{"model": model, "perturbation": eps, "train": train, "test": test, "margin": margin, "costs": []}
            for eps in (0.0, 1e-10) for model, (train, test) in pairs.items()]
    return {"platform": platform, "level": "X86_V4", "core": "Haswell", "digest": "x", "regularization": runs,
            "figures": figures or {}, "perturbed": perturbed or {}}


LESSON = {"no regularization": (0.95, 0.90), "L2": (0.93, 0.94), "dropout": (0.94, 0.935)}


def test_identical_tables_with_margins_pass(pm):
    """Is a matrix with one table on every platform and the lesson's margins accepted?"""
    lines, passed = pm.lesson_check([_result("X86_V4 x Haswell x 1t", LESSON), _result("X86_V2 x Nehalem x 2t", LESSON)])
    assert passed and "yes (2 runs, 1 distinct table(s))" in lines[0]


def test_a_platform_with_other_accuracies_fails(pm):
    """Does one platform with a different accuracy pair make the check fail?"""
    other = dict(LESSON, dropout=(0.94, 0.94))
    lines, passed = pm.lesson_check([_result("a", LESSON), _result("b", other)])
    assert not passed and "NO" in lines[0]


@pytest.mark.parametrize("pairs,phrase", [
    (dict(LESSON, **{"no regularization": (0.93, 0.90)}), "overfits by 3.0 points"),
    (dict(LESSON, L2=(0.93, 0.92)), "L2 gains 2.0 test points"),
    (dict(LESSON, dropout=LESSON["L2"]), "different results: NO"),
])
def test_a_weak_lesson_fails(pm, pairs, phrase):
    """Is each lesson margin (overfit >= 4, gains >= 3, L2 != dropout) enforced?"""
    lines, passed = pm.lesson_check([_result("a", pairs)])
    assert not passed and any(phrase in line for line in lines), lines


def test_figures_get_spreads_and_promised_digits(pm):
    """Equal figures are exact; a perturbation that moves a figure limits the digits it can promise."""
    results = [_result("a", LESSON, figures={"a": "0.5", "b": "0.1234567", "c": "none"},
                       perturbed={"1e-10": {"b": "0.1234569", "c": "none"}}),
               _result("b", LESSON, figures={"a": "0.5", "b": "0.1234567", "c": "high_bias"})]
    summary = pm.figure_summary(results)
    assert summary["a"]["spread"] == 0 and summary["a"]["digits"] is None
    # spread 2e-7 -> a unit of 2e-6 or more: 0.12346 (5 digits) is what can be promised
    assert summary["b"]["spread"] == pytest.approx(2e-7) and summary["b"]["digits"] == 5
    assert summary["c"]["stable"] is False
    assert any("NOT STABLE" in line for line in pm.figure_table(summary))


def test_stated_check_fails_when_one_platform_prints_otherwise(pm, monkeypatch):
    """Is a statement that one platform (or one perturbation) does not print reported and failed?"""
    st = pm.stated_figures
    monkeypatch.setattr(st, "STATED", [st.Stated("x", "initialization", "cost ≈ 0.1235", "≈ 0.1235")])
    good = [_result("a", LESSON, figures={"x": "0.12345"}), _result("b", LESSON, figures={"x": "0.12351"})]
    assert pm.stated_check(good)[1] is True
    bad = good + [_result("c", LESSON, figures={"x": "0.12345"}, perturbed={"1e-10": {"x": "0.1237"}})]
    lines, passed = pm.stated_check(bad)
    assert not passed and any("NO: 0.1237" in line for line in lines)


def test_a_kernel_the_cpu_cannot_run_is_reported(pm, monkeypatch):
    """Is a child killed by SIGILL (an AVX-512 kernel on an AVX2 CPU) listed as not runnable?"""
    monkeypatch.setattr(pm.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, -4, "", ""))
    got = pm.run_platform("X86_V4", "SkylakeX", 1, parts=())
    assert got["error"] == "illegal instruction: this CPU cannot run it" and got["platform"] == "X86_V4 x SkylakeX x 1t"


def test_probe_names_what_loaded(pm):
    """Does a probe child report numpy's SIMD level, the kernel OpenBLAS loaded and a digest of its arithmetic?"""
    result = pm.run_platform("X86_V2", "Prescott", 1, parts=())
    if "error" in result:
        pytest.skip(result["error"])
    assert result["level"] == "X86_V2"  # every x86-64 CPU numpy 2.4 runs on has X86_V2; V3 and V4 are off
    assert result["core"] and result["core"] != "unknown" and len(result["digest"]) == 12


def test_levels_turn_numpy_features_off(pm):
    """Does each level's NPY_DISABLE_CPU_FEATURES value leave numpy at that level (on a CPU that has it)?"""
    levels = pm.available_levels()
    assert levels[-1] == "X86_V2"
    for level in levels:
        assert pm.run_platform(level, "Haswell", 1, parts=())["level"].split("+")[0] == level
