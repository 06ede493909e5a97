"""Benchmark: grading a class with `course grade` (Dask, 1 and all workers) vs `nbgrader autograde`.

Generates N deterministic synthetic submissions per assignment in a temporary copy of the
course: a mixture of the committed sample variants (correct, partly wrong, untouched) and
two hostile ones (crashing: os._exit in a graded cell; slow: a graded cell sleeping 1 s).
Grades all of them with `course` on a Dask LocalCluster of 1 worker and of every core, and
a subset with `nbgrader autograde` (which executes each notebook top to bottom, training
runs included), then prints per-submission medians, submissions per minute, the ratio to
nbgrader and the speed-up from 1 to all workers.

nbgrader grades a plain-nbgrader copy of the course: the course's cells already follow nbgrader's
model (each public-test cell is an autograder test cell worth its function's points, the solution
cells are autograded answers); the copy only gives the extra-credit test cell its bonus as points,
since nbgrader alone cannot grade a bonus. Both tools then grade the same functions, nbgrader with the public
tests and `course` with the hidden graders; the script prints both totals per variant and checks
that they agree where both kinds of test must agree (the correct and the untouched variants).

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
from course.grading.nbgrader_autograde import STOCK_AUTOGRADE_CONFIG  # noqa: E402
from course.grading.notebooks import read_master  # noqa: E402
from course.grading.parallel import dask_client  # noqa: E402
from course.paths import assignments as list_assignments  # noqa: E402
from course.paths import copy_course, master_notebook  # noqa: E402
from course.samples import load_spec  # noqa: E402
from course.sandbox.process import Limits  # noqa: E402


def variants(root: Path, assignment: str) -> list[tuple[str, dict | None]]:
    """(label, replacement map) per variant; None means the untouched release."""
    master = nbformat.read(master_notebook(root, assignment), as_version=4)
    solved = {c.metadata["nbgrader"]["grade_id"]: "\n".join(l for l in c.source.splitlines() if not MARKER_RE.match(l))
              for c in master.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    first = next(iter(solved))
    hostile = [{first: "import os\nos._exit(1)\n" + solved[first]},  # crashing
               {first: "import time\ntime.sleep(1)\n" + solved[first]}]  # slow
    samples = [(label, dict(solved, **spec)) for label, spec in load_spec(root, assignment).items()]
    return [("untouched", None), *samples, ("crashing", dict(solved, **hostile[0])), ("slow", dict(solved, **hostile[1]))]


def make_class(course: Path, assignment: str, n: int) -> dict[str, str]:
    """Write n submissions s0000... cycling through the variants; return student -> variant label."""
    name = master_notebook(ROOT, assignment).name
    release = course / "release" / assignment / name
    kinds = variants(ROOT, assignment)
    labels = {}
    for i in range(n):
        label, replacements = kinds[i % len(kinds)]
        labels[f"s{i:04d}"] = label
        nb = nbformat.read(release, as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if replacements is not None and gid in replacements:
                cell.source = replacements[gid]
        out = course / "submitted" / f"s{i:04d}" / assignment / name
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(out))
    return labels


def time_course(course: Path, assignments: list[str], workers: int) -> tuple[float, list[dict]]:
    shutil.rmtree(course / "autograded", ignore_errors=True)
    results = []
    with dask_client(workers=workers) as client:
        t0 = time.perf_counter()
        for a in assignments:
            results += grade_all(course, a, db_url="none", limits=Limits(call_timeout=10), client=client,
                                 force=True, log=lambda *_: None)
        return time.perf_counter() - t0, results


def to_plain_nbgrader(nb: nbformat.NotebookNode, points: dict[str, float]) -> None:
    """Each function's points on its public-test cell `test_<function>` (the extra credit's bonus
    included), none on its answer cell."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id", "")
        if gid in points:  # the function's solution cell: an ungraded answer
            meta["grade"] = False
            meta.pop("points", None)
        elif gid.startswith("test_") and gid[len("test_"):] in points:  # its public tests: autograded
            meta.update(grade=True, points=points[gid[len("test_"):]])


def plain_nbgrader_course(course: Path, dest: Path, assignments: list[str]) -> dict[str, dict[str, float]]:
    """Copy the course to dest for nbgrader alone, public-test cells carrying the points (see module
    doc); return each assignment's points per function."""
    copy_course(course, dest, ("source", "nbgrader_config.py"))
    with (dest / "nbgrader_config.py").open("a") as config:  # the comparison is with nbgrader's own
        config.write(STOCK_AUTOGRADE_CONFIG)
    points = {}
    for a in assignments:
        path = master_notebook(dest, a)
        nb = nbformat.read(path, as_version=4)
        # an extra-credit cell has 0 nbgrader points and its bonus under metadata.course (read_master):
        # its public test carries the bonus, so that both tools add it to the total
        points[a] = {item.id: item.points for item in read_master(path).items}
        to_plain_nbgrader(nb, points[a])
        nbformat.write(nb, str(path))
    return points


