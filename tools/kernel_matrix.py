"""Run the course's reference figures under every OpenBLAS kernel this CPU can execute.

OpenBLAS picks a compute kernel for the CPU when numpy loads it; ``OPENBLAS_CORETYPE`` forces
another one. Kernels differ in the last bits of matrix products, and a long training run can
amplify those bits. This script runs each kernel in its own child process and prints:

1. the Regularization accuracy table (train / test of the three models), once with the
   syllabus's initial weights and once with each weight scaled by 1 +- 1e-10 (a fixed random
   sign pattern), with the smallest distance |a3 - 0.5| of any point to the decision threshold;
2. the lesson margins (train - test without regularization, test gain of L2 and dropout);
3. every figure stated in the notebooks, the README and the tests, with its value under each
   kernel: "stable" when all kernels print the same digits, else the digits they share and the
   largest relative difference (the tolerance the tests use);
4. whether the ML Setup sweep gives the notebook's diagnosis (high bias, neither, high variance by
   degree) under every kernel.

Usage::

    python tools/kernel_matrix.py                  # all kernels below, one child at a time
    python tools/kernel_matrix.py --kernels Haswell,Nehalem --jobs 2
    python tools/kernel_matrix.py --json matrix.json

Exit status 0 when every kernel and perturbation gives the same three accuracy pairs, the
lesson margins hold and the ML Setup diagnosis is the stated one; 1 otherwise. ``make check-platforms`` runs it.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import io
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = ROOT.parent / "shared" / "reference" / "original-football.mat"

# x86-64 kernels of OpenBLAS's DYNAMIC_ARCH build (numpy's wheel); SkylakeX needs AVX-512.
KERNELS = ("Haswell", "Zen", "SkylakeX", "Sandybridge", "Nehalem", "Prescott")
PERTURBATIONS = (0.0, 1e-10, -1e-10)
SETTINGS = {"no regularization": {}, "L2": {"lambd": 0.7}, "dropout": {"keep_prob": 0.86}}
GRADED = ("compute_cost_with_regularization", "backward_propagation_with_regularization",
          "forward_propagation_with_dropout", "backward_propagation_with_dropout")

# The lesson the Regularization notebook teaches, in accuracy points (issue 10).
MIN_OVERFIT = 0.04   # no regularization: train - test
MIN_GAIN = 0.03      # L2 and dropout: test accuracy above no regularization


# ---------------------------------------------------------------------------------------------
# Child process: one kernel


def _openblas_core() -> str:
    """The kernel OpenBLAS actually loaded (read from the shared library numpy uses)."""
    import ctypes

    import numpy as np

    np.dot(np.ones((2, 2)), np.ones((2, 2)))
    with open("/proc/self/maps", encoding="utf-8") as maps:
        libs = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
    for lib in libs:
        handle = ctypes.CDLL(lib)
        for name in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename64_",
                     "openblas_get_corename"):
            func = getattr(handle, name, None)
            if func is not None:
                func.restype = ctypes.c_char_p
                return func().decode()
    return "unknown"


def _product_digest() -> str:
    """A digest of a few matrix products of the network's shapes: equal digests, equal kernel arithmetic."""
    import hashlib

    import numpy as np

    rng = np.random.default_rng(0)
    digest = hashlib.sha256()
    for a, b, c in ((20, 2, 211), (3, 20, 211), (1, 3, 211), (20, 211, 2), (10, 2, 300), (5, 10, 300)):
        digest.update((rng.standard_normal((a, b)) @ rng.standard_normal((b, c))).tobytes())
    return digest.hexdigest()[:12]


