"""One contract, run against every sandbox launcher that works on this machine
(course.sandbox.launchers): each property is one test. A launcher either holds a property or its
record (``Sandbox.enforced``) says it does not, so results.json never claims more than held."""
from __future__ import annotations

import json
import os
import socket
import threading

import pytest

from attack_corpus import FORGE
from course.sandbox.launchers import LAUNCHERS, running_as_root
from course.sandbox.process import ChildMisbehaved, Limits, Sandbox

WORKING = [name for name, launcher in LAUNCHERS.items() if launcher.problem() is None]
# What each launcher promises; anything else it must not claim in its record.
PROMISES = {
    "bwrap": {"files", "network", "processes", "memory", "tmpfs", "replies", "environment", "uid"},
    "limits-only": {"memory", "replies", "environment"} | ({"files", "processes", "uid"} if running_as_root() else set()),
}


@pytest.fixture(params=WORKING or [pytest.param(None, marks=pytest.mark.skip("no launcher works here"))])
def launcher(request) -> str:
    return request.param


def _sandbox(tmp_path, launcher, **limits) -> Sandbox:
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "given.txt").write_text("release file")
    return Sandbox(workdir, Limits(call_timeout=10.0, **limits), launcher)


def _run(sb: Sandbox, body: str):
    """Define probe() from ``body`` (indented function body) and call it in the child."""
    sb.exec("def probe():\n" + "".join(f"    {line}\n" for line in body.splitlines()), "<probe>")
    return sb.call("probe")


def test_the_release_folder_is_readable(tmp_path, launcher):
    with _sandbox(tmp_path, launcher) as sb:
        assert _run(sb, "return open('given.txt').read()") == "release file"
        assert sb.enforced["isolation"] == launcher


def test_files_of_the_grader_stay_unreadable(tmp_path, launcher):
    secret = tmp_path / "grader-only.txt"
    secret.write_text("hidden grader")
    secret.chmod(0o600)
    with _sandbox(tmp_path, launcher) as sb:
        seen = _run(sb, f"try:\n    return open({str(secret)!r}).read()\nexcept OSError as e:\n    return type(e).__name__")
    if "files" in PROMISES[launcher]:
        assert seen != "hidden grader"
    else:
        assert sb.enforced["uid"] == "grader's uid (not root)"  # it says so: the child is the grader's user


def test_no_network(tmp_path, launcher):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    try:
        with _sandbox(tmp_path, launcher) as sb:
            outcome = _run(sb, "import socket\ntry:\n"
                               f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
                               "    return 'connected'\nexcept OSError as e:\n    return type(e).__name__")
    finally:
        listener.close()
    if "network" in PROMISES[launcher]:
        assert outcome != "connected" and not accepted
    else:
        assert sb.enforced["seccomp"] is False  # no claim of a network-less child


def test_processes_are_capped(tmp_path, launcher):
    with _sandbox(tmp_path, launcher, pids=16) as sb:
        started = _run(sb, "import os, time\nn = 0\nfor _ in range(64):\n    try:\n        pid = os.fork()\n"
                           "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(5)\n        os._exit(0)\n"
                           "    n += 1\nreturn n")
        budget = sb.enforced["submission_budget"]
    if "processes" in PROMISES[launcher] and (budget["cgroup"] or budget.get("pids")):
        assert started < 16
    else:
        assert budget.get("pids") is None  # not claimed


def test_memory_is_capped(tmp_path, launcher):
    with _sandbox(tmp_path, launcher, memory_bytes=512 << 20) as sb:
        try:
            outcome = _run(sb, "try:\n    x = bytearray(1 << 30)\n    x[::4096] = b'x' * len(x[::4096])\n"
                               "    return 'allocated'\nexcept MemoryError:\n    return 'MemoryError'")
        except Exception as exc:  # killed by the budget: also held
            outcome = type(exc).__name__
    assert outcome != "allocated"
    assert sb.enforced["per_process"]["memory_bytes"] == 512 << 20


def test_tmp_is_small_and_private(tmp_path, launcher):
    with _sandbox(tmp_path, launcher, tmpfs_bytes=8 << 20) as sb:
        if "tmpfs" not in PROMISES[launcher]:  # its /tmp is the machine's: write nothing there
            sb.exec("pass", "<ready>")
            assert sb.enforced["tmpfs_bytes"] is None
            return
        outcome = _run(sb, "import tempfile\ntry:\n    with open(tempfile.gettempdir() + '/big', 'wb') as f:\n"
                           "        for _ in range(16):\n            f.write(b'x' * (1 << 20))\n            f.flush()\n"
                           "    return 'written'\nexcept OSError as e:\n    return type(e).__name__")
    assert outcome != "written" and sb.enforced["tmpfs_bytes"] == 8 << 20


def test_a_forged_reply_is_the_childs_fault(tmp_path, launcher):
    with _sandbox(tmp_path, launcher) as sb:
        sb.exec("pass", "<ready>")
        with pytest.raises(ChildMisbehaved):
            sb.exec(FORGE + "_forge(b'{')\n_time.sleep(60)\n", "<cell>")


def test_the_environment_holds_no_grader_secret(tmp_path, launcher, monkeypatch):
    monkeypatch.setenv("COURSE_TEST_SECRET", "s3cret-value")
    with _sandbox(tmp_path, launcher) as sb:
        env = _run(sb, "import os\nreturn dict(os.environ)")
    assert "s3cret" not in json.dumps(env)


def test_the_child_is_never_root(tmp_path, launcher):
    with _sandbox(tmp_path, launcher) as sb:
        uid = _run(sb, "import os\nreturn os.getuid()")
    assert uid != 0
    if "uid" in PROMISES[launcher] and running_as_root():
        assert uid != os.getuid() and sb.enforced["uid"] == "own unprivileged uid"
