"""Where things live in the course repository."""
from __future__ import annotations

import os
from pathlib import Path


def course_root() -> Path:
    """The repository root: $COURSE_ROOT, else the folder holding nbgrader_config.py above cwd."""
    env = os.environ.get("COURSE_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "source").is_dir():
            return folder
    raise FileNotFoundError("not inside the course repository (no nbgrader_config.py with source/ found)")


def assignments(root: Path) -> list[str]:
    """Assignment ids: the folders of source/ that hold a notebook."""
    return sorted(p.name for p in (root / "source").iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")))


def master_notebook(root: Path, assignment: str) -> Path:
    """The one master notebook of an assignment."""
    notebooks = sorted((root / "source" / assignment).glob("*.ipynb"))
    if len(notebooks) != 1:
        raise FileNotFoundError(f"source/{assignment} must hold exactly one notebook, found {len(notebooks)}")
    return notebooks[0]


def copy_course(root: Path, dest: Path, parts: tuple[str, ...] = ("source", "release", "graders", "nbgrader_config.py")) -> Path:
    """Copy what grading needs (no submissions, results or gradebook) into a fresh course folder."""
    import shutil

    for part in parts:
        src = root / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / part)
    return dest
