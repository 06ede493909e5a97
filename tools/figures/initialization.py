"""Figures of the Initialization notebook (see tools/figures/__init__.py)."""
from __future__ import annotations

import contextlib
import io
import re

from figures import ROOT, perturb
from stated_figures import Stated

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
]


def measure(epsilon: float = 0.0) -> dict:
    """Costs and accuracies of the four Initialization runs (15000 iterations each)."""
    import numpy as np

    from course.grading.reference import load_reference

    ref = load_reference(str(ROOT / "source" / "initialization" / "Initialization.ipynb"))
    figures = {}
    for name in ("zeros", "random", "he", "xavier"):
        initialize = getattr(ref, f"initialize_parameters_{name}")

        def perturbed(layers_dims, initialize=initialize):
            parameters = initialize(layers_dims)
            return {k: perturb(v, epsilon, k) if k.startswith("W") else v for k, v in parameters.items()}

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            parameters = ref.model(ref.train_X, ref.train_Y, num_iterations=15000, print_cost=True,
                                   initialization=perturbed)
        costs = re.findall(r"Cost after iteration (\d+): (\S+)", printed.getvalue())
        for iteration, value in costs:
            figures[f"initialization/{name}/cost {iteration}"] = value
        for split, X, Y in (("train", ref.train_X, ref.train_Y), ("test", ref.test_X, ref.test_Y)):
            accuracy = float(np.mean(ref.predict(X, Y, parameters, verbose=False) == Y))
            figures[f"initialization/{name}/{split} accuracy"] = repr(accuracy)
    return figures
