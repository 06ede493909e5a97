"""A private PostgreSQL server for tests: Debian's binaries, a fresh cluster in a temp folder,
listening on a free loopback port, stopped when the context ends.

$COURSE_TEST_POSTGRES_URL, when set, names an existing server to use instead.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def available() -> str | None:
    """None when a server can be had, else why not."""
    if os.environ.get("COURSE_TEST_POSTGRES_URL"):
        return None
    if _bin_dir() is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run does it)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a 'postgres' account to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yields a SQLAlchemy URL of an empty database ``course`` on a running server."""
    if os.environ.get("COURSE_TEST_POSTGRES_URL"):
        yield os.environ["COURSE_TEST_POSTGRES_URL"]
        return
    bin_dir = _bin_dir()
    # postgres refuses to run as root: as root, run it as the 'postgres' account
    prefix: list[str] = []
    owner = None
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        prefix = ["setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}", "--init-groups"]
    with tempfile.TemporaryDirectory(prefix="course-pg-") as tmp:
        data, sockets = Path(tmp) / "data", Path(tmp) / "sockets"
        sockets.mkdir()
        if owner is not None:
            os.chmod(tmp, 0o755)
            os.chown(sockets, owner.pw_uid, owner.pw_gid)
            os.makedirs(data)
            os.chown(data, owner.pw_uid, owner.pw_gid)
        port = _free_port()
        run = dict(check=True, capture_output=True, text=True, cwd=tmp)
        subprocess.run([*prefix, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8"], **run)
        server = subprocess.Popen([*prefix, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                                   "-h", "127.0.0.1", "-k", str(sockets), "-c", "fsync=off"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
        try:
            deadline = time.monotonic() + 30
            while subprocess.run([str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                                 capture_output=True).returncode != 0:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the test PostgreSQL server did not start")
                time.sleep(0.2)
            subprocess.run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "course"],
                           **run)
            yield f"postgresql://postgres@127.0.0.1:{port}/course"
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            shutil.rmtree(data, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new, empty database ``name`` on the test server at ``url`` (the shared one itself when an
    outside server is given: $COURSE_TEST_POSTGRES_URL)."""
    if os.environ.get("COURSE_TEST_POSTGRES_URL"):
        return url
    host, port = url.split("@")[1].split("/")[0].split(":")
    subprocess.run([str(_bin_dir() / "createdb"), "-h", host, "-p", port, "-U", "postgres", name], check=True)
    return url.rsplit("/", 1)[0] + "/" + name
