"""Benchmark: where the time of grading one submission goes, phase by phase.

Grades the correct sample of each assignment REPEAT times in this process (as a Dask worker
does: the reference namespace and grader modules stay loaded after the first grading) and
prints the median of every phase recorded in results.json `timings`, plus the cost of a bare
sandbox start measured on its own (bubblewrap + interpreter, with and without numpy).

Run: make bench   (or: .venv/bin/python bench/time_breakdown.py [--repeat 5])
"""
from __future__ import annotations

import argparse
import json
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
from course.paths import assignments as list_assignments  # noqa: E402
from course.paths import master_notebook  # noqa: E402
from course.samples import load_spec  # noqa: E402
from course.sandbox.launchers import bwrap_command, bwrap_works  # noqa: E402

# (key in timings, what it covers); "other" is the rest of the total
PHASES = [
    ("read", "read + validate the notebook"),
    ("workdir", "the child's copy of the release folder"),
    ("reference", "reference namespace (cached after the first)"),
    ("child_start", "sandbox + interpreter + numpy, until the child answers"),
    ("setup", "course setup cells in the child"),
    ("cells", "the submission's graded cells"),
    ("graders_collect", "pytest start + grader collection"),
    ("child_calls", "grader calls into the child (round trips + student code)"),
    ("graders_compare", "grader code in the parent (reference runs, comparisons)"),
]


def correct_student(assignment: str) -> str:
    """The sample whose spec changes nothing (the correct one)."""
    return next(name for name, spec in load_spec(ROOT, assignment).items() if not spec)


def distinct_copy(notebook: Path, i: int, tmp: Path) -> Path:
    """The notebook with a comment added to every code cell: as with a class, no two submissions have
    the same text, so nothing parsed for one is reused for the next."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = source + f"\n# copy {i}"
    out = tmp / f"{i}" / notebook.parent.name / notebook.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(nb), encoding="utf-8")
    return out


def bare_start(isolate: bool, code: str, repeat: int) -> float:
    """Median seconds to run `python -I -c code` in the sandbox (or bare) and wait for it."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        prefix = bwrap_command(Path(tmp)) if isolate else []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run([*prefix, sys.executable, "-I", "-c", code], check=True, cwd=None if isolate else tmp)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    isolate = bwrap_works()
    print(f"bubblewrap {'on' if isolate else 'off'}; medians of {args.repeat} gradings of each correct sample "
          f"(after one warm-up grading)")
    rows = {}
    tmp = Path(tempfile.mkdtemp(prefix="time-breakdown-"))
    for a in list_assignments(ROOT):
        student = correct_student(a)
        nb = ROOT / "samples" / "submitted" / student / a / master_notebook(ROOT, a).name
        grade_submission(ROOT, a, student, nb)  # warm-up: loads the reference and collects the graders
        runs = []
        for i in range(args.repeat):
            r = grade_submission(ROOT, a, student, distinct_copy(nb, i, tmp))
            t = dict(r["timings"], total=r["seconds"])
            t["graders_compare"] = t["graders"] - t.get("graders_collect", 0.0) - t["child_calls"]
            t["other"] = t["total"] - sum(t.get(p, 0.0) for p, _ in PHASES)  # per run: never below 0
            t["overhead"] = t["read"] + t.get("workdir", 0.0) + t.get("graders_collect", 0.0) + t["other"]
            runs.append(t)
        keys = [p for p, _ in PHASES] + ["other", "overhead", "total"]
        rows[a] = {k: statistics.median(run.get(k, 0.0) for run in runs) for k in keys}

    width = max(len(a) for a in rows)
    shutil.rmtree(tmp)
    print(f"{'phase':<17}" + "".join(f"{a:>{width + 2}}" for a in rows) + "   what")
    for key, what in [*PHASES, ("other", "the rest: result assembly, closing the child"),
                      ("overhead", "read + workdir + collection + other (median of each run's sum)"), ("total", "")]:
        print(f"{key:<17}" + "".join(f"{rows[a][key]:>{width + 1}.3f}s" for a in rows) + f"   {what}")

    print("\nbare process starts (median of 10):")
    for label, code in [("python -I -c pass", "pass"), ("python -I -c 'import numpy'", "import numpy")]:
        bare = bare_start(False, code, 10)
        line = f"  {label:<30} no sandbox {bare:.3f} s"
        if isolate:
            line += f"   in bubblewrap {bare_start(True, code, 10):.3f} s"
        print(line)


if __name__ == "__main__":
    main()
