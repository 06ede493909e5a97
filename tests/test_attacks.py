"""Hostile submissions (tests/attack_corpus.py and hostile files) graded as one batch between
honest students: nobody's grade moves, the batch ends within its timeouts, nothing is left
behind (files, processes, tmpfs memory) and no grader secret reaches any output. The attacks on the
machinery grade the tiny course (tests/fixtures/tiny_course); those on what Initialization gives its
students (its train()) grade Initialization."""
from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat
import numpy as np
import pytest

from attack_corpus import ATTACKS, CONTENT_ATTACKS, FORGE, MARKER, OK_REPLY, TINY_ATTACKS
from course.grading.batch import grade_all
from course.sandbox.process import _UID_BASE, _UID_SLOTS, CallTimeout, ChildMisbehaved, Limits, Sandbox, bwrap_works
from helpers import INIT, INIT_NB, ROOT, SAMPLES, TINY, TINY_FULL, TINY_NB, attack_notebook, digest, write_notebook

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable: the attacks need the sandbox")

# Generous enough that honest work (and attacks that end) never time out on a loaded 2-core machine.
LIMITS = Limits(call_timeout=8.0, memory_bytes=1 << 30)
TIMEOUT = 60.0  # seconds per submission
A, NB_NAME = TINY, TINY_NB
FULL = TINY_FULL  # add 1, scale 2
# honest students of the tiny course: grade_id -> source (the others solved), and their scores
HONEST = {"correct": ({}, 3.0), "scale_in_place": ({"scale": "def scale(x, k):\n    x *= k\n    return x"}, 2.0)}
CHILD_UIDS = 1_900_000_000  # the sandbox's child uids start here (course.sandbox.process)


