"""The ML Setup assignment: its data, the figures its notebook states, the lessons they teach,
its public tests, and its graders on equivalent implementations and on named mistakes.

Figures by stability (tools/platform_matrix.py measures them on every numpy SIMD level x OpenBLAS
kernel x thread count; the figure tests are marked `figures`, and .ci/run runs them again on other
platforms): sizes,
step counts, the deep linear network's powers of 0.5 and 1 and the all-zero variances are exact
and asserted exactly; error rates of the iterative logistic regressions (the same under the
five kernels measured, but an iterative solver), learning rates, costs, means and variances go
through BLAS and are asserted with a tolerance.
"""
from __future__ import annotations

import importlib.util
import sys

import nbformat
import numpy as np
import pytest

from helpers import ROOT, release_notebook
from course.grading.engine import grade_submission
from course.grading.reference import load_reference
from course.samples import _solutions
from course.sandbox.process import Limits

A = "ml_setup"
FOLDER = ROOT / "source" / A
MASTER = FOLDER / "ML_Setup.ipynb"
SOLUTIONS = _solutions(MASTER)
FAST = Limits(call_timeout=10.0, memory_bytes=1 << 30)
FULL = {"split_train_dev_test": 3, "diagnose_bias_variance": 2, "normalize_inputs": 2,
        "apply_normalization": 1, "activation_variances": 2}


@pytest.fixture(scope="module")
def ref():
    return load_reference(str(MASTER))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def public():
    """source/ml_setup/public_tests.py under a private name (other assignments have one too)."""
    return _load("ml_setup_public_tests", FOLDER / "public_tests.py")


# ---------------------------------------------------------------------------------------
# Data


def test_data_script_reproduces_file_byte_for_byte(tmp_path):
    """Does datasets/make_ml_setup_data.py regenerate datasets/ml_setup.npz exactly?"""
    script = _load("make_ml_setup_data", ROOT / "datasets" / "make_ml_setup_data.py")
    out = tmp_path / "ml_setup.npz"
    script.main(["--out", str(out)])
    assert out.read_bytes() == (ROOT / "datasets" / "ml_setup.npz").read_bytes()


def test_data_format_and_label_noise(ref):
    """Shapes, dtypes and ranges; 10 % of the labels flipped (97 of 1000 with this seed)."""
    script = _load("make_ml_setup_data", ROOT / "datasets" / "make_ml_setup_data.py")
    assert ref.X.shape == (2, 1000) and ref.X.dtype == np.float64
    assert ref.Y.shape == (1, 1000) and ref.Y.dtype == np.int64 and set(np.unique(ref.Y)) == {0, 1}
    assert ref.X_house.shape == (2, 100) and ref.y_house.shape == (1, 100)
    assert 0 < ref.X_house[0].min() and ref.X_house[0].max() < 1000
    assert 0 < ref.X_house[1].min() and ref.X_house[1].max() < 1
    flipped = int(np.sum(script.clean_label(ref.X) != ref.Y))
    assert flipped == FLIPPED


FLIPPED = 97


# ---------------------------------------------------------------------------------------
# Figures stated in the notebook (reference solution)


@pytest.mark.slow
@pytest.mark.figures
def test_split_sizes_stated(ref):
    parts = ref.split_train_dev_test(ref.X, ref.Y, 0.25, 0.25, seed=1)
    assert [p.shape for p in parts] == [(2, 500), (1, 500), (2, 250), (1, 250), (2, 250), (1, 250)]


def test_lecture_cases(ref):
    """The four cases of the lecture and case B with a Bayes error of 15 %."""
    d = ref.diagnose_bias_variance
    assert d(0.01, 0.11) == {"high_bias": False, "high_variance": True}
    assert d(0.15, 0.16) == {"high_bias": True, "high_variance": False}
    assert d(0.15, 0.30) == {"high_bias": True, "high_variance": True}
    assert d(0.005, 0.01) == {"high_bias": False, "high_variance": False}
    assert d(0.15, 0.16, bayes_error=0.15) == {"high_bias": False, "high_variance": False}


