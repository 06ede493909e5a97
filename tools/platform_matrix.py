"""Run the course's stated figures on every platform this CPU can imitate, and say which are stable.

Two things change the last bits of a float between machines: numpy's own SIMD loops (for
``exp``, ``log`` and reductions numpy picks X86_V2, X86_V3 = AVX2 or X86_V4 = AVX-512 code by CPU
level; ``NPY_DISABLE_CPU_FEATURES`` turns levels off) and OpenBLAS's matrix-product kernel
(``OPENBLAS_CORETYPE``), plus the BLAS thread count. A platform here is one combination of the
three. Each platform runs in its own child process, ``--repeat`` times (on AVX-512 the same
command can print different last digits from one run to the next: array alignment changes how
the SIMD reductions group their sums).

Every training run is also repeated with its initial weights (or, where there are none, its
input data) scaled by 1 +- 1e-10 (a fixed random sign per entry): a figure that such a change
moves is a figure no machine can promise to the last digit, even if every platform here agreed.

The script prints:

1. the Regularization accuracy table (train / test of the three models) per platform and
   perturbation, with the smallest distance |a3 - 0.5| of any point to the threshold;
2. the lesson margins (train - test without regularization, test gain of L2 and dropout);
3. whether the ML Setup sweep gives the notebook's diagnosis on every platform;
4. every measured figure with its spread over the platforms and over the perturbations, and the
   significant digits that can be promised (a unit in the last digit at least ten times the
   largest spread);
5. every figure the notebooks state (tools/stated_figures.py), and whether every platform,
   repetition and perturbation prints it (an exact statement: the same repr; "≈ V": within one
   unit of V's last digit).

Usage::

    python tools/platform_matrix.py                       # every level x kernel x 1 and 2 threads
    python tools/platform_matrix.py --levels X86_V4,X86_V2 --kernels Haswell,Nehalem --threads 1
    python tools/platform_matrix.py --repeat 3 --jobs 2 --json matrix.json
    python tools/platform_matrix.py --tests --repeat 2 --jobs 2  # pytest -m figures on every platform
    python tools/platform_matrix.py --from-json matrix.json --summary docs/platform-matrix.json
    python tools/platform_matrix.py --parts softmax --jobs 2 --summary docs/platform-matrix/softmax.json
                                   # an assignment added later: its own record, a new file

Exit status 0 when every platform and perturbation gives the same three accuracy pairs, the lesson
margins hold, the ML Setup diagnosis is the stated one and every stated figure holds everywhere;
1 otherwise. ``make check-platforms`` runs it.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import stated_figures  # noqa: E402  (tools/stated_figures.py: what the notebooks state)
from figures import ml_setup as _ml_setup  # noqa: E402
from figures import regularization as _regularization  # noqa: E402

# The Regularization runs also give the accuracy table and the lesson margins (lesson_check).
SETTINGS, GRADED = _regularization.SETTINGS, _regularization.GRADED
regularization_runs, regularization_figures = _regularization.runs, _regularization.figures_of
ML_SETUP_DIAGNOSIS, ml_setup_check = _ml_setup.DIAGNOSIS, _ml_setup.check

ORIGINAL = ROOT.parent / "shared" / "reference" / "original-football.mat"

# numpy's x86-64 SIMD levels, highest first, and what turns each one off. numpy dispatches
# AVX512_ICL and AVX512_SPR on their own, so X86_V4 is only off when they are named too.
LEVELS = {
    "X86_V4": "",
    "X86_V3": "X86_V4 AVX512_ICL AVX512_SPR",
    "X86_V2": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
}
# x86-64 kernels of OpenBLAS's DYNAMIC_ARCH build (numpy's wheel); SkylakeX needs AVX-512, Zen
# computes as Haswell.
KERNELS = ("Haswell", "SkylakeX", "Sandybridge", "Nehalem", "Prescott")
THREADS = (1, 2)
PERTURBATIONS = (0.0, 1e-10, -1e-10)

# The lesson the Regularization notebook teaches, in accuracy points (issue 10).
MIN_OVERFIT = 0.04   # no regularization: train - test
MIN_GAIN = 0.03      # L2 and dropout: test accuracy above no regularization
# A promised digit: one unit in it is at least this many times the largest spread measured.
DIGIT_MARGIN = 10.0


def platform_env(level: str, kernel: str, threads: int) -> dict:
    """The environment variables that make a child compute as (level, kernel, threads)."""
    env = {"OPENBLAS_CORETYPE": kernel, "OPENBLAS_NUM_THREADS": str(threads), "MPLBACKEND": "Agg"}
    if LEVELS[level]:
        env["NPY_DISABLE_CPU_FEATURES"] = LEVELS[level]
    return env


def child_env(level: str, kernel: str, threads: int) -> dict:
    """This process's environment with the platform's variables (and no level of our own)."""
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    env.update(platform_env(level, kernel, threads))
    return env


def platform_name(level: str, kernel: str, threads: int) -> str:
    return f"{level} x {kernel} x {threads}t"


# ---------------------------------------------------------------------------------------------
# Child process: one platform


def _numpy_level() -> str:
    """The highest x86 SIMD level numpy dispatches to in this process."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    enabled = [f for f in __cpu_dispatch__ if __cpu_features__.get(f)]
    return next((level for level in LEVELS if level in enabled), "X86_V2") + (
        "+" + "+".join(f for f in enabled if f.startswith("AVX512_")) if any(f.startswith("AVX512_") for f in enabled) else "")


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
    """A digest of a few matrix products and SIMD reductions of the network's shapes: equal digests,
    equal arithmetic."""
    import hashlib

    import numpy as np

    rng = np.random.default_rng(0)
    digest = hashlib.sha256()
    for a, b, c in ((20, 2, 211), (3, 20, 211), (1, 3, 211), (20, 211, 2), (10, 2, 300), (5, 10, 300)):
        product = rng.standard_normal((a, b)) @ rng.standard_normal((b, c))
        digest.update(product.tobytes())
        digest.update(np.log(np.abs(product) + 1).sum(axis=1).tobytes() + np.exp(-np.abs(product)).tobytes())
    return digest.hexdigest()[:12]


