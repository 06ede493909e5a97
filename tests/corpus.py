"""Corpora for the fairness tests (tests/test_fairness.py), gathered from each assignment's
tests/assignments/<assignment>.py (tests/assignment_hooks.py).

CORRECT[assignment][function] maps a variant name to a cell source: a correct implementation
written differently from the reference (other numpy calls, loops, algebraic rearrangements,
lambda / exec / import binding). Each must score full marks in the public tests and the graders.

MISTAKES[assignment] maps a mistake name to (cells, scores, graders_say, public_says): the cells
that carry the mistake, the exact score of every item affected (the others keep full marks),
text that a failed hidden test's message must contain (it names the mistake; an entry ("not", text)
is a text no message may contain: a claim the numbers cannot support), and text the
public test's AssertionError must contain (None: the public test does not test this).
"""
from __future__ import annotations

from assignment_hooks import with_hook

CORRECT = with_hook("CORRECT")
MISTAKES = with_hook("MISTAKES")
