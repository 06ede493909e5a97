"""Shared fixtures: the repository root, a fresh build in a temp dir, notebook surgery."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# tests/fixtures/fifth_assignment is a course tree (with a grader named test_*.py) that
# tests/test_authoring.py copies into a course: not tests of this suite.
collect_ignore = ["fixtures"]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

# nbgrader shells out to alembic, which lives beside this interpreter.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def fresh_build(tmp_path_factory) -> Path:
    """release/ and (unexecuted) solutions/ rebuilt from source/ into a temp dir."""
    from course.build import build

    out = tmp_path_factory.mktemp("build")
    build(ROOT, release_dir=out / "release", solutions_dir=out / "solutions",
          db_url=f"sqlite:///{out / 'gradebook.db'}", execute=False)
    return out


def release_notebook(assignment: str) -> nbformat.NotebookNode:
    path = next((ROOT / "release" / assignment).glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


def replace_cell(nb: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
            return nb
    raise KeyError(grade_id)


def solved_release_notebook(assignment: str, cells: dict[str, str]) -> nbformat.NotebookNode:
    """The release notebook with every graded cell holding the reference solution, except the
    cells given in ``cells`` (grade_id -> source)."""
    from course.paths import master_notebook
    from course.samples import _solutions

    solutions = _solutions(master_notebook(ROOT, assignment))
    nb = release_notebook(assignment)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = cells.get(gid, solutions[gid]).strip("\n")
    return nb


# --- tiers ----------------------------------------------------------------------------------------
# Every test module is in one tier (a marker): `make test-fast` runs `unit` without the slow tests;
# `sandbox` needs bubblewrap; `integration` runs nbgrader's apps, PostgreSQL, a browser or a server.
TIERS = {
    "unit": {"test_wire", "test_layers", "test_html", "test_result", "test_stated_figures", "test_platform_matrix",
             "test_datasets", "test_content", "test_initialization", "test_gradient_checking",
             "test_regularization", "test_ml_setup", "test_grader_suite", "test_install",
             "test_gitignore", "test_cli_errors"},
    "sandbox": {"test_grading", "test_attacks", "test_pool", "test_sandbox_contract", "test_fairness",
                "test_parallel", "test_config", "test_feedback", "test_autograded", "test_report", "test_gradebook_helper",
                "test_cli_imports", "test_renamed", "test_progress"},
    "integration": {"test_build", "test_authoring", "test_gradescope", "test_formgrader", "test_postgres",
                    "test_serve", "test_serve_hardening", "test_term", "test_trust", "test_cluster_security",
                    "test_notebooks_execute", "test_extension", "test_roster",
                    "test_serve_listening", "test_lms_collect"},
}
TIER_OF = {module: tier for tier, modules in TIERS.items() for module in modules}


def pytest_configure(config):
    for tier, what in (("unit", "fast, no bubblewrap, no server (make test-fast)"),
                       ("sandbox", "grades in the bubblewrap sandbox"),
                       ("integration", "nbgrader's apps, PostgreSQL, a browser or a running service")):
        config.addinivalue_line("markers", f"{tier}: {what}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = Path(str(item.fspath)).stem
        if module not in TIER_OF:
            raise pytest.UsageError(f"tests/{module}.py is in no tier: add it to TIERS in tests/conftest.py")
        item.add_marker(TIER_OF[module])


def pytest_sessionstart(session):
    """Where the sandbox must work (CI sets COURSE_REQUIRE_SANDBOX=1), its tests may not skip quietly."""
    if os.environ.get("COURSE_REQUIRE_SANDBOX") == "1":
        from course.sandbox.launchers import bwrap_works

        if not bwrap_works():
            raise pytest.UsageError("COURSE_REQUIRE_SANDBOX=1 but bubblewrap is not usable here: the sandbox, "
                                    "serve and attack tests would all skip")
