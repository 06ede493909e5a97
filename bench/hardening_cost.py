"""Benchmark: what the sandbox hardening costs per submission, before/after in the same run.

Checks out the course as it was before the hardening (commit BEFORE, a git worktree in a temp
folder), then grades the correct sample of every assignment of that course with the engine of
BEFORE and with this checkout's engine (same notebooks, graders and data, so only the engine
differs), alternating old/new so that machine noise hits both alike, and prints medians and ratios.
Each engine runs in its own process (both are the package ``course``); within a process the
first grading is a warm-up, as on a Dask worker.

Run: make bench   (or: .venv/bin/python bench/hardening_cost.py [--rounds 3] [--repeat 5])
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "20c2c80"  # the last commit before the hardening (issue 9)

# With the engine found at argv[1], grades the correct sample of each assignment of the course at
# argv[2] argv[3] times.
PROBE = r'''
import json, statistics, sys
sys.path.insert(0, sys.argv[1])
root = sys.argv[2]
from pathlib import Path
from course.grading.engine import grade_submission
from course.paths import assignments, master_notebook
from course.samples import load_spec
root = Path(root)
out = {}
for a in assignments(root):
    student = next(n for n, spec in load_spec(root, a).items() if not spec)
    nb = root / "samples" / "submitted" / student / a / master_notebook(root, a).name
    grade_submission(root, a, student, nb)  # warm-up
    times = []
    for _ in range(int(sys.argv[3])):
        r = grade_submission(root, a, student, nb)
        assert r["score"] == r["max_score"], (a, r["status"], r.get("message"))
        times.append(r["seconds"])
    out[a] = times
print(json.dumps(out))
'''


def grade_times(engine: Path, course: Path, repeat: int) -> dict[str, list[float]]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(engine), str(course), str(repeat)], capture_output=True,
                         text=True, check=True, cwd=engine)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="old/new alternations")
    parser.add_argument("--repeat", type=int, default=5, help="gradings per assignment per round")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="course-before-") as tmp:
        old = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old), BEFORE], check=True)
        try:
            times = {"before": {}, "after": {}}
            for _ in range(args.rounds):
                for label, engine in (("before", old), ("after", ROOT)):
                    for a, ts in grade_times(engine, old, args.repeat).items():
                        times[label].setdefault(a, []).extend(ts)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False)
    print(f"seconds per correct submission, median of {args.rounds * args.repeat} gradings "
          f"(engine before the hardening = {BEFORE}, after = this checkout)")
    width = max(len(a) for a in times["after"])
    print(f"{'assignment':<{width}}  {'before':>8}  {'after':>8}  after/before")
    total = {"before": 0.0, "after": 0.0}
    for a in times["after"]:
        b, n = statistics.median(times["before"][a]), statistics.median(times["after"][a])
        total["before"] += b
        total["after"] += n
        print(f"{a:<{width}}  {b:8.3f}  {n:8.3f}  {n / b:.3f}")
    print(f"{'all three':<{width}}  {total['before']:8.3f}  {total['after']:8.3f}  {total['after'] / total['before']:.3f}")


if __name__ == "__main__":
    main()
