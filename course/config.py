"""The course's one configuration: nbgrader_config.py, read the way nbgrader reads it.

nbgrader, formgrader and every ``course`` command read the same file, so they cannot disagree on
the gradebook or the limits. What it holds:

- ``c.CourseDirectory.db_url``: the gradebook (the file takes ``$COURSE_DB_URL``, else
  ``sqlite:///<root>/gradebook.db``);
- ``c.CourseGrading.language``: the students' language (course.language);
- ``c.CourseGrading.*``: the limits of every grading path (``course grade``, ``course serve``,
  ``nbgrader autograde``); a command-line flag overrides one for that run;
- ``c.LatePenalty.*``: the late policy (course.late).

Defaults not set in the file come from the code that enforces them (course.sandbox.process.Limits).
"""
from __future__ import annotations

import copy
import functools
import os
from dataclasses import dataclass, replace
from pathlib import Path

from traitlets import Float, Int, List, Unicode
from traitlets.config import Config, Configurable, PyFileConfigLoader

from course.sandbox.process import Limits

CONFIG_FILE = "nbgrader_config.py"
DEFAULT_SUBMISSION_TIMEOUT = 300.0  # wall-clock seconds for a whole submission
DEFAULT_OUTPUTS = ("feedback", "autograded", "gradebook")  # course.grading.record.WRITERS
_LIMITS = Limits()


class CourseGrading(Configurable):
    """Limits every grading path uses; set them as ``c.CourseGrading.<name>`` in nbgrader_config.py."""

    submission_timeout = Float(DEFAULT_SUBMISSION_TIMEOUT,
                               help="wall-clock seconds for a whole submission").tag(config=True)
    call_timeout = Float(_LIMITS.call_timeout, help="seconds per cell or function call").tag(config=True)
    memory_mb = Int(_LIMITS.memory_bytes >> 20, help="memory of all of a submission's processes together, "
                    "tmpfs included (cgroup; else per process), in MiB").tag(config=True)
    max_notebook_mb = Int(_LIMITS.notebook_bytes >> 20,
                          help="a larger submitted notebook is refused unread (MiB)").tag(config=True)
    sandbox = Unicode("bwrap", help="how submissions are isolated: a course.sandbox.launchers name (bwrap; "
                      "limits-only only with --allow-unsandboxed, for trusted code)").tag(config=True)
    language = Unicode("zh", help="the students' language: zh or en (course.language); the release, "
                       "solutions and samples are built in it").tag(config=True)
    outputs = List(Unicode(), default_value=list(DEFAULT_OUTPUTS),
                   help="what is written for each graded submission besides results.json: names of "
                        "course.grading.record.WRITERS, or module:Class of a writer of your own").tag(config=True)


def read_config(root: Path) -> Config:
    """nbgrader_config.py of the course at ``root`` (an empty Config when there is none).

    Read once per version of the file and of the environment it may read (COURSE_DB_URL, ...):
    a batch records hundreds of submissions, and each record needs the configuration."""
    path = Path(root) / CONFIG_FILE
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        return Config()
    return copy.deepcopy(_load(str(path.resolve()), version, frozenset(os.environ.items())))


@functools.lru_cache(maxsize=16)
def _load(path: str, version: int, environment: frozenset) -> Config:
    return PyFileConfigLoader(os.path.basename(path), os.path.dirname(path)).load_config()


@dataclass(frozen=True)
class Course:
    """The course repository at ``root`` and its configuration, loaded once per command or worker."""

    root: Path
    config: Config

    @classmethod
    def load(cls, root: Path) -> "Course":
        root = Path(root).resolve()
        return cls(root, read_config(root))

    @property
    def course_id(self) -> str:
        directory = self.config.get("CourseDirectory", {})
        return str(directory.get("course_id", "")) or "course"

    @property
    def db_url(self) -> str:
        """The configured gradebook (nbgrader's CourseDirectory.db_url)."""
        directory = self.config.get("CourseDirectory", {})
        return str(directory.get("db_url", "")) or sqlite_url(self.root / "gradebook.db")

    def gradebook_url(self, class_dir: Path | None = None) -> str:
        """The gradebook of the class whose data is in ``class_dir``: the configured one for the course
        root, and a ``gradebook.db`` of its own for any other class folder (``--class-dir samples``:
        the demo never writes into the real class's gradebook)."""
        if class_dir is None or Path(class_dir).resolve() == self.root:
            return self.db_url
        return sqlite_url(Path(class_dir).resolve() / "gradebook.db")

    def existing_gradebook(self, class_dir: Path | None = None) -> str | None:
        """gradebook_url, or None when it is a SQLite file that does not exist (nothing to read)."""
        url = self.gradebook_url(class_dir)
        if url.startswith("sqlite:///") and not os.path.isfile(url.removeprefix("sqlite:///")):
            return None
        return url

    @property
    def grading(self) -> CourseGrading:
        return CourseGrading(config=self.config)

    def limits(self, *, call_timeout: float | None = None, memory_mb: int | None = None,
               max_notebook_mb: int | None = None) -> Limits:
        """The configured limits, with any given override."""
        g = self.grading
        return replace(_LIMITS,
                       call_timeout=float(g.call_timeout if call_timeout is None else call_timeout),
                       memory_bytes=int(g.memory_mb if memory_mb is None else memory_mb) << 20,
                       notebook_bytes=int(g.max_notebook_mb if max_notebook_mb is None else max_notebook_mb) << 20)

    @property
    def language(self) -> str:
        """The students' language (``c.CourseGrading.language``)."""
        return str(self.grading.language)

    def submission_timeout(self, override: float | None = None) -> float:
        return float(self.grading.submission_timeout if override is None else override)

    def late_policy(self, assignment: str):
        """The late policy (course.late.LatePenalty) for one assignment."""
        from course.late import LatePenalty  # imports nbgrader: only where lateness is computed

        return LatePenalty(config=self.config, assignment_id=assignment)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
