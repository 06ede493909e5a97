"""Authoring an assignment (docs/authoring.md): what `course release` refuses in a master notebook or a
grader, and the reference solution behaving as the notebook does."""
from __future__ import annotations

import nbformat
import numpy as np
import pytest

from course.grading.reference import load_reference


def _master(cells) -> nbformat.NotebookNode:
    """A master notebook from (role, source, extra) triples: role "setup" (tagged), "plain" (no role),
    "answer" (autograded answer, grade_id = extra) or "test" (autograder test cell of extra, 1 point)."""
    nb = nbformat.v4.new_notebook()
    for role, source, extra in cells:
        cell = nbformat.v4.new_code_cell(source)
        if role == "setup":
            cell.metadata["tags"] = ["setup"]
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": "setup_imports", "locked": True,
                                         "schema_version": 3, "solution": False}
        elif role == "answer":
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": extra, "locked": False,
                                         "schema_version": 3, "solution": True}
        elif role == "test":
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"test_{extra}", "locked": True,
                                         "points": 1, "schema_version": 3, "solution": False}
        nb.cells.append(cell)
    return nb


def test_reference_solution_may_call_array_methods(tmp_path):
    """Can the reference call an ndarray method with keyword arguments (``z.max(axis=0, keepdims=True)``)?
    numpy's method wrappers look ``__builtins__`` up in the caller's globals: the reference's namespace
    must keep it (it used to be popped: KeyError: '__builtins__')."""
    path = tmp_path / "colmax" / "Colmax.ipynb"
    path.parent.mkdir()
    nbformat.write(_master([
        ("setup", "import numpy as np", None),
        ("answer", "def column_max(z):\n    ### BEGIN SOLUTION\n    return z.max(axis=0, keepdims=True)\n"
                   "    ### END SOLUTION", "column_max"),
        ("test", "assert column_max(np.eye(2)).shape == (1, 2)", "column_max"),
    ]), str(path))
    ref = load_reference(str(path))
    got = ref.column_max(np.array([[1.0, 5.0], [3.0, 2.0]]))
    assert got.tolist() == [[3.0, 5.0]]
    assert not hasattr(ref, "__builtins__")  # the namespace graders see still lists only the notebook's names


# ---------------------------------------------------------------------------------------------
# `course release` refuses untagged setup cells and graders that use an unknown API

import os
import subprocess
import sys

from helpers import ASSIGNMENTS, ROOT
from course.authoring import GRADER_API, AuthoringError, check_assignment
from course.build import BuildError, check_authoring
from course.paths import copy_course

GRADER = '''
import numpy as np
import pytest

from course.checks import expect_array


@pytest.mark.grade(item="column_max", points=1)
def test_column_max(submission, reference):
    z = np.array([[1.0, 5.0], [3.0, 2.0]])
    expect_array(submission.call("column_max", z), reference.column_max(z), "column_max(z)")
'''
COLUMN_MAX = ("answer", "def column_max(z):\n    ### BEGIN SOLUTION\n    return np.max(z, axis=0, keepdims=True)\n"
                        "    ### END SOLUTION", "column_max")
COLUMN_MAX_TEST = ("test", "assert column_max(np.eye(2)).shape == (1, 2)", "column_max")


