"""Feedback, extra credit, cell matching and loud grader errors (issue 11)."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from helpers import ROOT, solved_release_notebook
from course.grading.engine import grade_submission
from course.grading.feedback import render_feedback
from course.grading.notebooks import GradedItem, match_graded_cells

A = "initialization"
NB_NAME = "Initialization.ipynb"


@pytest.fixture(scope="module")
def he_sqrt1_result():
    return grade_submission(ROOT, A, "init_he_sqrt1", ROOT / "samples" / "submitted" / "init_he_sqrt1" / A / NB_NAME)


def test_feedback_names_case_ratio_and_formula(he_sqrt1_result):
    """Does each parametrized row say its case, and does the message name the scale used, in plain numbers?"""
    he = next(i for i in he_sqrt1_result["items"] if i["id"] == "initialize_parameters_he")
    cases = [t["case"] for t in he["tests"] if t["name"].startswith("test_he[")]
    assert cases == ["layers_dims=[5, 3, 2, 1]", "layers_dims=[1, 1]", "layers_dims=[7, 20, 1]",
                     "layers_dims=[4, 6, 6, 3, 1]"]
    message = he["tests"][0]["message"]
    assert "np.sqrt(1 / n[l-1])" in message and "1/√2" in message
    page = render_feedback(he_sqrt1_result)
    assert "np.float64" not in page
    assert "layers_dims=[7, 20, 1]" in page


def test_feedback_layout_survives_long_messages(he_sqrt1_result):
    """Fixed table layout with set column widths, an unwrappable points column, breakable long words, a phone layout."""
    long = dict(he_sqrt1_result)
    long["items"] = [dict(i, tests=[dict(t, passed=False, message="x" * 3000 + " 很长的消息" * 200)
                                    for t in i["tests"]]) for i in he_sqrt1_result["items"]]
    page = render_feedback(long)
    for rule in ("table-layout:fixed", "col.what{width:38%}", "td.points,th.points{white-space:nowrap",
                 "overflow-wrap:anywhere", "@media (max-width:40em)", 'name="viewport"'):
        assert rule in page, rule
    assert page.count('<td class="points">') == sum(len(i["tests"]) for i in long["items"])


def test_extra_credit_never_hides_a_failed_required_function():
    """With zeros at 0 / 2 and Xavier's bonus done, the total is 8 / 8: do the feedback page and Gradescope's
    text show the required part (6 / 8) apart from the bonus (2 / 2) (issue 21)?"""
    from course.gradescope import _total_text

    def item(gid, score, max_score, bonus=False):
        return {"id": gid, "score": score, "max_score": max_score, "extra_credit": bonus, "cell": "ok", "tests": []}

    result = {"student": "s", "assignment": A, "score": 8.0, "max_score": 8.0, "status": "graded",
              "items": [item("initialize_parameters_zeros", 0.0, 2.0), item("initialize_parameters_random", 3.0, 3.0),
                        item("initialize_parameters_he", 3.0, 3.0),
                        item("initialize_parameters_xavier", 2.0, 2.0, bonus=True)]}
    assert "总分：<b>8 / 8（必做部分 6 / 8，加分题 2 / 2，加分题的分加在满分之上）</b>" in render_feedback(result)
    assert _total_text(result) == "8 / 8（必做部分 6 / 8，加分题 2 / 2，加分题的分加在满分之上）"
    plain = {**result, "items": result["items"][:3], "score": 6.0}  # no extra credit in the assignment: no parts
    assert "总分：<b>6 / 8</b>" in render_feedback(plain) and _total_text(plain) == "6 / 8"


def test_right_values_in_a_wrong_container_are_shown_as_such():
    """Does a test that kept its points with a form note (course.checks.note_wrong_form) read as "数值正确，形式不对"
    with its message, not as a plain failure (issue 21)?"""
    test = {"name": "test_zeros", "description": "全零初始化", "case": "", "points": 0.5, "passed": False, "form_only": True,
            "message": "b1 应该是形状 (3, 1) 的 numpy 数组，得到的是一个数 0。数值是对的，这一项扣 0.5 分。"}
    result = {"student": "s", "assignment": A, "score": 1.5, "max_score": 2.0, "status": "graded",
              "items": [{"id": "initialize_parameters_zeros", "score": 1.5, "max_score": 2.0, "extra_credit": False,
                         "cell": "ok", "tests": [test]}]}
    page = render_feedback(result)
    assert "数值正确，形式不对" in page and "这一项扣 0.5 分" in page and "未通过" not in page
    from course.gradescope import _item_output
    text = _item_output(result["items"][0])
    assert "[数值正确，形式不对]" in text and "这一项扣 0.5 分" in text and "未通过" not in text


def test_extra_credit_in_results_feedback_csv_and_gradebook(tmp_path, course_copy):
    """Is the bonus on top of a maximum of 8 in results.json, the feedback, the CSV and nbgrader's gradebook?"""
    from course.build import generate_release
    from course.grading.batch import grade_all
    from course.grading.store import export_csv

    course = course_copy
    for student in ("correct", "init_xavier_precedence"):
        shutil.copytree(ROOT / "samples" / "submitted" / student / A, course / "submitted" / student / A)
    db = f"sqlite:///{course / 'gradebook.db'}"
    generate_release(course, A, tmp_path / "scratch-release", db)
    results = {r["student"]: r for r in grade_all(course, A, db_url=db, log=lambda *_: None)}
    assert (results["correct"]["score"], results["correct"]["max_score"]) == (10, 8)
    assert (results["init_xavier_precedence"]["score"], results["init_xavier_precedence"]["max_score"]) == (8, 8)
    xavier = next(i for i in results["correct"]["items"] if i["id"] == "initialize_parameters_xavier")
    assert xavier["extra_credit"] is True and xavier["max_score"] == 2
    page = (course / "feedback" / "correct" / A / NB_NAME.replace(".ipynb", ".html")).read_text(encoding="utf-8")
    assert "10 / 8（必做部分 8 / 8，加分题 2 / 2，" in page and "（加分题）" in page
    export_csv(course, [A], tmp_path / "grades.csv")
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "grades.csv").open(encoding="utf-8"))}
    assert (rows["correct"]["total"], rows["correct"]["max_score"], rows["correct"]["extra_credit"]) == ("10.0", "8.0", "2.0")
    assert rows["init_xavier_precedence"]["extra_credit"] == "0.0"
    out = subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.root={course}",
                          f"--CourseDirectory.db_url={db}", f"--to={tmp_path / 'nb.csv'}"],
                         cwd=course, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    nb_rows = {r["student_id"]: r for r in csv.DictReader((tmp_path / "nb.csv").open())}
    assert (float(nb_rows["correct"]["score"]), float(nb_rows["correct"]["max_score"])) == (10.0, 8.0)
    assert float(nb_rows["init_xavier_precedence"]["score"]) == 8.0


