"""What a `course` command imports: only what it uses, when it uses it (issue 19: one submission
graded by one command in about a second, most of which used to be imports). No timings here:
the structure is pinned, bench/one_submission.py measures the seconds."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT
from course.paths import copy_course
from course.sandbox.process import bwrap_works

A = "initialization"
# Packages no command needs before it does its work: the grading and gradebook stack, the cluster.
HEAVY = {"nbgrader", "sqlalchemy", "jsonschema", "nbformat", "nbclient", "jupyter_client", "numpy", "pytest",
         "distributed", "dask", "lark", "rfc3987_syntax", "tqdm", "scipy", "matplotlib"}
# What a grading never uses, even with the gradebook: nbgrader's Jupyter server extensions and
# apps, the Jupyter server, nbconvert, the notebook executor, the IRI grammar of jsonschema's
# format checker, the Dask cluster.
NEVER_TO_GRADE = {"nbgrader.server_extensions", "nbgrader.apps", "jupyter_server", "nbconvert", "nbclient",
                  "jupyter_client", "lark", "distributed", "dask", "matplotlib"}

# Packages course.lazy_imports registered without running their __init__.py (nothing of them used) are not counted.
REPORT = ("import json, sys\n"
          "from course.lazy_imports import pending\n"
          "print(json.dumps(sorted(m for m in sys.modules if (m.split('.')[0] in {heavy} or m in {never})\n"
          "                        and not pending(m))))\n")


def modules_after(code: str, cwd: Path = ROOT) -> list[str]:
    """The heavy or never-to-grade modules imported once ``code`` ran in a fresh interpreter."""
    script = code + "\n" + REPORT.format(heavy=sorted(HEAVY), never=sorted(NEVER_TO_GRADE))
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_ROOT", "COURSE_DB_URL")}
    out = subprocess.run([sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cli(*argv: str) -> str:
    return ("import contextlib, io, course.cli\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            f"    code = course.cli.main({list(argv)!r})\n")


def test_importing_the_cli_is_light():
    """Does `import course.cli` leave the grading, gradebook and cluster stacks unimported?"""
    assert modules_after("import course.cli") == []


@pytest.mark.parametrize("argv", [["--help"], ["grade", "--help"], ["export", "--help"], ["serve", "--help"]])
def test_help_imports_nothing_heavy(argv):
    """Does `course --help` (and a subcommand's --help) import none of what the commands use?"""
    assert modules_after(run_cli(*argv)) == []


def test_the_grade_path_imports_no_server_extension_and_no_iri_grammar():
    """What `course grade` imports (course.grading.batch) uses nbgrader's library modules and
    nbformat, without nbgrader's Jupyter server extensions and apps, nbconvert, nbclient, the
    IRI grammar of jsonschema's format checker or Dask."""
    loaded = set(modules_after("import course.cli, course.grading.batch, course.grading.store as s\n"
                               "import nbgrader.api"))
    assert {"nbgrader.api", "nbformat", "sqlalchemy", "pytest", "numpy"} <= loaded
    assert not {m for m in loaded if m in NEVER_TO_GRADE or m.split(".")[0] in NEVER_TO_GRADE
                or m.startswith(("nbgrader.server_extensions", "nbgrader.apps"))}


needs_sandbox = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable: course grade refuses to grade")


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory) -> Path:
    """A course copy with one submission graded once by `course grade` (which created the gradebook)."""
    course = copy_course(ROOT, tmp_path_factory.mktemp("imports") / "course")
    shutil.copytree(ROOT / "samples" / "submitted" / "correct" / A, course / "submitted" / "s1" / A)
    first = subprocess.run([sys.executable, "-m", "course.cli", "grade", A, "--student", "s1", "-q"], cwd=course,
                           capture_output=True, text=True)  # adds the assignment to the new gradebook
    assert first.returncode == 0, first.stderr
    return course


@needs_sandbox
def test_grading_one_submission_loads_only_what_it_uses(graded_course):
    """A regrade of one submission with the default SQLite gradebook, as `course grade A --student S
    --force` runs it, scores it as before and never imports nbgrader's apps, the Jupyter server,
    nbconvert, nbclient, the IRI grammar or Dask; nor SQLAlchemy and nbgrader's models, which the
    gradebook helper process loads (course.grading.gradebook_process); the gradebook holds the score."""
    course = graded_course
    loaded = set(modules_after(run_cli("grade", A, "--student", "s1", "--force", "-q")
                               + "assert code == 0, code\n", cwd=course))
    assert {"nbformat", "pytest"} <= loaded
    assert not {m for m in loaded if m.startswith(("sqlalchemy", "nbgrader.api"))}
    assert not {m for m in loaded if m in NEVER_TO_GRADE or m.split(".")[0] in NEVER_TO_GRADE
                or m.startswith(("nbgrader.server_extensions", "nbgrader.apps"))}
    result = json.loads((course / "autograded" / "s1" / A / "results.json").read_text())
    assert (result["score"], result["status"], result["gradebook"]) == (10, "graded", "recorded")
    assert (course / "autograded" / "s1" / A / "Initialization.ipynb").is_file()
    assert (course / "feedback" / "s1" / A / "Initialization.html").is_file()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission(A, "s1").score == 10