def time_nbgrader(course: Path, assignments: list[str], n: int) -> tuple[float, dict]:
    """Autograde the first n students per assignment, one nbgrader call each; return (seconds, totals)."""
    from nbgrader.api import Gradebook

    nbcourse = course.parent / "nbgrader-course"
    points = plain_nbgrader_course(course, nbcourse, assignments)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    db_url = f"sqlite:///{nbcourse / 'gradebook.db'}"
    common = [f"--CourseDirectory.db_url={db_url}", f"--CourseDirectory.root={nbcourse}", "--log-level=ERROR"]
    total, totals = 0.0, {}
    for a in assignments:
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", a, "--force", *common],
                       cwd=nbcourse, env=env, check=True, capture_output=True)
        students = sorted(p.name for p in (course / "submitted").iterdir() if (p / a).is_dir())[:n]
        for s in students:  # as if handed the plain-nbgrader release: same cells, its metadata
            shutil.copytree(course / "submitted" / s / a, nbcourse / "submitted" / s / a)
            for path in (nbcourse / "submitted" / s / a).glob("*.ipynb"):
                nb = nbformat.read(path, as_version=4)
                to_plain_nbgrader(nb, points[a])
                nbformat.write(nb, str(path))
        t0 = time.perf_counter()
        for s in students:
            subprocess.run([sys.executable, "-m", "nbgrader", "autograde", a, "--force", f"--student={s}",
                            "--ExecutePreprocessor.timeout=300", *common],
                           cwd=nbcourse, env=env, capture_output=True)
        total += time.perf_counter() - t0
        with Gradebook(db_url) as gb:
            for s in students:
                try:
                    totals[(a, s)] = gb.find_submission(a, s).score
                except Exception:  # nbgrader recorded nothing for this one
                    totals[(a, s)] = None
    return total, totals


def compare_totals(ours: dict, theirs: dict, labels: dict) -> bool:
    """Print both totals per (assignment, variant); True when the correct and untouched variants agree."""
    pairs = {}
    for key, nb_total in theirs.items():
        pairs.setdefault((key[0], labels[key]), set()).add((ours[key], nb_total))
    print("totals per variant (course hidden graders / nbgrader public tests):")
    must_agree = True
    for (a, label), seen in sorted(pairs.items()):
        shown = ", ".join(f"{o:g} / {'none' if t is None else f'{t:g}'}" for o, t in sorted(seen, key=str))
        agree = all(o == t for o, t in seen)
        if label == "untouched" or label.endswith("correct"):
            must_agree &= agree
        print(f"  {a:<18} {label:<26} {shown}{'' if agree else '   (differ)'}")
    return must_agree


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
        labels = {}
        for a in assignments:
            labels.update({(a, s): label for s, label in make_class(course, a, args.n).items()})
        total = args.n * len(assignments)
        t1, results = time_course(course, assignments, 1)
        tn, results_n = time_course(course, assignments, cores)
        same = {(r["assignment"], r["student"]): r["score"] for r in results} == \
               {(r["assignment"], r["student"]): r["score"] for r in results_n}
        tnb, nb_totals = time_nbgrader(course, assignments, args.nbgrader_n)
        nnb = len(nb_totals)

    per_sub = statistics.median(r["seconds"] for r in results)
    rate = lambda seconds, n: 60.0 * n / seconds
    print(f"machine: {cores} cores; {total} submissions ({args.n} per assignment: {', '.join(assignments)})")
    print(f"course grade, 1 worker : {t1:7.1f} s  {rate(t1, total):7.1f} submissions/min  "
          f"(median {per_sub:.3f} s per submission inside the worker)")
    print(f"course grade, {cores} workers: {tn:7.1f} s  {rate(tn, total):7.1f} submissions/min")
    print(f"nbgrader autograde     : {tnb:7.1f} s for {nnb}  {rate(tnb, nnb):7.1f} submissions/min "
          f"(one `nbgrader autograde --student` call each)")
    print(f"ratio course ({cores} workers) / nbgrader: {rate(tn, total) / rate(tnb, nnb):.1f}x submissions/min")
    print(f"ratio course (1 worker) / nbgrader: {rate(t1, total) / rate(tnb, nnb):.1f}x")
    print(f"speed-up 1 -> {cores} workers: {t1 / tn:.2f}x")
    print(f"same scores at 1 and {cores} workers: {same}")
    statuses = {}
    for r in results_n:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    print(f"statuses: {statuses}")
    ours = {(r["assignment"], r["student"]): r["score"] for r in results_n}
    agree = compare_totals(ours, nb_totals, labels)
    print(f"correct and untouched variants: same totals in both tools: {agree}")


if __name__ == "__main__":
    main()
