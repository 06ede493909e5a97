"""Gradescope: the autograder zip, run_autograder in a fake /autograder tree, results.json's schema."""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT, ASSIGNMENTS, sample_scores
from course.gradescope import VISIBILITIES, build_zip, find_notebook, results_json
from course.grading.engine import grade_submission
from course.sandbox.process import Limits, bwrap_works

A = "initialization"
NB_NAME = "Initialization.ipynb"
SAMPLE = ROOT / "samples" / "submitted"
CORRECT = SAMPLE / "correct" / A / NB_NAME
WRONG = SAMPLE / "init_he_sqrt1" / A / NB_NAME
SAMPLES = sample_scores()  # (assignment, student) -> its documented score

# What Gradescope documents for results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
# every field is optional, but a score must be given at the top level or on every test.
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER, STRING = "number", "string"
TOP_FIELDS = {"score": NUMBER, "execution_time": NUMBER, "output": STRING, "output_format": FORMATS,
              "test_output_format": FORMATS, "test_name_format": FORMATS, "visibility": set(VISIBILITIES),
              "stdout_visibility": set(VISIBILITIES), "extra_data": dict, "tests": list, "leaderboard": list}
TEST_FIELDS = {"score": NUMBER, "max_score": NUMBER, "status": {"passed", "failed"}, "name": STRING,
               "name_format": FORMATS, "number": STRING, "output": STRING, "output_format": FORMATS,
               "tags": list, "visibility": set(VISIBILITIES), "extra_data": dict}


def _check_fields(obj: dict, fields: dict, where: str) -> None:
    assert isinstance(obj, dict), where
    unknown = set(obj) - set(fields)
    assert not unknown, f"{where}: fields Gradescope does not document: {unknown}"
    for key, kind in fields.items():
        if key not in obj:
            continue
        value = obj[key]
        if kind == NUMBER:
            assert type(value) in (int, float) and math.isfinite(value), f"{where}.{key} = {value!r}"
        elif kind == STRING:
            assert isinstance(value, str), f"{where}.{key} = {value!r}"
        elif isinstance(kind, set):
            assert value in kind, f"{where}.{key} = {value!r} not in {sorted(kind)}"
        else:
            assert isinstance(value, kind), f"{where}.{key} = {value!r}"


def check_results_schema(data: dict) -> None:
    """Fails unless ``data`` is a results.json Gradescope accepts (the fields and types it documents)."""
    _check_fields(data, TOP_FIELDS, "results")
    json.loads(json.dumps(data, allow_nan=False))  # plain JSON: no NaN or Infinity
    tests = data.get("tests", [])
    for i, test in enumerate(tests):
        _check_fields(test, TEST_FIELDS, f"tests[{i}]")
    assert "score" in data or (tests and all("score" in t for t in tests)), "no score anywhere"


def unzip(zip_path: Path, dest: Path) -> None:
    """Extract as Gradescope does, with the file modes stored in the zip (run_autograder is executable)."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = dest / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(info))
            os.chmod(target, (info.external_attr >> 16) & 0o777)


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    return build_zip(ROOT, A, tmp_path_factory.mktemp("zip") / "autograder.zip", call_timeout=10.0)


def fake_autograder(base: Path, zip_path: Path, submission: dict[str, bytes]) -> Path:
    """An /autograder tree as Gradescope lays it out: source/ (the zip), run_autograder, submission/."""
    root = base / "autograder"
    unzip(zip_path, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    for name, data in submission.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(data)
    (root / "submission").mkdir(exist_ok=True)
    return root


def run_autograder(root: Path, python: str = sys.executable, **env) -> tuple[dict, str]:
    """Run the tree's run_autograder as Gradescope does (cwd /autograder); returns (results.json, stdout)."""
    proc = subprocess.run([str(root / "run_autograder")], cwd=root, capture_output=True, text=True, timeout=600,
                          env={"PATH": os.environ["PATH"], "AUTOGRADER_ROOT": str(root), "COURSE_PYTHON": python,
                               **env})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    check_results_schema(data)
    return data, proc.stdout + proc.stderr


def grader_lines() -> list[str]:
    """Distinctive lines of the hidden graders: none may reach a student."""
    text = (ROOT / "graders" / A / "test_initialization.py").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if len(line.strip()) > 25 and not line.strip().startswith('"""')
            and "\u4e00" > max(line.strip())]  # code lines, not the Chinese docstrings the feedback quotes


