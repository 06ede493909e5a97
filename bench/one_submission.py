"""Benchmark: seconds of one `course grade ASSIGNMENT --student S` command, end to end.

In a copy of the course with one submitted notebook (a sample, by default the correct one), runs
the command once as a first grading (it also puts the assignment in the fresh SQLite gradebook,
which takes an `nbgrader generate_assignment`), then RUNS more times with --force (a regrade:
grading, feedback, autograded notebook, gradebook, results.json), and prints the median. In the
same run it times `python -c "import course.cli"` and the bare `python -c pass`, so the share of
interpreter start and imports is visible next to the command.

Run: make bench   (or: .venv/bin/python bench/one_submission.py [--assignment A] [--sample S] [--runs N])
"""
from __future__ import annotations

import argparse
import json
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

from course.paths import copy_course, master_notebook  # noqa: E402
from course.sandbox.process import bwrap_works  # noqa: E402

COURSE = Path(sys.executable).with_name("course")  # the console script installed beside this interpreter


def timed(cmd: list[str], cwd: Path, env: dict) -> float:
    """Seconds to run ``cmd`` to its end (it must succeed)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return seconds


def median_of(cmd: list[str], cwd: Path, env: dict, runs: int) -> float:
    return statistics.median(timed(cmd, cwd, env) for _ in range(runs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="initialization")
    parser.add_argument("--sample", default="correct", help="a folder of samples/submitted/")
    parser.add_argument("--runs", type=int, default=7, help="forced regrades (and import timings) to take the median of")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env.pop("COURSE_ROOT", None)  # the copy is found from the working directory
    env.pop("COURSE_DB_URL", None)
    env["PATH"] = str(COURSE.parent) + os.pathsep + env.get("PATH", "")
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        course = copy_course(ROOT, Path(tmp) / "course")
        shutil.copytree(ROOT / "samples" / "submitted" / args.sample / args.assignment,
                        course / "submitted" / "s1" / args.assignment)
        grade = [str(COURSE), "grade", args.assignment, "--student", "s1", "-q"]
        first = timed(grade, course, env)
        forced = [timed([*grade, "--force"], course, env) for _ in range(args.runs)]
        result = json.loads((course / "autograded" / "s1" / args.assignment / "results.json").read_text())
        # what the last grading itself took (results.json's "seconds": reading, sandbox, graders)
        grading = result["seconds"]
        python = [sys.executable]
        import_cli = median_of([*python, "-c", "import course.cli"], course, env, args.runs)
        import_grade = median_of([*python, "-c", "import course.cli, course.grading.batch"], course, env, args.runs)
        bare = median_of([*python, "-c", "pass"], course, env, args.runs)
        help_ = median_of([str(COURSE), "--help"], course, env, args.runs)

    regrade = statistics.median(forced)
    name = master_notebook(ROOT, args.assignment).name
    print(f"machine: {os.cpu_count()} cores, bubblewrap {'on' if bwrap_works() else 'off'}; "
          f"{args.sample}/{args.assignment}/{name} as student s1, default SQLite gradebook")
    print(f"course grade {args.assignment} --student s1, first run (adds the assignment to a new gradebook): "
          f"{first:.3f} s")
    print(f"course grade {args.assignment} --student s1 --force: median {regrade:.3f} s of {args.runs} "
          f"(min {min(forced):.3f} s, max {max(forced):.3f} s); score {result['score']:g}/{result['max_score']:g} "
          f"{result['status']}, of which grading {grading:.3f} s (results.json 'seconds')")
    print(f"python -c 'import course.cli'                       : median {import_cli:.3f} s")
    print(f"python -c 'import course.cli, course.grading.batch' : median {import_grade:.3f} s")
    print(f"course --help                                       : median {help_:.3f} s")
    print(f"python -c pass                                      : median {bare:.3f} s")
    print(f"ratio command / bare interpreter: {regrade / bare:.1f}x; imports of the grade path: "
          f"{import_grade - bare:.3f} s ({(import_grade - bare) / regrade:.0%} of the command)")


if __name__ == "__main__":
    main()
