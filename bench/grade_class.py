"""Benchmark: grading a class with `course grade` (Dask, 1 and all workers) vs `nbgrader autograde`.

Generates N deterministic synthetic submissions per assignment in a temporary copy of the
course: a mixture of the committed sample variants (correct, partly wrong, untouched) and
two hostile ones (crashing: os._exit in a graded cell; slow: a graded cell sleeping 1 s).
Grades all of them with `course` on a Dask LocalCluster of 1 worker and of every core, and
a subset with `nbgrader autograde` (which executes each notebook top to bottom, training
runs included), then prints per-submission medians, submissions per minute, the ratio to
nbgrader and the speed-up from 1 to all workers.

Run: make bench   (or: .venv/bin/python bench/grade_class.py --n 100 --nbgrader-n 10)
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.build import MARKER_RE  # noqa: E402
from course.grading.batch import grade_all  # noqa: E402
from course.grading.parallel import dask_client  # noqa: E402
from course.paths import assignments as list_assignments  # noqa: E402
from course.paths import copy_course, master_notebook  # noqa: E402
from course.samples import load_spec  # noqa: E402
from course.sandbox.process import Limits  # noqa: E402


def variants(root: Path, assignment: str) -> list[dict | None]:
    """Replacement maps, one per variant; None means the untouched release."""
    master = nbformat.read(master_notebook(root, assignment), as_version=4)
    solved = {c.metadata["nbgrader"]["grade_id"]: "\n".join(l for l in c.source.splitlines() if not MARKER_RE.match(l))
              for c in master.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    first = next(iter(solved))
    hostile = [{first: "import os\nos._exit(1)\n" + solved[first]},  # crashing
               {first: "import time\ntime.sleep(1)\n" + solved[first]}]  # slow
    samples = [dict(solved, **spec) for spec in load_spec(root, assignment).values()]
    return [None, *samples, *[dict(solved, **h) for h in hostile]]


def make_class(course: Path, assignment: str, n: int) -> None:
    name = master_notebook(ROOT, assignment).name
    release = course / "release" / assignment / name
    kinds = variants(ROOT, assignment)
    for i in range(n):
        replacements = kinds[i % len(kinds)]
        nb = nbformat.read(release, as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if replacements is not None and gid in replacements:
                cell.source = replacements[gid]
        out = course / "submitted" / f"s{i:04d}" / assignment / name
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(out))


def time_course(course: Path, assignments: list[str], workers: int) -> tuple[float, list[dict]]:
    shutil.rmtree(course / "autograded", ignore_errors=True)
    results = []
    with dask_client(workers=workers) as client:
        t0 = time.perf_counter()
        for a in assignments:
            results += grade_all(course, a, db_url="none", limits=Limits(call_timeout=10), client=client,
                                 force=True, log=lambda *_: None)
        return time.perf_counter() - t0, results


def time_nbgrader(course: Path, assignments: list[str], n: int) -> tuple[float, int]:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    db = f"--CourseDirectory.db_url=sqlite:///{course / 'nbgrader-bench.db'}"
    common = [db, f"--CourseDirectory.root={course}", "--log-level=ERROR"]
    total, count = 0.0, 0
    for a in assignments:
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", a, "--force",
                        f"--CourseDirectory.release_directory={course / 'nb-release'}", *common],
                       cwd=course, env=env, check=True, capture_output=True)
        students = sorted(p.name for p in (course / "submitted").iterdir() if (p / a).is_dir())[:n]
        t0 = time.perf_counter()
        for s in students:
            subprocess.run([sys.executable, "-m", "nbgrader", "autograde", a, "--force", f"--student={s}",
                            "--ExecutePreprocessor.timeout=300", *common],
                           cwd=course, env=env, capture_output=True)
        total += time.perf_counter() - t0
        count += len(students)
    return total, count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="synthetic submissions per assignment")
    parser.add_argument("--nbgrader-n", type=int, default=10,
                        help="of those, how many per assignment nbgrader autograde grades (it is slow)")
    parser.add_argument("--assignments", nargs="*", default=None)
    args = parser.parse_args(argv)
    assignments = args.assignments or list_assignments(ROOT)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        course = copy_course(ROOT, Path(tmp) / "course")
        for a in assignments:
            make_class(course, a, args.n)
        total = args.n * len(assignments)
        t1, results = time_course(course, assignments, 1)
        tn, results_n = time_course(course, assignments, cores)
        same = {(r["assignment"], r["student"]): r["score"] for r in results} == \
               {(r["assignment"], r["student"]): r["score"] for r in results_n}
        tnb, nnb = time_nbgrader(course, assignments, args.nbgrader_n)

    per_sub = statistics.median(r["seconds"] for r in results)
    rate = lambda seconds, n: 60.0 * n / seconds
    print(f"machine: {cores} cores; {total} submissions ({args.n} per assignment: {', '.join(assignments)})")
    print(f"course grade, 1 worker : {t1:7.1f} s  {rate(t1, total):7.1f} submissions/min  "
          f"(median {per_sub:.3f} s per submission inside the worker)")
    print(f"course grade, {cores} workers: {tn:7.1f} s  {rate(tn, total):7.1f} submissions/min")
    print(f"nbgrader autograde     : {tnb:7.1f} s for {nnb}  {rate(tnb, nnb):7.1f} submissions/min "
          f"(median-free: one process per submission, as instructors run it)")
    print(f"ratio course ({cores} workers) / nbgrader: {rate(tn, total) / rate(tnb, nnb):.1f}x submissions/min")
    print(f"ratio course (1 worker) / nbgrader: {rate(t1, total) / rate(tnb, nnb):.1f}x")
    print(f"speed-up 1 -> {cores} workers: {t1 / tn:.2f}x")
    print(f"same scores at 1 and {cores} workers: {same}")
    statuses = {}
    for r in results_n:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    print(f"statuses: {statuses}")


if __name__ == "__main__":
    main()
