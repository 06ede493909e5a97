"""Benchmark: `course serve` upload-to-graded latency, and its throughput against `course grade --workers`.

1. Latency: one client uploads the correct Initialization notebook N times in a row (waiting for
   each grade, polling every 20 ms); prints the median and p95 seconds from POST to "graded".
2. Throughput: CLIENTS concurrent clients upload UPLOADS notebooks in all (every sample of every
   assignment, hostile ones included, round robin); prints the seconds until all are graded, then
   grades the same notebooks with `course grade --workers W` in another copy of the course and
   prints both rates and their ratio. Every upload must be answered 202 and graded exactly once.

Run: .venv/bin/python bench/serve_speed.py [--latency 20] [--uploads 200] [--clients 20] [--workers 2]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from course.paths import assignments, copy_course, master_notebook  # noqa: E402
from test_serve import Server, upload  # noqa: E402  (the tests' server harness)


def samples() -> list[tuple[str, Path]]:
    """(assignment, notebook) of every committed sample submission."""
    out = []
    for a in assignments(ROOT):
        name = master_notebook(ROOT, a).name
        out += [(a, p) for p in sorted((ROOT / "samples" / "submitted").glob(f"*/{a}/{name}"))]
    return out


def wait_all(server: Server, jobs: list[tuple[str, str]], poll: float = 0.02) -> None:
    pending = list(jobs)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        while pending:
            token, job = pending[0]
            status = client.get(f"/api/submissions/{job}", headers={"Authorization": f"Bearer {token}"}).json()
            if status["status"] == "graded":
                pending.pop(0)
            else:
                time.sleep(poll)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=int, default=20)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="course-serve-bench-") as tmp:
        course = copy_course(ROOT, Path(tmp) / "course")
        server = Server(course, "--workers", str(args.workers), "--uploads-per-minute", "100000",
                        "--attempts", "100000")
        tokens = [server.token(f"bench{i:03d}") for i in range(args.clients)]
        server.start()
        try:
            correct = ROOT / "samples" / "submitted" / "correct" / "initialization" / "Initialization.ipynb"
            upload(server, tokens[0], correct)  # warm-up: workers import numpy, pytest and the graders
            wait_all(server, [(tokens[0], upload(server, tokens[0], correct).json()["id"])])
            latencies = []
            for _ in range(args.latency):
                t0 = time.perf_counter()
                job = upload(server, tokens[0], correct).json()["id"]
                wait_all(server, [(tokens[0], job)], poll=0.01)
                latencies.append(time.perf_counter() - t0)
            latencies.sort()
            p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
            print(f"latency, one correct Initialization notebook, {args.latency} uploads: "
                  f"median {statistics.median(latencies):.3f} s, p95 {p95:.3f} s")

            work = samples()
            plan = [(tokens[i % args.clients], *work[i % len(work)]) for i in range(args.uploads)]
            answers, lock = [], threading.Lock()

            def client(k: int) -> None:
                for token, assignment, path in plan[k::args.clients]:
                    r = upload(server, token, path, assignment)
                    with lock:
                        answers.append((token, r.status_code, r.json().get("id")))

            t0 = time.perf_counter()
            threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            codes = sorted({code for _, code, _ in answers})
            wait_all(server, [(token, job) for token, code, job in answers if code == 202])
            serve_seconds = time.perf_counter() - t0
        finally:
            server.stop()
        attempts = sum(1 for _ in course.glob("submitted/*/*/.attempts/*/results.json"))
        print(f"throughput: {args.uploads} uploads from {args.clients} clients, answers {codes}, "
              f"{attempts - args.latency - 2} graded in {serve_seconds:.1f} s = {args.uploads / serve_seconds * 60:.1f}/min")

        batch = copy_course(ROOT, Path(tmp) / "batch")
        for i, (_, assignment, path) in enumerate(plan):
            dest = batch / "submitted" / f"s{i:04d}" / assignment
            dest.mkdir(parents=True)
            shutil.copy(path, dest / path.name)
        from course.grading.store import ensure_assignment

        for a in assignments(batch):  # as the server did before it opened: not timed in either
            ensure_assignment(batch, a, f"sqlite:///{batch / 'gradebook.db'}")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "course.cli", "grade", "--workers", str(args.workers), "-q"], cwd=batch, env=dict(os.environ, COURSE_ROOT=str(batch)), check=True,
                       capture_output=True)
        grade_seconds = time.perf_counter() - t0
        print(f"course grade --workers {args.workers}: {args.uploads} in {grade_seconds:.1f} s = "
              f"{args.uploads / grade_seconds * 60:.1f}/min; serve/grade throughput ratio "
              f"{grade_seconds / serve_seconds:.2f}")


if __name__ == "__main__":
    main()
