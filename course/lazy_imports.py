"""Third-party package __init__ files that cost a `course` command most of its time, deferred to
the first use of what they define (`python -X importtime`; a `course grade` of one submission took
2.8 s, of which grading 0.3 s):

- jsonschema, which nbformat imports to validate notebooks, imports ``rfc3987_syntax`` at its own
  import for its "iri" format check, and rfc3987_syntax/__init__.py compiles a Lark grammar then.
  The course never checks that format: nbformat validates with fastjsonschema, and jsonschema
  checks formats only when given a FormatChecker.
- jsonschema's other format checkers import isoduration (and with it arrow) and the RFC 3986/3339
  validators, which compile large regular expressions, at jsonschema's import (about a quarter
  of ``import nbformat``); ``_defer_format_checkers`` hands jsonschema what it takes at import.
- ``import nbgrader.api`` (the gradebook) first runs nbgrader/__init__.py, which loads nbgrader's
  Jupyter server extensions and through them every nbgrader app, jupyter_server and nbconvert.
  nbgrader.api, .utils, .coursedir, .plugins and .exchange use none of it. Likewise
  nbgrader/plugins/__init__.py imports the export plugins and with them the gradebook (SQLAlchemy)
  for course.late, which needs only nbgrader.plugins.latesubmission.
- nbgrader.utils imports ``setuptools.archive_util``, and setuptools/__init__.py imports
  pkg_resources, which scans every installed distribution; archive_util needs neither.
- nbgrader.auth imports ``requests`` for JupyterHub's API, which it calls only with JupyterHub.

``install()`` registers each package as imported without running its __init__.py, as long as
nothing has imported it yet; course/__init__.py runs it, so it is in place before any course
module imports nbformat or nbgrader. Its submodules import as usual. Nothing is lost: the first
access to anything else of the package (``nbgrader._jupyter_server_extension_points``,
``requests.get``, ``rfc3987_syntax.is_valid_syntax(...)`` called by jsonschema) runs its
__init__.py, once, in the same module object, and from then on it is the package as Python would
have imported it.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
import types
from typing import Callable


_PENDING: set[str] = set()  # packages registered whose __init__.py has not run yet


def pending(name: str) -> bool:
    """Is ``name`` registered by install() with its __init__.py not run yet (nothing of it used)?"""
    return name in _PENDING


def install() -> None:
    if "jsonschema" not in sys.modules and importlib.util.find_spec("lark") is not None:
        deferred = _defer_init("rfc3987_syntax")
        if deferred is not None:
            package, run_init = deferred

            def is_valid_syntax(term: str, value: str) -> bool:  # what jsonschema takes from it
                run_init()  # replaces package.is_valid_syntax by the real one
                return package.is_valid_syntax(term, value)

            package.is_valid_syntax = is_valid_syntax
    for name in ("nbgrader", "nbgrader.plugins", "setuptools", "requests"):
        _defer_init(name)
    if "jsonschema" not in sys.modules:
        _defer_format_checkers()


def _defer_format_checkers() -> None:
    """jsonschema's format checkers (jsonschema/_format.py) import their libraries at jsonschema's
    import: isoduration brings arrow, rfc3986/rfc3339_validator compile large regular expressions.
    nbformat never checks a format. What _format.py takes at import is given to it (the functions
    as stubs that load their module when called; isoduration's exception class itself)."""
    for name, function in (("rfc3986_validator", "validate_rfc3986"), ("rfc3339_validator", "validate_rfc3339")):
        deferred = _defer_init(name)
        if deferred is not None:
            _stub(*deferred, function)
    deferred = _defer_init("isoduration")
    if deferred is not None and _defer_init("isoduration.parser") is not None:
        package = deferred[0]
        package.DurationParsingException = importlib.import_module("isoduration.parser.exceptions").DurationParsingException


def _stub(module: types.ModuleType, run_init: Callable[[], None], function: str) -> None:
    def stub(*args, **kwargs):
        run_init()  # replaces the module's attribute by the real function
        return getattr(module, function)(*args, **kwargs)

    setattr(module, function, stub)


def _defer_init(name: str) -> tuple[types.ModuleType, Callable[[], None]] | None:
    """Register the package (or module) ``name`` as imported without running its __init__.py (its
    code); returns it and the function that runs it (once). None when it is imported already or not
    installed."""
    parent, _, child = name.rpartition(".")
    if name in sys.modules or (parent and parent not in sys.modules):
        return None
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return None
    is_package = bool(spec.submodule_search_locations)
    package = importlib.util.module_from_spec(spec)  # __path__, __file__, __spec__ set; nothing run
    lock = threading.RLock()

    def run_init() -> None:
        with lock:
            if package.__dict__.get("__getattr__") is __getattr__:
                del package.__getattr__
                _PENDING.discard(name)
                spec.loader.exec_module(package)  # what `import name` would have run

    def __getattr__(attr: str):
        # A submodule not imported yet (`from nbgrader import utils`): the import system loads it.
        if is_package and importlib.machinery.PathFinder.find_spec(f"{name}.{attr}", package.__path__) is not None:
            raise AttributeError(attr)
        if not is_package and attr == "__path__":  # `from module import name` asks whether it is a package
            raise AttributeError(attr)
        run_init()
        return getattr(package, attr)

    package.__getattr__ = __getattr__
    _PENDING.add(name)
    sys.modules[name] = package
    if parent:  # as the import system binds a submodule it imported
        setattr(sys.modules[parent], child, package)
    return package, run_init
