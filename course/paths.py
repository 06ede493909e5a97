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


CONFIG_KEYS = {"datasets"}


def assignment_config(root: Path, assignment: str) -> dict:
    """graders/<assignment>/assignment.toml (what the tooling needs besides the master and the graders):
    ``datasets``, the files of datasets/ the assignment ships. A missing file means none; ValueError for a
    key or value the tooling does not know (a typo would otherwise be ignored)."""
    import tomllib

    path = root / "graders" / assignment / "assignment.toml"
    if not path.is_file():
        return {"datasets": []}
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"graders/{assignment}/assignment.toml: {exc}") from None
    unknown = sorted(set(config) - CONFIG_KEYS)
    if unknown:
        raise ValueError(f"graders/{assignment}/assignment.toml: unknown key(s) {unknown}; known: {sorted(CONFIG_KEYS)}")
    datasets = config.setdefault("datasets", [])
    if not isinstance(datasets, list) or not all(isinstance(d, str) and d and "/" not in d for d in datasets):
        raise ValueError(f"graders/{assignment}/assignment.toml: datasets must be a list of file names of datasets/")
    return config


def dataset_copies(root: Path, assignments_: list[str] | None = None) -> list[tuple[str, str]]:
    """(file of datasets/, assignment) for every dataset an assignment ships (its assignment.toml)."""
    return [(name, a) for a in (assignments_ if assignments_ is not None else assignments(root))
            for name in assignment_config(root, a)["datasets"]]


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