@contextlib.contextmanager
def _perturbed_initialization(model, epsilon):
    """Make ``model`` start from its usual weights scaled by 1 + epsilon * s (s: fixed random signs)."""
    import numpy as np

    namespace = model.__globals__
    original = namespace["initialize_parameters"]

    def initialize(layer_dims):
        parameters = original(layer_dims)
        signs = np.random.RandomState(2026)
        for key in sorted(parameters):
            if key.startswith("W"):
                parameters[key] = parameters[key] * (1 + epsilon * signs.choice([-1.0, 1.0], parameters[key].shape))
        return parameters

    namespace["initialize_parameters"] = initialize
    try:
        yield
    finally:
        namespace["initialize_parameters"] = original


def regularization_runs(path: Path, perturbations=PERTURBATIONS) -> list[dict]:
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
                parameters = ref.model(train_X, train_Y, print_cost=epsilon == 0, functions=functions, **kwargs)
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


def initialization_figures() -> dict:
    """Costs and accuracies of the four Initialization runs (15000 iterations each)."""
    import numpy as np

    from course.grading.reference import load_reference

    ref = load_reference(str(ROOT / "source" / "initialization" / "Initialization.ipynb"))
    figures = {}
    for name in ("zeros", "random", "he", "xavier"):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            parameters = ref.model(ref.train_X, ref.train_Y, num_iterations=15000, print_cost=True,
                                   initialization=getattr(ref, f"initialize_parameters_{name}"))
        costs = re.findall(r"Cost after iteration (\d+): (\S+)", printed.getvalue())
        for iteration, value in costs:
            figures[f"initialization/{name}/cost {iteration}"] = value
        for split, X, Y in (("train", ref.train_X, ref.train_Y), ("test", ref.test_X, ref.test_Y)):
            accuracy = float(np.mean(ref.predict(X, Y, parameters, verbose=False) == Y))
            figures[f"initialization/{name}/{split} accuracy"] = repr(accuracy)
    return figures


def gradient_checking_figures() -> dict:
    """The differences the Gradient Checking notebook prints."""
    from course.grading.reference import load_reference

    ref = load_reference(str(ROOT / "source" / "gradient_checking" / "Gradient_Checking.ipynb"))
    figures = {"gradient_checking/1-D difference": repr(ref.gradient_check(2, 4))}
    X, Y, parameters = ref.gradient_check_n_test_case()
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    with contextlib.redirect_stdout(io.StringIO()):
        buggy = ref.gradient_check_n(parameters, ref.backward_propagation_n(X, Y, cache), X, Y)
        fixed_gradients = ref.backward_propagation_n_fixed(X, Y, cache)
        fixed = ref.gradient_check_n(parameters, fixed_gradients, X, Y)
        report = ref.gradient_check_report(parameters, fixed_gradients, X, Y)
    figures["gradient_checking/N-D difference, buggy"] = repr(buggy)
    figures["gradient_checking/N-D difference, fixed"] = repr(fixed)
    for block, value in report.items():
        figures[f"gradient_checking/fixed report {block}"] = repr(float(value))
    return figures


