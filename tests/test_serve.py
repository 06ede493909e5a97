"""`course serve` over real HTTP on loopback: the API's answers, records identical to `course grade`,
concurrent uploads, a server killed mid-run, and a student in a real browser (Playwright driving
Debian's chromium)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from helpers import ROOT
from services import CHROMIUM, CORRECT, Server, hostile_upload, upload, wait_graded
from course.paths import copy_course
from course.sandbox.process import bwrap_works

pytestmark = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap not usable: course serve refuses to start")

A = "initialization"
NB = "Initialization.ipynb"
HE_SQRT1 = ROOT / "samples" / "submitted" / "init_he_sqrt1" / A / NB


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    course = copy_course(ROOT, tmp_path_factory.mktemp("serve") / "course")
    srv = Server(course, "--uploads-per-minute", "4", "--max-upload-mb", "1")
    srv.tokens = {name: srv.token(name) for name in ("alice", "bob", "carol", "erin")}
    srv.tokens["teacher"] = srv.token("teacher", "--instructor")
    srv.start()
    yield srv
    srv.stop()


def test_api_grades_and_answers_every_wrong_request_cleanly(server):
    """202 then graded with the feedback URL; 401 without or with a wrong token; 404 for another
    student's submission or an unknown assignment; 413 over the size cap; 400 for a non-notebook."""
    alice, bob = server.tokens["alice"], server.tokens["bob"]
    r = upload(server, alice, CORRECT)
    assert r.status_code == 202 and r.json()["status"] == "queued", r.text
    job = r.json()["id"]
    status = wait_graded(server, alice, job)
    assert (status["score"], status["max_score"]) == (10, 8)  # 8 required + 2 extra credit (xavier)
    page = httpx.get(server.url + status["feedback_url"], headers={"Authorization": f"Bearer {alice}"})
    assert page.status_code == 200 and "评分反馈" in page.text

    assert upload(server, None, CORRECT).status_code == 401
    assert upload(server, "not-a-token", CORRECT).status_code == 401
    assert httpx.get(f"{server.url}/api/submissions/{job}", headers={"Authorization": f"Bearer {bob}"}).status_code == 404
    assert httpx.get(server.url + status["feedback_url"], headers={"Authorization": f"Bearer {bob}"}).status_code == 404
    assert upload(server, bob, CORRECT, assignment="no_such_assignment").status_code == 404
    assert upload(server, bob, b"x" * (2 << 20)).status_code == 413
    bad = upload(server, bob, b"this is not a notebook")
    assert bad.status_code == 400 and "notebook" in bad.json()["error"]


def test_records_are_those_of_course_grade(server):
    """The service writes results.json, the feedback page and the gradebook as `course grade` does:
    a later `course grade` finds bob already graded."""
    bob = server.tokens["bob"]
    status = wait_graded(server, bob, upload(server, bob, HE_SQRT1).json()["id"])
    assert status["score"] == 7
    result = json.loads((server.course / "autograded" / "bob" / A / "results.json").read_text())
    assert (result["score"], result["gradebook"]) == (7, "recorded")
    assert (server.course / "feedback" / "bob" / A / "Initialization.html").is_file()
    out = server.cli("grade", A, "--student", "bob")
    assert "bob" in out and "7" in out


def test_rate_limit(server):
    """A student uploading faster than the limit (4 per minute here) gets 429 with a clear message."""
    carol = server.tokens["carol"]
    codes = [upload(server, carol, CORRECT).status_code for _ in range(5)]
    assert codes[:4] == [202] * 4 and codes[4] == 429
    assert "频繁" in upload(server, carol, CORRECT).json()["error"]


def test_invalid_uploads_count_toward_the_rate_limit(server):
    """Files that are not notebooks are refused (400) and still count: a student cannot flood the
    service with them."""
    erin = server.tokens["erin"]
    for _ in range(4):
        bad = upload(server, erin, b"not a notebook")
        assert bad.status_code == 400 and "计入" in bad.json()["error"]
    late = upload(server, erin, CORRECT)
    assert late.status_code == 429 and "频繁" in late.json()["error"]


def test_instructor_dashboard_and_csv(server):
    teacher = server.tokens["teacher"]
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/instructor").status_code == 403
        page = client.get("/instructor", headers={"Authorization": f"Bearer {teacher}"})
        assert page.status_code == 200 and "alice" in page.text
        csv_text = client.get("/instructor/grades.csv", headers={"Authorization": f"Bearer {teacher}"}).text
        assert csv_text.startswith("student,assignment")


def test_killed_server_loses_nothing_and_grades_each_upload_once(tmp_path, course_copy):
    """Uploads accepted (202), the server SIGKILLed while grading them, started again: every upload
    is graded exactly once and every course record exists."""
    course = course_copy
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    srv = Server(course, env={"TMPDIR": str(tmp)})
    tokens = {f"s{i}": srv.token(f"s{i}") for i in range(6)}
    srv.start()
    try:
        jobs = {s: upload(srv, t, CORRECT).json()["id"] for s, t in tokens.items()}
        time.sleep(1.0)
        srv.kill()
        srv.start()
        for s, job in jobs.items():
            assert wait_graded(srv, tokens[s], job)["score"] == 10
    finally:
        srv.stop()
    for s, job in jobs.items():
        attempts = list((course / "submitted" / s / A / ".attempts").iterdir())
        assert [a.name for a in attempts] == [job]
        assert (attempts[0] / "results.json").is_file()
        assert json.loads((course / "autograded" / s / A / "results.json").read_text())["score"] == 10
    # the killed server's warm children died with it; the restarted one removed their folders
    assert _leftovers(tmp) == []


