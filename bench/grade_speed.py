"""Benchmark: seconds to grade one submission with `course` versus `nbgrader autograde`.

Grades every sample submission of an assignment REPEAT times with the course engine
(sandboxed child + hidden pytest graders) and times `nbgrader autograde` (which executes the
whole notebook, training runs included) on the same course directory copy. Prints medians
and the ratio. Run: make bench   (or: .venv/bin/python bench/grade_speed.py [ASSIGNMENT])
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.grading.engine import grade_submission  # noqa: E402
from course.grading.nbgrader_autograde import STOCK_AUTOGRADE_CONFIG  # noqa: E402
from course.paths import copy_course, master_notebook  # noqa: E402
from course.sandbox.process import bwrap_works  # noqa: E402

REPEAT = 3
NBGRADER_STUDENTS = 2


def main(assignment: str = "initialization") -> None:
    name = master_notebook(ROOT, assignment).name
    students = sorted(p.name for p in (ROOT / "samples" / "submitted").iterdir() if (p / assignment / name).is_file())
    course_times = []
    for _ in range(REPEAT):
        for s in students:
            t0 = time.perf_counter()
            grade_submission(ROOT, assignment, s, ROOT / "samples" / "submitted" / s / assignment / name)
            course_times.append(time.perf_counter() - t0)

    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    nbgrader_times = []
    with tempfile.TemporaryDirectory() as tmp:
        course = copy_course(ROOT, Path(tmp) / "course", ("source", "nbgrader_config.py"))
        with (course / "nbgrader_config.py").open("a") as config:  # the comparison is with nbgrader's own
            config.write(STOCK_AUTOGRADE_CONFIG)
        db = f"--CourseDirectory.db_url=sqlite:///{course / 'gb.db'}"
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force", db,
                        f"--CourseDirectory.root={course}"], cwd=course, env=env, check=True, capture_output=True)
        for s in students[:NBGRADER_STUDENTS]:
            shutil.copytree(ROOT / "samples" / "submitted" / s / assignment, course / "submitted" / s / assignment)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force", db,
                            f"--CourseDirectory.root={course}", f"--student={s}"],
                           cwd=course, env=env, capture_output=True)
            nbgrader_times.append(time.perf_counter() - t0)

    ours, theirs = statistics.median(course_times), statistics.median(nbgrader_times)
    print(f"machine: {os.cpu_count()} cores, bubblewrap {'on' if bwrap_works() else 'off'}")
    print(f"course grade     : median {ours:.3f} s per submission ({len(course_times)} gradings)")
    print(f"nbgrader autograde: median {theirs:.3f} s per submission ({len(nbgrader_times)} gradings)")
    print(f"ratio nbgrader / course: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main(*sys.argv[1:])