# degree -> (train error, dev error) of the reference split; errors are counts over 500 / 250
# examples. The tolerance (2 training and 2 dev examples) allows for a point that an iterative
# solver on another BLAS kernel puts on the other side of the boundary.
SWEEP = {1: (0.424, 0.424), 2: (0.186, 0.168), 3: (0.150, 0.140), 4: (0.152, 0.156), 5: (0.132, 0.108),
         6: (0.130, 0.120), 8: (0.112, 0.108), 10: (0.112, 0.148), 12: (0.088, 0.148), 15: (0.088, 0.160)}


@pytest.fixture(scope="module")
def reference_split(ref):
    return ref.split_train_dev_test(ref.X, ref.Y, 0.25, 0.25, seed=1)


@pytest.mark.slow
@pytest.mark.figures
def test_sweep_figures_and_diagnosis(ref, reference_split):
    """The sweep's errors (≈, 2 examples) and the diagnosis the notebook draws from them."""
    X_train, Y_train, X_dev, Y_dev, _, _ = reference_split
    train_errors, dev_errors = ref.complexity_sweep(X_train, Y_train, X_dev, Y_dev, ref.DEGREES)
    for d, tr, dv in zip(ref.DEGREES, train_errors, dev_errors):
        assert tr == pytest.approx(SWEEP[d][0], abs=2 / 500 + 1e-12), d
        assert dv == pytest.approx(SWEEP[d][1], abs=2 / 250 + 1e-12), d
    diagnosis = {d: ref.diagnose_bias_variance(tr, dv, bayes_error=ref.BAYES_ERROR, threshold=0.04)
                 for d, tr, dv in zip(ref.DEGREES, train_errors, dev_errors)}
    assert all(diagnosis[d] == {"high_bias": True, "high_variance": False} for d in (1, 2, 3, 4))
    assert all(diagnosis[d] == {"high_bias": False, "high_variance": False} for d in (5, 6, 8, 10))
    assert all(diagnosis[d] == {"high_bias": False, "high_variance": True} for d in (12, 15))


@pytest.mark.slow
@pytest.mark.figures
@pytest.mark.parametrize("seed", [2, 3])
def test_sweep_lesson_holds_for_other_splits(ref, seed):
    """A student whose shuffle differs sees the same lesson: degree 1 underfits, degree 15
    overfits, degree 6 has the lowest dev error of the three."""
    X_train, Y_train, X_dev, Y_dev, _, _ = ref.split_train_dev_test(ref.X, ref.Y, 0.25, 0.25, seed=seed)
    (tr1, tr6, tr15), (dv1, dv6, dv15) = ref.complexity_sweep(X_train, Y_train, X_dev, Y_dev, (1, 6, 15))
    assert tr1 - ref.BAYES_ERROR > 0.2 and abs(dv1 - tr1) < 0.1
    assert tr15 < tr6 < tr1 and dv15 - tr15 > 0.04
    assert dv6 < min(dv1, dv15)


@pytest.mark.slow
@pytest.mark.figures
def test_learning_curves_lesson(ref, reference_split):
    """Degree 1: train and dev errors stay far above the Bayes error; degree 15: a gap that shrinks."""
    X_train, Y_train, X_dev, Y_dev, _, _ = reference_split
    sizes = [25, 50, 100, 200, 300, 500]
    tr1, dv1 = ref.learning_curve(X_train, Y_train, X_dev, Y_dev, 1, sizes)
    tr15, dv15 = ref.learning_curve(X_train, Y_train, X_dev, Y_dev, 15, sizes)
    assert min(dv1[-3:]) > 0.3 and min(tr1[-3:]) > 0.3
    gaps = [d - t for t, d in zip(tr15, dv15)]
    assert gaps[0] > 0.15 and gaps[-1] < gaps[0] / 2 and tr15[0] == 0.0


@pytest.fixture(scope="module")
def house(ref):
    Xh_train, yh_train, Xh_dev, yh_dev, _, _ = ref.split_train_dev_test(ref.X_house, ref.y_house, 0.2, 0.0, seed=2)
    Xn, mu, sigma = ref.normalize_inputs(Xh_train)
    return Xh_train, yh_train, Xh_dev, Xn, mu, sigma


