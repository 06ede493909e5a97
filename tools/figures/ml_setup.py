"""Figures of the ML Setup notebook and its lesson: the sweep's diagnosis on every platform (see tools/figures/__init__.py)."""
from __future__ import annotations


from figures import ROOT, perturb
from stated_figures import Stated

STATED: list[Stated] = [
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


def measure(epsilon: float = 0.0) -> dict:
    """The figures the ML Setup notebook states (tests/test_ml_setup.py): sweep errors and diagnoses,
    learning curves, normalization statistics, gradient-descent steps, the deep linear network and
    the activation variances through 20 layers (epsilon perturbs every input matrix)."""
    import numpy as np

    from course.grading.reference import load_reference

    ref = load_reference(str(ROOT / "source" / "ml_setup" / "ML_Setup.ipynb"))
    figures = {}
    X = perturb(ref.X, epsilon, "X")
    X_train, Y_train, X_dev, Y_dev, _, _ = ref.split_train_dev_test(X, ref.Y, 0.25, 0.25, seed=1)
    train_errors, dev_errors = ref.complexity_sweep(X_train, Y_train, X_dev, Y_dev, ref.DEGREES)
    for d, tr, dv in zip(ref.DEGREES, train_errors, dev_errors):
        diagnosis = ref.diagnose_bias_variance(tr, dv, bayes_error=ref.BAYES_ERROR, threshold=0.04)
        figures[f"ml_setup/degree {d} train error"] = repr(tr)
        figures[f"ml_setup/degree {d} dev error"] = repr(dv)
        figures[f"ml_setup/degree {d} diagnosis"] = "+".join(k for k, v in diagnosis.items() if v) or "none"
    sizes = [25, 50, 100, 200, 300, 500]
    for d in (1, 15):
        tr, dv = ref.learning_curve(X_train, Y_train, X_dev, Y_dev, d, sizes)
        for n, a, b in zip(sizes, tr, dv):
            figures[f"ml_setup/learning curve degree {d} n={n} train"] = repr(a)
            figures[f"ml_setup/learning curve degree {d} n={n} dev"] = repr(b)
    Xh, yh, _, _, _, _ = ref.split_train_dev_test(perturb(ref.X_house, epsilon, "X_house"), ref.y_house, 0.2, 0.0, seed=2)
    Xn, mu, sigma = ref.normalize_inputs(Xh)
    for k in range(mu.shape[0]):
        figures[f"ml_setup/house mu[{k}]"] = repr(float(mu[k, 0]))
        figures[f"ml_setup/house sigma[{k}]"] = repr(float(sigma[k, 0]))
    for name, data in (("raw", Xh), ("normalized", Xn)):
        rate = ref.safe_learning_rate(data)
        steps, _, costs = ref.gradient_descent(data, yh, rate, max_steps=10000)
        figures[f"ml_setup/gradient descent {name}: learning rate"] = repr(rate)
        figures[f"ml_setup/gradient descent {name}: steps"] = repr(steps)
        figures[f"ml_setup/gradient descent {name}: final cost"] = repr(costs[-1])
    x = perturb(np.ones((2, 1)), epsilon, "x")
    for a in (0.5, 1.0, 1.5):
        figures[f"ml_setup/deep linear a={a}, L=50"] = repr(float(ref.deep_linear_output(x, a, 50)[0, 0]))
    X_deep = perturb(np.random.RandomState(1).randn(100, 500), epsilon, "X_deep")
    for activation in ("relu", "tanh"):
        for init in ("zeros", "random", "he", "xavier"):
            v = ref.activation_variances(X_deep, [100] * 21, init, activation, 1)
            for layer in (1, 10, 20):
                figures[f"ml_setup/Var(A[{layer}]) {activation} {init}"] = repr(v[layer - 1])
    return figures


# The ML Setup lesson (degree -> diagnosis with Bayes error 0.10 and threshold 0.04), as the notebook states it.
DIAGNOSIS = {1: "high_bias", 2: "high_bias", 3: "high_bias", 4: "high_bias", 5: "none", 6: "none",
                      8: "none", 10: "none", 12: "high_variance", 15: "high_variance"}


def check(results: list[dict]) -> tuple[list[str], bool]:
    """Does every platform (and perturbation) give the ML Setup sweep the notebook's diagnosis?"""
    ok = [r for r in results if "error" not in r]
    wrong = [f"{r['platform']} degree {d}" for r in ok for figures in [r["figures"], *r.get("perturbed", {}).values()]
             for d, want in DIAGNOSIS.items()
             if f"ml_setup/degree {d} diagnosis" in figures and figures[f"ml_setup/degree {d} diagnosis"] != want]
    passed = bool(ok) and not wrong
    verdict = "yes" if passed else "NO " + (", ".join(sorted(set(wrong))) if wrong else "(no platform measured)")
    return [f"the sweep's diagnosis is the notebook's on every platform: {verdict}"], passed
