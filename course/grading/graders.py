"""The hidden graders of an assignment: pytest over graders/<assignment>, the points their
``@pytest.mark.grade`` marks give, and the check that they agree with the master notebook."""
from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
import time
from pathlib import Path

import _pytest.config
import _pytest.main
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


def pytest_args(graders: Path, *extra: str, terminal: bool = True) -> list[str]:
    """The command line every grader run uses (see run_pytest for why each part is there)."""
    # unraisableexception runs gc.collect() several times per session (~0.2 s): not needed here.
    # An explicit rootdir keeps grader module names package-qualified ("graders.<a>.test_<a>"). Left to
    # pytest, the rootdir depends on the cwd and could be the graders folder itself; the module would then be
    # "test_<a>" and collide with a same-named module already imported in this process.
    # Only trusted code runs in this process: no entry-point plugins (a package someone installed
    # could score tests), no conftest.py and no ini file found next to the graders (-c: an empty one).
    # Graders are plain test functions run once, unattended: the plugins for other kinds of tests and
    # for interactive runs (UNUSED_PLUGINS) are not loaded, and a cold `course grade` skips their imports.
    report = ["-q", "--no-header", "--tb=no"] if terminal else ["-p", "no:terminal"]
    return [str(graders), *report, "-p", "no:cacheprovider", "-p", "no:unraisableexception",
            "-p", "no:threadexception", *(a for name in UNUSED_PLUGINS for a in ("-p", f"no:{name}")),
            "--rootdir", str(graders.parent.parent), "-c", os.devnull, "--noconftest",
            "--import-mode=importlib", "-o", "addopts=", "-W", "ignore::pytest.PytestAssertRewriteWarning", *extra]


@contextlib.contextmanager
def no_plugin_autoload():
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved


def run_pytest(graders: Path, plugin, *extra: str) -> None:
    """pytest over the graders with ``plugin`` (a collector with --collect-only, or a one-off run)."""
    if not graders.is_dir():
        raise FileNotFoundError(f"no graders at {graders}")
    with no_plugin_autoload(), contextlib.redirect_stdout(io.StringIO()) as out:
        code = pytest.main(pytest_args(graders, *extra), plugins=[plugin])
    if code == pytest.ExitCode.INTERRUPTED:  # pytest turns Ctrl-C into an exit code: the batch must stop
        raise KeyboardInterrupt
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(f"pytest could not run the graders in {graders} (exit {code}):\n{out.getvalue()[-3000:]}")


def grader_files(graders: Path) -> tuple[tuple[str, int, int], ...]:
    """What a collection of the graders depends on: every Python file's name, mtime and size."""
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in graders.rglob("*.py")))


class GraderSuite:
    """pytest configured and the graders collected once; their tests run again for each submission.

    pytest.main per submission spends ~20-40 ms on configuration, plugin registration and collection
    before the first test runs. A suite does that once per process (a Dask worker, ``course serve``'s
    grader, one ``course grade``) and runs the collected items through pytest's own per-test protocol,
    as pytest-rerunfailures does: every fixture, session-scoped ones included, is set up and torn down
    again for each run. ``plugin`` is registered once; it must take its per-submission state from
    the caller between runs. No output capture (it would hold the process's stdout between runs):
    graders do not print, and the student's output comes from the sandbox child.
    """

    def __init__(self, graders: Path, plugin):
        if not graders.is_dir():
            raise FileNotFoundError(f"no graders at {graders}")
        self.graders, self.plugin, self.files = graders, plugin, grader_files(graders)
        self.lock = threading.Lock()
        self.broken = False  # a run was interrupted: the suite is not used again
        self._forget_modules()  # a changed grader file is imported again, not taken from sys.modules
        errors = self.collection_errors = []

        class Errors:
            def pytest_collectreport(self, report):
                if report.failed:
                    errors.append(f"{report.nodeid or graders}: {report.longreprtext[-3000:]}")

        started = time.monotonic()
        with no_plugin_autoload():
            self.config = _pytest.config._prepareconfig(
                pytest_args(graders, "-s", "-p", "no:faulthandler", "-p", "no:logging", terminal=False),
                plugins=[plugin, Errors()])
        cwd = os.getcwd()
        try:
            self.config._do_configure()
            self.session = _pytest.main.Session.from_config(self.config)
            self.config.hook.pytest_sessionstart(session=self.session)
            self.config.hook.pytest_collection(session=self.session)
        except pytest.UsageError as exc:
            self.close()
            if errors:  # a module that did not import has no tests: that, not the item count, is the news
                raise RuntimeError(f"pytest could not collect the graders in {graders}:\n"
                                   + "\n".join(errors)[-3000:]) from None
            raise RuntimeError(f"pytest could not run the graders in {graders}: {exc}") from None
        except BaseException:
            self.close()
            raise
        finally:
            os.chdir(cwd)
        if errors or self.session.testsfailed:
            self.close()
            raise RuntimeError(f"pytest could not collect the graders in {graders}:\n" + "\n".join(errors)[-3000:])
        self.items = list(self.session.items)
        self.collect_seconds = time.monotonic() - started

    def _forget_modules(self) -> None:
        """Drop imported grader modules of this folder, and of any same-named one (pytest names them
        ``graders.<assignment>.<module>`` and imports a name it finds in sys.modules no more): another
        copy of the course graded earlier in this process must not lend its graders."""
        folder = str(self.graders.resolve())
        prefix = f"{self.graders.parent.name}.{self.graders.name}"
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None) or ""
            if file.startswith(folder + os.sep) or name == prefix or name.startswith(prefix + "."):
                del sys.modules[name]

    def is_current(self) -> bool:
        try:
            return grader_files(self.graders) == self.files
        except OSError:
            return False

    def run(self) -> None:
        """Every collected test once, in order (the plugin records the results)."""
        cwd = os.getcwd()
        with self.lock:
            if self.broken:
                raise RuntimeError(f"the graders in {self.graders} were interrupted: collect them again")
            try:
                for i, item in enumerate(self.items):
                    nextitem = self.items[i + 1] if i + 1 < len(self.items) else None
                    item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            except BaseException:
                # Ctrl-C (or a failure of pytest itself) mid-test: pytest would end the session here, and
                # a fixture interrupted in its setup keeps state that breaks its next setup.
                self.broken = True
                with contextlib.suppress(Exception):
                    self.session._setupstate.teardown_exact(None)
                raise
            finally:
                os.chdir(cwd)

    def close(self) -> None:
        session = getattr(self, "session", None)
        try:
            if session is not None and hasattr(session, "_setupstate"):
                with contextlib.suppress(Exception):
                    self.config.hook.pytest_sessionfinish(session=session, exitstatus=0)
        finally:
            self.config._ensure_unconfigure()


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
