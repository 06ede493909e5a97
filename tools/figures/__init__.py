"""Per-assignment figure modules of the platform matrix: tools/figures/<assignment>.py, found by name
(stated_figures.figure_modules). Each defines

- ``STATED``: the figures the assignment's notebook states (stated_figures.Stated, notebook = the assignment);
- ``measure(epsilon=0.0) -> {figure: repr}``: every figure its reference run prints, with the inputs
  (initial weights or data) scaled by 1 + epsilon * s (``perturb``: s a fixed random sign per entry);
- optionally ``check(results) -> (lines, passed)``: a lesson the figures must show on every platform.

tools/platform_matrix.py runs ``measure`` on every platform; tests/test_stated_figures.py runs it here.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def signs(shape, key: str):
    """A fixed random sign per entry (seeded by the figure's name)."""
    import zlib

    import numpy as np

    return np.random.RandomState(zlib.crc32(key.encode()) % (2 ** 31)).choice([-1.0, 1.0], shape)


def perturb(array, epsilon: float, key: str):
    return array if epsilon == 0 else array * (1 + epsilon * signs(array.shape, key))
