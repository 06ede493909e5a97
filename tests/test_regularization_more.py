"""The Regularization More assignment: its data, the reference solution checked against independent
oracles, the public tests, and the three lessons (L1 sparsity, early stopping's saving, augmentation).

The stated figures themselves are checked by tests/test_stated_figures.py (every platform of
docs/platform-matrix/regularization_more.json, and this machine).
"""
from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from helpers import ROOT
from course.grading.reference import load_reference

pytestmark = pytest.mark.unit  # its tier (tests/conftest.py): a new module, no edit of TIERS

FOLDER = ROOT / "source" / "regularization_more"
MASTER = FOLDER / "Regularization_More.ipynb"
DATA = ROOT / "datasets" / "regmore.npz"
GRADED = ("compute_cost_with_l1", "backward_propagation_with_l1", "train_with_early_stopping", "augment_with_mirror")


def _load(name, path):
    """A module under a private name (other assignments have a public_tests and helpers too)."""
    sys.path.insert(0, str(FOLDER))
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(FOLDER))
    return module


@pytest.fixture(scope="module")
def ref():
    return load_reference(str(MASTER))


@pytest.fixture(scope="module")
def script():
    return _load("make_regmore_data", ROOT / "datasets" / "make_regmore_data.py")


@pytest.fixture(scope="module")
def public_tests():
    return _load("regularization_more_public_tests", FOLDER / "public_tests.py")


# ---------------------------------------------------------------------------------------
# Data


def test_data_script_reproduces_file_byte_for_byte(tmp_path, script):
    """Does datasets/make_regmore_data.py regenerate datasets/regmore.npz exactly?"""
    out = tmp_path / "regmore.npz"
    script.main(["--out", str(out)])
    assert out.read_bytes() == DATA.read_bytes()


def test_data_format(ref):
    """Shapes, dtypes and ranges of the six arrays the notebook loads."""
    for name, m in (("train", 100), ("dev", 100), ("test", 200)):
        X, Y = getattr(ref, f"{name}_X"), getattr(ref, f"{name}_Y")
        assert X.shape == (2, m) and X.dtype == np.float64 and np.abs(X).max() <= 1
        assert Y.shape == (1, m) and Y.dtype == np.int64 and set(np.unique(Y)) == {0, 1}


def test_no_point_in_the_empty_strip_and_noise_only_near_the_curve(ref, script):
    """Every point is at least GAP from the curve; wrong labels occur only within NEAR of it."""
    for name in ("train", "dev", "test"):
        X, Y = getattr(ref, f"{name}_X"), getattr(ref, f"{name}_Y")
        distance = np.abs(X[1] - script.boundary(X[0]))
        assert distance.min() >= script.GAP
        wrong = (script.clean_label(X) != Y).ravel()
        assert wrong.any() and distance[wrong].max() <= script.NEAR[1]


def test_mirror_preserves_clean_labels_and_the_flip_does_not(ref, script):
    """The reason the augmentation is label-preserving: clean_label(-x1, x2) == clean_label(x1, x2) for
    every point (by construction); the upside-down flip changes the clean label of most training points."""
    X = np.hstack([ref.train_X, ref.dev_X, ref.test_X])
    mirrored = X * np.array([[-1.0], [1.0]])
    assert np.array_equal(script.clean_label(mirrored), script.clean_label(X))
    flipped = X * np.array([[1.0], [-1.0]])
    assert np.mean(script.clean_label(flipped) != script.clean_label(X)) > 0.5


def test_release_ships_the_committed_data():
    """source/ and release/ carry datasets/regmore.npz unchanged (course release copies it)."""
    for folder in (FOLDER, ROOT / "release" / "regularization_more"):
        assert (folder / "datasets" / "regmore.npz").read_bytes() == DATA.read_bytes()


# ---------------------------------------------------------------------------------------
# The reference solution against independent oracles