def _tiny_course(tmp_path, cells, grader=GRADER, files=None):
    """A course folder with one assignment ``tiny``: a master notebook of ``cells`` and one grader."""
    root = tmp_path / "course"
    (root / "source" / "tiny").mkdir(parents=True)
    (root / "graders" / "tiny").mkdir(parents=True)
    nbformat.write(_master(cells), str(root / "source" / "tiny" / "Tiny.ipynb"))
    (root / "graders" / "tiny" / "test_tiny.py").write_text(grader, encoding="utf-8")
    for name, text in (files or {}).items():
        (root / "source" / "tiny" / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_course_follows_the_authoring_rules(assignment):
    """Do the four real masters tag their setup cells, and do their graders use the documented API only?"""
    check_assignment(ROOT, assignment)


def test_the_tiny_course_follows_the_authoring_rules():
    """The synthetic course the machinery tests grade (tests/fixtures/tiny_course) is a course like the real one."""
    from helpers import TINY, TINY_FIXTURE

    check_assignment(TINY_FIXTURE, TINY)


def test_release_refuses_an_untagged_setup_cell(tmp_path):
    """The Initialization master with its import cell untagged: `course release` exits 1 and names the
    cell, the graded answers that need it, the NameError every student would get and the fix; nbgrader
    never runs."""
    course = copy_course(ROOT, tmp_path / "course", ("source", "graders", "nbgrader_config.py"))
    master = course / "source" / "initialization" / "Initialization.ipynb"
    nb = nbformat.read(master, as_version=4)
    setup = next(c for c in nb.cells if "setup" in c.metadata.get("tags", []))
    del setup.metadata["tags"]
    nbformat.write(nb, str(master))
    out = subprocess.run([sys.executable, "-m", "course.cli", "release", "initialization", "--release-only",
                          "--db", f"sqlite:///{tmp_path / 'gb.db'}"], cwd=course, capture_output=True, text=True,
                         env=dict(os.environ, COURSE_ROOT=str(course)))
    assert out.returncode == 1, out.stdout
    assert ("cell 2, grade_id 'setup_imports' ('import numpy as np') binds, and that cell is not tagged `setup`"
            in out.stderr), out.stderr
    assert "initialize_parameters_zeros (cell 8)" in out.stderr and "initialize_parameters_xavier (cell 25)" in out.stderr
    assert "NameError: np" in out.stderr and "Tag cell 2" in out.stderr and "docs/authoring.md" in out.stderr
    assert not (course / "release").exists()


def test_a_name_no_cell_binds_is_named(tmp_path):
    """An answer that uses `np` when no cell imports numpy at all: the message says to import it in a setup cell."""
    root = _tiny_course(tmp_path, [COLUMN_MAX, COLUMN_MAX_TEST])
    with pytest.raises(BuildError, match="column_max \\(cell 1\\) uses `np`, which no setup or answer cell binds: "
                                         "define or import `np` in a cell tagged `setup`"):
        check_authoring(root, "tiny")


def test_untagged_cells_that_answers_do_not_need_are_fine(tmp_path):
    """A plotting cell between setup and the answers (as every real master has) needs no tag: no answer reads its names."""
    root = _tiny_course(tmp_path, [("setup", "import numpy as np", None), ("plain", "import matplotlib.pyplot as plt", None),
                                   COLUMN_MAX, COLUMN_MAX_TEST])
    check_authoring(root, "tiny")


def test_star_imports_of_helper_modules_are_followed(tmp_path):
    """`from helpers import *` binds the helper module's public names (or its __all__): in a setup cell they
    are given; in an untagged cell they are named as the cell to tag."""
    helpers = {"helpers.py": "import numpy as np\n\n__all__ = ['np', 'SCALE']\nSCALE = 2.0\n"}
    answer = ("answer", "def scaled(z):\n    ### BEGIN SOLUTION\n    return SCALE * np.asarray(z)\n"
                        "    ### END SOLUTION", "scaled")
    grader = GRADER.replace("column_max", "scaled")
    ok = _tiny_course(tmp_path / "a", [("setup", "from helpers import *", None), answer, ("test", "scaled(1)", "scaled")],
                      grader, helpers)
    check_authoring(ok, "tiny")
    bad = _tiny_course(tmp_path / "b", [("plain", "from helpers import *", None), answer, ("test", "scaled(1)", "scaled")],
                       grader, helpers)
    with pytest.raises(BuildError) as refused:
        check_authoring(bad, "tiny")
    assert "uses `SCALE`, which only cell 1 ('from helpers import *') binds" in str(refused.value)
    assert "uses `np`, which only cell 1" in str(refused.value)


def test_release_refuses_graders_that_use_an_unknown_api(tmp_path):
    """Each way a grader can step outside the API is named with its file and line: an internal import, an
    attribute the fixture does not have, a reference name no cell binds, a call of a name the child does
    not have, a fixture that does not exist, a module that is not installed."""
    grader = GRADER + '''

from course.grading.engine import grade_submission
import course.grading.batch


@pytest.mark.grade(item="column_max", points=1)
def test_more(submission, reference, student):
    submission.run("column_max")
    reference.column_min(1)
    submission.call("column_min", 1)
    import no_such_module_anywhere
'''
    root = _tiny_course(tmp_path, [("setup", "import numpy as np", None), COLUMN_MAX, COLUMN_MAX_TEST], grader)
    with pytest.raises(AuthoringError) as refused:
        check_assignment(root, "tiny")
    lines = str(refused.value).splitlines()
    rel = "graders/tiny/test_tiny.py"
    assert lines[0].startswith(f"{rel}:14: imports grade_submission from course.grading.engine, not part of the grader API")
    assert lines[1].startswith(f"{rel}:15: imports course.grading.batch, not part of the grader API")
    assert lines[2].startswith(f"{rel}:19: test_more(student): no fixture `student`")
    assert lines[3] == f"{rel}:20: submission.run does not exist; the submission fixture offers call"
    assert lines[4].startswith(f"{rel}:21: reference.column_min is used, which no setup or answer cell binds")
    assert lines[5].startswith(f"{rel}:22: submission.call('column_min') calls `column_min`, which no setup or answer")
    assert lines[6] == f"{rel}:23: imports no_such_module_anywhere, which is not installed"
    assert len(lines) == 7


def test_the_grader_api_is_what_the_graders_use():
    """Is every name of GRADER_API imported by some real grader (the API lists what graders use, no more)?"""
    import ast

    used = set()
    for path in (ROOT / "graders").glob("*/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in GRADER_API:
                used |= {f"{node.module}.{a.name}" for a in node.names}
    offered = {f"{m}.{n}" for m, names in GRADER_API.items() for n in names}
    assert used <= offered
    # helpers a grader may want although none of the four imports them yet: documented, so offered
    assert offered - used <= {"course.checks.constant_ratio", "course.checks.describe_ratio",
                              "course.checks.RTOL", "course.checks.ATOL", "course.checks.FORM_PENALTY"}


# ---------------------------------------------------------------------------------------------
# A fifth assignment is new files only

import hashlib
import json
import shutil

FIFTH = ROOT / "tests" / "fixtures" / "fifth_assignment"  # the worked example of docs/authoring.md


def _copy_repository(dest):
    """The course's tracked files (git ls-files), or the working tree without caches and environments."""
    try:
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        files = [f for f in tracked.decode().split("\0") if f and (ROOT / f).is_file()]
    except (OSError, subprocess.CalledProcessError):
        files = None
    if files is None:
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache"))
        return dest
    for rel in files:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, dest / rel)
    return dest


def _digests(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def _run(course, *args, timeout=600):
    return subprocess.run([sys.executable, *args], cwd=course, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, COURSE_ROOT=str(course)), stdin=subprocess.DEVNULL)


def _submission(course, cells):
    """The copy's release notebook with every answer cell solved, except ``cells`` (grade_id -> source)."""
    from course.samples import _solutions

    solutions = _solutions(course / "source" / "softmax" / "Softmax.ipynb")
    nb = nbformat.read(course / "release" / "softmax" / "Softmax.ipynb", as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = cells.get(gid, solutions[gid]).strip("\n")
    return nb


@pytest.mark.slow
def test_a_fifth_assignment_is_new_files_only(tmp_path):
    """Copy the course, add the synthetic assignment `softmax` (tests/fixtures/fifth_assignment) as new
    files only, and nothing else: `course release` builds it (data copied, solutions executed), `course
    samples` and `course grade` grade it (a correct and a wrong submission, with the mistakes named), the
    platform matrix measures and checks its stated figure, and the suite-wide tests collect it and pass for
    it (fairness corpus, figures, datasets, probe cases, samples, authoring rules). Every file that was in
    the course before is byte for byte the same at the end."""
    course = _copy_repository(tmp_path / "course")
    before = _digests(course)
    added = sorted(p.relative_to(FIFTH) for p in FIFTH.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for rel in added:
        assert not (course / rel).exists(), f"{rel} is not a new file"
        (course / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIFTH / rel, course / rel)

    released = _run(course, "-m", "course.cli", "release", "softmax")
    assert released.returncode == 0, released.stderr
    assert "built release/ and solutions/ for: softmax" in released.stdout
    assert ((course / "source" / "softmax" / "datasets" / "softmax.npz").read_bytes()
            == (course / "datasets" / "softmax.npz").read_bytes())
    assert (course / "release" / "softmax" / "datasets" / "softmax.npz").is_file()
    release_text = (course / "release" / "softmax" / "Softmax.ipynb").read_text(encoding="utf-8")
    assert "Z.max(axis=0, keepdims=True)" not in release_text and "NotImplementedError" in release_text
    executed = nbformat.read(course / "solutions" / "softmax" / "Softmax.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "cross-entropy = 1.868448" in printed, printed

    wrong = {"softmax": "def softmax(Z):\n    E = np.exp(Z)\n    return E / E.sum(axis=0, keepdims=True)\n",
             "cross_entropy": "def cross_entropy(A, Y):\n    return float(-np.sum(Y * np.log(A)))\n"}
    for student, cells in (("alice", {}), ("bob", wrong)):
        path = course / "submitted" / student / "softmax" / "Softmax.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(_submission(course, cells), str(path))
    graded = _run(course, "-m", "course.cli", "grade", "softmax", "-q")
    assert graded.returncode == 0, graded.stderr
    results = {s: json.loads((course / "autograded" / s / "softmax" / "results.json").read_text(encoding="utf-8"))
               for s in ("alice", "bob")}
    assert (results["alice"]["score"], results["alice"]["max_score"], results["alice"]["status"]) == (4.0, 4.0, "graded")
    assert {i["id"]: i["score"] for i in results["bob"]["items"]} == {"softmax": 1.6, "cross_entropy": 0.5}
    messages = [t["message"] for i in results["bob"]["items"] for t in i["tests"] if not t["passed"]]
    assert any("np.exp(1000) 溢出了" in m for m in messages) and any("别忘了除以样本数 m" in m for m in messages)
    sampled = _run(course, "-m", "course.cli", "samples", "softmax")
    assert sampled.returncode == 0, sampled.stderr

    matrix = _run(course, "tools/platform_matrix.py", "--parts", "softmax", "--levels", "X86_V2", "--kernels", "Haswell",
                  "--threads", "1")
    assert matrix.returncode == 0, matrix.stdout + matrix.stderr
    assert "| softmax/cross-entropy | ≈ 1.8684483 | yes |" in matrix.stdout

    suite = ["tests/test_fairness.py", "tests/test_build.py", "tests/test_stated_figures.py", "tests/test_datasets.py",
             "tests/test_grading.py", "tests/test_authoring.py"]
    collected = _run(course, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *suite)
    assert collected.returncode == 0, collected.stdout[-3000:]
    ids = {line.strip() for line in collected.stdout.splitlines() if "::" in line}
    expected = {
        "tests/test_fairness.py::test_correct_variants_score_full_marks_in_graders[softmax-round0]",
        "tests/test_fairness.py::test_correct_variants_score_full_marks_in_graders[softmax-round1]",
        "tests/test_fairness.py::test_correct_variants_pass_public_tests[softmax-log_sum_exp]",
        "tests/test_fairness.py::test_correct_variants_pass_public_tests[cross_entropy-picked_probabilities]",
        "tests/test_fairness.py::test_mistake_loses_exactly_its_points_and_is_named[softmax_without_shift]",
        "tests/test_fairness.py::test_mistake_loses_exactly_its_points_and_is_named[cross_entropy_sum_not_mean]",
        "tests/test_build.py::test_committed_release_equals_fresh_build[softmax]",
        "tests/test_build.py::test_release_holds_no_reference_implementation[softmax]",
        "tests/test_build.py::test_graded_cells_are_autograded_answers_and_test_cells[softmax]",
        "tests/test_stated_figures.py::test_statements_hold_on_this_machine[softmax]",
        "tests/test_stated_figures.py::test_the_matrix_spans_every_level_kernel_and_thread_count[platform-matrix/softmax.json]",
        "tests/test_datasets.py::test_assignment_copies_match[softmax.npz-softmax]",
        "tests/test_grading.py::test_sample_submission_scores[softmax-sm_no_shift]",
        "tests/test_grading.py::test_master_full_release_zero[softmax]",
        "tests/test_authoring.py::test_the_course_follows_the_authoring_rules[softmax]",
    }
    assert expected <= ids, sorted(expected - ids)

    # The fast part of what `make test` would run for it (the fresh build of all five is left to the whole
    # suite). Its figure's matrix record is its own new file, docs/platform-matrix/softmax.json, written by
    # `tools/platform_matrix.py --parts softmax --summary docs/platform-matrix/softmax.json`.
    checks = _run(course, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k",
                  "(softmax or cross_entropy) and not fresh_build and not committed_solutions_match"
                  " or every_statement_is_in_its_notebook or every_notebook_states_figures or every_dataset_is_shipped"
                  " or statements_hold_on_every_measured_platform or the_matrix_spans",
                  *suite, timeout=1200)
    assert checks.returncode == 0, checks.stdout[-4000:]
    summary = checks.stdout.strip().splitlines()[-1]
    passed = int(summary.split(" passed")[0].split()[-1]) if " passed" in summary else 0
    assert passed >= 28 and "failed" not in summary and "error" not in summary, summary  # 28 when written

    changed = [rel for rel, digest in before.items() if _digests_one(course / rel) != digest]
    assert not changed, f"existing files changed: {changed}"


def _digests_one(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def test_the_grader_api_is_documented():
    """Does docs/authoring.md name every module, name and fixture of the grader API that release enforces?"""
    from course.authoring import FIXTURES, PYTEST_FIXTURES

    doc = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    names = [f"`{m}.{n}`" for m, ns in GRADER_API.items() if m != "course.checks" for n in ns] + ["`course.checks`"]
    names += [n for m, ns in GRADER_API.items() if m == "course.checks" for n in ns]
    names += [f"fixture `{f}`" for f in FIXTURES] + [f"`{f}`" for f in PYTEST_FIXTURES]
    names += [f"{f}.{a}(" for f, attrs in FIXTURES.items() if attrs for a in attrs]
    missing = [n for n in names if n not in doc]
    assert not missing, missing