def ml_setup_figures() -> dict:
    """The figures the ML Setup notebook states (tests/test_ml_setup.py): sweep errors and diagnoses,
    learning curves, normalization statistics, gradient-descent steps, the deep linear network and
    the activation variances through 20 layers."""
    import numpy as np

    from course.grading.reference import load_reference

    ref = load_reference(str(ROOT / "source" / "ml_setup" / "ML_Setup.ipynb"))
    figures = {}
    X_train, Y_train, X_dev, Y_dev, _, _ = ref.split_train_dev_test(ref.X, ref.Y, 0.25, 0.25, seed=1)
    train_errors, dev_errors = ref.complexity_sweep(X_train, Y_train, X_dev, Y_dev, ref.DEGREES)
    for d, tr, dv in zip(ref.DEGREES, train_errors, dev_errors):
        diagnosis = ref.diagnose_bias_variance(tr, dv, bayes_error=ref.BAYES_ERROR, threshold=0.04)
        figures[f"ml_setup/degree {d} train / dev error"] = f"{tr!r} / {dv!r}"
        figures[f"ml_setup/degree {d} diagnosis"] = "+".join(k for k, v in diagnosis.items() if v) or "none"
    sizes = [25, 50, 100, 200, 300, 500]
    for d in (1, 15):
        tr, dv = ref.learning_curve(X_train, Y_train, X_dev, Y_dev, d, sizes)
        figures[f"ml_setup/learning curve degree {d} (train; dev)"] = f"{tr}; {dv}"
    Xh, yh, _, _, _, _ = ref.split_train_dev_test(ref.X_house, ref.y_house, 0.2, 0.0, seed=2)
    Xn, mu, sigma = ref.normalize_inputs(Xh)
    figures["ml_setup/house mu"] = repr(mu.ravel().tolist())
    figures["ml_setup/house sigma"] = repr(sigma.ravel().tolist())
    for name, data in (("raw", Xh), ("normalized", Xn)):
        rate = ref.safe_learning_rate(data)
        steps, _, costs = ref.gradient_descent(data, yh, rate, max_steps=10000)
        figures[f"ml_setup/gradient descent {name}: learning rate"] = repr(rate)
        figures[f"ml_setup/gradient descent {name}: steps"] = repr(steps)
        figures[f"ml_setup/gradient descent {name}: final cost"] = repr(costs[-1])
    x = np.ones((2, 1))
    for a in (0.5, 1.0, 1.5):
        figures[f"ml_setup/deep linear a={a}, L=50"] = repr(float(ref.deep_linear_output(x, a, 50)[0, 0]))
    X_deep = np.random.RandomState(1).randn(100, 500)
    for activation in ("relu", "tanh"):
        for init in ("zeros", "random", "he", "xavier"):
            v = ref.activation_variances(X_deep, [100] * 21, init, activation, 1)
            for layer in (1, 10, 20):
                figures[f"ml_setup/Var(A[{layer}]) {activation} {init}"] = repr(v[layer - 1])
    return figures


# The ML Setup lesson (degree -> diagnosis with Bayes error 0.10 and threshold 0.04), as the notebook states it.
ML_SETUP_DIAGNOSIS = {1: "high_bias", 2: "high_bias", 3: "high_bias", 4: "high_bias", 5: "none", 6: "none",
                      8: "none", 10: "none", 12: "high_variance", 15: "high_variance"}

PARTS = ("regularization", "original", "initialization", "gradient_checking", "ml_setup")


