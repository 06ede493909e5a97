"""The one Jinja2 environment for every HTML page the course writes: the student's feedback page
(course.grading.feedback), the instructor's report (course.report) and course serve's pages.

All templates live in course/templates/ (shipped as package data). Autoescaping is on for every
template, whatever its name, so a student id, a test message or a notebook output is text, never
markup; StrictUndefined makes a missing variable an error instead of an empty string.

jinja2 is imported on the first render, not with this module: `course --help` and the modules
that only need the feedback page's status texts stay light.
"""
from __future__ import annotations

import functools
from pathlib import Path

TEMPLATES = Path(__file__).with_name("templates")


def points(value) -> str:
    """A score or point value as the pages print it: 2.0 -> "2", 0.5 -> "0.5"."""
    return f"{float(value):g}"


def percent(rate: float) -> str:
    return f"{100 * rate:.0f}%"


def number(x) -> str:
    """Two decimals at most, no trailing zeros; "–" for a missing value."""
    return "–" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")


@functools.cache
def environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        extensions=["jinja2.ext.do"],  # {% do list.append(...) %} in macros.html
        autoescape=True,  # every template, .html and .svg alike
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
        auto_reload=False,  # templates are package data: no stat() per render
    )
    env.filters.update(points=points, percent=percent, number=number)
    return env


def compile_all() -> None:
    """Import jinja2 and compile every template now (a server about to take uploads), not while
    the first student waits for a page."""
    compile_templates(*environment().list_templates())


def compile_templates(*names: str) -> None:
    """Compile these templates now (cached for the process): done while waiting for something else."""
    env = environment()
    for name in names:
        env.get_template(name)


def render(name: str, **context) -> str:
    """Render course/templates/<name> with ``context``."""
    return environment().get_template(name).render(**context)
