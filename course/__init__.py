"""Tooling for the practical-aspects-of-deep-learning course: build releases, grade safely."""

__version__ = "0.1.0"