@pytest.mark.slow
@pytest.mark.figures
def test_normalization_figures(ref, house):
    """μ ≈ (433, 0.485), σ ≈ (272, 0.275); unit variance after dividing by σ; 1/σ² after dividing by σ² (ERRATA 2, 8)."""
    Xh_train, _, Xh_dev, Xn, mu, sigma = house
    assert Xh_train.shape == (2, 80) and Xh_dev.shape == (2, 20)
    np.testing.assert_allclose(mu.ravel(), [432.906, 0.485397], rtol=1e-5)
    np.testing.assert_allclose(sigma.ravel(), [272.126, 0.274748], rtol=1e-5)
    np.testing.assert_allclose(Xn.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Xn.var(axis=1), 1, rtol=1e-12)
    dev = ref.apply_normalization(Xh_dev, mu, sigma)  # near 0 and 1, not equal: the training set's statistics
    np.testing.assert_allclose(dev.mean(axis=1), [0.364631, 0.0480822], rtol=1e-5)
    np.testing.assert_allclose(dev.var(axis=1), [1.060898, 1.362458], rtol=1e-5)
    wrong = ((Xh_train - mu) / sigma ** 2).var(axis=1)
    np.testing.assert_allclose(wrong, 1 / sigma.ravel() ** 2, rtol=1e-12)
    np.testing.assert_allclose(wrong, [1.35039e-05, 13.2474], rtol=1e-5)


@pytest.mark.slow
@pytest.mark.figures
def test_gradient_descent_steps(ref, house):
    """Raw inputs: 10000 steps and J ≈ 0.764 (minimum ≈ 0.00345); normalized: exactly 5 steps."""
    Xh_train, yh_train, _, Xn, _, _ = house
    raw = ref.gradient_descent(Xh_train, yh_train, ref.safe_learning_rate(Xh_train), max_steps=10000)
    norm = ref.gradient_descent(Xn, yh_train, ref.safe_learning_rate(Xn), max_steps=10000)
    assert ref.safe_learning_rate(Xh_train) == pytest.approx(3.82e-06, rel=2e-3)
    assert ref.safe_learning_rate(Xn) == pytest.approx(0.889, rel=2e-3)
    assert raw[0] == 10000 and raw[2][-1] == pytest.approx(0.763932, rel=1e-5)
    assert norm[0] == 5
    # the step count has margin: J - J* is 2.5e-6 after step 4 and 1.2e-7 after step 5
    j_opt = ref.regression_cost(*ref.least_squares(Xn, yh_train), Xn, yh_train)
    assert j_opt == pytest.approx(0.003451, rel=1e-3)
    assert norm[2][4] - j_opt > 2e-6 and norm[2][5] - j_opt < 2e-7  # tolerance 1e-6


@pytest.mark.slow
@pytest.mark.figures
def test_deep_linear_network(ref):
    """y_hat = a**L x: exact for a = 0.5 and 1 (powers of two); 1.5**50 to rounding."""
    x = np.array([[1.0], [1.0]])
    assert ref.deep_linear_output(x, 0.5, 50)[0, 0] == 0.5 ** 50 == 8.881784197001252e-16
    assert ref.deep_linear_output(x, 1.0, 50)[0, 0] == 1.0
    assert ref.deep_linear_output(x, 1.5, 50)[0, 0] == pytest.approx(1.5 ** 50, rel=1e-13)
    assert f"{1.5 ** 50:.6g}" == "6.37622e+08"


# (activation, initialization) -> variances of A[1], A[10], A[20] as the notebook states them (3 digits)
VARIANCE_TABLE = {
    ("relu", "random"): (3.42e3, 9.27e36, 1.31e74), ("relu", "he"): (0.684, 0.949, 1.37),
    ("relu", "xavier"): (0.342, 9.27e-4, 1.31e-6), ("tanh", "random"): (0.992, 0.992, 0.992),
    ("tanh", "he"): (0.518, 0.304, 0.307), ("tanh", "xavier"): (0.392, 0.0507, 0.0229),
}