def _nb(*sources, grade_id="initialize_parameters_he"):
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    cells[0].metadata["nbgrader"] = {"grade_id": grade_id}
    return nbformat.v4.new_notebook(cells=cells)


@pytest.mark.parametrize("source", [
    "initialize_parameters_he = lambda dims: {}",
    "exec('def initialize_parameters_he(dims):\\n    return {}')",
    "from somewhere import helper as initialize_parameters_he",
    "globals()['initialize_parameters_he'] = print",
    "if True:\n    def initialize_parameters_he(dims):\n        return {}",
])
def test_cell_found_whatever_statement_binds_the_name(source):
    """Is a cell that binds the graded name by lambda, exec, import, globals() or nested def found?"""
    item = GradedItem("initialize_parameters_he", 3)
    found = match_graded_cells(_nb(source), [item])[0]
    assert (found.source, found.matched_by) == (source, "grade_id")
    # also without metadata: found by the binding statement, not only by `def name(`
    stripped = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell(source)])
    found = match_graded_cells(stripped, [item])[0]
    assert (found.source, found.matched_by) == (source, "def")


def test_cell_that_only_uses_the_name_is_not_taken_for_its_definition():
    """Is a public-test cell that calls the function not mistaken for the cell that defines it?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("initialize_parameters_he_test(initialize_parameters_he)")])
    assert match_graded_cells(nb, [GradedItem("initialize_parameters_he", 3)])[0].matched_by == "missing"


def test_lambda_and_exec_bound_functions_are_graded(tmp_path):
    """Do correct functions bound by lambda or inside exec(...) earn full marks?"""
    cells = {
        "initialize_parameters_zeros": "initialize_parameters_zeros = lambda d: {k: v for l in range(1, len(d)) for k, v in "
                                       "((f'W{l}', np.zeros((d[l], d[l-1]))), (f'b{l}', np.zeros((d[l], 1))))}",
        "initialize_parameters_he": "exec('''def initialize_parameters_he(d):\n    np.random.seed(3)\n    p = {}\n"
                                    "    for l in range(1, len(d)):\n        p['W%d' % l] = np.random.randn(d[l], d[l-1]) * np.sqrt(2 / d[l-1])\n"
                                    "        p['b%d' % l] = np.zeros((d[l], 1))\n    return p''')",
    }
    path = tmp_path / NB_NAME
    nbformat.write(solved_release_notebook(A, cells), str(path))
    r = grade_submission(ROOT, A, "s", path)
    assert {i["id"]: i["score"] for i in r["items"]} == {
        "initialize_parameters_zeros": 2, "initialize_parameters_random": 3, "initialize_parameters_he": 3,
        "initialize_parameters_xavier": 2}


def test_grader_error_makes_course_grade_fail_loudly(course_copy):
    """When a grader itself fails, does `course grade` exit non-zero and name the failing test?"""
    course = course_copy
    shutil.copytree(ROOT / "samples" / "submitted" / "correct" / A, course / "submitted" / "correct" / A)
    grader = course / "graders" / A / "test_initialization.py"
    grader.write_text(grader.read_text(encoding="utf-8") + '''

@pytest.mark.grade(item="initialize_parameters_zeros", points=0)
def test_uses_a_renamed_setup_variable(submission, reference):
    """A grader that refers to a setup variable renamed since it was written."""
    reference.train_X_renamed
''', encoding="utf-8")
    env = dict(os.environ, COURSE_ROOT=str(course))
    out = subprocess.run([sys.executable, "-m", "course.cli", "grade", A, "--db", "none", "-q"],
                         cwd=course, env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "test_uses_a_renamed_setup_variable" in out.stderr and "train_X_renamed" in out.stderr
    assert "GRADER ERROR" in out.stdout  # the score table marks the row too


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_feedback_layout_in_chromium(he_sqrt1_result, tmp_path):
    """In a real browser, with very long messages: does the description column keep its width on a desktop,
    the points column stay on one line, and the phone layout never scroll sideways?"""
    from playwright.sync_api import sync_playwright

    long = dict(he_sqrt1_result)
    long["items"] = [dict(i, tests=[dict(t, passed=False, message="W1 的数值不对" + "x" * 2000 + " 很长的消息" * 300)
                                    for t in i["tests"]]) for i in he_sqrt1_result["items"]]
    page_file = tmp_path / "feedback.html"
    page_file.write_text(render_feedback(long), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for width in (1280, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(page_file.as_uri())
                page.screenshot(path=str(tmp_path / f"feedback-{width}.png"))
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{width}px: the page scrolls sideways by {overflow}px"
                points = page.evaluate("""() => [...document.querySelectorAll('td.points')].map(td => {
                    const r = document.createRange(); r.selectNodeContents(td);
                    return r.getClientRects().length; })""")
                assert max(points) == 1, f"{width}px: a points cell wraps onto {max(points)} lines"
                if width == 1280:
                    first = page.evaluate("document.querySelector('table tr:nth-child(2) td').getBoundingClientRect().width")
                    table = page.evaluate("document.querySelector('table').getBoundingClientRect().width")
                    assert first >= 0.3 * table, (first, table)
                page.close()
        finally:
            browser.close()
