"""Figures of the Regularization notebook: the three models (no regularization, L2, dropout) and
their costs and accuracies (see tools/figures/__init__.py). tools/platform_matrix.py also keeps the
runs themselves for its accuracy table and lesson margins.
"""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from figures import ROOT, perturb
from stated_figures import Stated

STATED: list[Stated] = [
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
]


SETTINGS = {"no regularization": {}, "L2": {"lambd": 0.7}, "dropout": {"keep_prob": 0.86}}
GRADED = ("compute_cost_with_regularization", "backward_propagation_with_regularization",
          "forward_propagation_with_dropout", "backward_propagation_with_dropout")
DATA = ROOT / "source" / "regularization" / "datasets" / "football.mat"


@contextlib.contextmanager
def _perturbed_initialization(model, epsilon):
    """Make ``model`` start from its usual weights scaled by 1 + epsilon * s (s: fixed random signs)."""
    namespace = model.__globals__
    original = namespace["initialize_parameters"]

    def initialize(layer_dims):
        parameters = original(layer_dims)
        for key in sorted(parameters):
            if key.startswith("W"):
                parameters[key] = perturb(parameters[key], epsilon, key)
        return parameters

    namespace["initialize_parameters"] = initialize
    try:
        yield
    finally:
        namespace["initialize_parameters"] = original


def runs(path: Path = DATA, perturbations=(0.0,)) -> list[dict]:
    """The three Regularization models on one data file, for each perturbation of the initial weights."""
    import matplotlib.pyplot as plt
    import numpy as np

    from course.grading.reference import load_reference

    ref = load_reference(str(ROOT / "source" / "regularization" / "Regularization.ipynb"))
    functions = {name: getattr(ref, name) for name in GRADED}
    train_X, train_Y, test_X, test_Y = ref.load_2D_dataset(str(path))
    runs = []
    for epsilon in perturbations:
        for name, kwargs in SETTINGS.items():
            printed = io.StringIO()
            with _perturbed_initialization(ref.model, epsilon), contextlib.redirect_stdout(printed):
                parameters = ref.model(train_X, train_Y, print_cost=True, functions=functions, **kwargs)
            plt.close("all")
            a_train, _ = ref.forward_propagation(train_X, parameters)
            a_test, _ = ref.forward_propagation(test_X, parameters)
            runs.append({
                "model": name, "perturbation": epsilon,
                "train": ref.accuracy(train_X, train_Y, parameters), "test": ref.accuracy(test_X, test_Y, parameters),
                "margin": float(np.min(np.abs(np.concatenate([a_train.ravel(), a_test.ravel()]) - 0.5))),
                "costs": re.findall(r"Cost after iteration (\d+): (\S+)", printed.getvalue()),
            })
    return runs


def figures_of(runs: list[dict], prefix: str = "regularization") -> dict:
    """{epsilon: {figure: value}} of the printed costs and the accuracies."""
    out: dict = {}
    for run in runs:
        figures = out.setdefault(run["perturbation"], {})
        for iteration, value in run["costs"]:
            figures[f"{prefix}/{run['model']}/cost {iteration}"] = value
        figures[f"{prefix}/{run['model']}/train accuracy"] = repr(run["train"])
        figures[f"{prefix}/{run['model']}/test accuracy"] = repr(run["test"])
    return out


def measure(epsilon: float = 0.0) -> dict:
    """The costs and accuracies of the three models on datasets/football.mat, for one perturbation."""
    return figures_of(runs(DATA, (epsilon,)))[epsilon]

