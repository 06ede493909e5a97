"""The trusted reference: the master notebook's setup and solution cells, run in this process."""
from __future__ import annotations

import contextlib
import functools
import io
import os
import sys
import types
from pathlib import Path

from course.grading.notebooks import read_master


@contextlib.contextmanager
def inside(folder: Path):
    """Run with ``folder`` as cwd and first on sys.path (as a notebook in that folder does)."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path


@functools.lru_cache(maxsize=None)
def load_reference(master_path: str) -> types.SimpleNamespace:
    """Execute setup + solution cells of a master notebook; return the names they define."""
    path = Path(master_path)
    master = read_master(path)
    namespace: dict = {"__name__": f"reference_{path.parent.name}"}
    with inside(path.parent), contextlib.redirect_stdout(io.StringIO()):
        for i, source in enumerate(master.setup_sources):
            exec(compile(source, f"<reference setup {i}>", "exec"), namespace)
        for item_id, source in master.solution_sources.items():
            exec(compile(source, f"<reference {item_id}>", "exec"), namespace)
    # The functions keep ``namespace`` as their globals, and numpy's ndarray methods (``z.max(axis=0,
    # keepdims=True)``) look ``__builtins__`` up there: it stays in the dict, out of the attributes only.
    return types.SimpleNamespace(**{k: v for k, v in namespace.items() if k != "__builtins__"})