def test_zip_holds_this_assignment_only(autograder_zip, tmp_path):
    """Does the zip hold setup.sh and run_autograder (executable) at its root, the course package and this
    assignment's source/release/graders, and nothing of another assignment, of students or of samples?"""
    with zipfile.ZipFile(autograder_zip) as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        config = json.loads(zf.read("gradescope.json"))
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    for needed in ("course/gradescope.py", "course/grading/engine.py", "course/sandbox/process.py", "pyproject.toml",
                   "constraints.txt", f"graders/{A}/test_initialization.py", f"source/{A}/{NB_NAME}",
                   f"release/{A}/{NB_NAME}", f"release/{A}/init_utils.py", f"release/{A}/datasets/circles.npz"):
        assert needed in names, needed
    tops = {n.split("/")[0] for n in names}
    assert tops == {"setup.sh", "run_autograder", "gradescope.json", "pyproject.toml", "constraints.txt", "README.md",
                    "nbgrader_config.py", "course", "source", "release", "graders"}
    for name in names:
        parts = name.split("/")
        if parts[0] in ("source", "release", "graders"):
            assert parts[1] == A, name
        assert not {"samples", "submitted", "autograded", "solutions", "feedback", "__pycache__", ".venv"} & set(parts), name
        assert not name.endswith((".pyc", ".db")), name
    assert set(ASSIGNMENTS) - {A}  # there are other assignments to leave out
    assert config == {"assignment": A, "notebook": NB_NAME, "timeout": 300.0, "call_timeout": 10.0, "memory_mb": 512,
                      "visibility": "visible"}
    again = build_zip(ROOT, A, tmp_path / "again.zip", call_timeout=10.0)
    assert again.read_bytes() == autograder_zip.read_bytes()  # rebuilding an unchanged course changes nothing


def test_scripts_parse_and_install_what_grading_needs(autograder_zip, tmp_path):
    """Do setup.sh and run_autograder parse (bash -n), and does setup.sh install python3, venv, bubblewrap
    and our package with the pinned constraints?"""
    unzip(autograder_zip, tmp_path)
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(tmp_path / script)], check=True)
    setup = (tmp_path / "setup.sh").read_text()
    apt = next(line for line in setup.splitlines() if line.startswith("apt-get install"))
    assert {"python3", "python3-venv", "bubblewrap"} <= set(apt.split())
    assert '-m pip install --quiet -c "$SRC/constraints.txt" "$SRC"' in setup


@pytest.mark.parametrize("sample,name", [(CORRECT, NB_NAME), (WRONG, "Initialization (1).ipynb")],
                         ids=["correct", "init_he_sqrt1-renamed"])
def test_run_autograder_scores_as_course_grade(autograder_zip, tmp_path, sample, name):
    """Does run_autograder give the score `course grade` gives the same file (extra credit included), one
    Gradescope test per graded function with its points, Chinese text and no grader source? A notebook
    under another name is graded when it is the only one, and the student is told so."""
    root = fake_autograder(tmp_path, autograder_zip, {name: sample.read_bytes()})
    data, stdout = run_autograder(root)
    ours = grade_submission(ROOT, A, "s", sample)
    assert ours["score"] == SAMPLES[A, sample.parent.parent.name]
    assert data["score"] == ours["score"] and ours["status"] == "graded"
    assert [(t["name"].split("（")[0], t["score"], t["max_score"]) for t in data["tests"]] == \
        [(i["id"], i["score"], i["max_score"]) for i in ours["items"]]
    assert [t["status"] == "passed" for t in data["tests"]] == [i["score"] == i["max_score"] for i in ours["items"]]
    assert data["tests"][-1]["name"] == "initialize_parameters_xavier（加分题）"
    assert f"总分：{ours['score']:g} / 8" in data["output"] and "状态：已评分" in data["output"]
    isolation = "bwrap" if bwrap_works() else "limits-only"
    assert data["extra_data"]["isolation"] == isolation and f"isolation: {isolation}" in stdout
    assert f"course package {root / 'source' / 'course'};" in stdout  # the zip's own copy, not this checkout's
    renamed = "提交的 notebook 是 “Initialization (1).ipynb”，不是 Initialization.ipynb" in data["output"]
    assert renamed == (name != NB_NAME)
    text, hidden = json.dumps(data, ensure_ascii=False), grader_lines()
    assert len(hidden) > 50 and not [line for line in hidden if line in text]
    for test, item in zip(data["tests"], ours["items"]):
        for check in item["tests"]:
            assert f"[{'通过' if check['passed'] else '未通过'}] {check['description']}" in test["output"]
            if not check["passed"]:  # the grader's message, as the feedback page shows it
                assert check["message"].splitlines()[0] in test["output"]
    if sample == WRONG:
        he = data["tests"][2]
        assert he["status"] == "failed" and "np.sqrt(1 / n[l-1])" in he["output"]


