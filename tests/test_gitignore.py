"""`git add -A` in the course repository never commits the class's data (issue 20): submissions,
LMS downloads, results, feedback, gradebooks and grade files are ignored; the course itself and the
.gitkeep files that keep the empty folders are not."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from helpers import ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

CLASS_DATA = [
    "submitted/alice/initialization/Initialization.ipynb",
    "submitted/alice/initialization/timestamp.txt",
    "submitted/alice/initialization/.attempts/1a2b/Initialization.ipynb",  # course serve's uploads
    "downloaded/initialization/archive/lms.zip",  # nbgrader zip_collect's input and extraction
    "downloaded/initialization/extracted/alice_Initialization.ipynb",
    "autograded/alice/initialization/results.json",
    "autograded/alice/initialization/Initialization.ipynb",
    "feedback/alice/initialization/Initialization.html",
    "gradebook.db",
    "gradebook.db-journal",
    "gradebook.db-wal",
    "grades.csv",
    "nbgrader-grades.csv",
    "reports/initialization.html",
    "serve.db",
    "samples/autograded/correct/initialization/results.json",
    "samples/gradebook.db",
]
COURSE = [
    "submitted/.gitkeep",
    "autograded/.gitkeep",
    "samples/submitted/correct/initialization/Initialization.ipynb",
    "source/initialization/Initialization.ipynb",
    "release/initialization/Initialization.ipynb",
    "graders/initialization/test_initialization.py",
    "nbgrader_config.py",
]


@pytest.fixture
def repo(tmp_path):
    """A fresh repository with the course's .gitignore and one file at each sample path."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copyfile(ROOT / ".gitignore", tmp_path / ".gitignore")
    for rel in CLASS_DATA + COURSE:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    return tmp_path


def test_check_ignore_lists_exactly_the_class_data(repo):
    out = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=repo, input="\n".join(CLASS_DATA + COURSE),
                         capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    assert sorted(out.stdout.split()) == sorted(CLASS_DATA)


def test_git_add_all_commits_no_student_work(repo):
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    staged = subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True).stdout.split()
    assert sorted(staged) == sorted([".gitignore", *COURSE])
