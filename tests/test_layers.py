"""The import graph of course/: every import (function-level ones too) goes down the layers or
sideways within one, there are no cycles, and no module imports another's private name."""
from __future__ import annotations

import ast
from pathlib import Path

from helpers import ROOT

PACKAGE = ROOT / "course"

# Bottom to top. A module may import modules of its own layer or below, never above.
LAYERS = [
    ("sandbox", ["course.sandbox"]),
    ("base", ["course.lazy_imports", "course.paths", "course.ids", "course.config", "course.late",
              "course.grading.text", "course.checks", "course.html", "course.language"]),
    ("content", ["course.grading.result", "course.grading.notebooks", "course.grading.graders",
                 "course.grading.reference"]),
    ("build", ["course.build", "course.authoring", "course.samples", "course.language_release"]),
    ("grading", ["course.grading"]),
    ("report and exports", ["course.report", "course.gradescope", "course.roster"]),
    ("serve", ["course.serve"]),
    ("cli", ["course.cli"]),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    if module == "course":  # the package's __init__: installs course.lazy_imports, nothing else
        return 1
    best, found = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), i
    if found is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return found


def imports(path: Path, modules: set[str]) -> list[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every import of a course module in ``path``."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, "", node.lineno) for a in node.names if a.name.split(".")[0] == "course"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "course":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.append((sub, "", node.lineno) if sub in modules else (base, alias.name, node.lineno))
    return out


def graph() -> dict[str, list[tuple[str, str, int]]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports(p, modules) for p in paths}


def test_every_import_goes_down_or_sideways():
    upward = []
    for module, deps in graph().items():
        for dep, name, line in deps:
            if dep != module and layer_of(dep) > layer_of(module):
                upward.append(f"{module}:{line} imports {dep} ({LAYERS[layer_of(module)][0]} -> "
                              f"{LAYERS[layer_of(dep)][0]})")
    assert not upward, "\n".join(upward)


def test_no_private_name_crosses_modules():
    private = [f"{module}:{line} imports {dep}.{name}" for module, deps in graph().items()
               for dep, name, line in deps if name.startswith("_") and dep != module]
    assert not private, "\n".join(private)


def test_no_import_cycles():
    edges = {m: {d for d, _, _ in deps if d != m} for m, deps in graph().items()}
    edges = {m: {d for d in ds if d in edges} for m, ds in edges.items()}
    # a package's __init__ is imported before any of its modules: an edge to it is no cycle of ours
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(edges[node]):
            if state.get(dep) == "open":
                cycles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, stack + [dep])
        state[node] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)
