"""Shared fixtures (course copies, the tiny synthetic course, a fresh build) and the tiers. What test
modules share as code lives in tests/helpers.py: a test module imports from there, never from another
test module."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

import helpers
from helpers import ASSIGNMENTS, ROOT, SHARED, TinyCourse, build_tiny_course, copy_real_course  # noqa: F401

# tests/fixtures holds course trees (with graders named test_*.py) that tests copy into a course
# (fifth_assignment: tests/test_authoring.py; tiny_course: the `tiny_course` fixture): not tests of this suite.
collect_ignore = ["fixtures"]

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


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """A private copy of the real course (what grading needs: source, release, graders, config)."""
    return copy_real_course(tmp_path / "course")


@pytest.fixture(scope="session")
def tiny_courses(tmp_path_factory):
    """``make(dest) -> TinyCourse``: a private copy of the tiny course, released once per session."""
    built = build_tiny_course(tmp_path_factory.mktemp("tiny-build") / "course")

    def make(dest: Path) -> TinyCourse:
        shutil.copytree(built, dest, symlinks=True)
        return TinyCourse(dest)

    return make


@pytest.fixture
def tiny_course(tiny_courses, tmp_path) -> TinyCourse:
    """A private, released copy of tests/fixtures/tiny_course (assignment `tiny`: add 1 point, scale 2)."""
    return tiny_courses(tmp_path / "tiny")


@pytest.fixture
def solved_notebook():
    """``solved_notebook(assignment, cells=None, *, root=ROOT, strip=False)``: the release notebook with
    every graded cell solved, except ``cells`` (grade_id -> source)."""
    return helpers.solved_notebook


# --- tiers ----------------------------------------------------------------------------------------
# Every test module is in one tier (a marker): `make test-fast` runs `unit` without the slow tests;
# `sandbox` needs bubblewrap; `integration` runs nbgrader's apps, PostgreSQL, a browser or a server.
TIERS = {
    "unit": {"test_wire", "test_layers", "test_html", "test_result", "test_stated_figures", "test_platform_matrix",
             "test_datasets", "test_content", "test_initialization", "test_gradient_checking",
             "test_regularization", "test_ml_setup", "test_grader_suite", "test_install",
             "test_gitignore", "test_cli_errors", "test_arrival"},
    "sandbox": {"test_grading", "test_attacks", "test_pool", "test_sandbox_contract", "test_fairness",
                "test_parallel", "test_config", "test_feedback", "test_autograded", "test_report", "test_gradebook_helper",
                "test_cli_imports", "test_renamed", "test_progress"},
    "integration": {"test_build", "test_authoring", "test_gradescope", "test_formgrader", "test_postgres",
                    "test_serve", "test_serve_hardening", "test_term", "test_trust", "test_cluster_security",
                    "test_notebooks_execute", "test_extension", "test_roster",
                    "test_serve_listening", "test_lms_collect", "test_whole_term"},
}
TIER_OF = {module: tier for tier, modules in TIERS.items() for module in modules}


def pytest_configure(config):
    for tier, what in (("unit", "fast, no bubblewrap, no server (make test-fast)"),
                       ("sandbox", "grades in the bubblewrap sandbox"),
                       ("integration", "nbgrader's apps, PostgreSQL, a browser or a running service")):
        config.addinivalue_line("markers", f"{tier}: {what}")


def _own_tiers(item) -> list[str]:
    """The tiers a module declares itself (``pytestmark = pytest.mark.unit``): an assignment's own
    test module is a new file and needs no edit here."""
    marks = getattr(item.module, "pytestmark", []) if getattr(item, "module", None) else []
    marks = marks if isinstance(marks, list) else [marks]
    return [m.name for m in marks if m.name in TIERS]


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = Path(str(item.fspath)).stem
        own = _own_tiers(item)
        if module in TIER_OF and own and own != [TIER_OF[module]]:
            raise pytest.UsageError(f"tests/{module}.py declares tier {own} but TIERS puts it in {TIER_OF[module]}")
        if module not in TIER_OF and len(own) != 1:
            raise pytest.UsageError(f"tests/{module}.py is in no tier: add it to TIERS in tests/conftest.py, "
                                    "or declare one in the module (pytestmark = pytest.mark.unit)")
        if module in TIER_OF:
            item.add_marker(TIER_OF[module])


def pytest_sessionstart(session):
    """Where the sandbox must work (CI sets COURSE_REQUIRE_SANDBOX=1), its tests may not skip quietly."""
    if os.environ.get("COURSE_REQUIRE_SANDBOX") == "1":
        from course.sandbox.launchers import bwrap_works

        if not bwrap_works():
            raise pytest.UsageError("COURSE_REQUIRE_SANDBOX=1 but bubblewrap is not usable here: the sandbox, "
                                    "serve and attack tests would all skip")
