"""`nbgrader zip_collect` of real Canvas and Moodle download archives with the course's
configuration (course/grading/lms.py; issue 20): every file reaches submitted/<student>/, the run
warns that the archives carry no submission time, and Canvas's ``late`` marker makes the
submission late under the course's late policy."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from helpers import ROOT
from course.paths import copy_course
from course.sandbox.process import bwrap_works
from helpers import INIT_NB as NB_NAME, solutions, solved_notebook as _solved

SOLUTIONS = solutions("initialization")


def solved_notebook(**cells):
    return _solved("initialization", cells)

A = "initialization"
HE_WRONG = SOLUTIONS["initialize_parameters_he"].replace("2 /", "1 /")
DUE = "2026-11-20 23:59:00 UTC"


def _run(course: Path, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COURSE_ROOT=str(course),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    out = subprocess.run([sys.executable, "-m", *argv], cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, (argv, out.stdout[-2000:], out.stderr[-3000:])
    return out


def _course(tmp_path, files: dict[str, nbformat.NotebookNode]) -> Path:
    """A course copy (late policy zero, a due date) with one LMS archive in downloaded/A/archive/."""
    course = copy_course(ROOT, tmp_path / "course")
    with (course / "nbgrader_config.py").open("a") as f:
        f.write('\nc.LatePenalty.penalty_method = "zero"\n')
    _run(course, "nbgrader", "db", "assignment", "add", A, f"--duedate={DUE}")
    archive = course / "downloaded" / A / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as z:
        for name, nb in files.items():
            z.writestr(name, nbformat.writes(nb))
    return course


def _collected(course: Path) -> dict[str, tuple[list[str], str | None]]:
    out = {}
    for folder in sorted((course / "submitted").glob(f"*/{A}")):
        stamp = folder / "timestamp.txt"
        out[folder.parent.name] = (sorted(p.name for p in folder.iterdir() if p.name != "timestamp.txt"),
                                   stamp.read_text() if stamp.exists() else None)
    return out


def test_canvas_archive(tmp_path):
    course = _course(tmp_path, {
        f"smithalice_123456_7890001_{NB_NAME}": solved_notebook(),
        f"leebob_late_123457_7890002_{NB_NAME}": solved_notebook(),  # late: 0 under policy zero
        f"wucarol_123458_7890003_Initialization-1.ipynb": solved_notebook(initialize_parameters_he=HE_WRONG),
        "readme.txt": solved_notebook(),  # not a notebook: not collected
    })
    out = _run(course, "nbgrader", "zip_collect", A)
    assert "Regular expression not provided" not in out.stderr
    assert "Canvas archives carry no submission time: lateness is not checked" in out.stderr
    assert "Canvas marks leebob's submission late" in out.stderr and "handed in at 2026-11-20 23:59:01 UTC" in out.stderr
    assert _collected(course) == {
        "leebob": ([NB_NAME], "2026-11-20 23:59:01"),  # one second after the due date
        "smithalice": ([NB_NAME], None),
        "wucarol": ([NB_NAME], None),  # Canvas's "-1" of a resubmission is dropped
    }
    if bwrap_works():  # and the late policy applies to it
        _run(course, "course.cli", "grade", A, "--call-timeout", "10")
        results = {s: json.loads((course / "autograded" / s / A / "results.json").read_text())
                   for s in ("smithalice", "leebob", "wucarol")}
        assert {s: r["score"] for s, r in results.items()} == {"smithalice": 10, "leebob": 10, "wucarol": 7}
        assert {s: r["late"]["late_penalty"] for s, r in results.items()} == {
            "smithalice": 0, "leebob": 10, "wucarol": 0}


def test_moodle_archive_flat_and_in_folders(tmp_path):
    course = _course(tmp_path, {
        f"Alice Smith_41_assignsubmission_file_{NB_NAME}": solved_notebook(),
        f"Bob Lee_42_assignsubmission_file/{NB_NAME}": solved_notebook(),  # "Download submissions in folders"
        f"Carol Wu_43_assignsubmission_file_Initialization (1).ipynb": solved_notebook(),  # renamed by a browser
    })
    with (course / "nbgrader_config.py").open("a") as f:
        f.write('c.LmsFileNames.student_ids = {"41": "alice"}\n')
    out = _run(course, "nbgrader", "zip_collect", A)
    assert "Moodle archives carry no submission time: lateness is not checked" in out.stderr
    assert _collected(course) == {"42": ([NB_NAME], None), "43": (["Initialization (1).ipynb"], None),
                                  "alice": ([NB_NAME], None)}


def test_the_instructors_own_regexp_wins(tmp_path):
    course = _course(tmp_path, {f"jay_attempt_2026-11-20-10-00-00_{NB_NAME}": solved_notebook()})
    with (course / "nbgrader_config.py").open("a") as f:
        f.write("c.FileNameCollectorPlugin.named_regexp = "
                r"r'.*/(?P<student_id>[^_/]+)_attempt_(?P<timestamp>[0-9-]+)_(?P<file_id>\w+\.ipynb)'" "\n")
    _run(course, "nbgrader", "zip_collect", A)
    assert _collected(course) == {"jay": ([NB_NAME], "2026-11-20 10:00:00")}