def child(parts: tuple[str, ...]) -> dict:
    """Everything measured under the kernel this process was started with (parts empty: probe only)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, str(ROOT))
    out = {"core": _openblas_core(), "digest": _product_digest(), "regularization": [], "figures": {}}
    if not parts:
        return out
    started = time.time()
    if "regularization" in parts:
        out["regularization"] = regularization_runs(ROOT / "source" / "regularization" / "datasets" / "football.mat")
    if "original" in parts and ORIGINAL.is_file():
        out["original"] = regularization_runs(ORIGINAL, perturbations=(0.0,))
    if "initialization" in parts:
        out["figures"].update(initialization_figures())
    if "gradient_checking" in parts:
        out["figures"].update(gradient_checking_figures())
    if "ml_setup" in parts:
        out["figures"].update(ml_setup_figures())
    for run in out["regularization"] + out.get("original", []):
        prefix = "regularization" if run in out["regularization"] else "original data"
        if run["perturbation"] == 0:
            for iteration, value in run["costs"]:
                out["figures"][f"{prefix}/{run['model']}/cost {iteration}"] = value
            out["figures"][f"{prefix}/{run['model']}/train accuracy"] = repr(run["train"])
            out["figures"][f"{prefix}/{run['model']}/test accuracy"] = repr(run["test"])
    out["seconds"] = round(time.time() - started, 1)
    return out


# ---------------------------------------------------------------------------------------------
# Parent process: run the kernels, print the tables


def run_kernel(kernel: str, parts: tuple[str, ...] = PARTS, timeout: float = 3600) -> dict:
    """Start a child with OPENBLAS_CORETYPE=kernel; a kernel the CPU cannot run dies with SIGILL."""
    env = dict(os.environ, OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", ",".join(parts)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        reason = "illegal instruction: this CPU cannot run it" if proc.returncode == -4 else proc.stderr[-400:]
        return {"kernel": kernel, "error": reason}
    result = {"kernel": kernel, **json.loads(proc.stdout.splitlines()[-1])}
    if parts:
        print(f"{kernel}: measured in {result.get('seconds', 0):.0f} s", file=sys.stderr, flush=True)
    return result


def _pair(run: dict) -> str:
    """Train accuracy (211 points) to 4 decimals, test accuracy (200 points, steps of 0.005) exactly."""
    return f"{run['train']:.4f} / {run['test']:.3f}"


def accuracy_table(results: list[dict], key: str = "regularization") -> list[str]:
    lines = ["| kernel (loaded core) | initial weights | no regularization (train / test) | L2 | dropout | min abs(a3 - 0.5) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for result in results:
        if "error" in result:
            lines.append(f"| {result['kernel']} | - | {result['error']} | | | |")
            continue
        runs = result.get(key, [])
        for epsilon in sorted({r["perturbation"] for r in runs}, key=lambda e: (e != 0, -e)):
            row = {r["model"]: r for r in runs if r["perturbation"] == epsilon}
            label = "syllabus" if epsilon == 0 else f"x (1 {'+' if epsilon > 0 else '-'} {abs(epsilon):g} s)"
            margin = min(r["margin"] for r in row.values())
            lines.append(f"| {result['kernel']} ({result['core']}) | {label} | "
                         + " | ".join(_pair(row[m]) for m in SETTINGS) + f" | {margin:.3g} |")
    return lines


def _shared_digits(values: list[str]) -> str:
    """The leading characters that every kernel printed alike."""
    return os.path.commonprefix(values)


def figure_table(results: list[dict]) -> tuple[list[str], dict]:
    ok = [r for r in results if "error" not in r]
    names = list(ok[0]["figures"]) if ok else []
    lines = ["| figure | value(s) | stability | max relative difference |", "| --- | --- | --- | --- |"]
    summary = {}
    for name in names:
        values = [r["figures"].get(name, "missing") for r in ok]
        distinct = sorted(set(values), key=values.index)
        if len(distinct) == 1:
            lines.append(f"| {name} | {distinct[0]} | stable | 0 |")
            summary[name] = {"stable": True, "values": distinct}
            continue
        numbers = [float(v) for v in distinct]
        finite = [x for x in numbers if math.isfinite(x)]
        spread = (max(finite) - min(finite)) / max(abs(x) for x in finite) if finite and max(map(abs, finite)) else 0.0
        by_kernel = ", ".join(f"{r['kernel']}: {r['figures'].get(name)}" for r in ok)
        lines.append(f"| {name} | {by_kernel} | differs (shared: {_shared_digits(distinct)}) | {spread:.1e} |")
        summary[name] = {"stable": False, "values": distinct, "relative_spread": spread}
    return lines, summary


def lesson_check(results: list[dict]) -> tuple[list[str], bool]:
    """Same accuracy pairs under every kernel and perturbation, and the lesson's margins."""
    ok = [r for r in results if "error" not in r]
    tables = {tuple((run["model"], run["train"], run["test"]) for run in r["regularization"] if run["perturbation"] == e)
              for r in ok for e in {run["perturbation"] for run in r["regularization"]}}
    lines = []
    same = len(tables) == 1
    lines.append(f"identical accuracy pairs under every kernel and perturbation: {'yes' if same else 'NO'} "
                 f"({len(ok)} kernels, {len(tables)} distinct table(s))")
    passed = same and bool(ok)
    if ok:
        acc = {run["model"]: (run["train"], run["test"]) for run in ok[0]["regularization"] if run["perturbation"] == 0}
        overfit = acc["no regularization"][0] - acc["no regularization"][1]
        gain_l2 = acc["L2"][1] - acc["no regularization"][1]
        gain_dropout = acc["dropout"][1] - acc["no regularization"][1]
        differ = acc["L2"] != acc["dropout"]
        lines.append(f"no regularization overfits by {overfit * 100:.1f} points (>= {MIN_OVERFIT * 100:.0f}): "
                     f"{'ok' if overfit >= MIN_OVERFIT - 1e-12 else 'NO'}")
        lines.append(f"L2 gains {gain_l2 * 100:.1f} test points, dropout {gain_dropout * 100:.1f} (>= {MIN_GAIN * 100:.0f}): "
                     f"{'ok' if min(gain_l2, gain_dropout) >= MIN_GAIN - 1e-12 else 'NO'}")
        lines.append(f"L2 and dropout give different results: {'ok' if differ else 'NO'}")
        margin = min(run["margin"] for r in ok for run in r["regularization"])
        lines.append(f"smallest abs(a3 - 0.5) over all points, kernels and perturbations: {margin:.3g}")
        passed = passed and overfit >= MIN_OVERFIT - 1e-12 and min(gain_l2, gain_dropout) >= MIN_GAIN - 1e-12 and differ
    return lines, passed