# Every assignment with a tools/figures/<assignment>.py is a part; "original" is the Regularization runs on
# the original course file (when shared/reference/ has it). Regularization is measured by child() itself: its
# runs also feed the accuracy table.
FIGURE_MODULES = stated_figures.figure_modules()
PARTS = ("regularization", "original") + tuple(a for a in FIGURE_MODULES if a != "regularization")
FIGURE_PARTS = {a: m.measure for a, m in FIGURE_MODULES.items() if a != "regularization"}


def child(parts: tuple[str, ...], perturbations=PERTURBATIONS) -> dict:
    """Everything measured on the platform this process was started with (parts empty: probe only).

    ``figures`` holds the unperturbed values; ``perturbed`` maps each other epsilon (as a string) to
    the values with that perturbation."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, str(ROOT))
    out = {"level": _numpy_level(), "core": _openblas_core(), "digest": _product_digest(),
           "regularization": [], "figures": {}, "perturbed": {}}
    if not parts:
        return out
    started = time.time()
    by_epsilon: dict = {}
    if "regularization" in parts:
        out["regularization"] = regularization_runs(_regularization.DATA, perturbations)
        for eps, figures in regularization_figures(out["regularization"]).items():
            by_epsilon.setdefault(eps, {}).update(figures)
    if "original" in parts and ORIGINAL.is_file():
        out["original"] = regularization_runs(ORIGINAL, perturbations=(0.0,))
        by_epsilon.setdefault(0.0, {}).update(regularization_figures(out["original"], "original data")[0.0])
    for part, measure in FIGURE_PARTS.items():
        if part in parts:
            for eps in perturbations:
                by_epsilon.setdefault(eps, {}).update(measure(eps))
    out["figures"] = by_epsilon.pop(0.0, {})
    out["perturbed"] = {repr(eps): figures for eps, figures in by_epsilon.items()}
    out["seconds"] = round(time.time() - started, 1)
    return out


# ---------------------------------------------------------------------------------------------
# Parent process: run the platforms, print the tables


def run_platform(level: str, kernel: str, threads: int, parts: tuple[str, ...] = PARTS,
                 timeout: float = 3600) -> dict:
    """Start a child on (level, kernel, threads); a kernel the CPU cannot run dies with SIGILL."""
    env = child_env(level, kernel, threads)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", ",".join(parts)]
    name = platform_name(level, kernel, threads)
    base = {"platform": name, "level_asked": level, "kernel": kernel, "threads": threads}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        reason = "illegal instruction: this CPU cannot run it" if proc.returncode == -4 else proc.stderr[-400:]
        return {**base, "error": reason}
    result = {**base, **json.loads(proc.stdout.splitlines()[-1])}
    if parts:
        print(f"{name}: measured in {result.get('seconds', 0):.0f} s", file=sys.stderr, flush=True)
    return result


def run_figure_tests(levels, kernels, threads, repeat: int, jobs: int) -> int:
    """pytest -m figures on every platform, ``repeat`` times each; 0 when every run passed."""
    def one(job):
        level, kernel, n, attempt = job
        env = child_env(level, kernel, n)
        started = time.time()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "figures", "-p", "no:cacheprovider"],
                              cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        tail = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"{platform_name(level, kernel, n)} run {attempt}: {tail} ({time.time() - started:.0f} s)",
              file=sys.stderr, flush=True)
        failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED")]
        return platform_name(level, kernel, n), attempt, proc.returncode, tail, failed

    work = [(lv, k, n, a) for lv in levels for k in kernels for n in threads for a in range(1, repeat + 1)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = list(pool.map(one, work))
    print("| platform | run | result |\n| --- | --- | --- |")
    for name, attempt, code, tail, failed in outcomes:
        print(f"| {name} | {attempt} | {tail}{'; ' + '; '.join(failed) if failed else ''} |")
    bad = sum(1 for o in outcomes if o[2] != 0)
    print(f"\n{len(outcomes) - bad} of {len(outcomes)} runs passed")
    return 0 if not bad else 1


def available_levels() -> list[str]:
    """The SIMD levels this CPU has (numpy cannot turn on a level the CPU lacks)."""
    native = run_platform("X86_V4", "Haswell", 1, parts=())
    top = native.get("level", "X86_V2").split("+")[0]
    names = list(LEVELS)
    return names[names.index(top):] if top in names else ["X86_V2"]


def ci_platforms(levels: list[str]) -> list[tuple[str, str, int]]:
    """Three platforms other than the machine's own, for .ci/run: the CPU's level with another kernel,
    the next level down with two BLAS threads, and the lowest level with a third kernel."""
    lower = levels[1] if len(levels) > 1 else levels[-1]
    return [(levels[0], "Nehalem", 1), (lower, "Prescott", 2), (levels[-1], "Sandybridge", 1)]


def _pair(run: dict) -> str:
    """Train accuracy (211 points) to 4 decimals, test accuracy (200 points, steps of 0.005) exactly."""
    return f"{run['train']:.4f} / {run['test']:.3f}"


def _label(result: dict) -> str:
    if "error" in result:
        return result["platform"]
    return f"{result['platform']} (numpy {result['level']}, OpenBLAS {result['core']})"


def accuracy_table(results: list[dict], key: str = "regularization") -> list[str]:
    lines = ["| platform (what loaded) | initial weights | no regularization (train / test) | L2 | dropout | min abs(a3 - 0.5) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for result in results:
        if "error" in result:
            lines.append(f"| {result['platform']} | - | {result['error']} | | | |")
            continue
        runs = result.get(key, [])
        for epsilon in sorted({r["perturbation"] for r in runs}, key=lambda e: (e != 0, -e)):
            row = {r["model"]: r for r in runs if r["perturbation"] == epsilon}
            label = "syllabus" if epsilon == 0 else f"x (1 {'+' if epsilon > 0 else '-'} {abs(epsilon):g} s)"
            margin = min(r["margin"] for r in row.values())
            lines.append(f"| {_label(result)} | {label} | " + " | ".join(_pair(row[m]) for m in SETTINGS)
                         + f" | {margin:.3g} |")
    return lines


def _float(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def promised_digits(reference: float, spread: float) -> int | None:
    """Significant digits of ``reference`` whose last unit is >= DIGIT_MARGIN x ``spread`` (None: all)."""
    if spread == 0 or not math.isfinite(reference) or reference == 0:
        return None
    return math.floor(math.log10(abs(reference))) - math.ceil(math.log10(DIGIT_MARGIN * spread)) + 1


def figure_summary(results: list[dict]) -> dict:
    """For every figure: its values on the platforms and under the perturbations, spreads, promised digits."""
    ok = [r for r in results if "error" not in r]
    names = list(dict.fromkeys(name for r in ok for name in r["figures"]))
    summary = {}
    for name in names:
        # results of runs that measured fewer parts (--parts) do not count as "missing"
        platform_values = [r["figures"][name] for r in ok if name in r["figures"]]
        perturbed_values = [f[name] for r in ok for f in r.get("perturbed", {}).values() if name in f]
        reference = platform_values[0]
        entry = {"reference": reference, "values": sorted(set(platform_values), key=platform_values.index),
                 "perturbed": sorted(set(perturbed_values), key=perturbed_values.index)}
        ref = _float(reference)
        numbers = [_float(v) for v in platform_values + perturbed_values]
        if ref is not None and math.isfinite(ref) and all(x is not None and math.isfinite(x) for x in numbers):
            spread_platforms = max(abs(x - ref) for x in numbers[:len(platform_values)])
            spread_all = max(abs(x - ref) for x in numbers)
            entry.update(spread_platforms=spread_platforms, spread=spread_all,
                         relative_spread=spread_all / abs(ref) if ref else spread_all,
                         digits=promised_digits(ref, spread_all))
        else:
            entry.update(stable=len(set(platform_values + perturbed_values)) == 1)
        summary[name] = entry
    return summary


def figure_table(summary: dict) -> list[str]:
    lines = ["| figure | value (first platform) | other values | spread over platforms | with perturbations | digits that can be promised |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, e in summary.items():
        others = [v for v in e["values"] + e["perturbed"] if v != e["reference"]]
        shown = ", ".join(sorted(set(others))[:3]) + (" ..." if len(set(others)) > 3 else "")
        if "spread" in e:
            digits = "all (exact)" if e["digits"] is None else str(e["digits"])
            lines.append(f"| {name} | {e['reference']} | {shown or '-'} | {e['spread_platforms']:.2g} | {e['spread']:.2g} | {digits} |")
        else:
            lines.append(f"| {name} | {e['reference']} | {shown or '-'} | - | - | {'all (exact)' if e['stable'] else 'NOT STABLE'} |")
    return lines


def stated_check(results: list[dict], summary: dict | None = None) -> tuple[list[str], bool]:
    """Does every platform, repetition and perturbation print each figure as the notebooks state it?
    (``summary``: figure_summary(results), when the caller has it already.)"""
    ok = [r for r in results if "error" not in r]
    lines = ["| figure | stated | holds everywhere | stated digits / digits that can be promised |", "| --- | --- | --- | --- |"]
    passed = bool(ok)
    summary = figure_summary(results) if summary is None else summary
    for stated in stated_figures.STATED:
        values = [r["figures"][stated.figure] for r in ok if stated.figure in r["figures"]]
        values += [f[stated.figure] for r in ok for f in r.get("perturbed", {}).values() if stated.figure in f]
        if not values:
            continue  # a part that was not measured
        bad = sorted({v for v in values if not stated_figures.holds(stated.value, v)})
        entry = summary.get(stated.figure, {})
        digits = stated_figures.significant_digits(stated.value)
        promised = entry.get("digits")
        over = digits is not None and promised is not None and digits > promised
        verdict = "yes" if not bad else "NO: " + ", ".join(bad[:3])
        lines.append(f"| {stated.figure} | {stated.value} | {verdict} | "
                     f"{digits if digits is not None else 'exact'} / {'all' if promised is None else promised}"
                     f"{' (more than promised)' if over else ''} |")
        passed = passed and not bad
    return lines, passed


def lesson_check(results: list[dict]) -> tuple[list[str], bool]:
    """Same accuracy pairs on every platform and perturbation, and the lesson's margins."""
    ok = [r for r in results if "error" not in r]
    tables = {tuple((run["model"], run["train"], run["test"]) for run in r["regularization"] if run["perturbation"] == e)
              for r in ok for e in {run["perturbation"] for run in r["regularization"]}}
    lines = []
    same = len(tables) == 1
    lines.append(f"identical accuracy pairs on every platform and perturbation: {'yes' if same else 'NO'} "
                 f"({len(ok)} runs, {len(tables)} distinct table(s))")
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
        lines.append(f"smallest abs(a3 - 0.5) over all points, platforms and perturbations: {margin:.3g}")
        passed = passed and overfit >= MIN_OVERFIT - 1e-12 and min(gain_l2, gain_dropout) >= MIN_GAIN - 1e-12 and differ
    return lines, passed


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="all", help="numpy SIMD levels, comma-separated from "
                        f"{', '.join(LEVELS)} (default: every level this CPU has)")
    parser.add_argument("--kernels", default=",".join(KERNELS), help="comma-separated OPENBLAS_CORETYPE values")
    parser.add_argument("--threads", default=",".join(map(str, THREADS)), help="BLAS thread counts (default 1,2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each platform (default 1)")
    parser.add_argument("--jobs", type=int, default=1, help="children at the same time (default 1)")
    parser.add_argument("--json", type=Path, help="also write the raw measurements to this file")
    parser.add_argument("--summary", type=Path, help="also write the platforms and the per-figure summary "
                        "(what tests/test_stated_figures.py reads: docs/platform-matrix.json)")
    parser.add_argument("--from-json", type=Path, help="print the tables of measurements saved with --json "
                        "instead of running anything (several files: comma-separated)")
    parser.add_argument("--parts", default=",".join(PARTS), help="what to measure (default: %(default)s)")
    parser.add_argument("--ci-platforms", action="store_true", help="print, one per line, the environment "
                        "assignments of the platforms .ci/run reruns the figure tests on, and exit")
    parser.add_argument("--tests", action="store_true", help="instead of measuring, run the figure tests "
                        "(pytest -m figures) on every platform, --repeat times each, and print a pass/fail table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(tuple(p for p in args.child.split(",") if p))))
        return 0
    parts = tuple(_csv(args.parts))
    if args.ci_platforms:
        for level, kernel, threads in ci_platforms(available_levels()):
            print(" ".join(f"{k}={shlex.quote(v)}" for k, v in platform_env(level, kernel, threads).items()))
        return 0
    if args.from_json:
        results = [r for path in _csv(str(args.from_json)) for r in json.loads(Path(path).read_text())["results"]]
        return report(results, parts, args)
    levels = available_levels() if args.levels == "all" else _csv(args.levels)
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown:
        parser.error(f"unknown level(s) {', '.join(unknown)}; known: {', '.join(LEVELS)}")
    kernels, threads = _csv(args.kernels), [int(t) for t in _csv(args.threads)]

    if args.tests:
        return run_figure_tests(levels, kernels, threads, args.repeat, args.jobs)
    probes = {(lv, k): run_platform(lv, k, 1, parts=()) for lv in levels for k in kernels}
    print("platforms: " + "; ".join(
        f"{lv} x {k} -> numpy {p['level']}, OpenBLAS {p['core']} (arithmetic {p['digest']})" if "error" not in p
        else f"{lv} x {k}: not runnable here" for (lv, k), p in probes.items()), flush=True)
    jobs = [(lv, k, t) for (lv, k), p in probes.items() if "error" not in p for t in threads for _ in range(args.repeat)]
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        measured = list(pool.map(lambda job: run_platform(*job, parts=parts), jobs))
    results = measured + [p for p in probes.values() if "error" in p]
    for r in measured:
        if "error" in r:
            print(f"{r['platform']}: {r['error']}", file=sys.stderr)

    print(f"\n{len(measured)} runs on {len({r['platform'] for r in measured})} platforms, measured in "
          f"{time.time() - started:.0f} s")
    return report(results, parts, args)


def report(results: list[dict], parts: tuple[str, ...], args) -> int:
    """Print every table; write --json and --summary; 0 when everything holds."""
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
    for part, module in FIGURE_MODULES.items():  # the lessons of tools/figures/<part>.py (ML Setup's diagnosis)
        if part in parts and hasattr(module, "check"):
            check_lines, check_passed = module.check(results)
            print(f"\n## {part}\n")
            print("\n".join(check_lines))
            passed = passed and check_passed
    summary = figure_summary(results)
    print("\n## Every measured figure\n")
    print("\n".join(figure_table(summary)))
    stated_lines, stated_passed = stated_check(results, summary)
    print("\n## The figures the notebooks state\n")
    print("\n".join(stated_lines))
    passed = passed and stated_passed
    if args.json and not args.from_json:
        args.json.write_text(json.dumps({"results": results, "figures": summary}, indent=1) + "\n")
    if args.summary:
        ok = [r for r in results if "error" not in r]
        platforms = sorted({(r["level_asked"], r["kernel"], r["threads"]) for r in ok})
        args.summary.write_text(json.dumps({
            "runs": len(ok),
            "platforms": [{"level": lv, "kernel": k, "threads": t,
                           "runs": sum(1 for r in ok if (r["level_asked"], r["kernel"], r["threads"]) == (lv, k, t))}
                          for lv, k, t in platforms],
            "perturbations": [float(e) for e in sorted({e for r in ok for e in r.get("perturbed", {})})],
            "figures": summary}, indent=1, ensure_ascii=False) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
