"""Tooling for the practical-aspects-of-deep-learning course: build releases, grade safely."""

from course.lazy_imports import install as _install_lazy_imports

__version__ = "0.1.0"

_install_lazy_imports()  # before any course module imports nbformat or nbgrader