def ml_setup_check(results: list[dict]) -> tuple[list[str], bool]:
    """Does every kernel give the ML Setup sweep the diagnosis the notebook states (ML_SETUP_DIAGNOSIS)?"""
    ok = [r for r in results if "error" not in r]
    wrong = [f"{r['kernel']} degree {d}" for r in ok for d, want in ML_SETUP_DIAGNOSIS.items()
             if r["figures"].get(f"ml_setup/degree {d} diagnosis") != want]
    passed = bool(ok) and not wrong
    verdict = "yes" if passed else "NO " + (", ".join(wrong) if wrong else "(no kernel measured)")
    return [f"the sweep's diagnosis is the notebook's under every kernel: {verdict}"], passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernels", default=",".join(KERNELS), help="comma-separated OPENBLAS_CORETYPE values")
    parser.add_argument("--jobs", type=int, default=1, help="kernels run at the same time (default 1)")
    parser.add_argument("--json", type=Path, help="also write the raw measurements to this file")
    parser.add_argument("--parts", default=",".join(PARTS), help="what to measure (default: %(default)s)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(tuple(p for p in args.child.split(",") if p))))
        return 0
    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())

    kernels = [k.strip() for k in args.kernels.split(",") if k.strip()]
    probes = {k: run_kernel(k, parts=()) for k in kernels}
    runnable = [k for k in kernels if "error" not in probes[k]]
    print("kernels: " + ", ".join(
        f"{k} -> {probes[k]['core']} (products {probes[k]['digest']})" if k in runnable else f"{k}: not runnable here"
        for k in kernels), flush=True)
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        measured = dict(zip(runnable, pool.map(lambda k: run_kernel(k, parts), runnable)))
    results = [measured.get(k, probes[k]) for k in kernels]
    for r in results:
        if "error" in r and r["kernel"] in runnable:
            print(f"{r['kernel']}: {r['error']}", file=sys.stderr)

    print(f"\nmeasured in {time.time() - started:.0f} s")
    passed = True
    if "regularization" in parts:
        print("\n## Regularization on datasets/football.mat\n")
        print("\n".join(accuracy_table(results)))
        print()
        lesson_lines, passed = lesson_check(results)
        print("\n".join(lesson_lines))
    if any("original" in r for r in results):
        print("\n## Regularization on shared/reference/original-football.mat (compatibility test)\n")
        print("\n".join(accuracy_table(results, "original")))
    if "ml_setup" in parts:
        ml_lines, ml_passed = ml_setup_check(results)
        print("\n## ML Setup\n")
        print("\n".join(ml_lines))
        passed = passed and ml_passed
    lines, summary = figure_table(results)
    print("\n## Stated figures under each kernel\n")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps({"results": results, "figures": summary}, indent=1) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
