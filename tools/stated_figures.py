"""The figures the notebooks state, and what stating a figure promises.

A statement is exact (``"0.5"``, ``"inf"``, ``"5"``): every machine prints that repr; approximate
(``"≈ 0.0735789596"``): every machine prints a value within one unit of the statement's last digit;
an order of magnitude (``"~1e-09"``): between a tenth and ten times that; or a bound (``"< 2e-07"``).
The last two are for figures that are all rounding error (a gradient check of a correct gradient). A figure is stated exactly only when no rounding can move it
(a count, an accuracy of k/m, a shape, a product of powers of two); every float that passes through
``exp``, ``log``, a reduction or a matrix product is stated with "≈" to the digits that
tools/platform_matrix.py shows no platform and no 1e-10 perturbation of the inputs can move.

tools/platform_matrix.py checks every statement on every platform it runs; tests/test_stated_figures.py
checks them on the machine that runs the tests, and that each statement's text is in its notebook.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Stated:
    figure: str       # the name tools/platform_matrix.py measures it under
    notebook: str     # the assignment whose master notebook states it
    text: str         # the text as the notebook's Markdown states it (contains the statement's number)
    value: str        # the statement: an exact repr, "≈ V", "~V" or "< V"

    def __post_init__(self):
        if _number(self.value) not in self.text:
            raise ValueError(f"{self.figure}: the text {self.text!r} does not contain {_number(self.value)!r}")


def _number(statement: str) -> str:
    return statement.lstrip("≈~<").strip()


def is_approximate(statement: str) -> bool:
    return statement.strip()[:1] in ("≈", "~", "<")


def last_unit(statement: str) -> float:
    """One unit in the last stated digit: 1e-4 for "0.7222", 1e-10 for "1.189e-07"."""
    return 10.0 ** Decimal(_number(statement)).as_tuple().exponent


def significant_digits(statement: str) -> int | None:
    """Significant digits a "≈" statement gives (None for the other kinds)."""
    if not statement.strip().startswith("≈") or not float(_number(statement)):
        return None
    return len(Decimal(_number(statement)).normalize().as_tuple().digits)


def holds(statement: str, printed: str) -> bool:
    """Does a printed value (a repr) satisfy the statement?

    exact: the same repr (or the same float); "≈ V": within one unit of V's last digit; "~V": the same order of
    magnitude (between V / 10 and 10 V); "< V": below V (a threshold the lesson depends on)."""
    kind = statement.strip()[:1]
    if kind not in ("≈", "~", "<"):
        try:  # "0" states the float 0.0; "0.5" does not admit 0.5000000000000001
            return printed == statement or float(printed) == float(statement)
        except ValueError:
            return False
    try:
        value, bound = float(printed), float(_number(statement))
    except ValueError:
        return False
    if not math.isfinite(value):
        return False
    if kind == "~":
        return bound / 10 <= value <= bound * 10
    if kind == "<":
        return value < bound
    return abs(value - bound) <= last_unit(statement) * (1 + 1e-9)


# Generated once from docs/platform-matrix.json's promised digits, then kept by hand: a change of
# a stated figure in a notebook goes here too (tests/test_stated_figures.py says when they differ).
STATED: list[Stated] = [
    Stated('initialization/zeros/cost 0', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/train accuracy', 'initialization', '`0.5`。', '0.5'),
    Stated('initialization/zeros/cost 1000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 2000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 3000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 4000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 5000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 6000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 7000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 8000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 9000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 10000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 11000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 12000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 13000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/cost 14000', 'initialization', '前 14 位有效数字 `0.69314718055994`', '≈ 0.69314718055994'),
    Stated('initialization/zeros/test accuracy', 'initialization', '训练集和测试集准确率都是 `0.5`。', '0.5'),
    Stated('initialization/random/cost 0', 'initialization', '第 0 步的 cost 是 `inf`', 'inf'),
    Stated('initialization/random/train accuracy', 'initialization', '训练集准确率 `0.83`', '0.83'),
    Stated('initialization/random/test accuracy', 'initialization', '测试集准确率 `0.86`', '0.86'),
    Stated('initialization/he/cost 0', 'initialization', 'Cost after iteration 0: ≈ 0.883053746', '≈ 0.883053746'),
    Stated('initialization/he/cost 1000', 'initialization', 'Cost after iteration 1000: ≈ 0.68798259197', '≈ 0.68798259197'),
    Stated('initialization/he/cost 14000', 'initialization', 'Cost after iteration 14000: ≈ 0.0735789596', '≈ 0.0735789596'),
    Stated('initialization/he/train accuracy', 'initialization', '训练集准确率 `0.9933333333333333`', '0.9933333333333333'),
    Stated('initialization/he/test accuracy', 'initialization', '测试集准确率 `0.96`', '0.96'),
    Stated('initialization/zeros/cost 0', 'initialization', '| 全零 | 0.6931 |', '≈ 0.6931'),
    Stated('initialization/he/cost 0', 'initialization', '| He | 0.8831 |', '≈ 0.8831'),
    Stated('initialization/xavier/cost 0', 'initialization', '| Xavier | 0.7222 |', '≈ 0.7222'),
    Stated('initialization/random/cost 0', 'initialization', '| 大随机数 (×10) | inf |', 'inf'),
    Stated('regularization/no regularization/cost 0', 'regularization', 'Cost after iteration 0: ≈ 0.6651906158', '≈ 0.6651906158'),
    Stated('regularization/no regularization/cost 10000', 'regularization', 'Cost after iteration 10000: ≈ 0.24767596003', '≈ 0.24767596003'),
    Stated('regularization/no regularization/cost 20000', 'regularization', 'Cost after iteration 20000: ≈ 0.226052637', '≈ 0.226052637'),
    Stated('regularization/L2/cost 0', 'regularization', 'Cost after iteration 0: ≈ 0.7068978128', '≈ 0.7068978128'),
    Stated('regularization/L2/cost 10000', 'regularization', 'Cost after iteration 10000: ≈ 0.284699569177', '≈ 0.284699569177'),
    Stated('regularization/L2/cost 20000', 'regularization', 'Cost after iteration 20000: ≈ 0.284548054165', '≈ 0.284548054165'),
    Stated('regularization/dropout/cost 0', 'regularization', 'Cost after iteration 0: ≈ 0.6652553145', '≈ 0.6652553145'),
    Stated('regularization/dropout/cost 10000', 'regularization', 'Cost after iteration 10000: ≈ 0.22942683', '≈ 0.22942683'),
    Stated('regularization/dropout/cost 20000', 'regularization', 'Cost after iteration 20000: ≈ 0.22254263', '≈ 0.22254263'),
    Stated('regularization/no regularization/train accuracy', 'regularization', 'Accuracy: 0.9241706161137441', '0.9241706161137441'),
    Stated('regularization/no regularization/test accuracy', 'regularization', 'Accuracy: 0.87', '0.87'),
    Stated('regularization/L2/train accuracy', 'regularization', 'Accuracy: 0.9146919431279621', '0.9146919431279621'),
    Stated('regularization/L2/test accuracy', 'regularization', 'Accuracy: 0.915', '0.915'),
    Stated('regularization/dropout/train accuracy', 'regularization', 'Accuracy: 0.9241706161137441', '0.9241706161137441'),
    Stated('regularization/dropout/test accuracy', 'regularization', 'Accuracy: 0.91', '0.91'),
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
    Stated('ml_setup/house mu[0]', 'ml_setup', '$\\mu \\approx (433, 0.485)$', '≈ 433'),
    Stated('ml_setup/house mu[1]', 'ml_setup', '$\\mu \\approx (433, 0.485)$', '≈ 0.485'),
    Stated('ml_setup/house sigma[0]', 'ml_setup', '$\\sigma \\approx (272, 0.275)$', '≈ 272'),
    Stated('ml_setup/house sigma[1]', 'ml_setup', '$\\sigma \\approx (272, 0.275)$', '≈ 0.275'),
    Stated('ml_setup/gradient descent raw: learning rate', 'ml_setup', '原始输入：学习率 ≈ 3.82e-06', '≈ 3.82e-06'),
    Stated('ml_setup/gradient descent raw: steps', 'ml_setup', '走满 **10000 步**', '10000'),
    Stated('ml_setup/gradient descent raw: final cost', 'ml_setup', '$J \\approx 0.764$', '≈ 0.764'),
    Stated('ml_setup/gradient descent normalized: learning rate', 'ml_setup', '归一化输入：学习率 ≈ 0.889', '≈ 0.889'),
    Stated('ml_setup/gradient descent normalized: steps', 'ml_setup', '只要 **5 步**', '5'),
    Stated('ml_setup/gradient descent normalized: final cost', 'ml_setup', '就到达 $J^* \\approx 0.00345$', '≈ 0.00345'),
    Stated('ml_setup/deep linear a=0.5, L=50', 'ml_setup', 'a = 0.5: y_hat after 50 layers = 8.88178e-16', '≈ 8.88178e-16'),
    Stated('ml_setup/deep linear a=1.5, L=50', 'ml_setup', 'a = 1.5: y_hat after 50 layers = 6.37622e+08', '≈ 6.37622e+08'),
    Stated('ml_setup/degree 1 train error', 'ml_setup', '训练集误差和开发集误差都 ≈ 0.42', '≈ 0.42'),
    Stated('ml_setup/degree 1 dev error', 'ml_setup', '训练集误差和开发集误差都 ≈ 0.42', '≈ 0.42'),
    Stated('ml_setup/learning curve degree 15 n=500 train', 'ml_setup', '两者 ≈ 0.09 和 0.16', '≈ 0.09'),
    Stated('ml_setup/learning curve degree 15 n=500 dev', 'ml_setup', '两者 ≈ 0.09 和 0.16', '≈ 0.16'),
    Stated('ml_setup/Var(A[1]) relu random', 'ml_setup', '| ReLU | random | ≈ 3.42e+03 | ≈ 9.27e+36 | ≈ 1.31e+74 |', '≈ 3.42e+03'),
    Stated('ml_setup/Var(A[10]) relu random', 'ml_setup', '| ReLU | random | ≈ 3.42e+03 | ≈ 9.27e+36 | ≈ 1.31e+74 |', '≈ 9.27e+36'),
    Stated('ml_setup/Var(A[20]) relu random', 'ml_setup', '| ReLU | random | ≈ 3.42e+03 | ≈ 9.27e+36 | ≈ 1.31e+74 |', '≈ 1.31e+74'),
    Stated('ml_setup/Var(A[1]) relu he', 'ml_setup', '| ReLU | he | ≈ 0.684 | ≈ 0.949 | ≈ 1.37 |', '≈ 0.684'),
    Stated('ml_setup/Var(A[10]) relu he', 'ml_setup', '| ReLU | he | ≈ 0.684 | ≈ 0.949 | ≈ 1.37 |', '≈ 0.949'),
    Stated('ml_setup/Var(A[20]) relu he', 'ml_setup', '| ReLU | he | ≈ 0.684 | ≈ 0.949 | ≈ 1.37 |', '≈ 1.37'),
    Stated('ml_setup/Var(A[1]) relu xavier', 'ml_setup', '| ReLU | xavier | ≈ 0.342 | ≈ 0.000927 | ≈ 1.31e-06 |', '≈ 0.342'),
    Stated('ml_setup/Var(A[10]) relu xavier', 'ml_setup', '| ReLU | xavier | ≈ 0.342 | ≈ 0.000927 | ≈ 1.31e-06 |', '≈ 0.000927'),
    Stated('ml_setup/Var(A[20]) relu xavier', 'ml_setup', '| ReLU | xavier | ≈ 0.342 | ≈ 0.000927 | ≈ 1.31e-06 |', '≈ 1.31e-06'),
    Stated('ml_setup/Var(A[1]) tanh random', 'ml_setup', '| tanh | random | ≈ 0.992 | ≈ 0.992 | ≈ 0.99 |', '≈ 0.992'),
    Stated('ml_setup/Var(A[10]) tanh random', 'ml_setup', '| tanh | random | ≈ 0.992 | ≈ 0.992 | ≈ 0.99 |', '≈ 0.992'),
    Stated('ml_setup/Var(A[20]) tanh random', 'ml_setup', '| tanh | random | ≈ 0.992 | ≈ 0.992 | ≈ 0.99 |', '≈ 0.99'),
    Stated('ml_setup/Var(A[1]) tanh he', 'ml_setup', '| tanh | he | ≈ 0.518 | ≈ 0.304 | ≈ 0.307 |', '≈ 0.518'),
    Stated('ml_setup/Var(A[10]) tanh he', 'ml_setup', '| tanh | he | ≈ 0.518 | ≈ 0.304 | ≈ 0.307 |', '≈ 0.304'),
    Stated('ml_setup/Var(A[20]) tanh he', 'ml_setup', '| tanh | he | ≈ 0.518 | ≈ 0.304 | ≈ 0.307 |', '≈ 0.307'),
    Stated('ml_setup/Var(A[1]) tanh xavier', 'ml_setup', '| tanh | xavier | ≈ 0.392 | ≈ 0.0507 | ≈ 0.0229 |', '≈ 0.392'),
    Stated('ml_setup/Var(A[10]) tanh xavier', 'ml_setup', '| tanh | xavier | ≈ 0.392 | ≈ 0.0507 | ≈ 0.0229 |', '≈ 0.0507'),
    Stated('ml_setup/Var(A[20]) tanh xavier', 'ml_setup', '| tanh | xavier | ≈ 0.392 | ≈ 0.0507 | ≈ 0.0229 |', '≈ 0.0229'),
    Stated('ml_setup/Var(A[1]) relu zeros', 'ml_setup', '| ReLU | zeros | 0 | 0 | 0 |', '0'),
    Stated('ml_setup/Var(A[10]) relu zeros', 'ml_setup', '| ReLU | zeros | 0 | 0 | 0 |', '0'),
    Stated('ml_setup/Var(A[20]) relu zeros', 'ml_setup', '| ReLU | zeros | 0 | 0 | 0 |', '0'),
    Stated('ml_setup/Var(A[1]) tanh zeros', 'ml_setup', '| tanh | zeros | 0 | 0 | 0 |', '0'),
    Stated('ml_setup/Var(A[10]) tanh zeros', 'ml_setup', '| tanh | zeros | 0 | 0 | 0 |', '0'),
    Stated('ml_setup/Var(A[20]) tanh zeros', 'ml_setup', '| tanh | zeros | 0 | 0 | 0 |', '0'),
]
