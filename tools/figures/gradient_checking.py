"""Figures of the Gradient Checking notebook (see tools/figures/__init__.py)."""
from __future__ import annotations

import contextlib
import io

from figures import ROOT, perturb
from stated_figures import Stated

STATED: list[Stated] = [
    Stated('gradient_checking/1-D difference', 'gradient_checking', 'difference = 2.919335883291695e-10', '2.919335883291695e-10'),
    Stated('gradient_checking/N-D difference, buggy', 'gradient_checking', '反向传播有错误 (There is a mistake in the backward propagation)! difference ≈ 0.285093', '≈ 0.285093'),
    Stated('gradient_checking/N-D difference, fixed', 'gradient_checking', '其中 difference `< 2e-07`', '< 2e-07'),
    Stated('gradient_checking/fixed report W1', 'gradient_checking', '每一块都是 `~1e-07` 的量级', '~1e-07'),
    Stated('gradient_checking/fixed report b1', 'gradient_checking', '每一块都是 `~1e-07` 的量级', '~1e-07'),
    Stated('gradient_checking/fixed report W2', 'gradient_checking', '每一块都是 `~1e-07` 的量级', '~1e-07'),
    Stated('gradient_checking/fixed report b2', 'gradient_checking', '每一块都是 `~1e-07` 的量级', '~1e-07'),
    Stated('gradient_checking/fixed report W3', 'gradient_checking', '每一块都是 `~1e-07` 的量级', '~1e-07'),
    Stated('gradient_checking/fixed report b3', 'gradient_checking', '每一块都是 `~1e-07` 的量级', '~1e-07'),
    Stated('gradient_checking/N-D difference, fixed', 'gradient_checking', '每一块都是 `~1e-07` 的量级', '~1e-07'),
    Stated('gradient_checking/epsilon sweep 1e-01', 'gradient_checking', '   1e-01    ≈ 5.46e-03', '≈ 5.46e-03'),
    Stated('gradient_checking/epsilon sweep 1e-02', 'gradient_checking', '   1e-02    ≈ 1.68e-06', '≈ 1.68e-06'),
    Stated('gradient_checking/epsilon sweep 1e-03', 'gradient_checking', '   1e-03    ≈ 1.68e-08', '≈ 1.68e-08'),
    Stated('gradient_checking/epsilon sweep 1e-04', 'gradient_checking', '   1e-04    ~1e-10', '~1e-10'),
    Stated('gradient_checking/epsilon sweep 1e-05', 'gradient_checking', '   1e-05    ~1e-09', '~1e-09'),
    Stated('gradient_checking/epsilon sweep 1e-06', 'gradient_checking', '   1e-06    ~1e-08', '~1e-08'),
    Stated('gradient_checking/epsilon sweep 1e-07', 'gradient_checking', '   1e-07    ~1e-07', '~1e-07'),
    Stated('gradient_checking/epsilon sweep 1e-08', 'gradient_checking', '   1e-08    ~1e-06', '~1e-06'),
    Stated('gradient_checking/epsilon sweep 1e-09', 'gradient_checking', '   1e-09    ~1e-05', '~1e-05'),
    Stated('gradient_checking/epsilon sweep 1e-10', 'gradient_checking', '   1e-10    ~1e-04', '~1e-04'),
]


def measure(epsilon: float = 0.0) -> dict:
    """The differences the Gradient Checking notebook prints (epsilon perturbs the N-D parameters;
    the 1-D check is a few correctly rounded scalar operations, the same on every machine)."""
    from course.grading.reference import load_reference

    ref = load_reference(str(ROOT / "source" / "gradient_checking" / "Gradient_Checking.ipynb"))
    figures = {"gradient_checking/1-D difference": repr(ref.gradient_check(2, 4))} if epsilon == 0 else {}
    X, Y, parameters = ref.gradient_check_n_test_case()
    parameters = {k: perturb(v, epsilon, k) for k, v in parameters.items()}
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    with contextlib.redirect_stdout(io.StringIO()):
        buggy = ref.gradient_check_n(parameters, ref.backward_propagation_n(X, Y, cache), X, Y)
        fixed_gradients = ref.backward_propagation_n_fixed(X, Y, cache)
        fixed = ref.gradient_check_n(parameters, fixed_gradients, X, Y)
        report = ref.gradient_check_report(parameters, fixed_gradients, X, Y)
        for k in range(1, 11):
            sweep = ref.gradient_check_n(parameters, fixed_gradients, X, Y, epsilon=10.0 ** -k)
            figures[f"gradient_checking/epsilon sweep 1e-{k:02d}"] = repr(float(sweep))
    figures["gradient_checking/N-D difference, buggy"] = repr(buggy)
    figures["gradient_checking/N-D difference, fixed"] = repr(fixed)
    for block, value in report.items():
        figures[f"gradient_checking/fixed report {block}"] = repr(float(value))
    return figures
