"""Every figure a notebook states (tools/stated_figures.py): written in the notebook, holding on every
platform the platform matrix measured (docs/platform-matrix.json), and printed so on this machine.

The last test is the one `.ci/run` repeats on other numpy SIMD levels and OpenBLAS kernels
(marker `figures`): it recomputes every stated figure here and checks each statement.
"""
from __future__ import annotations

import json
import sys

import nbformat
import pytest

from helpers import ASSIGNMENTS, ROOT

MATRIX = ROOT / "docs" / "platform-matrix.json"
# An assignment added later brings its own record, written by
# `tools/platform_matrix.py --parts <a> --summary docs/platform-matrix/<a>.json` (a new file, no edit).
MATRIX_PARTS = ROOT / "docs" / "platform-matrix"


def matrix_records() -> dict[str, dict]:
    records = {"platform-matrix.json": json.loads(MATRIX.read_text())}
    for path in sorted(MATRIX_PARTS.glob("*.json")):
        records[f"platform-matrix/{path.name}"] = json.loads(path.read_text())
    return records


def measured_figures() -> dict[str, dict]:
    figures = {}
    for record in matrix_records().values():
        figures |= record["figures"]
    return figures
# What the committed matrix must span (issue 17): every level x these kernels x 1 and 2 threads.
LEVELS = ("X86_V4", "X86_V3", "X86_V2")
KERNELS = ("Haswell", "Sandybridge", "Nehalem", "Prescott")


sys.path.insert(0, str(ROOT / "tools"))
import stated_figures as st  # noqa: E402


def _markdown(assignment):
    master = next((ROOT / "source" / assignment).glob("*.ipynb"))
    return "\n".join(c.source for c in nbformat.read(master, as_version=4).cells if c.cell_type == "markdown")


def test_every_statement_is_in_its_notebook():
    """Is each registered statement written, as registered, in its master notebook (and so in the release)?"""
    missing = [s.text for s in st.STATED if s.text not in _markdown(s.notebook)]
    assert not missing, missing


FIGURE_MODULES = st.figure_modules()  # tools/figures/<assignment>.py: STATED and measure() of each assignment


def test_every_notebook_states_figures():
    """Does every figure module state figures of its notebook (and do the four real notebooks have one)?"""
    assert {s.notebook for s in st.STATED} == set(FIGURE_MODULES)
    assert set(FIGURE_MODULES) >= {"initialization", "regularization", "gradient_checking", "ml_setup"}
    assert set(FIGURE_MODULES) <= set(ASSIGNMENTS)


@pytest.mark.parametrize("statement,printed,holds", [
    ("≈ 0.7222", "0.72215", True), ("≈ 0.7222", "0.72231", False), ("≈ 1.189e-07", "1.1891e-07", True),
("0.5", "0.5", True), ("0.5", "0.5000000000000001", False),
    ("inf", "inf", True), ("≈ 0.7222", "nan", False), ("5", "5", True), ("none", "none", True),
    ("~1e-09", "8.26e-09", True), ("~1e-09", "1.1e-08", False), ("~1e-09", "9e-11", False),
    ("< 2e-07", "1.9e-07", True), ("< 2e-07", "2e-07", False),
])
def test_what_a_statement_promises(statement, printed, holds):
    """Exact: the same repr; "≈ V": within one unit of V's last digit; "~V": within a factor of 10; "< V": below."""
    assert st.holds(statement, printed) is holds


@pytest.mark.parametrize("record", sorted(matrix_records()))
def test_the_matrix_spans_every_level_kernel_and_thread_count(record):
    """Was each record of docs/ measured on every numpy level x OpenBLAS kernel x 1 and 2 BLAS threads?"""
    measured = {(p["level"], p["kernel"], p["threads"]) for p in matrix_records()[record]["platforms"]}
    wanted = {(lv, k, t) for lv in LEVELS for k in KERNELS for t in (1, 2)}
    assert wanted <= measured, sorted(wanted - measured)


def test_statements_hold_on_every_measured_platform():
    """Does every value the matrix saw (each platform, repetition and 1e-10 perturbation) satisfy each
    statement, and does no "≈" statement give more digits than the matrix can promise?"""
    figures = measured_figures()
    problems = []
    for s in st.STATED:
        entry = figures.get(s.figure)
        if entry is None:
            problems.append(f"{s.figure}: not measured")
            continue
        bad = [v for v in entry["values"] + entry["perturbed"] if not st.holds(s.value, v)]
        if bad:
            problems.append(f"{s.figure}: {s.value} but measured {bad[:3]}")
        digits, promised = st.significant_digits(s.value), entry.get("digits")
        if digits is not None and promised is not None and digits > promised:
            problems.append(f"{s.figure}: {s.value} states {digits} digits, the matrix promises {promised}")
        if not st.is_approximate(s.value) and (entry.get("spread") or not entry.get("stable", True)):
            problems.append(f"{s.figure}: stated exactly but it moves ({entry['values'] + entry['perturbed']})")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.figures
@pytest.mark.parametrize("part", sorted(FIGURE_MODULES))
def test_statements_hold_on_this_machine(part):
    """Does the reference solution, run here, print every stated figure of this part as stated?"""
    printed = FIGURE_MODULES[part].measure(0.0)
    wrong = [f"{s.figure}: stated {s.value}, printed {printed.get(s.figure)}" for s in st.STATED
             if s.figure.startswith(part + "/") and not st.holds(s.value, printed.get(s.figure, "missing"))]
    assert not wrong, "\n".join(wrong)
