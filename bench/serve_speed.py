"""Benchmark: `course serve` upload-to-graded latency, and its throughput against `course grade --workers`.

1. Latency: one client uploads the correct Initialization notebook N times in a row to the idle
   server (waiting for each grade, polling every 10 ms); prints the median and p95 seconds from
   POST to "graded".
2. Throughput: CLIENTS concurrent clients upload UPLOADS notebooks in all: every sample submission
   of every assignment (initialization, regularization, gradient_checking, ml_setup) and hostile
   ones (an endless loop, os._exit, 100 MB of output, a file that is not a notebook), round robin.
   Prints the seconds until all are graded, checks that every upload was answered without a 5xx
   and that every accepted one was graded exactly once, then grades the same files with
   `course grade --workers W` in another copy of the course (its time includes starting its Dask
   cluster, as a run of `course grade` does) and prints both rates and their ratio.

Both use the same limits (--call-timeout, default 5 s, so an endless loop costs the same in both).
Prints the machine's load average before and after: the figures mean little on a busy machine.

Run: .venv/bin/python bench/serve_speed.py [--latency 20] [--uploads 200] [--clients 20] [--workers 2]
     (--uploads 0: the latency only)
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
from test_serve import CORRECT, Server, _hostile, upload  # noqa: E402  (the tests' server harness)

SAMPLES = CORRECT.parents[2]  # the committed sample submissions: <student>/<assignment>/<notebook>
HOSTILE = {
    "endless_loop": _hostile("while True:\n    pass"),
    "exits": _hostile("import os\nos._exit(0)"),
    "floods_output": _hostile("import sys\nfor _ in range(1000):\n    sys.stdout.write('x' * 100_000)"),
    "not_a_notebook": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
}


def workload() -> list[tuple[str, str, bytes]]:
    """(name, assignment, file content) of every sample submission and every hostile file."""
    out = []
    for a in assignments(ROOT):
        name = master_notebook(ROOT, a).name
        out += [(p.parent.parent.name, a, p.read_bytes()) for p in sorted(SAMPLES.glob(f"*/{a}/{name}"))]
    return out + [(name, "initialization", body) for name, body in HOSTILE.items()]


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


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=int, default=20)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--call-timeout", default="5")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores; before: {load()}", flush=True)
    limits = ["--call-timeout", args.call_timeout]
    with tempfile.TemporaryDirectory(prefix="course-serve-bench-") as tmp:
        course = copy_course(ROOT, Path(tmp) / "course")
        server = Server(course, "--workers", str(args.workers), "--uploads-per-minute", "100000",
                        "--attempts", "100000", *limits)
        tokens = [server.token(f"bench{i:03d}") for i in range(args.clients)]
        server.start()
        try:
            correct = CORRECT.read_bytes()
            # warm-up: both workers import numpy, pytest and the graders
            warm = [upload(server, tokens[0], correct).json()["id"] for _ in range(args.workers)]
            wait_all(server, [(tokens[0], job) for job in warm])
            latencies = []
            for _ in range(args.latency):
                t0 = time.perf_counter()
                job = upload(server, tokens[0], correct).json()["id"]
                wait_all(server, [(tokens[0], job)], poll=0.01)
                latencies.append(time.perf_counter() - t0)
            latencies.sort()
            p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
            print(f"latency, one correct Initialization notebook on the idle server, {args.latency} uploads: "
                  f"median {statistics.median(latencies):.3f} s, p95 {p95:.3f} s ({load()})", flush=True)
            if not args.uploads:  # --uploads 0: the latency only
                return
            before = sum(1 for _ in course.glob("submitted/*/*/.attempts/*/results.json"))

            work = workload()
            plan = [(tokens[i % args.clients], *work[i % len(work)]) for i in range(args.uploads)]
            answers, lock = [], threading.Lock()

            def client(k: int) -> None:
                for token, _, assignment, body in plan[k::args.clients]:
                    r = upload(server, token, body, assignment)
                    with lock:
                        answers.append((token, r.status_code, r.json().get("id")))

            t0 = time.perf_counter()
            threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            accepted = [(token, job) for token, code, job in answers if code == 202]
            wait_all(server, accepted)
            serve_seconds = time.perf_counter() - t0
        finally:
            server.stop()
        codes = {code: sum(1 for _, c, _ in answers if c == code) for code in sorted({c for _, c, _ in answers})}
        graded = sum(1 for _ in course.glob("submitted/*/*/.attempts/*/results.json")) - before
        assert len(answers) == args.uploads and all(code < 500 for code in codes), codes
        assert graded == len(accepted), (graded, len(accepted))  # each accepted upload graded exactly once
        hostile = sum(1 for _, name, _, _ in plan if name in HOSTILE)
        print(f"serve: {args.uploads} uploads ({hostile} hostile) from {args.clients} clients, answers {codes}, "
              f"{graded} graded once each, all done in {serve_seconds:.1f} s = "
              f"{args.uploads / serve_seconds * 60:.1f}/min ({load()})", flush=True)

        batch = copy_course(ROOT, Path(tmp) / "batch")
        for i, (_, _, assignment, body) in enumerate(plan):
            dest = batch / "submitted" / f"s{i:04d}" / assignment
            dest.mkdir(parents=True)
            (dest / master_notebook(ROOT, assignment).name).write_bytes(body)
        from course.grading.store import ensure_assignment

        for a in assignments(batch):  # as the server did before it opened: not timed in either
            ensure_assignment(batch, a, f"sqlite:///{batch / 'gradebook.db'}")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "course.cli", "grade", "--workers", str(args.workers), "-q", *limits],
                       cwd=batch, env=dict(os.environ, COURSE_ROOT=str(batch)), check=True, capture_output=True)
        grade_seconds = time.perf_counter() - t0
        shutil.rmtree(batch, ignore_errors=True)
        print(f"course grade --workers {args.workers}: the same {args.uploads} in {grade_seconds:.1f} s = "
              f"{args.uploads / grade_seconds * 60:.1f}/min ({load()})")
        print(f"throughput ratio serve / course grade: {grade_seconds / serve_seconds:.2f}")


if __name__ == "__main__":
    main()
