"""Do the dataset scripts reproduce the committed files, and are the copies identical?"""
from __future__ import annotations

import importlib.util
import pytest

from helpers import ASSIGNMENTS, ROOT
from course.paths import dataset_copies


def _load_script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "datasets" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_circles_script_reproduces_file_byte_for_byte(tmp_path):
    out = tmp_path / "circles.npz"
    _load_script("make_circles_data").main(["--out", str(out)])
    assert out.read_bytes() == (ROOT / "datasets" / "circles.npz").read_bytes()


COPIES = dataset_copies(ROOT, ASSIGNMENTS)  # graders/<a>/assignment.toml of every assignment


def test_every_dataset_is_shipped():
    """Is every data file of datasets/ shipped by an assignment (none forgotten when manifest.json became
    per-assignment files), and does every assignment.toml name files that exist?"""
    data = {p.name for p in (ROOT / "datasets").iterdir() if p.is_file() and p.suffix not in (".py", ".json", ".md")}
    assert {name for name, _ in COPIES} == data
    assert ("circles.npz", "initialization") in COPIES and ("football.mat", "regularization") in COPIES
    assert ("ml_setup.npz", "ml_setup") in COPIES


@pytest.mark.parametrize("name,assignment", COPIES)
def test_assignment_copies_match(name, assignment):
    """Do source/ and release/ ship exactly the file generated under datasets/?"""
    canonical = (ROOT / "datasets" / name).read_bytes()
    assert (ROOT / "source" / assignment / "datasets" / name).read_bytes() == canonical
    assert (ROOT / "release" / assignment / "datasets" / name).read_bytes() == canonical


def test_football_script_reproduces_file_byte_for_byte(tmp_path):
    """Does datasets/make_football.py regenerate datasets/football.mat exactly?"""
    out = tmp_path / "football.mat"
    _load_script("make_football").main(["--out", str(out)])
    assert out.read_bytes() == (ROOT / "datasets" / "football.mat").read_bytes()


def test_football_format():
    """The generated file has the original's keys, shapes and dtypes."""
    import scipy.io

    data = scipy.io.loadmat(ROOT / "datasets" / "football.mat")
    assert data["X"].shape == (211, 2) and data["X"].dtype == "float64"
    assert data["y"].shape == (211, 1) and data["y"].dtype == "uint8"
    assert data["Xval"].shape == (200, 2) and data["yval"].shape == (200, 1)
