"""Per-assignment hooks of the test suite: tests/assignments/<assignment>.py, found by name.

A hook module may define (docs/authoring.md):
- ``CORRECT``, ``MISTAKES``: the assignment's fairness corpus (tests/test_fairness.py, via tests/corpus.py);
- ``probe_cases(ref)``: one input per graded function for the scan for reference implementations in
  the release (tests/test_build.py).
A fifth assignment adds its own file; nothing else lists the assignments.
"""
from __future__ import annotations

import functools
import importlib.util
import types

from helpers import ASSIGNMENTS, ROOT

HOOKS = ROOT / "tests" / "assignments"


@functools.lru_cache(maxsize=None)
def hooks(assignment: str) -> types.ModuleType | None:
    """tests/assignments/<assignment>.py, imported once (None when the assignment has none)."""
    path = HOOKS / f"{assignment}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"assignment_hooks_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def with_hook(name: str) -> dict[str, object]:
    """assignment -> its hook ``name`` for every assignment of source/ whose module defines it."""
    found = {}
    for assignment in ASSIGNMENTS:
        module = hooks(assignment)
        if module is not None and hasattr(module, name):
            found[assignment] = getattr(module, name)
    return found