@pytest.mark.slow
@pytest.mark.figures
def test_activation_variance_table(ref):
    """The table of section 4.2 (≈, 3 significant digits), zeros exactly 0, and the lesson."""
    X_deep = np.random.RandomState(1).randn(100, 500)
    dims = [100] * 21
    for activation in ("relu", "tanh"):
        assert ref.activation_variances(X_deep, dims, "zeros", activation, 1) == [0.0] * 20
    for (activation, init), stated in VARIANCE_TABLE.items():
        v = ref.activation_variances(X_deep, dims, init, activation, 1)
        np.testing.assert_allclose([v[0], v[9], v[19]], stated, rtol=5e-3, err_msg=f"{activation} {init}")
    he = ref.activation_variances(X_deep, dims, "he", "relu", 1)
    assert all(0.3 < v < 3 for v in he)  # steady under ReLU


def test_platform_matrix_checks_the_sweep_diagnosis():
    """Does make check-platforms fail when one platform (or one perturbation) gives another diagnosis?"""
    pm = _load("platform_matrix_for_ml_setup", ROOT / "tools" / "platform_matrix.py")
    stated = {f"ml_setup/degree {d} diagnosis": want for d, want in pm.ML_SETUP_DIAGNOSIS.items()}
    good = {"platform": "X86_V4 x Haswell x 1t", "figures": stated, "perturbed": {"1e-10": stated}}
    bad = {"platform": "X86_V2 x Nehalem x 1t", "figures": dict(stated, **{"ml_setup/degree 10 diagnosis": "high_variance"})}
    assert pm.ml_setup_check([good, dict(good, platform="X86_V3 x Haswell x 2t")]) == (
        ["the sweep's diagnosis is the notebook's on every platform: yes"], True)
    lines, passed = pm.ml_setup_check([good, bad])
    assert not passed and "X86_V2 x Nehalem x 1t degree 10" in lines[0]
    perturbed = dict(good, perturbed={"1e-10": dict(stated, **{"ml_setup/degree 5 diagnosis": "high_bias"})})
    assert pm.ml_setup_check([perturbed])[1] is False
    assert pm.ml_setup_check([{"platform": "X86_V4 x SkylakeX x 1t", "error": "illegal instruction"}])[1] is False


def test_errata_2_and_8_in_notebook():
    """The notebook divides by σ, says why (ERRATA 2 and 8), and never tells students to divide by σ²."""
    nb = nbformat.read(MASTER, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "ERRATA 2 和 8" in text and "除以标准差" in text and "方差都是 1" in text
    assert "$x /= \\sigma^2$，即除以方差，这是错的" in text
    assert "x_j := \\frac{x_j}{\\sigma_j}" in text


# ---------------------------------------------------------------------------------------
# Public tests pass on the reference; grading time


def test_public_tests_pass_on_reference(ref, public, capsys):
    for name in FULL:
        getattr(public, f"{name}_test")(getattr(ref, name))
    assert capsys.readouterr().out.count("全部公开测试通过") == len(FULL)


# Equivalent implementations and mistakes (each losing exactly its points, named by the graders and
# the public tests) are the "ml_setup" corpora of tests/test_fairness.py (tests/corpus_ml_setup.py).


def _notebook(**replacements):
    nb = release_notebook(A)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in SOLUTIONS:
            cell.source = replacements.get(gid, SOLUTIONS[gid])
    return nb


def _grade(tmp_path, nb):
    path = tmp_path / "ML_Setup.ipynb"
    nbformat.write(nb, str(path))
    r = grade_submission(ROOT, A, "s", path, limits=FAST)
    assert r["status"] == "graded", r
    return r


def test_graders_time_per_submission(tmp_path):
    """One submission is graded in about a second (bound 5 s on a loaded 2-core machine)."""
    r = _grade(tmp_path, _notebook())
    assert r["score"] == 10
    assert sum(r["timings"][k] for k in ("sandbox_start", "graders")) < 5