def _sample_with(cells: dict[str, str]) -> bytes:
    """The correct sample with the graded cells ``cells`` (grade_id -> source) replaced."""
    nb = json.loads(CORRECT.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in cells:
            cell["source"] = cells.pop(gid)
    assert not cells
    return json.dumps(nb).encode()


@pytest.mark.parametrize("cells,score,status,message", [
    ({"initialize_parameters_zeros": "import os\nos._exit(3)\n"}, 8, "进程意外退出",
     "你的代码让进程意外退出（如 os._exit、内存超限），相关测试记 0 分"),
    ({"initialize_parameters_he": "def initialize_parameters_he(layers_dims):\n    while True:\n        pass\n"}, 7,
     "超时", "有单元格或函数调用超时（可能有死循环），相关测试记 0 分"),
], ids=["os._exit", "endless-loop"])
def test_crash_and_timeout_keep_the_partial_score(tmp_path, cells, score, status, message):
    """Does a submission whose code kills its process or loops forever get the partial score `course grade`
    gives it, the status and the Chinese reason, in a valid results.json?"""
    zip_path = build_zip(ROOT, A, tmp_path / "fast.zip", call_timeout=2.0)
    notebook = _sample_with(dict(cells))
    root = fake_autograder(tmp_path, zip_path, {NB_NAME: notebook})
    data, _ = run_autograder(root)
    (tmp_path / "same.ipynb").write_bytes(notebook)
    ours = grade_submission(ROOT, A, "s", tmp_path / "same.ipynb", limits=Limits(call_timeout=2.0, memory_bytes=512 << 20))
    assert data["score"] == ours["score"] == score
    assert [t["score"] for t in data["tests"]] == [i["score"] for i in ours["items"]]
    assert f"状态：{status}" in data["output"] and message in data["output"]


def test_non_notebook_submission(autograder_zip, tmp_path):
    """Is a submission without any .ipynb a valid 0 result that names what was submitted?"""
    root = fake_autograder(tmp_path, autograder_zip, {"Initialization.py": b"print(1)\n", "notes/report.pdf": b"%PDF"})
    data, _ = run_autograder(root)
    assert data["score"] == 0 and [t["score"] for t in data["tests"]] == [0, 0, 0, 0]
    assert "状态：未找到提交的 notebook" in data["output"]
    assert "没有找到 .ipynb 文件（提交的文件：Initialization.py、notes/report.pdf）。请提交 Initialization.ipynb。" in data["output"]


@pytest.mark.parametrize("files,expected", [
    ({NB_NAME: b"this is not json", "ignored/.ipynb_checkpoints/Initialization-checkpoint.ipynb": b"{}"},
     "不是有效的 JSON"),
    ({NB_NAME: b"{}", "copy/Initialization.ipynb": b"{}"}, "提交了 2 个 notebook（Initialization.ipynb、copy/Initialization.ipynb）"),
    ({}, "没有找到 .ipynb 文件（提交是空的）"),
], ids=["not-json", "two-notebooks", "empty"])
def test_unusable_submission_is_a_clear_zero(autograder_zip, tmp_path, files, expected):
    """Are a notebook that is not JSON (Jupyter's checkpoint copy ignored), two notebooks and an empty
    submission each a valid results.json with score 0 and a message saying why?"""
    root = fake_autograder(tmp_path, autograder_zip, files)
    data, _ = run_autograder(root)
    assert data["score"] == 0 and all(t["score"] == 0 and t["status"] == "failed" for t in data["tests"])
    assert expected in data["output"]


def test_a_python_that_cannot_run_still_gives_results(autograder_zip, tmp_path):
    """When the interpreter itself fails, does run_autograder still leave a valid results.json (score 0)?"""
    root = fake_autograder(tmp_path, autograder_zip, {NB_NAME: CORRECT.read_bytes()})
    data, stdout = run_autograder(root, python="/bin/false")
    assert data["score"] == 0 and "评分程序没能启动" in data["output"]
    assert "exited with status 1 before writing results.json" in stdout


def _python_without_root_only_paths(folder: Path) -> str:
    """A venv of the system's CPython 3.11 that sees this environment's packages. Without bubblewrap the
    child runs as an unprivileged uid, which cannot enter a pyenv under /root (mode 0700); Gradescope's
    venv (/autograder/venv on /usr/bin/python3.11) has no such problem."""
    system = shutil.which("python3.11", path="/usr/bin")
    if system is None:
        pytest.skip("no /usr/bin/python3.11 to build an interpreter an unprivileged uid can run")
    venv = folder / "venv"
    subprocess.run([system, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(site, "course-test-env.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    return str(python)


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs run_autograder as root; the fallback drops to a uid")
def test_limits_only_fallback_grades_and_hides_the_course(autograder_zip):
    """Where bubblewrap cannot start, does run_autograder grade with the limits-only sandbox (same score),
    say so, and keep the graders, the master notebook and the results out of the submission's reach?"""
    base = Path(tempfile.mkdtemp(prefix="gradescope-"))  # not under pytest's 0700 folder: only our chmod protects
    try:
        os.chmod(base, 0o755)
        python = _python_without_root_only_paths(base)
        nb = json.loads(CORRECT.read_text(encoding="utf-8"))
        secrets = [base / "autograder" / "source" / "source" / A / NB_NAME,
                   base / "autograder" / "source" / "graders" / A / "test_initialization.py",
                   base / "autograder" / "results" / "probe.txt"]
        probe = (f"\nfor _p in {[str(p) for p in secrets]!r}:\n"
                 "    try:\n        open(_p, 'a' if _p.endswith('probe.txt') else 'r').close()\n        print('REACHED', _p)\n"
                 "    except OSError as _e:\n        print('DENIED', type(_e).__name__)\n")
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "initialize_parameters_zeros":
                cell["source"] = "".join(cell["source"]) + probe
        root = fake_autograder(base, autograder_zip, {NB_NAME: json.dumps(nb).encode()})
        (root / "results").mkdir()
        assert all(os.stat(root / d).st_mode & 0o005 == 0o005 for d in ("source", "results", "submission"))
        data, stdout = run_autograder(root, python=python, COURSE_ISOLATION="limits-only")
        assert data["score"] == SAMPLES[A, "correct"], data["output"]
        assert data["extra_data"]["isolation"] == "limits-only" and "isolation: limits-only" in stdout
        assert "评分时的隔离方式 (isolation)：仅资源限制 (limits only)" in data["output"]
        assert data["output"].count("DENIED PermissionError") == 3 and "REACHED" not in data["output"], data["output"]
        assert '"uid": "own unprivileged uid"' in stdout and '"seccomp": false' in stdout
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _record(status: str, message: str, **extra) -> dict:
    items = [{"id": "initialize_parameters_zeros", "score": 2.0, "max_score": 2.0, "extra_credit": False, "cell": "ok",
              "notes": [], "tests": [{"name": "test_zeros[a]", "points": 2.0, "passed": True, "message": "",
                                      "description": "全零初始化", "case": "layers_dims=[1, 1]",
                                      "internal_error": "", "plot": None}]},
             {"id": "initialize_parameters_he", "score": 0.0, "max_score": 3.0, "extra_credit": False,
              "cell": "timeout", "notes": ["运行这个单元格超时（可能有死循环）"],
              "tests": [{"name": "test_he", "points": 3.0, "passed": False, "message": "评分程序内部错误，已通知老师 (grader error)。",
                         "description": "", "case": "", "internal_error": "Traceback: KeyError in graders/secret.py",
                         "plot": None}]}]
    return {"student": "s", "assignment": A, "score": 2.0, "max_score": 5.0, "status": status, "message": message,
            "items": items, "output": "printed\n", "seconds": 1.2, **extra}


def test_results_of_a_partial_timeout_and_of_a_grader_failure():
    """Does a timed-out submission keep its partial score with the Chinese reason, and does a failure of our
    machinery show the student neither its English message nor a grader's traceback?"""
    timeout = results_json(_record("timeout", "有单元格或函数调用超时（可能有死循环），相关测试记 0 分"),
                           visibility="after_due_date", isolation="bwrap")
    check_results_schema(timeout)
    assert timeout["score"] == 2.0 and timeout["execution_time"] == 2
    assert {t["visibility"] for t in timeout["tests"]} == {timeout["visibility"]} == {"after_due_date"}
    assert "状态：超时" in timeout["output"] and "有单元格或函数调用超时" in timeout["output"]
    he = timeout["tests"][1]["output"]
    assert he.startswith("定义该函数的单元格：运行超时\n运行这个单元格超时") and "[未通过] test_he —— 分值 3" in he
    assert "KeyError" not in json.dumps(timeout)
    error = results_json(_record("error", "grading failed: RuntimeError: pytest could not run graders/x",
                                 grader_errors=["Traceback ..."]))
    check_results_schema(error)
    assert "评分程序出错（不是你的代码的问题）" in error["output"]
    assert "RuntimeError" not in json.dumps(error) and "Traceback" not in json.dumps(error)
    with pytest.raises(ValueError):
        results_json(_record("graded", ""), visibility="public")


def test_find_notebook_ignores_checkpoints_and_follows_no_symlinked_folder(tmp_path):
    """Is a notebook found in a subfolder, Jupyter's checkpoint copies left out, and a symlinked folder not entered?"""
    (tmp_path / "sub" / ".ipynb_checkpoints").mkdir(parents=True)
    (tmp_path / "sub" / "hw.ipynb").write_text("{}")
    (tmp_path / "sub" / ".ipynb_checkpoints" / "hw-checkpoint.ipynb").write_text("{}")
    (tmp_path / "elsewhere").symlink_to(ROOT / "source" / A, target_is_directory=True)
    path, notice, _ = find_notebook(tmp_path, NB_NAME)
    assert path == tmp_path / "sub" / "hw.ipynb"
    assert notice == "提交的 notebook 是 “sub/hw.ipynb”，不是 Initialization.ipynb；只有这一个 notebook，已按它评分。"


def test_cli_builds_the_zip_and_refuses_unknown_assignments(tmp_path, monkeypatch, capsys):
    """Does `course gradescope` write the zip with its options in gradescope.json, and exit 2 with a message
    for an assignment that does not exist or is not a plain name?"""
    from course.cli import main

    monkeypatch.setenv("COURSE_ROOT", str(ROOT))
    out = tmp_path / "ag.zip"
    assert main(["gradescope", A, "--out", str(out), "--visibility", "after_due_date", "--timeout", "120"]) == 0
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("gradescope.json")) == {
            "assignment": A, "notebook": NB_NAME, "timeout": 120.0, "call_timeout": 30.0, "memory_mb": 512,
            "visibility": "after_due_date"}
    for bad in ("no_such_assignment", "../initialization"):
        assert main(["gradescope", bad, "--out", str(tmp_path / "bad.zip")]) == 2
        assert "course gradescope:" in capsys.readouterr().err
    assert not (tmp_path / "bad.zip").exists()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_assignment_builds_a_zip_of_its_own(tmp_path, assignment):
    """Does each assignment's zip hold its own master notebook, release and graders, and no other assignment's?"""
    path = build_zip(ROOT, assignment, tmp_path / f"{assignment}.zip")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        config = json.loads(zf.read("gradescope.json"))
    notebook = next((ROOT / "source" / assignment).glob("*.ipynb")).name
    assert config["assignment"] == assignment and config["notebook"] == notebook
    for part in ("source", "release"):
        assert f"{part}/{assignment}/{notebook}" in names
    assert any(n.startswith(f"graders/{assignment}/test_") for n in names)
    assert {n.split("/")[1] for n in names if n.split("/")[0] in ("source", "release", "graders")} == {assignment}


@pytest.mark.parametrize("bad", [{"score": "10"}, {"score": 1, "visibility": "public"}, {"tests": [{"max_score": 1.0}]},
                                 {"score": 1, "scores": 1}, {"score": 1, "tests": [{"score": 1, "status": "ok"}]},
                                 {"score": float("nan")}, {"score": True}])
def test_the_schema_check_refuses_what_gradescope_does_not_document(bad):
    """Does check_results_schema refuse a string score, an unknown visibility, no score at all, an unknown
    field, an unknown status, NaN and a boolean?"""
    with pytest.raises(AssertionError):
        check_results_schema(bad)
