"""The hidden graders of an assignment: pytest over graders/<assignment>, the points their
``@pytest.mark.grade`` marks give, and the check that they agree with the master notebook."""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from course.grading.notebooks import read_master
from course.paths import master_notebook


def grade_marks(items) -> list[tuple[str, str, float]]:
    """(test name, graded item, points) of each collected grader test; UsageError for an unmarked test."""
    marks = []
    for item in items:
        mark = item.get_closest_marker("grade")
        if mark is None:
            raise pytest.UsageError(f"{item.nodeid}: every grader test needs @pytest.mark.grade(item=..., points=...)")
        marks.append((item.name, mark.kwargs["item"], float(mark.kwargs["points"])))
    return marks


def item_scales(items, collected: list[tuple[str, str, float]]) -> dict[str, float]:
    """Points live in one place, the master notebook's cells: a grader mark's ``points`` are its
    share of its item, scaled so that an item's tests add up to the item's cell points.

    Raises pytest.UsageError when a test scores an item the notebook does not grade, or a graded
    item has no test (the release refuses both: course.build.check_graders).
    """
    totals: dict[str, float] = {}
    for name, item_id, points in collected:
        totals[item_id] = totals.get(item_id, 0.0) + points
    known = {item.id: item.points for item in items}
    unknown = sorted(set(totals) - set(known))
    untested = sorted(i for i in known if totals.get(i, 0) <= 0)
    if unknown or untested:
        raise pytest.UsageError("graders and notebook disagree: " + "; ".join(
            ([f"tests score unknown item(s) {unknown}"] if unknown else [])
            + ([f"no grader test for {untested}"] if untested else [])))
    return {i: known[i] / totals[i] for i in known}


# pytest's built-in plugins that no grader uses: doctests, unittest.TestCase classes, JUnit XML, pastebin,
# --pdb, --stepwise, --setup-only/--setup-plan, the legacy ``tmpdir``/``testdir`` fixtures.
UNUSED_PLUGINS = ("doctest", "unittest", "junitxml", "pastebin", "debugging", "stepwise", "setuponly", "setupplan",
                  "legacypath")


def run_pytest(graders: Path, plugin, *extra: str) -> None:
    """pytest over the graders with ``plugin`` (GradingPlugin, or a collector with --collect-only)."""
    if not graders.is_dir():
        raise FileNotFoundError(f"no graders at {graders}")
    # unraisableexception runs gc.collect() several times per session (~0.2 s): not needed here.
    # An explicit rootdir keeps grader module names package-qualified ("graders.<a>.test_<a>"). Left to
    # pytest, the rootdir depends on the cwd and could be the graders folder itself; the module would then be
    # "test_<a>" and collide with a same-named module already imported in this process.
    # Only trusted code runs in this process: no entry-point plugins (a package someone installed
    # could score tests), no conftest.py and no ini file found next to the graders (-c: an empty one).
    # Graders are plain test functions run once, unattended: the plugins for other kinds of tests and
    # for interactive runs (UNUSED_PLUGINS) are not loaded, and a cold `course grade` skips their imports.
    args = [str(graders), "-q", "--no-header", "--tb=no", "-p", "no:cacheprovider", "-p", "no:unraisableexception",
            "-p", "no:threadexception", *(a for name in UNUSED_PLUGINS for a in ("-p", f"no:{name}")),
            "--rootdir", str(graders.parent.parent), "-c", os.devnull, "--noconftest",
            "--import-mode=importlib", "-o", "addopts=", "-W", "ignore::pytest.PytestAssertRewriteWarning", *extra]
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = pytest.main(args, plugins=[plugin])
    finally:
        if saved is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved
    if code == pytest.ExitCode.INTERRUPTED:  # pytest turns Ctrl-C into an exit code: the batch must stop
        raise KeyboardInterrupt
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(f"pytest could not run the graders in {graders} (exit {code}):\n{out.getvalue()[-3000:]}")


def check_graders(root: Path, assignment: str) -> None:
    """Collect graders/<assignment> without running them; ValueError when their items disagree with
    the master notebook's graded cells (see plugin.item_scales): the release refuses it."""
    class Collector:
        def __init__(self):
            self.collected = []

        def pytest_collection_modifyitems(self, session, config, items):
            self.collected.extend(grade_marks(items))

    collector = Collector()
    run_pytest(root / "graders" / assignment, collector, "--collect-only")
    try:
        item_scales(read_master(master_notebook(root, assignment)).items, collector.collected)
    except pytest.UsageError as exc:
        raise ValueError(f"graders/{assignment}: {exc}") from None
