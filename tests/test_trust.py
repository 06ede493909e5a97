"""Trust where the course really runs (issue 18): helpers the graders rely on, late work from
times the student cannot write, nbgrader's own Autograde, and student text that reaches records."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from attack_corpus import ATTACKS
from helpers import ROOT
from course.sandbox.process import bwrap_works
from helpers import INIT as A, INIT_NB as NB_NAME, attack_notebook, digest, fast_limits, grade_nb
from helpers import solved_notebook as _solved
from services import answer_notebook, nbgrader, submit_payload

FAST = fast_limits()

needs_bwrap = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap is not usable here")


def _he_training(result) -> dict:
    item = next(i for i in result["items"] if i["id"] == "initialize_parameters_he")
    return {"score": item["score"], "training": [t["passed"] for t in item["tests"] if t["name"] == "test_he_training_run"]}


@needs_bwrap
@pytest.mark.parametrize("attack", ["rewired_resolver", "rewired_train_code"])
def test_rewired_helper_does_not_train_for_the_grader(tmp_path, attack):
    """A wrong He cell that rewires the given init_utils (its resolver in place, or train's
    __code__) gets no point for the training run: the given train() runs in the grading process."""
    base, cell_id, code, changes, status = ATTACKS[attack]
    result = grade_nb(tmp_path, attack_notebook(base, cell_id, code))
    assert result["status"] == status
    assert _he_training(result) == {"score": 0.0, "training": [False]}


@needs_bwrap
def test_honest_he_still_passes_the_training_run(tmp_path):
    result = grade_nb(tmp_path, _solved(A))
    assert (result["score"], _he_training(result)) == (10.0, {"score": 3.0, "training": [True]})


# --- nbgrader's own Autograde goes through the sandbox ---------------------------------------------

def _nbgrader(course, *args, **env):
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", **env})


def _payload_course(tmp_path):
    from course.grading.store import ensure_assignment
    from course.paths import copy_course

    course = copy_course(ROOT, tmp_path / "course")
    db = f"sqlite:///{course / 'gradebook.db'}"
    ensure_assignment(course, A, db)
    submit_payload(course)
    return course, db


@needs_bwrap
def test_nbgrader_autograde_grades_in_the_sandbox(tmp_path):
    """`nbgrader autograde` (formgrader's button runs the same converter) on a correct notebook with
    a payload: the payload writes nothing outside the sandbox and never reads the hidden grader;
    the grades are ours (10 with the extra credit, 8 for nbgrader), recorded as course grade would."""
    from nbgrader.api import Gradebook

    course, db = _payload_course(tmp_path)
    before = digest(course, skip=("autograded", "feedback", "gradebook.db"))
    out = _nbgrader(course, "autograde", A, "--student", "mallory", "--force")
    assert out.returncode == 0, out.stderr[-3000:]
    assert "graded in the sandbox: 10/8 graded" in out.stderr
    assert not list(tmp_path.rglob("PAYLOAD_RAN"))
    assert digest(course, skip=("autograded", "feedback", "gradebook.db")) == before
    secret = (ROOT / "graders" / A / "test_initialization.py").read_text().splitlines()[0]
    autograded = course / "autograded" / "mallory" / A
    for path in [*autograded.rglob("*"), *(course / "feedback").rglob("*")]:
        if path.is_file() and path.suffix in (".ipynb", ".json", ".html"):
            assert secret not in path.read_text(encoding="utf-8"), path
    result = json.loads((autograded / "results.json").read_text())
    assert (result["score"], result["status"], result["isolation"]) == (10.0, "graded", "bwrap")
    nb = nbformat.read(autograded / NB_NAME, as_version=4)
    verdicts = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")]
    assert verdicts and all(c.outputs and c.outputs[0].output_type == "stream" for c in verdicts)
    with Gradebook(db) as gb:
        submission = gb.find_submission(A, "mallory")
        assert (submission.score, submission.max_score) == (10.0, 8.0)  # xavier's 2 as extra credit


def test_nbgrader_autograde_refuses_without_the_sandbox(tmp_path):
    """Where bubblewrap is not usable nbgrader autograde grades nothing, runs nothing, and says to
    use course grade."""
    course, db = _payload_course(tmp_path)
    # a PATH without bwrap (only the virtualenv's tools): the engine cannot sandbox, so it must refuse
    out = _nbgrader(course, "autograde", A, "--student", "mallory", "--force", PATH=str(Path(sys.executable).parent))
    assert out.returncode != 0
    assert "course grade initialization --student mallory" in out.stderr
    assert not list(tmp_path.rglob("PAYLOAD_RAN"))
    assert not (course / "autograded" / "mallory" / A / NB_NAME).exists()


# --- late work from times the student cannot write -------------------------------------------------

def _late_class(tmp_path, method="zero"):
    """A course copy whose nbgrader_config.py names an exchange (as a real term's does) and the policy."""
    from course.paths import copy_course

    course = copy_course(ROOT, tmp_path / "course")
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.Exchange.root = {str(exchange)!r}\n"
                      f"c.LatePenalty.per_assignment = {{{A!r}: {method!r}}}\n")
    return course, exchange, f"sqlite:///{course / 'gradebook.db'}"


def _set_due(course, db, due, extensions=()):
    from course.grading.store import ensure_assignment, grant_extension
    from nbgrader.api import Gradebook

    ensure_assignment(course, A, db)
    with Gradebook(db) as gb:
        gb.update_or_create_assignment(A, duedate=due)
    for student, hours in extensions:
        grant_extension(db, A, student, hours)


FORGED = {
    "backdated": lambda due, now: (due - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
    "garbage": lambda due, now: "yesterday, honestly",
    "undecodable": lambda due, now: "2026-11-01 \ud83d\ude07",  # written with surrogatepass: not UTF-8
    "future": lambda due, now: (now + timedelta(days=365)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
}


@needs_bwrap
def test_forged_timestamps_through_the_exchange_are_late(tmp_path):
    """Policy zero, due date an hour ago. Students submit through nbgrader's exchange and then
    rewrite timestamp.txt in their inbound record (back-dated, with the folder renamed to match;
    garbage; the future): each is late (0 points) and the results say why; an honest late student
    is late as before, an honest student with an extension is on time with full marks."""
    from nbgrader.api import Gradebook

    from course.grading.batch import grade_all

    course, exchange, db = _late_class(tmp_path)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    due = now - timedelta(hours=1)
    nbgrader("release_assignment", A, cwd=course, exchange=exchange)
    first = tmp_path / "home" / "first"
    first.mkdir(parents=True)
    nbgrader("fetch_assignment", A, cwd=first, exchange=exchange, home=first)
    answer_notebook(first / A / NB_NAME)
    forged = [s for s in FORGED if s != "undecodable"]
    students = ["honest_late", "honest_extended", *forged]
    for student in students:
        home = tmp_path / "home" / student
        if home != first:
            shutil.copytree(first, home)
        nbgrader("submit", A, f"--student={student}", cwd=home, exchange=exchange, home=home)
    inbound = exchange / "practical-aspects-dl" / "inbound"
    for student, forge in FORGED.items():
        if student == "undecodable":
            continue
        [record] = inbound.glob(f"{student}+{A}+*")
        stamp = forge(due, now)
        record.joinpath("timestamp.txt").write_text(stamp, encoding="utf-8", errors="surrogatepass")
        if student == "backdated":  # nbgrader collect orders records by the time in the name
            name = record.name.split("+")
            record.rename(record.with_name("+".join([name[0], name[1], stamp.replace(" UTC", ""), name[3]])))
    nbgrader("collect", A, cwd=course, exchange=exchange)
    assert (course / "submitted" / "backdated" / A / "timestamp.txt").read_text().startswith(f"{due.year}")
    _set_due(course, db, due, [("honest_extended", 48)])

    results = {r["student"]: r for r in grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)}
    assert all(r["score"] == 10 and r["status"] == "graded" for r in results.values())
    late = {s: r["late"]["late_penalty"] for s, r in results.items()}
    assert late == {"honest_late": 10, "honest_extended": 0, "backdated": 10, "garbage": 10, "future": 10}
    assert all(results[s]["submitted_at"]["source"] == "exchange" for s in ("backdated", "garbage", "future"))
    assert results["backdated"]["late"]["seconds_late"] > 3000  # an hour late, whatever the stamp says
    for student in ("garbage", "future"):
        assert "按迟交处理" in results[student]["late"]["timestamp_problem"]
        page = next((course / "feedback" / student / A).glob("*.html")).read_text(encoding="utf-8")
        assert "按迟交处理" in page
    assert not results["honest_late"]["late"].get("timestamp_problem")
    with Gradebook(db) as gb:
        assert {s: gb.find_submission(A, s).total_seconds_late > 0 for s in students} == \
            {s: s != "honest_extended" for s in students}


@needs_bwrap
@pytest.mark.parametrize("stamp", ["garbage", "undecodable", "future"])
def test_unbelievable_timestamp_without_an_exchange_is_late(tmp_path, stamp):
    """No exchange (an LMS download, a copy): an unparsable or future timestamp.txt fails closed:
    late even before the due date, said so in results.json and the feedback page."""
    from course.grading.batch import grade_all

    course, exchange, db = _late_class(tmp_path)
    exchange.rmdir()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    folder = course / "submitted" / "olga" / A
    folder.mkdir(parents=True)
    nbformat.write(_solved(A), str(folder / NB_NAME))
    (folder / "timestamp.txt").write_text(FORGED[stamp](now, now), encoding="utf-8", errors="surrogatepass")
    _set_due(course, db, now + timedelta(days=7))
    [result] = grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)
    assert (result["score"], result["late"]["late_penalty"]) == (10, 10)
    recorded = json.loads((course / "autograded" / "olga" / A / "results.json").read_text())
    assert "按迟交处理" in recorded["late"]["timestamp_problem"] and recorded["submitted_at"]["source"] == "submitted"


# --- student text that reaches the records -----------------------------------------------------

def _one_student(tmp_path, nb, student="nina"):
    from course.paths import copy_course

    course = copy_course(ROOT, tmp_path / "course")
    folder = course / "submitted" / student / A
    folder.mkdir(parents=True)
    # JSON's ASCII escapes: a lone surrogate is legal in the file (nbformat.write cannot write it)
    (folder / NB_NAME).write_text(json.dumps(nb), encoding="ascii")
    return course, f"sqlite:///{course / 'gradebook.db'}"


def _records_complete(course, db, student="nina"):
    """Every record of the student exists, and a second run skips it as already graded."""
    from course.grading.batch import grade_all

    folder = course / "autograded" / student / A
    result = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert result["gradebook"] == "recorded" and not result.get("record_errors"), result.get("record_errors")
    assert (folder / NB_NAME).is_file() and list((course / "feedback" / student / A).glob("*.html"))
    logs = []
    grade_all(course, A, db_url=db, limits=FAST, log=logs.append)
    assert any(line.startswith(f"{student}/{A}: already graded") for line in logs), logs
    return result


@needs_bwrap
def test_lone_surrogates_are_escaped_before_recording(tmp_path):
    """A lone surrogate in an exception message, printed output and a Markdown cell (none of them
    encodable as UTF-8) is escaped: every record is written once, and the student is not regraded."""
    from course.grading.batch import grade_all

    he = "def initialize_parameters_he(layers_dims):\n    print('\\ud800 out')\n    raise ValueError('bad \\ud800 value')\n"
    nb = _solved(A, {"initialize_parameters_he": he})
    nb.cells.append(nbformat.v4.new_markdown_cell("note \ud800 here"))
    course, db = _one_student(tmp_path, nb)
    [result] = grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)
    assert result["score"] == 7
    recorded = _records_complete(course, db)
    he_item = next(i for i in recorded["items"] if i["id"] == "initialize_parameters_he")
    assert any("\\ud800" in t["message"] for t in he_item["tests"])
    text = (course / "autograded" / "nina" / A / NB_NAME).read_text(encoding="utf-8")
    assert "\\\\ud800" in text  # the escape, as text in the JSON


