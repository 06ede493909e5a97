"""What stating a figure promises, and the figures the notebooks state.

A statement is exact (``"0.5"``, ``"inf"``, ``"5"``): every machine prints that repr; approximate
(``"≈ 0.0735789596"``): every machine prints a value within one unit of the statement's last digit;
an order of magnitude (``"~1e-09"``): between a tenth and ten times that; or a bound (``"< 2e-07"``).
The last two are for figures that are all rounding error (a gradient check of a correct gradient). A figure is stated exactly only when no rounding can move it
(a count, an accuracy of k/m, a shape, a product of powers of two); every float that passes through
``exp``, ``log``, a reduction or a matrix product is stated with "≈" to the digits that
tools/platform_matrix.py shows no platform and no 1e-10 perturbation of the inputs can move.

The statements live with each assignment's measuring code, in tools/figures/<assignment>.py (STATED),
found by name; ``STATED`` here is all of them. tools/platform_matrix.py checks every statement on every
platform it runs; tests/test_stated_figures.py checks them on the machine that runs the tests, and that
each statement's text is in its notebook.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


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


def figure_modules() -> dict:
    """assignment -> tools/figures/<assignment>.py (its STATED, measure and optional check), for every such file."""
    import importlib

    tools = str(Path(__file__).resolve().parent)
    if tools not in sys.path:  # the figure modules import ``figures`` and this module
        sys.path.insert(0, tools)
    modules = {}
    for path in sorted((Path(tools) / "figures").glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = importlib.import_module(f"figures.{path.stem}")
        wrong = [s.figure for s in module.STATED if s.notebook != path.stem]
        if wrong:
            raise ValueError(f"tools/figures/{path.name} states figures of other notebooks: {wrong}")
        modules[path.stem] = module
    return modules


def __getattr__(name: str):
    """``STATED``: every statement of every figure module, gathered on first use. Each module's list was
    generated from docs/platform-matrix.json's promised digits, then kept by hand: a change of a stated
    figure in a notebook goes there too (tests/test_stated_figures.py says when they differ)."""
    if name == "STATED":
        stated = [s for module in figure_modules().values() for s in module.STATED]
        globals()["STATED"] = stated
        return stated
    raise AttributeError(name)
