"""The pins install on every supported Python: Debian 12's own python3 (3.11.2) included.

`.ci/run` installs them with /usr/bin/python3 for real; this checks, from the installed
metadata, that a pin bumped later still admits 3.11.2 (soupsieve 4.1.3 needed 3.11.5, issue 20).
"""
from __future__ import annotations

import importlib.metadata
import re
import tomllib

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from helpers import ROOT

OLDEST_SUPPORTED = "3.11.2"  # Debian 12 (bookworm)'s python3


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_every_pin_supports_debian_12_python():
    too_new = {}
    for name, version in _pins().items():
        dist = importlib.metadata.distribution(name)
        assert dist.version == version, f"{name}: installed {dist.version}, pinned {version} (run make install)"
        requires = dist.metadata.get("Requires-Python") or ""
        if not SpecifierSet(requires).contains(OLDEST_SUPPORTED):
            too_new[name] = f"{version} requires Python {requires}"
    assert not too_new, f"pins that Python {OLDEST_SUPPORTED} cannot install: {too_new}"


def test_project_pins_agree_with_constraints():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert SpecifierSet(project["requires-python"]).contains(OLDEST_SUPPORTED)
    pins = _pins()
    for dependency in project["dependencies"]:
        req = Requirement(dependency)
        version = re.fullmatch(r"==(\S+)", str(req.specifier)).group(1)
        assert pins.get(canonicalize_name(req.name)) == version, dependency