# (upload, expected answer, expected (score, result status) once graded; None: any)
MIX = [
    (CORRECT, 202, (10, "graded")),
    (HE_SQRT1, 202, (7, "graded")),
    (hostile_upload("while True:\n    pass"), 202, (None, "timeout")),
    (hostile_upload("import os\nos._exit(0)"), 202, (None, "crashed")),
    (hostile_upload("import sys\nfor _ in range(1000):\n    sys.stdout.write('x' * 100_000)"), 202, (10, "graded")),
    (hostile_upload("import os, signal\nfor pid in range(1, 5000):\n    if pid != os.getpid():\n"
              "        try:\n            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass"),
     202, (10, "graded")),
    (b'{"cells": [', 400, None),
    (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), 400, None),
]


def _leftovers(tmp: Path) -> list[str]:
    """Warm-pool folders in ``tmp`` and live processes whose command line names ``tmp``."""
    found = [p.name for p in tmp.glob("course-*")]
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(tmp) in cmdline and "course.cli" not in cmdline:
            found.append(cmdline[:200])
    return found


def test_concurrent_uploads_hostile_ones_included_are_each_graded_once(tmp_path, course_copy):
    """8 clients at once, each uploading correct, wrong and hostile notebooks (an endless loop,
    os._exit, 100 MB of output, a process killer) and files that are not notebooks: every upload is
    answered without a 5xx, every notebook graded exactly once, the correct ones with full marks.
    Then the attempt limit counts refused files, and a server stopped as a service manager stops
    it (SIGTERM to all its processes) leaves no warm child behind."""
    course = course_copy
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    srv = Server(course, "--uploads-per-minute", "100", "--attempts", "10", "--call-timeout", "4",
                 "--timeout", "60", env={"TMPDIR": str(tmp)})
    tokens = {f"c{i}": srv.token(f"c{i}") for i in range(8)}
    limited = srv.token("limited")
    srv.start()
    answers, lock = [], threading.Lock()

    def client(k: int, student: str) -> None:
        for i in range(len(MIX)):  # each client in its own order
            body, expected, graded = MIX[(i + k) % len(MIX)]
            r = upload(srv, tokens[student], body)
            with lock:
                answers.append((student, r.status_code, expected, graded, r.json().get("id")))

    try:
        threads = [threading.Thread(target=client, args=(k, s)) for k, s in enumerate(tokens)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(answers) == 8 * len(MIX)
        assert [(code, expected) for _, code, expected, _, _ in answers if code != expected] == []
        for student, _, _, graded, job in answers:
            if graded is not None:
                status = wait_graded(srv, tokens[student], job)
                score, result_status = graded
                assert status["result_status"] == result_status, status
                assert score is None or status["score"] == score, status

        for _ in range(10):  # refused files count: the 11th upload is over the limit of 10
            assert upload(srv, limited, b"not a notebook").status_code == 400
        over = upload(srv, limited, CORRECT)
        assert over.status_code == 429 and "上限" in over.json()["error"]
        assert any(p.name.startswith("course-warm-") for p in tmp.iterdir())  # the pool was in use
    finally:
        srv.stop(group=True)
    assert srv.proc.returncode is not None
    graded = [job for _, code, _, _, job in answers if code == 202]
    for job in graded:
        assert len(list(course.glob(f"submitted/*/{A}/.attempts/{job}/results.json"))) == 1
    assert sum(1 for _ in course.glob(f"submitted/*/{A}/.attempts/*/results.json")) == len(graded)
    assert _leftovers(tmp) == []


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_student_in_a_browser(server, tmp_path):
    """Log in with a token, upload through the page, wait for the score, open the feedback."""
    from playwright.sync_api import sync_playwright

    token = server.token("dora")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(server.url + "/")
        page.fill("#token", token)
        page.click("button[type=submit]")
        page.wait_for_selector("text=你好，dora")
        section = page.locator(f"#assignment-{A}")
        section.locator("input[type=file]").set_input_files(str(CORRECT))
        section.locator("button[type=submit]").click()
        page.wait_for_selector(f"#assignment-{A} tr.attempt[data-status=graded]", timeout=240_000)
        assert section.locator("td.score").first.inner_text().strip() == "10 / 8"  # 8 required + 2 extra credit (xavier)
        page.screenshot(path=str(tmp_path / "student.png"), full_page=True)
        if os.environ.get("COURSE_SCREENSHOT_DIR"):  # how the README's picture is made
            shutil.copy(tmp_path / "student.png", Path(os.environ["COURSE_SCREENSHOT_DIR"]) / "serve-student.png")
        section.locator("text=查看反馈").first.click()
        page.wait_for_selector("text=评分反馈")
        browser.close()
