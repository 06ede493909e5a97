"""The Gradient Checking assignment reproduces the reference figures (shared/reference/README.md)."""
from __future__ import annotations

import numpy as np
import pytest

from helpers import ROOT
from course.grading.reference import load_reference

MASTER = ROOT / "source" / "gradient_checking" / "Gradient_Checking.ipynb"


@pytest.fixture(scope="module")
def ref():
    return load_reference(str(MASTER))


@pytest.mark.figures
def test_one_dimensional_values(ref):
    """x = 2, theta = 4: J = 8, dtheta = 2, difference 2.919335883291695e-10 (rounding-level: rtol 1e-6)."""
    assert ref.forward_propagation(2, 4) == 8
    assert ref.backward_propagation(2, 4) == 2
    diff = ref.gradient_check(2, 4)
    assert isinstance(diff, float)
    assert diff == pytest.approx(2.919335883291695e-10, rel=1e-6)


@pytest.mark.figures
def test_buggy_backward_pass_difference(ref):
    """The supplied backward pass (dW2 doubled, db1 times 4) gives ≈ 0.285093 (the digits that no
    platform and no 1e-10 change of the parameters moves; the 7th moves by 4e-8)."""
    X, Y, parameters = ref.gradient_check_n_test_case()
    cost, cache = ref.forward_propagation_n(X, Y, parameters)
    gradients = ref.backward_propagation_n(X, Y, cache)
    diff = ref.gradient_check_n(parameters, gradients, X, Y)
    assert isinstance(diff, float)
    assert diff == pytest.approx(0.285093, abs=1e-6)


@pytest.mark.figures
def test_fixed_backward_pass_difference(ref):
    """Fixed, the difference is all rounding error, of order 1e-7 (0.8e-7 to 1.2e-7 as the platform matrix
    and the 1e-10 perturbations measure it) and below the 2e-7 threshold (ERRATA 6) on every platform."""
    X, Y, parameters = ref.gradient_check_n_test_case()
    cost, cache = ref.forward_propagation_n(X, Y, parameters)
    diff = ref.gradient_check_n(parameters, ref.backward_propagation_n_fixed(X, Y, cache), X, Y)
    assert 1e-8 < diff < 2e-7


@pytest.mark.figures
def test_report_singles_out_the_two_bugs(ref):
    """The per-block report flags W2 and b1 (>= 1e-3) and no other block."""
    X, Y, parameters = ref.gradient_check_n_test_case()
    cost, cache = ref.forward_propagation_n(X, Y, parameters)
    report = ref.gradient_check_report(parameters, ref.backward_propagation_n(X, Y, cache), X, Y)
    assert sorted(k for k, v in report.items() if v >= 1e-3) == ["W2", "b1"]


def test_vector_helpers_roundtrip_from_shapes(ref):
    """dictionary_to_vector / vector_to_dictionary work for shapes other than the test case's."""
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((3, 2)), "b1": rng.standard_normal((3, 1)),
              "W2": rng.standard_normal((1, 3)), "b2": rng.standard_normal((1, 1))}
    theta, keys = ref.dictionary_to_vector(params)
    assert theta.shape == (13, 1) and len(keys) == 13
    back = ref.vector_to_dictionary(theta, params)
    for k in params:
        np.testing.assert_array_equal(back[k], params[k])
