"""What every part of the sandbox shares: the limits of a child and what can go wrong with it."""
from __future__ import annotations

from dataclasses import dataclass

UID_BASE = 1_900_000_000  # child uids: far above any account, one per sandbox child


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission's sandbox child (and everything it starts)."""

    call_timeout: float = 30.0  # seconds of wall clock for one exec or call
    memory_bytes: int = 2 << 30  # all processes together (cgroup), tmpfs included; else per process
    cpu_seconds: int = 300
    file_bytes: int = 16 << 20  # largest file the child may write
    open_files: int = 256
    output_bytes: int = 64 << 10  # stdout/stderr kept per stream; the rest is dropped
    pids: int = 64  # processes + threads of the submission
    tmpfs_bytes: int = 64 << 20  # size of the private /tmp
    notebook_bytes: int = 32 << 20  # a larger submitted notebook is refused without being read


class SandboxError(Exception):
    """Base class of what can go wrong with the child."""


class SandboxUnavailable(SandboxError):
    """No usable sandbox on this machine, and unsandboxed grading was not allowed."""


class CallTimeout(SandboxError):
    """The child did not answer (or did not read) in time; it was killed."""


class ChildDied(SandboxError):
    """The child exited (os._exit, a signal, a resource limit) before answering."""


class ChildMisbehaved(SandboxError):
    """The child's reply broke the protocol (forged, oversized, malformed); it was killed."""


class ChildStartFailed(SandboxError):
    """The sandbox could not start a child (fork, exec or preexec failed): the grading host's
    fault, never the submission's; the result is recorded as a sandbox error and graded again."""


class StudentError(SandboxError):
    """The submission's code raised; ``error`` holds type, message and traceback."""

    def __init__(self, error: dict):
        self.error = error
        super().__init__(f"{error.get('type')}: {error.get('message')}")
