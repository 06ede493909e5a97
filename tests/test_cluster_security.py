"""The grading cluster against another local account: a process running as `nobody` finds every
port that `course grade --workers 2` and `course serve` listen on and tries to use each as Dask
(a Client: submit a task, run_on_scheduler; the raw `run` handler of workers and nannies) and as
HTTP (the dashboard). On our cluster everything fails; on a plain LocalCluster, what the course
used to start, the same probe runs code as root, so the probe is known to work."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from distributed import LocalCluster

from helpers import ROOT
from course.grading.parallel import dask_client
from course.sandbox.process import bwrap_works

NOBODY = 65534
A = "initialization"

# Run as `nobody` with `python -c` (the test's tmp folders are root's only). argv: the ports.
PROBE = r'''
import asyncio, json, os, socket, ssl, sys, threading
import dask
dask.config.set({"distributed.comm.timeouts.connect": "3s"})
from distributed import Client
from distributed.core import rpc
from distributed.protocol.pickle import dumps
from distributed.security import Security

OWN_KEY = Security.temporary()  # a key of our own: mutual TLS must refuse it too


def http_answer(port, tls):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as raw:
            sock = raw
            if tls:
                ctx = ssl.create_default_context()
                ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
                sock = ctx.wrap_socket(raw)
            sock.sendall(b"GET /info/main/workers.html HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            sock.settimeout(3)
            return sock.recv(200).decode("latin-1")
    except Exception as exc:
        return "error: " + type(exc).__name__


def uid_and_pid():
    return [os.getuid(), os.getpid()]


async def raw_run(address, security):
    args = security.get_connection_args("client") if security else {}
    r = rpc(address, connection_args=args, timeout=3)
    try:
        return await asyncio.wait_for(r.run(function=dumps(uid_and_pid)), 10)
    finally:
        await r.close_rpc()


def bounded(attempt, seconds=8):
    """The attempt's result, or its error; one that hangs (a worker port ignoring a client's
    handshake) counts as failed after ``seconds``."""
    box = []

    def run():
        try:
            box.append(attempt())
        except BaseException as exc:
            box.append("error: " + type(exc).__name__)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    return box[0] if box else "error: no answer in %d s" % seconds


def use_client(address, security):
    with Client(address, security=security, timeout=5) as client:
        return {"task": client.submit(uid_and_pid, pure=False).result(timeout=10),
                "run_on_scheduler": client.run_on_scheduler(uid_and_pid)}


report = {}
for port in map(int, sys.argv[1:]):
    out = report[port] = {}
    try:
        socket.create_connection(("127.0.0.1", port), timeout=3).close()
        out["reachable"] = True
    except OSError:
        out["reachable"] = False
    out["http"], out["https"] = http_answer(port, False), http_answer(port, True)
    for scheme, security in (("tcp", None), ("tls", OWN_KEY)):
        address = f"{scheme}://127.0.0.1:{port}"
        out[f"client-{scheme}"] = bounded(lambda: use_client(address, security))
        out[f"run-{scheme}"] = bounded(lambda: {"run": asyncio.run(raw_run(address, security))})
print(json.dumps(report), flush=True)
os._exit(0)  # threads still hanging on a refused attempt
'''


def listening_ports(pid: int) -> dict[int, int]:
    """Every TCP port that process ``pid`` or any of its descendants listens on -> the pid."""
    ports = {}
    top = psutil.Process(pid)
    for proc in [top, *top.children(recursive=True)]:
        try:
            for conn in proc.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    ports[conn.laddr.port] = proc.pid
        except psutil.NoSuchProcess:
            pass
    return ports


def probe_as_nobody(ports) -> dict[int, dict]:
    env = {"PATH": os.environ["PATH"], "HOME": "/nonexistent", "LANG": "C.UTF-8"}
    out = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                          sys.executable, "-c", PROBE, *map(str, ports)],
                         cwd="/", env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return {int(port): result for port, result in json.loads(out.stdout.splitlines()[-1]).items()}


def assert_nothing_answers(report: dict[int, dict]) -> None:
    for port, out in report.items():
        assert out["reachable"], (port, out)  # refused by the protocol, not by being out of reach
        assert not out["http"].startswith("HTTP/") and not out["https"].startswith("HTTP/"), (port, out)
        for attempt in ("client-tcp", "client-tls", "run-tcp", "run-tls"):
            assert str(out[attempt]).startswith("error: "), (port, attempt, out[attempt])


def test_nobody_cannot_use_the_course_grade_cluster():
    """The cluster `course grade --workers 2` starts (the same dask_client): its scheduler, nannies
    and workers listen only for mutual TLS; nobody's client, tasks, run_on_scheduler and raw `run`
    calls fail, and no port answers HTTP."""
    with dask_client(workers=2) as client:
        assert client.submit(os.getuid, pure=False).result() == 0  # the cluster itself works (as root)
        ports = listening_ports(os.getpid())
        workers = client.scheduler_info()["workers"]
        cluster_ports = {int(client.scheduler.address.rsplit(":", 1)[1])}
        cluster_ports |= {int(a.rsplit(":", 1)[1]) for a in workers}
        cluster_ports |= {int(w["nanny"].rsplit(":", 1)[1]) for w in workers.values()}
        assert cluster_ports <= set(ports) and len(ports) == 5, ports  # scheduler, 2 nannies, 2 workers
        assert client.scheduler.address.startswith("tls://127.0.0.1:")
        assert 8787 not in ports
        report = probe_as_nobody(sorted(ports))
    assert_nothing_answers(report)


def test_the_probe_runs_code_as_root_on_a_plain_local_cluster():
    """The control: on the LocalCluster the course used to start (loopback tcp, dashboard_address=None)
    the same probe, as nobody, runs a task as root in a worker, code in this very process through
    run_on_scheduler, and reads an HTTP page."""
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        report = probe_as_nobody(sorted(listening_ports(os.getpid())))
    scheduler_port = int(cluster.scheduler_address.rsplit(":", 1)[1])
    broken_in = report[scheduler_port]["client-tcp"]
    assert broken_in["task"][0] == 0, broken_in  # uid 0 in the worker
    assert broken_in["run_on_scheduler"] == [0, os.getpid()], broken_in  # inside the client's process
    raw_runs = [out["run-tcp"]["run"]["result"] for out in report.values()
                if isinstance(out["run-tcp"], dict) and out["run-tcp"]["run"]]
    assert [0, os.getpid()] in raw_runs, report  # a nanny's `run` handler: this process too
    assert any(out["http"].startswith("HTTP/") for out in report.values()), report


@pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable: course serve refuses to start")
def test_nobody_cannot_use_the_course_serve_cluster(course_copy):
    """A running `course serve --workers 2`: every port of its processes but the web service's own
    refuses nobody as Dask and as HTTP."""
    from services import Server

    server = Server(course_copy).start()
    try:
        ports = listening_ports(server.proc.pid)
        assert server.port in ports
        del ports[server.port]  # the upload service: HTTP by design, its own authentication
        assert len(ports) == 5, ports  # scheduler, 2 nannies, 2 workers
        report = probe_as_nobody(sorted(ports))
        assert server.proc.poll() is None
    finally:
        server.stop()
    assert_nothing_answers(report)


def test_scheduler_address_needs_tls():
    """`--scheduler tcp://...` (or no scheme) is refused with status 2 before anything is graded;
    tls:// without certificates in Dask's configuration is refused too."""
    for command, address, says in (("grade", "tcp://127.0.0.1:9", "is not tls://"),
                                   ("grade", "127.0.0.1:9", "is not tls://"),
                                   ("grade", "tls://127.0.0.1:9", "no client certificate"),
                                   ("serve", "tcp://127.0.0.1:9", "is not tls://")):
        out = subprocess.run([sys.executable, "-m", "course.cli", command, "--scheduler", address],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert out.returncode == 2 and says in out.stderr, (command, address, out.stderr[-2000:])
        assert "DASK_DISTRIBUTED__COMM__TLS__CA_FILE" in out.stderr


@pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable")
def test_course_grade_on_a_tls_scheduler_with_certificates_from_dask_config(tmp_path, course_copy):
    """`course grade --scheduler tls://...` with the CA, certificate and key named in Dask's own
    configuration (environment variables here) grades as serial grading does."""
    course = course_copy
    for student in ("correct", "init_he_sqrt1"):
        shutil.copytree(ROOT / "samples" / "submitted" / student / A, course / "submitted" / student / A)
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    with dask_client(workers=1) as client:
        security = client.security
        files = {"ca.pem": security.tls_ca_file, "cert.pem": security.tls_client_cert,
                 "key.pem": security.tls_client_key}
        for name, text in files.items():
            (keys / name).write_text(text)
            (keys / name).chmod(0o600)
        env = dict(os.environ, DASK_DISTRIBUTED__COMM__TLS__CA_FILE=str(keys / "ca.pem"),
                   DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT=str(keys / "cert.pem"),
                   DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY=str(keys / "key.pem"))
        out = subprocess.run([sys.executable, "-m", "course.cli", "grade", A, "--db", "none", "--scheduler",
                              client.scheduler.address], cwd=course, env=env, capture_output=True, text=True,
                             timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    scores = {p.parent.parent.name: json.loads(p.read_text())["score"]
              for p in Path(course, "autograded").glob(f"*/{A}/results.json")}
    assert scores == {"correct": 10, "init_he_sqrt1": 7}, scores


def test_a_heartbeat_cut_by_the_closing_scheduler_is_one_warning(caplog):
    """At shutdown a worker's heartbeat can meet the scheduler's closed connection: one warning line,
    no traceback in the service's log; any other heartbeat failure keeps its error and traceback."""
    import logging

    from distributed.comm.core import CommClosedError

    import course.grading.cluster_nodes  # noqa: F401  (installs the filter, as in every worker)

    log = logging.getLogger("distributed.worker")
    for exc in (CommClosedError("in <TLS (closed)>: Stream is closed"), OSError("no route to host")):
        try:
            raise exc
        except OSError:
            log.exception("Failed to communicate with scheduler during heartbeat.")
    closed, other = caplog.records[-2:]
    assert (closed.levelname, closed.exc_info) == ("WARNING", None) and "Stream is closed" in closed.getMessage()
    assert other.levelname == "ERROR" and other.exc_info is not None
