"""The shared HTML templates (course.html, course/templates/): every page escapes what students,
graders and notebooks wrote, no template renders with a variable missing, and every template
ships as package data."""
from __future__ import annotations

import base64
import glob
import tomllib
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
from markupsafe import escape

from helpers import ROOT
from course.grading.feedback import CELL_TEXT, STATUS_TEXT, render_feedback
from course.html import TEMPLATES, compile_all, environment, render
from course.report import compute_summary, render_report
from course.serve.app import STATUS_TEXT as SERVE_STATUS_TEXT
from course.serve.app import page

# What a student id, a test message or a notebook's output may hold: markup, an attribute
# break-out, Jinja syntax (must stay text, never be evaluated), non-BMP and Chinese text.
HOSTILE = ("<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>", "'><svg onload=alert(3)>",
           "{{ 1234 * 1000 }}{% for x in range(3) %}{{ x }}{% endfor %}", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 张伟的作业")
EVIL = "".join(HOSTILE)
# the same, with no "/" (a folder name: the assignment id of a course tree)
EVIL_NAME = "\"><img src=x onerror=alert(2)>{{ 1234 * 1000 }}𝔘𝔫𝔦 张伟"
EVALUATED = ("1234000", "012")  # what Jinja would print had it run the hostile text


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(page_text: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(page_text)
    return parser.tags


def assert_inert(page_text: str, *texts: str) -> None:
    """No hostile markup became markup, no Jinja syntax was evaluated, and each of ``texts``
    (hostile input) is on the page as escaped text, non-BMP characters intact."""
    found = tags(page_text)
    assert not [t for t, _ in found if t in ("script", "svg", "iframe", "object")], found
    assert not [(t, a) for t, a in found for name in a if name.startswith("on")]
    assert not [(t, a) for t, a in found if t == "img" and a.get("src") == "x"]
    assert "<script" not in page_text and "<img src=x" not in page_text and "<svg onload" not in page_text
    for text in texts:
        assert str(escape(text)) in page_text, text
    for evaluated in EVALUATED:
        assert evaluated not in page_text


# --- the feedback page -----------------------------------------------------------------------------

def hostile_result() -> dict:
    plot = {"title": EVIL, "xlabel": EVIL, "ylabel": EVIL, "curves": {EVIL[:20]: [1.0, 0.5, float("nan"), 0.25]}}
    test = {"name": "test_x[<b>]", "description": EVIL, "case": EVIL, "points": 1.0, "passed": False,
            "message": EVIL, "plot": plot}
    item = {"id": EVIL, "score": 0.0, "max_score": 1.0, "extra_credit": False, "cell": EVIL, "notes": [EVIL],
            "tests": [test, {**test, "passed": True, "plot": None, "case": ""}]}
    return {"student": EVIL, "assignment": EVIL, "status": EVIL, "score": 0.0, "max_score": 1.0, "message": EVIL,
            "late_notice": EVIL, "output": EVIL, "items": [item]}


def test_feedback_page_escapes_student_and_grader_text():
    """Are a hostile student id, assignment, status, message, late notice, notebook output, item id,
    note, cell status, test description, case and failure message all shown as text?"""
    page_text = render_feedback(hostile_result())
    assert_inert(page_text, *HOSTILE)
    assert page_text.count(str(escape(EVIL))) >= 12
    assert "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 张伟的作业" in page_text  # as characters, not as entities or surrogates


def test_feedback_plot_svg_escapes_labels():
    """Is the inline SVG a well-formed image whose title, axis labels and legend are text?"""
    page_text = render_feedback(hostile_result())
    src = next(a["src"] for t, a in tags(page_text) if t == "img")
    assert src.startswith("data:image/svg+xml;base64,")
    svg = ET.fromstring(base64.b64decode(src.split(",", 1)[1]).decode("utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    assert {e.tag for e in svg.iter()} <= {ns + t for t in ("svg", "rect", "text", "line", "polyline")}
    assert not [a for e in svg.iter() for a in e.attrib if a.startswith("on")]
    texts = [e.text for e in svg.iter(ns + "text")]
    assert texts.count(EVIL) == 3 and EVIL[:20] in texts  # title, x and y labels; the legend


# --- the report ------------------------------------------------------------------------------------

def test_report_escapes_ids_messages_and_image_urls():
    """Are hostile student ids, item and test names, descriptions, statuses, failure messages,
    grader errors, isolation modes and chart URLs shown as text in the instructor's report?"""
    test = {"name": EVIL, "description": EVIL, "points": 1.0, "passed": False, "message": EVIL}
    results = [{"student": EVIL + str(k), "assignment": "a", "status": EVIL, "message": EVIL, "isolation": EVIL,
                "seconds": 1.0, "score": 0.0, "max_score": 1.0, "grader_errors": [EVIL],
                "items": [{"id": EVIL, "score": 0.0, "max_score": 1.0, "tests": [test]}]} for k in range(2)]
    images = {"histogram": EVIL, "items": EVIL, "tests": EVIL}
    page_text = render_report(EVIL, compute_summary(results), images)
    assert_inert(page_text, *HOSTILE)
    assert [a["src"] for t, a in tags(page_text) if t == "img"] == [EVIL] * 3  # an attribute value, not markup
    empty = render_report(EVIL, compute_summary([]), {})
    assert_inert(empty, *HOSTILE)


# --- course serve ----------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")  # starlette 1.10 prefers httpx2
def test_serve_pages_escape_student_ids_and_assignments(tmp_path):
    """Through the real routes: is a student id and an assignment id with markup, an attribute
    break-out, Jinja syntax and non-BMP text shown as text on the student's page and the instructor's?"""
    from starlette.testclient import TestClient

    from course.serve.app import ServeConfig, create_app
    from course.serve.db import ServeDB

    (tmp_path / "source" / EVIL_NAME).mkdir(parents=True)
    (tmp_path / "source" / EVIL_NAME / "hw.ipynb").write_text("{}", encoding="utf-8")
    db = ServeDB(tmp_path / "serve.db")
    student, teacher = db.create_token(EVIL), db.create_token("teacher", "instructor")
    for k, (score, status) in enumerate([(None, None), (0.5, EVIL)]):
        job = f"job{k}"
        db.admit(job, EVIL, EVIL_NAME, tmp_path / job, float(k), per_minute=10, per_assignment=10)
        db.enqueue(job)
        if score is not None:
            db.finish(job, score, 1.0, status)
    with TestClient(create_app(ServeConfig(root=tmp_path, db_url="none"), start_runner=False)) as client:
        login = client.get("/")
        assert login.status_code == 200
        csrf = next(a["value"] for t, a in tags(login.text) if t == "input" and a.get("name") == "csrf")
        assert client.post("/login", data={"csrf": csrf, "token": student}, follow_redirects=False).status_code == 303
        home = client.get("/")
        assert home.status_code == 200 and "你好，" in home.text
        assert_inert(home.text, *HOSTILE, EVIL_NAME)
        assert f"/assignments/{escape(EVIL_NAME)}/upload" in home.text
    with TestClient(create_app(ServeConfig(root=tmp_path, db_url="none"), start_runner=False)) as client:
        instructor = client.get("/instructor", headers={"Authorization": f"Bearer {teacher}"})
        assert instructor.status_code == 200
        assert_inert(instructor.text, *HOSTILE, EVIL_NAME)
        assert f"/instructor/report/{escape(EVIL_NAME)}" in instructor.text


def test_serve_error_and_login_pages_escape_their_message():
    for name, context in (("error.html", {"message": EVIL}), ("login.html", {"csrf": EVIL, "error": EVIL})):
        assert_inert(page(name, context).body.decode("utf-8"), *HOSTILE)


# --- the environment -------------------------------------------------------------------------------

def _attempt(status, score=None, result_status=None, url=None):
    return {"id": "j", "assignment": "a", "status": status, "score": score, "max_score": 8.0,
            "result_status": result_status, "feedback_url": url}


# Valid contexts for each page: together they take every branch that reads a variable, and each
# holds only what its branches read.
PAGES = {
    "feedback.html": [dict(result=hostile_result(),
                           parts={"required": 6.0, "required_max": 8.0, "bonus": 2.0, "bonus_max": 2.0},
                           status_text=STATUS_TEXT, cell_text=CELL_TEXT, plot_src=lambda plot: "data:,")],
    "plot.svg": [dict(box={"w": 10, "h": 10, "left": 1, "right": 9, "top": 1, "bottom": 9}, title="t", xlabel="x",
                      ylabel="y", yticks=[("1.0", "5.0", "0")], xticks=[("1.0", "0")],
                      curves=[{"color": "#000", "runs": ["1,1 2,2"], "legend_y": 3, "label": "c"}])],
    "report.html": [dict(assignment="a", images={"histogram": "h.png"},
                         s=compute_summary([{"student": "s", "status": "graded", "score": 1.0, "max_score": 1.0,
                                             "items": []}])),
                    dict(assignment="a", results_name="results.json", s=compute_summary([]))],
    "serve/login.html": [dict(csrf="c", error="e")],
    "serve/error.html": [dict(message="m")],
    "serve/home.html": [dict(student="s", csrf="c", pending=True, status_text=SERVE_STATUS_TEXT, assignments=[
        {"id": "a", "due": None, "past_due": True, "attempts": [_attempt("graded", 8.0, "timeout", "/f")],
         "recorded": {"score": 8.0, "max_score": 8.0, "late": {"seconds_late": 4000.0, "late_penalty": 2.0}}}])],
    "serve/instructor.html": [dict(csrf="c", status_text=SERVE_STATUS_TEXT, tables=[{"id": "a", "rows": [
        {"student": "s", "latest": _attempt("graded", 8.0, "graded", "/f"), "attempts": 1}]}])],
}
LAYOUTS = {"base.html", "macros.html", "serve/base.html"}  # no variables of their own


def parse(name: str) -> jinja2.nodes.Template:
    env = environment()
    return env.parse(env.loader.get_source(env, name)[0])


def test_environment_escapes_everything_and_is_strict():
    """Autoescaping on for every template whatever its name, and no template turns it off
    (an autoescape block, the safe filter)."""
    env = environment()
    assert env.undefined is jinja2.StrictUndefined and env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    for name in env.list_templates():
        tree = parse(name)
        assert not list(tree.find_all(jinja2.nodes.EvalContextModifier)), name
        assert "safe" not in {f.name for f in tree.find_all(jinja2.nodes.Filter)}, name


def variables(name: str) -> set[str]:
    """The variables a template reads from its context (not the macros it imports)."""
    tree = parse(name)
    imported = {n if isinstance(n, str) else n[1] for i in tree.find_all(jinja2.nodes.FromImport) for n in i.names}
    return jinja2.meta.find_undeclared_variables(tree) - imported


def test_every_template_is_a_page_with_a_context_or_a_layout():
    assert set(environment().list_templates()) == set(PAGES) | LAYOUTS
    compile_all()  # what a serve worker does before its first upload: every template compiles


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_template_renders_with_a_missing_variable(name):
    """Does each page use exactly the variables its renderer passes, and refuse to render with any
    one of them missing (StrictUndefined) rather than print an empty string?"""
    assert variables(name) == {key for context in PAGES[name] for key in context}, name
    for context in PAGES[name]:
        render(name, **context)
        for key in context:
            with pytest.raises(jinja2.UndefinedError):
                render(name, **{k: v for k, v in context.items() if k != key})


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layouts_need_no_variables(name):
    assert variables(name) == set()


def test_a_missing_field_of_a_record_is_an_error_not_an_empty_cell():
    """A result record without its student, or a test without its points: an error, not a blank."""
    result = hostile_result()
    del result["student"]
    with pytest.raises(jinja2.UndefinedError):
        render_feedback(result)
    result = hostile_result()
    del result["items"][0]["tests"][0]["points"]
    with pytest.raises(jinja2.UndefinedError):
        render_feedback(result)


def test_every_template_ships_as_package_data():
    """Is every file of course/templates/ matched by pyproject.toml's package-data, so that a
    non-editable install finds it?"""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["course"]
    package = ROOT / "course"
    shipped = {Path(p) for pattern in patterns for p in glob.glob(str(package / pattern))}
    files = {p for p in TEMPLATES.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert files and files <= shipped, sorted(files - shipped)


def test_serve_home_warns_after_the_due_date_and_shows_the_late_penalty(tmp_path):
    """Issue 20: a student's page says, before the upload, that the due date has passed, and shows
    what counts of the recorded submission (raw score, points off for lateness, the grade)."""
    import datetime
    import json

    from nbgrader.api import Gradebook
    from starlette.testclient import TestClient

    from course.serve.app import ServeConfig, create_app
    from course.serve.db import ServeDB

    for name in ("late_hw", "open_hw"):
        (tmp_path / "source" / name).mkdir(parents=True)
        (tmp_path / "source" / name / "hw.ipynb").write_text("{}", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    with Gradebook(url) as gb:
        gb.update_or_create_assignment("late_hw", duedate=now - datetime.timedelta(hours=1))
        gb.update_or_create_assignment("open_hw", duedate=now + datetime.timedelta(days=1))
    recorded = tmp_path / "autograded" / "s" / "late_hw" / "results.json"
    recorded.parent.mkdir(parents=True)
    recorded.write_text(json.dumps({"student": "s", "assignment": "late_hw", "score": 8.0, "max_score": 8.0,
                                    "late": {"seconds_late": 5400.0, "late_penalty": 2.0}}), encoding="utf-8")
    token = ServeDB(tmp_path / "serve.db").create_token("s")
    with TestClient(create_app(ServeConfig(root=tmp_path, db_url=url), start_runner=False)) as client:
        csrf = next(a["value"] for t, a in tags(client.get("/").text) if t == "input" and a.get("name") == "csrf")
        assert client.post("/login", data={"csrf": csrf, "token": token}, follow_redirects=False).status_code == 303
        home = client.get("/").text
    cards = {name: home.split(f'id="assignment-{name}"')[1].split("</section>")[0] for name in ("late_hw", "open_hw")}
    assert "截止时间已过" in cards["late_hw"] and "截止时间已过" not in cards["open_hw"]
    assert "迟交 1.5 小时：自动评分 8 分，迟交扣 2 分，计入成绩 6 / 8 分" in cards["late_hw"]
    assert "迟交" not in cards["open_hw"] and "还没有提交" in cards["open_hw"]
    # a submission graded from the exchange (no upload here) is shown, not "no submission yet"
    assert "还没有提交" not in cards["late_hw"] and "已评分的提交" in cards["late_hw"] and "8 / 8" in cards["late_hw"]