@needs_bwrap
@pytest.mark.parametrize("grade_id", [["test_initialize_parameters_he"], {"x": 1}, 7, None, True])
def test_any_grade_id_type_is_tolerated(tmp_path, grade_id):
    """A grade_id that is not a string (a list, a dict, a number, null) on the He cell and on a
    test cell: the submission is graded (found by its def) and every record, the autograded
    notebook included, is written."""
    from course.grading.batch import grade_all

    nb = _solved(A)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ("initialize_parameters_he", "test_initialize_parameters_zeros"):
            cell.metadata.nbgrader["grade_id"] = grade_id
    course, db = _one_student(tmp_path, nb)
    [result] = grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)
    assert (result["score"], result["status"]) == (10, "graded")
    _records_complete(course, db)
    out = nbformat.read(course / "autograded" / "nina" / A / NB_NAME, as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in out.cells]
    assert all(i is None or isinstance(i, str) for i in ids)
    assert "test_initialize_parameters_zeros" in ids  # the course's test cell is back, with its verdict


ANSI = "\x1b[2K\x1b[1A\x1b[32m✓ 通过  全部测试\x1b[0m \x1b]8;;http://evil.example/\x07link\x1b]8;;\x07 \x9b31m"


@needs_bwrap
def test_ansi_escapes_never_reach_formgrader_or_feedback(tmp_path):
    """A student's exception text and output with ANSI colour, cursor and hyperlink sequences (to hide
    lines or fake a green verdict): the autograded notebook, the feedback page and results.json
    carry the text without a single escape or C1 control."""
    from course.grading.batch import grade_all

    he = f"def initialize_parameters_he(layers_dims):\n    print({ANSI!r})\n    raise ValueError({ANSI!r})\n"
    nb = _solved(A, {"initialize_parameters_he": he})
    nb.cells.append(nbformat.v4.new_markdown_cell(ANSI))
    course, db = _one_student(tmp_path, nb)
    [result] = grade_all(course, A, db_url=db, limits=FAST, log=lambda *_: None)
    assert result["score"] == 7
    files = [course / "autograded" / "nina" / A / NB_NAME, course / "autograded" / "nina" / A / "results.json",
             *(course / "feedback" / "nina" / A).glob("*.html")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "\x1b" not in text and "\\u001b" not in text and "\x9b" not in text and "\\u009b" not in text, path
        assert "全部测试" in text, path  # the words stay, only the escapes go