def _network(seed):
    rng = np.random.RandomState(seed)
    X, Y = rng.randn(3, 6), (rng.rand(1, 6) > 0.5).astype(int)
    parameters = {}
    for l, (n, n_prev) in enumerate(((4, 3), (3, 4), (1, 3)), start=1):
        parameters[f"W{l}"] = rng.randn(n, n_prev)
        parameters[f"b{l}"] = rng.randn(n, 1)
    return X, Y, parameters


def test_l1_cost_is_lambda_over_m_times_the_absolute_sum(ref):
    """ERRATA 7: the L1 term is lambd / m * sum |W| (no stray k), biases excluded."""
    X, Y, parameters = _network(0)
    A3, _ = ref.forward_propagation(X, parameters)
    total = sum(float(np.abs(parameters[k]).sum()) for k in ("W1", "W2", "W3"))
    cost = ref.compute_cost_with_l1(A3, Y, parameters, 0.4)
    assert type(cost) is float
    assert cost == pytest.approx(ref.compute_cost(A3, Y) + 0.4 / 6 * total, rel=1e-12)


def test_l1_gradient_matches_finite_differences(ref):
    """Away from w = 0 the L1 backward pass agrees with centred differences of the L1 cost (rtol 1e-6)."""
    X, Y, parameters = _network(1)
    lambd, eps = 0.7, 1e-6
    _, cache = ref.forward_propagation(X, parameters)
    grads = ref.backward_propagation_with_l1(X, Y, cache, lambd)
    for key in parameters:
        approx = np.zeros_like(parameters[key])
        for idx in np.ndindex(approx.shape):
            costs = []
            for sign in (1, -1):
                p = {k: v.copy() for k, v in parameters.items()}
                p[key][idx] += sign * eps
                costs.append(ref.compute_cost_with_l1(ref.forward_propagation(X, p)[0], Y, p, lambd))
            approx[idx] = (costs[0] - costs[1]) / (2 * eps)
        np.testing.assert_allclose(grads["d" + key], approx, rtol=1e-6, atol=1e-8, err_msg=key)


def test_l1_subgradient_is_zero_at_zero(ref):
    """A weight that is exactly 0 gets no L1 term (np.sign(0) = 0)."""
    X, Y, parameters = _network(2)
    parameters["W2"][1, 2] = 0.0
    _, cache = ref.forward_propagation(X, parameters)
    plain = ref.backward_propagation(X, Y, cache)
    grads = ref.backward_propagation_with_l1(X, Y, cache, 0.9)
    assert grads["dW2"][1, 2] == plain["dW2"][1, 2]


def test_early_stopping_keeps_the_best_of_a_plain_run(ref):
    """Independent check: the returned parameters are those of a plain run of best_iteration steps, the
    best check has the smallest dev cost, and the run stopped patience checks after it."""
    args = (ref.train_X[:, :40], ref.train_Y[:, :40], ref.dev_X[:, :40], ref.dev_Y[:, :40], [2, 6, 3, 1], 0.4, 2500, 40, 5)
    result = ref.train_with_early_stopping(*args)
    costs = result["dev_costs"]
    best = int(np.argmin(costs))
    assert result["best_iteration"] == best * 40 < result["iterations"] < 2500
    assert len(costs) == best + 1 + 5 and result["iterations"] == (len(costs) - 1) * 40
    parameters = ref.initialize_parameters([2, 6, 3, 1])
    for _ in range(result["best_iteration"]):
        _, cache = ref.forward_propagation(args[0], parameters)
        parameters = ref.update_parameters(parameters, ref.backward_propagation(args[0], args[1], cache), 0.4)
    for key in parameters:
        np.testing.assert_array_equal(result["parameters"][key], parameters[key])


def test_early_stopping_grader_cases_stop_early(ref):
    """The hidden graders' cases separate the mistakes: each stops before max_iterations, after a best
    check that is not the last one (so a missing copy shows)."""
    for args in ((ref.train_X[:, 20:60], ref.train_Y[:, 20:60], ref.dev_X[:, 10:50], ref.dev_Y[:, 10:50],
                  [2, 6, 3, 1], 0.4, 2500, 40, 5),
                 (ref.train_X, ref.train_Y, ref.dev_X, ref.dev_Y, [2, 8, 4, 1], 0.3, 3000, 100, 3)):
        result = ref.train_with_early_stopping(*args)
        assert result["best_iteration"] < result["iterations"] < args[6]


