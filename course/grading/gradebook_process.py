"""nbgrader's gradebook written from a helper process, so that a `course grade` never imports
SQLAlchemy and nbgrader's models itself.

Those imports and opening the gradebook are a third of the CPU time of grading one submission
(`bench/one_submission.py`). Started before grading, the helper does them on the other core while
this process grades; each record is then one round trip over a pipe. The helper is this package's
own code in a fresh interpreter (no fork of a process holding BLAS threads), speaking pickle over
its stdin/stdout, which nothing else can reach. If it dies or cannot start, the caller writes the
gradebook itself (``GradebookHelper.call`` raises ``HelperGone``): nothing is lost, only the overlap.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import struct
import subprocess
import sys
import threading

_HEADER = struct.Struct("!Q")


class HelperGone(RuntimeError):
    """The helper process ended or cannot be reached: do the call in this process."""


def _send(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream):
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class GradebookHelper:
    """A started helper process; ``call("record_in_gradebook", ...)`` runs course.grading.store's
    function there. One caller at a time (a lock): calls are answered in order. Start it as early as
    possible (``course grade`` does before importing the grading stack) and ``close`` it at the end."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "course.grading.gradebook_process"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=None, cwd=os.getcwd(), close_fds=True)

    def call(self, name: str, *args, while_waiting=None, **kwargs):
        """The function's value (its exception is raised here); ``while_waiting()`` runs in this
        process between sending the call and reading its answer (its failure is ignored)."""
        with self.lock:
            try:
                _send(self.process.stdin, (name, args, kwargs))
                if while_waiting is not None:
                    with contextlib.suppress(Exception):
                        while_waiting()
                ok, value = _receive(self.process.stdout)
            except (OSError, EOFError, pickle.PickleError, ValueError) as exc:
                self.close()
                raise HelperGone(f"the gradebook helper process ended ({type(exc).__name__})") from None
        if ok:
            return value
        raise value

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()  # the helper's loop ends at end of input
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def serve(requests, replies) -> None:
    """The helper's loop: import the gradebook, then answer calls until end of input."""
    from course.grading import store

    calls = {"record_in_gradebook": store.record_in_gradebook, "refresh_late_penalties": store.refresh_late_penalties,
             "gradebook_scores": store.gradebook_scores}
    import nbgrader.api  # noqa: F401  the point of the helper: imported while the caller grades
    while True:
        try:
            name, args, kwargs = _receive(requests)
        except EOFError:
            replies.close()
            os._exit(0)  # every reply was sent after its commit: nothing to clean up, and the caller waits for this
        try:
            _send(replies, (True, calls[name](*args, **kwargs)))
        except Exception as exc:  # the caller records it as that submission's gradebook error
            _send(replies, (False, _picklable(exc)))


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the caller, which then closes our input
    # Replies go over the original stdout; whatever the libraries print (Python or C) goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, replies)
