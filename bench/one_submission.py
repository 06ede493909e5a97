"""Benchmark: seconds of one `course grade ASSIGNMENT --student S` command, end to end.

In a copy of the course with one submitted notebook (a sample, by default the correct one), runs
the command once as the very first grading (it also creates the SQLite gradebook and puts the
assignment in it, with an `nbgrader generate_assignment`, as `course release` does), then RUNS
times as a new submission (autograded/ and feedback/ deleted first: grading, feedback, autograded
notebook, gradebook, results.json) and RUNS times with --force, and prints the medians, wall clock
and CPU (the command and its children: on a shared machine CPU seconds move less than wall clock).
In the same run it times `python -c "import course.cli"`, the imports of the grade path, `course
--help` and the bare `python -c pass`, so the share of interpreter start and imports is visible.

Run: make bench   (or: .venv/bin/python bench/one_submission.py [--assignment A] [--sample S] [--runs N])
"""
from __future__ import annotations

import argparse
import json
import resource
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


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of it and its children) to run ``cmd`` to its end (it must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def medians(runs: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in runs]
    return (f"median {statistics.median(wall):.3f} s (min {min(wall):.3f}, max {max(wall):.3f}; "
            f"CPU {statistics.median(c for _, c in runs):.3f} s) of {len(runs)}")


def gradescope_runs(assignment: str, samples: Path, tmp: Path, env: dict, runs: int) -> list:
    """(wall, CPU) of run_autograder in an /autograder tree built from `course gradescope`'s zip,
    each run on a fresh tree (as Gradescope gives each submission a fresh container)."""
    import zipfile

    zip_path = tmp / "autograder.zip"
    subprocess.run([str(COURSE), "gradescope", assignment, "--out", str(zip_path)], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    notebook = next((samples / assignment).glob("*.ipynb"))
    out = []
    for i in range(runs + 1):
        root = tmp / f"autograder-{i}"
        with zipfile.ZipFile(zip_path) as zf:
            for info in zf.infolist():
                target = root / "source" / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
                os.chmod(target, (info.external_attr >> 16) & 0o777)
        shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "source" / "course")], check=True)
        (root / "submission").mkdir()  # setup.sh compiles the package into the image: not timed
        shutil.copy2(notebook, root / "submission" / notebook.name)
        run = timed([str(root / "run_autograder")], root, dict(env, AUTOGRADER_ROOT=str(root), COURSE_PYTHON=sys.executable))
        if i:  # the first run is a warm-up (page cache)
            out.append(run)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="initialization")
    parser.add_argument("--sample", default="correct", help="a folder of samples/submitted/")
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind to take the median of")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE if set (every run compiles course/ again); by default "
                             "the commands run as a user's do, with Python's bytecode cache")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env.pop("COURSE_ROOT", None)  # the copy is found from the working directory
    env.pop("COURSE_DB_URL", None)
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # the first run below writes course/'s bytecode
    cache = "PYTHONDONTWRITEBYTECODE" not in env
    env["PATH"] = str(COURSE.parent) + os.pathsep + env.get("PATH", "")
    python = [sys.executable]
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        course = copy_course(ROOT, Path(tmp) / "course")
        shutil.copytree(ROOT / "samples" / "submitted" / args.sample / args.assignment,
                        course / "submitted" / "s1" / args.assignment)
        grade = [str(COURSE), "grade", args.assignment, "--student", "s1", "-q"]
        first = timed(grade, course, env)
        new = []
        for _ in range(args.runs):
            shutil.rmtree(course / "autograded")
            shutil.rmtree(course / "feedback")
            new.append(timed(grade, course, env))
        forced = [timed([*grade, "--force"], course, env) for _ in range(args.runs)]
        gradescope = gradescope_runs(args.assignment, ROOT / "samples" / "submitted" / args.sample,
                                     Path(tmp), env, args.runs)
        result = json.loads((course / "autograded" / "s1" / args.assignment / "results.json").read_text())
        imports = {label: [timed(cmd, course, env) for _ in range(args.runs)] for label, cmd in [
            ("python -c 'import course.cli'", [*python, "-c", "import course.cli"]),
            ("python -c 'import course.cli, course.grading.batch'",
             [*python, "-c", "import course.cli, course.grading.batch"]),
            ("course --help", [str(COURSE), "--help"]),
            ("python -c pass", [*python, "-c", "pass"])]}

    name = master_notebook(ROOT, args.assignment).name
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, bubblewrap "
          f"{'on' if bwrap_works() else 'off'}, bytecode cache {'on' if cache else 'off'} "
          f"(PYTHONDONTWRITEBYTECODE); {args.sample}/{args.assignment}/{name} as student s1, default SQLite "
          f"gradebook; score {result['score']:g}/{result['max_score']:g} {result['status']}")
    print(f"course grade {args.assignment} --student s1")
    print(f"  very first run (creates the gradebook, adds the assignment): {first[0]:.3f} s (CPU {first[1]:.3f} s)")
    print(f"  a new submission (autograded/, feedback/ deleted)          : {medians(new)}")
    print(f"  --force (a regrade)                                        : {medians(forced)}")
    print(f"  of which grading (results.json 'seconds' of the last run)  : {result['seconds']:.3f} s")
    print(f"Gradescope run_autograder (the zip unpacked into a fake /autograder, the same notebook): {medians(gradescope)}")
    for label, runs in imports.items():
        print(f"{label:<61}: {medians(runs)}")
    regrade = statistics.median(w for w, _ in forced)
    bare = statistics.median(w for w, _ in imports["python -c pass"])
    grade_imports = statistics.median(w for w, _ in imports["python -c 'import course.cli, course.grading.batch'"])
    print(f"ratio regrade / bare interpreter: {regrade / bare:.1f}x; interpreter start + imports of the grade path: "
          f"{grade_imports:.3f} s ({grade_imports / regrade:.0%} of the regrade)")


if __name__ == "__main__":
    main()