@needs_sandbox
def test_gradebook_check_without_sqlalchemy_agrees_with_nbgrader(graded_course, tmp_path):
    """Does the read-only SQLite check of ensure_assignment name the same grade cells as nbgrader's
    API, answer None whenever it cannot tell, and spare an up-to-date gradebook SQLAlchemy?"""
    from nbgrader.api import Gradebook

    from course.grading.store import _sqlite_grade_cells

    db = f"sqlite:///{graded_course / 'gradebook.db'}"
    with Gradebook(db) as gb:
        notebook = next(nb for nb in gb.find_assignment(A).notebooks if nb.name == "Initialization")
        expected = {cell.name for cell in notebook.grade_cells}
    assert expected == {"test_initialize_parameters_zeros", "test_initialize_parameters_random",
                        "test_initialize_parameters_he", "test_initialize_parameters_xavier"}
    assert _sqlite_grade_cells(db, A, "Initialization") == expected
    assert _sqlite_grade_cells(db, A, "Other") is None  # no such notebook: nbgrader decides
    assert _sqlite_grade_cells(db, "other", "Initialization") is None
    assert _sqlite_grade_cells(f"sqlite:///{tmp_path / 'none.db'}", A, "Initialization") is None
    assert _sqlite_grade_cells("postgresql://u@localhost/gb", A, "Initialization") is None
    (tmp_path / "other.db").write_bytes(b"not a database")
    assert _sqlite_grade_cells(f"sqlite:///{tmp_path / 'other.db'}", A, "Initialization") is None
    code = (f"from pathlib import Path\nfrom course.grading.store import ensure_assignment\n"
            f"assert ensure_assignment(Path({str(graded_course)!r}), {A!r}, {db!r}) is False\n")
    assert not {m for m in modules_after(code, cwd=graded_course) if m.startswith(("sqlalchemy", "nbgrader.api"))}


def test_deferred_nbgrader_init_runs_on_first_use():
    """nbgrader's package __init__ is deferred, not dropped: its submodules import as usual, and
    the first use of what it defines (the Jupyter server extension hooks) runs it."""
    code = ("import sys, course, nbgrader.api, nbgrader.utils\n"
            "from nbgrader import coursedir\n"
            "assert 'nbgrader.server_extensions' not in sys.modules\n"
            "import nbgrader\n"
            "points = nbgrader._jupyter_server_extension_points()\n"
            "assert points == [{'module': 'nbgrader'}], points\n"
            "assert 'nbgrader.server_extensions.formgrader' in sys.modules\n"
            "assert nbgrader.__version__ == '0.9.6' and nbgrader.api.Gradebook and coursedir.CourseDirectory\n")
    loaded = modules_after(code)
    assert "nbgrader.apps" in loaded and "nbgrader.server_extensions" in loaded


def test_deferred_iri_grammar_gives_jsonschemas_own_answers():
    """jsonschema's "iri" format check answers as it does without the deferral: the grammar is
    loaded at the first check instead of at import."""
    cases = ["http://例子.测试/路径?q=1#frag", "https://example.org/a b", "not an iri", "mailto:x@example.org",
             "http://[::1]:80/", "http://a/%zz"]
    check = ("import jsonschema, sys\n"
             f"checker = jsonschema.Draft7Validator.FORMAT_CHECKER\n"
             f"print([checker.conforms(v, 'iri') for v in {cases!r}] + "
             f"[checker.conforms(v, 'iri-reference') for v in {cases!r}])\n")
    deferred = subprocess.run([sys.executable, "-c", "import course, sys\n"
                               "assert 'lark' not in sys.modules\n" + check
                               + "assert 'lark' in sys.modules\n"], capture_output=True, text=True)
    plain = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert deferred.returncode == 0 and plain.returncode == 0, deferred.stderr + plain.stderr
    assert deferred.stdout == plain.stdout
    assert "False" in plain.stdout and "True" in plain.stdout  # the cases tell valid from invalid


def test_jsonschema_format_checkers_load_their_libraries_on_first_use():
    """nbformat imports jsonschema, whose format checkers import isoduration (and arrow) and the
    RFC 3986/3339 validators at its import: deferred until a format is checked, and then the same
    answers as with the libraries imported as usual."""
    checks = ("import jsonschema\n"
              "fc = jsonschema.FormatChecker()\n"
              "cases = [('P1D', 'duration'), ('PX', 'duration'), ('http://a/b', 'uri'), ('not a uri', 'uri'),\n"
              "         ('2020-01-01T00:00:00Z', 'date-time'), ('2020-13-01T00:00:00Z', 'date-time')]\n"
              "print(json.dumps([fc.conforms(v, f) for v, f in cases]))\n")
    code = ("import json, sys, course, nbformat\n"
            "from course.lazy_imports import pending\n"
            "names = ['isoduration', 'isoduration.parser', 'rfc3986_validator', 'rfc3339_validator']\n"
            "assert all(pending(n) for n in names) and 'arrow' not in sys.modules, [(n, pending(n)) for n in names]\n"
            + checks +
            "assert not any(pending(n) for n in names)\n")
    deferred = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert deferred.returncode == 0, deferred.stderr
    usual = subprocess.run([sys.executable, "-c", "import json\n" + checks], cwd=ROOT, capture_output=True, text=True)
    assert usual.returncode == 0, usual.stderr
    assert deferred.stdout == usual.stdout == "[true, false, true, false, true, false]\n"