def test_mirror_leaves_its_inputs_alone(ref):
    X, Y = ref.train_X.copy(), ref.train_Y.copy()
    X_aug, Y_aug = ref.augment_with_mirror(X, Y)
    assert np.array_equal(X, ref.train_X) and np.array_equal(Y, ref.train_Y)
    assert np.array_equal(X_aug[:, :100], X) and np.array_equal(X_aug[0, 100:], -X[0])
    assert np.array_equal(Y_aug, np.hstack([Y, Y]))


def test_model_rejects_both_regularizations(ref):
    with pytest.raises(ValueError):
        ref.model(ref.train_X, ref.train_Y, num_iterations=1, lambd_l1=0.3, lambd_l2=0.7)


# ---------------------------------------------------------------------------------------
# Public tests


def test_public_tests_pass_on_the_reference(ref, public_tests, capsys, monkeypatch):
    monkeypatch.chdir(FOLDER)
    for name in GRADED:
        getattr(public_tests, name + "_test")(getattr(ref, name))
    assert capsys.readouterr().out.count("全部公开测试通过") == 4


def _sample_function(ref, student, name):
    module = _load("samples_regularization_more", ROOT / "tools" / "samples" / "regularization_more.py")
    namespace = {"np": np, **{k: getattr(ref, k) for k in ("compute_cost", "forward_propagation", "backward_propagation",
                                                          "update_parameters", "initialize_parameters")}}
    exec(module.SAMPLES[student][name], namespace)
    return namespace[name]


@pytest.mark.parametrize("student,name,phrase", [
    ("regmore_l1_over_2m", "compute_cost_with_l1", "lambd / (2m)"),
    ("regmore_best_not_copied", "train_with_early_stopping", "没有复制"),
    ("regmore_mirror_flips_x2", "augment_with_mirror", "上下翻转"),
])
def test_public_tests_catch_the_sample_mistakes(ref, public_tests, monkeypatch, student, name, phrase):
    """Do the public tests already reject each sample's mistake, with a message that points at it?"""
    monkeypatch.chdir(FOLDER)
    with pytest.raises(AssertionError) as info:
        getattr(public_tests, name + "_test")(_sample_function(ref, student, name))
    assert phrase in str(info.value)


# ---------------------------------------------------------------------------------------
# The lessons, with their margins (full runs of the notebook's experiments)


@pytest.fixture(scope="module")
def measured():
    sys.path.insert(0, str(ROOT / "tools"))
    import stated_figures

    return stated_figures.figure_modules()["regularization_more"].runs(0.0)


@pytest.mark.slow
@pytest.mark.figures
def test_lessons_hold_with_margin(measured):
    """L1 leaves >= 30 more weights near zero than L2 at test accuracies within 3 points; early stopping
    takes at most a quarter of the sweep's steps and is within 2 points of its pick; mirroring gains >= 3
    points and the careless flip loses >= 10 (tools/figures/regularization_more.py, ``lessons``)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from figures import regularization_more

    assert all(holds for _, holds in regularization_more.lessons(measured["figures"])), \
        regularization_more.lessons(measured["figures"])


@pytest.mark.slow
@pytest.mark.figures
def test_exactly_stated_runs_are_not_knife_edges(measured):
    """Every run whose accuracy is stated exactly leaves each point >= 1e-3 from a3 = 0.5, and no weight
    of the three L1/L2 runs is within 1e-3 of the 0.01 line (the careless flip is stated as a bound)."""
    for name, margin in measured["margins"].items():
        if name.startswith("augmentation flip") or "dev cost gap" in name:
            continue
        assert margin >= 1e-3, (name, margin)
    assert measured["margins"]["early stopping: best dev cost gap (relative)"] >= 1e-3