def _suspects() -> set[tuple[int, str]]:
    """Processes that belong to a sandbox child of this process (its uid) or carry an attack's marker
    outside any sandbox. (Sandbox children of other grading processes on the machine have uids of other
    slots: not ours to count.)"""
    own = _UID_BASE + (os.getpid() % 4_194_304) * _UID_SLOTS
    found = set()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            uid = int((proc / "status").read_text().split("Uid:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            continue
        if own <= uid < own + _UID_SLOTS or (MARKER in cmdline and "pytest" not in cmdline and uid < CHILD_UIDS):
            found.add((int(proc.name), cmdline[:200]))
    return found


def _shmem_bytes() -> int:
    """tmpfs and shared memory pages held on the host (/proc/meminfo Shmem)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("Shmem:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no Shmem line in /proc/meminfo")


class _Listener:
    """A TCP server on loopback that records every connection."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.connections.append(addr)
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def _hostile_files(submitted: Path, honest_nb: Path, master: Path, solved) -> dict[str, tuple[float, str]]:
    """Submissions that attack the reading of notebooks; returns their expected (score, status)."""
    def folder(name):
        d = submitted / name / A
        d.mkdir(parents=True)
        return d

    folder("file_deep_list").joinpath(NB_NAME).write_text("[" * 100_000 + "]" * 100_000)
    folder("file_deep_object").joinpath(NB_NAME).write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    os.symlink("/dev/zero", folder("link_dev_zero") / NB_NAME)
    os.symlink(master, folder("link_master") / NB_NAME)
    os.symlink(honest_nb, folder("link_other_student") / NB_NAME)
    (submitted / "link_folder").mkdir()
    os.symlink(honest_nb.parent, submitted / "link_folder" / A)
    os.mkfifo(folder("file_fifo") / NB_NAME)
    big = solved()
    big.cells.append(nbformat.v4.new_markdown_cell("x" * (40 << 20)))
    nbformat.write(big, str(folder("file_oversized") / NB_NAME))
    planted = folder("planted_files")
    nbformat.write(solved(), str(planted / NB_NAME))
    trap = f"import pathlib; pathlib.Path({str(submitted.parent / 'PLANTED_CODE_RAN')!r}).write_text('x')\n"
    for name in ("conftest.py", "sitecustomize.py", "public_tests.py", "init_utils.py"):
        (planted / name).write_text(trap)
    (planted / "evil.pth").write_text(trap)
    (planted / "pytest.ini").write_text("[pytest]\naddopts = -p no:python\n")
    expected = {name: (0.0, "invalid-notebook") for name in (
        "file_deep_list", "file_deep_object", "link_dev_zero", "link_master", "link_other_student", "link_folder",
        "file_fifo", "file_oversized")}
    expected["planted_files"] = (float(sum(FULL.values())), "graded")
    return expected


def test_attack_batch_between_honest_students(tiny_course, monkeypatch):
    """Does every attacker get exactly what its code deserves while honest students keep their
    scores, with nothing left behind and no grader secret in any output?"""
    canary = f"grader-secret-{uuid.uuid4().hex}"
    monkeypatch.setenv("COURSE_TEST_DATABASE_URL", f"postgresql://grader:{canary}@db/course")
    listener = _Listener()
    course = tiny_course.root
    submitted = course / "submitted"
    expected: dict[str, tuple[float, str]] = {}
    for prefix in ("a", "z"):  # graded first and last
        for student, (cells, score) in HONEST.items():
            tiny_course.submit(f"{prefix}_honest_{student}", tiny_course.solved(**cells))
            expected[f"{prefix}_honest_{student}"] = (score, "graded")
    for name, (base, cell_id, code, changes, status) in TINY_ATTACKS.items():
        nb = attack_notebook(base, cell_id, code.replace("{port}", str(listener.port)), assignment=A, root=course)
        tiny_course.submit(f"m_{name}", nb)
        scores = {k: (v if base == "solved" else 0) for k, v in FULL.items()} | changes
        expected[f"m_{name}"] = (float(sum(scores.values())), status)
    expected |= _hostile_files(submitted, submitted / "a_honest_correct" / A / NB_NAME, course / "source" / A / NB_NAME,
                               tiny_course.solved)

    venv_before = digest(Path(sys.prefix))
    course_before = digest(course, skip=("autograded", "feedback"))
    repo_before = digest(ROOT / "graders") + digest(ROOT / "source")
    processes_before = _suspects()
    shmem_before = _shmem_bytes()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        results = grade_all(course, A, db_url="none", limits=LIMITS, timeout=TIMEOUT, log=lambda *_: None)
    finally:
        listener.close()
    elapsed = time.monotonic() - started

    got = {r["student"]: (r["score"], r["status"]) for r in results}
    assert got == expected
    assert all(r["seconds"] <= TIMEOUT + 10 for r in results), {r["student"]: r["seconds"] for r in results}
    assert elapsed < len(results) * TIMEOUT
    # a hung function costs about one call timeout, not one per test
    hang = next(r for r in results if r["student"] == "m_hang_once_then_fast")
    assert hang["seconds"] < 4 * LIMITS.call_timeout + 10, hang["seconds"]
    fast = [t for i in hang["items"] if i["id"] == "scale" for t in i["tests"]]
    assert len(fast) > 2 and sum("不再等待" in t["message"] for t in fast) == len(fast) - 1

    # nothing changed, nothing survives, nothing held
    assert digest(Path(sys.prefix)) == venv_before
    assert digest(course, skip=("autograded", "feedback")) == course_before
    assert digest(ROOT / "graders") + digest(ROOT / "source") == repo_before
    assert not (course / "PLANTED_CODE_RAN").exists()
    assert _suspects() - processes_before == set()
    assert _shmem_bytes() - shmem_before < 32 << 20
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 400 << 10  # KiB: < 400 MB more
    assert listener.connections == []

    # no secret and nothing huge in any output
    outputs = [*(course / "autograded").rglob("*"), *(course / "feedback").rglob("*")]
    for path in outputs:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert canary not in text, path
            assert len(text.encode()) < (1 << 20) + (1 << 19), (path, len(text))
    sandboxes = [r["sandbox"] for r in results if r.get("sandbox")]
    assert sandboxes and all(s["capabilities"] == "none" and s["environment"] == "empty" for s in sandboxes)


INIT_FULL = {"initialize_parameters_zeros": 2, "initialize_parameters_random": 3,
             "initialize_parameters_he": 3, "initialize_parameters_xavier": 2}  # xavier's 2 are extra credit


def test_attacks_on_initializations_given_helpers_between_honest_students(course_copy):
    """The attacks that aim at what Initialization gives its students (a redefined or rewired train()
    that trains with a right He): each earns exactly nothing for He, the honest students keep their
    scores, and nothing of the course changes."""
    submitted = course_copy / "submitted"
    expected = {}
    for prefix in ("a", "z"):
        for student, score in (("correct", 10.0), ("init_he_sqrt1", 7.0)):
            src = SAMPLES / student / INIT / INIT_NB
            write_notebook(submitted / f"{prefix}_honest_{student}" / INIT / INIT_NB, src.read_bytes())
            expected[f"{prefix}_honest_{student}"] = (score, "graded")
    for name in CONTENT_ATTACKS:
        base, cell_id, code, changes, status = ATTACKS[name]
        write_notebook(submitted / f"m_{name}" / INIT / INIT_NB, attack_notebook(base, cell_id, code))
        scores = {k: (v if base == "solved" else 0) for k, v in INIT_FULL.items()} | changes
        expected[f"m_{name}"] = (float(sum(scores.values())), status)
    course_before = digest(course_copy, skip=("autograded", "feedback"))
    results = grade_all(course_copy, INIT, db_url="none", limits=LIMITS, timeout=TIMEOUT, log=lambda *_: None)
    assert {r["student"]: (r["score"], r["status"]) for r in results} == expected
    assert digest(course_copy, skip=("autograded", "feedback")) == course_before


# --- the protocol, attacked directly -------------------------------------------------------------

def _sandbox(tmp_path) -> Sandbox:
    return Sandbox(tmp_path, Limits(call_timeout=2.0))


def test_child_that_stops_reading_cannot_block_a_large_request(tmp_path):
    """A child that forged a reply and stopped reading: a request larger than the pipe buffer
    ends in a timeout instead of blocking the grader forever."""
    with _sandbox(tmp_path) as sb:
        sb.exec(FORGE + f"_forge({OK_REPLY!r})\n_time.sleep(10 ** 6)\n", "<cell>")  # "answered" by the forgery
        started = time.monotonic()
        with pytest.raises(CallTimeout):
            sb.call("f", np.zeros(4_000_000))  # 32 MB: far more than a pipe holds
        assert time.monotonic() - started < 10


@pytest.mark.parametrize("payload,claimed", [
    (b"{", 32 << 20),  # claims more than the reply cap
    (b'{"message": {"__dict__": {"ok": true, "value": [' + b"[]," * 2_000_000 + b"[]]}}, \"blobs\": []}", None),
    (b'{"message": {"__dict__": {"ok": true, "value": 1' + b"0" * 5000 + b"}}, \"blobs\": []}", None),
    (b'{"message": ' + b"[" * 100_000 + b"]" * 100_000 + b', "blobs": []}', None),
    (b"\xff\xfe not json", None),
])
def test_forged_replies_are_the_submissions_fault(tmp_path, payload, claimed):
    """Oversized, over-full, over-deep or unreadable replies: ChildMisbehaved, without decoding them."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with _sandbox(tmp_path) as sb:
        sb.exec("pass", "<ready>")
        cell = FORGE + f"_forge({payload!r}, claimed={claimed!r})\n_time.sleep(60)\n"
        with pytest.raises(ChildMisbehaved):
            sb.exec(cell, "<cell>")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 200 << 10


def test_child_starts_from_a_grader_larger_than_its_memory_cap(tmp_path, monkeypatch):
    """Until exec, the forked child is a copy of the whole grading process (Dask, BLAS buffers,
    thread arenas), which can be larger than the child's memory cap. Every preexec step that
    allocates must run before RLIMIT_AS is lowered; before, the start failed with "Exception
    occurred in preexec_fn" whenever the grader outgrew the cap."""
    import mmap

    from course.sandbox import process

    limits = Limits(call_timeout=10.0, memory_bytes=1 << 30)
    reserved = mmap.mmap(-1, 2 * limits.memory_bytes)  # address space only: never touched
    real = process._no_new_privs

    def no_new_privs_that_allocates():
        bytearray(64 << 20)  # a fresh mapping: refused once RLIMIT_AS is below the process's size
        real()

    monkeypatch.setattr(process, "_no_new_privs", no_new_privs_that_allocates)
    try:
        with Sandbox(tmp_path, limits) as sb:
            sb.exec("import resource\ndef cap():\n    return resource.getrlimit(resource.RLIMIT_AS)[0]\n", "<cell>")
            assert sb.call("cap") == limits.memory_bytes  # and the cap still holds in the child
    finally:
        reserved.close()


def test_child_has_no_privileges_and_no_environment(tmp_path, monkeypatch):
    """Inside the sandbox: no capabilities, a non-root uid, no_new_privs, a seccomp filter, and an
    empty environment even in bubblewrap's own PID 1."""
    monkeypatch.setenv("COURSE_TEST_SECRET", "s3cret-value")
    with _sandbox(tmp_path) as sb:
        sb.exec("import os\n"
                "status = open('/proc/self/status').read()\n"
                "def facts():\n"
                "    f = {l.split(':')[0]: l.split(':')[1].strip() for l in status.splitlines() if ':' in l}\n"
                "    env1 = ''\n"
                "    try:\n"
                "        env1 = open('/proc/1/environ').read()\n"
                "    except OSError:\n"
                "        pass\n"
                "    return [f['CapEff'], f['CapPrm'], f['CapBnd'], f['NoNewPrivs'], f['Seccomp'], os.getuid(),\n"
                "            env1, dict(os.environ)]\n", "<cell>")
        cap_eff, cap_prm, cap_bnd, nnp, seccomp, uid, env1, env = sb.call("facts")
    assert cap_eff == cap_prm == "0000000000000000"
    if os.geteuid() == 0:
        assert cap_bnd == "0000000000000000" and uid >= 1_000_000_000
    assert nnp == "1" and seccomp == "2"
    assert "s3cret" not in env1 and "s3cret" not in json.dumps(env)


def test_grade_refuses_without_sandbox_and_bad_ids(tiny_course, tmp_path):
    """`course grade` without a usable bubblewrap exits non-zero with how to install it; a student
    id that would leave autograded/ is refused."""
    course = tiny_course.root
    env = dict(os.environ, COURSE_ROOT=str(course))
    run = [sys.executable, "-m", "course.cli", "grade", A, "--db", "none"]
    no_bwrap = dict(env, PATH=str(tmp_path / "empty-bin"))
    out = subprocess.run(run, env=no_bwrap, capture_output=True, text=True)
    assert out.returncode == 2 and "apt-get install bubblewrap" in out.stderr, out.stderr
    out = subprocess.run([*run, "--student", ".."], env=env, capture_output=True, text=True)
    assert out.returncode == 2 and "invalid student id" in out.stderr, out.stderr
    assert not (course / "autograded").exists() or not any((course / "autograded").iterdir())
