"""Instructor report: exact numbers from synthetic results, a page whose charts exist, real grades."""
from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from helpers import ROOT
from course.grading.store import results_path, write_json_atomically
from course.report import build_report, compute_summary, load_results, normalize_message

A = "hw"
TRACEBACK = "调用 f 时你的代码抛出了异常：\nFile \"<cell f>\", line {}, in f\nNotImplementedError"
INTERNAL = "评分程序内部错误，已通知老师 (grader error)。"


def t(name, points, passed, message=""):
    return {"name": name, "points": points, "passed": passed, "message": message,
            "description": f"checks {name}", "internal_error": "boom" if message == INTERNAL else ""}


def result(student, status, seconds, a_tests, b_tests, **extra):
    items = []
    for item_id, max_score, tests in (("item_a", 4.0, a_tests), ("item_b", 6.0, b_tests)):
        items.append({"id": item_id, "max_score": max_score, "cell": "ok", "matched_by": "grade_id", "notes": [],
                      "score": float(sum(x["points"] for x in tests if x["passed"])), "tests": tests})
    return {"student": student, "assignment": A, "status": status, "message": extra.pop("message", ""),
            "isolation": "bwrap", "seconds": seconds, "output": "", "max_score": 10.0,
            "score": sum(i["score"] for i in items), "items": items, **extra}


def a_ok(a1=True, a2=True, msg1="", msg2=""):
    return [t("test_a1", 2.0, a1, msg1), t("test_a2", 2.0, a2, msg2)]


def b_ok(b11=True, b22=True, msg11="", msg22=""):
    return [t("test_b1[1-1]", 3.0, b11, msg11), t("test_b1[2-2]", 3.0, b22, msg22)]


RESULTS = [
    result("alice", "graded", 2.0, a_ok(), b_ok()),                                                      # 10
    result("bob", "graded", 5.0, a_ok(), b_ok(False, False, "f([1, 1]) returned 3, expected 4",
                                              "f([2, 2]) returned 5, expected 6")),                    # 4
    result("carol", "graded", 1.0, a_ok(a2=False, msg2=INTERNAL), b_ok(),
           grader_errors=["test_a2: Traceback ... boom"]),                                              # 8
    result("dave", "timeout", 30.0, a_ok(False, False, "timed out after 3.0 s", "timed out after 3.0 s"),
           b_ok(False, False, TRACEBACK.format(7), TRACEBACK.format(12)),
           message="有单元格或函数调用超时"),                                                             # 0
    result("erin", "missing", 0.01, [], [], message="找不到提交的 notebook：hw.ipynb"),                 # 0
    result("frank", "graded", 3.0, a_ok(), b_ok(b11=False, msg11="f([1, 1]) returned 9, expected 4")),  # 7
]


@pytest.fixture
def course(tmp_path) -> Path:
    (tmp_path / "source" / A).mkdir(parents=True)  # the course knows the assignment (course report checks the id)
    (tmp_path / "source" / A / f"{A}.ipynb").write_text("{}", encoding="utf-8")
    for r in RESULTS:
        write_json_atomically(results_path(tmp_path, r["student"], A), r)
    other = result("zoe", "crashed", 99.0, [], [])  # another assignment: must be ignored
    write_json_atomically(results_path(tmp_path, "zoe", "other"), {**other, "assignment": "other"})
    return tmp_path


def test_normalize_message():
    """Numbers (not digits inside names) become #, runs of numbers one #, tracebacks first + last line."""
    assert normalize_message("f([5, 3, 2, 1])['W1'] 期望 np.float64(0.5)，得到 1e-07") == \
        "f([#])['W1'] 期望 np.float64(#)，得到 #"
    assert normalize_message(TRACEBACK.format(3)) == normalize_message(TRACEBACK.format(18)) == \
        "调用 f 时你的代码抛出了异常： … NotImplementedError"
    assert normalize_message("") == "(no message)"


def test_summary_numbers(course):
    s = compute_summary(load_results(course, A))
    assert s["submissions"] == 6
    assert s["status_counts"] == {"graded": 4, "timeout": 1, "crashed": 0, "invalid-notebook": 0, "missing": 1,
                                  "error": 0}
    assert s["scores"] == [0, 0, 4, 7, 8, 10]
    assert s["score_mean"] == pytest.approx(29 / 6)
    assert (s["score_median"], s["score_max"], s["score_min"], s["max_score"]) == (5.5, 10, 0, 10)
    assert [(i["id"], i["full"], i["rate"]) for i in s["items"]] == [("item_a", 3, 0.5), ("item_b", 2, 2 / 6)]
    assert [(x["item"], x["name"], x["passed"], x["rate"]) for x in s["tests"]] == [
        ("item_a", "test_a1", 4, 4 / 6), ("item_a", "test_a2", 3, 3 / 6),
        ("item_b", "test_b1[1-1]", 2, 2 / 6), ("item_b", "test_b1[2-2]", 3, 3 / 6)]
    assert [(m["message"], m["students"], m["occurrences"], m["tests"]) for m in s["failure_messages"]] == [
        ("f([#]) returned #, expected #", 2, 3, ["test_b1"]),
        ("timed out after # s", 1, 2, ["test_a1", "test_a2"]),
        ("调用 f 时你的代码抛出了异常： … NotImplementedError", 1, 2, ["test_b1"]),
        (INTERNAL, 1, 1, ["test_a2"]),
    ]
    assert [r["student"] for r in s["slowest"]] == ["dave", "bob", "frank", "alice", "carol", "erin"]
    assert s["slowest"][0] == {"student": "dave", "seconds": 30.0, "status": "timeout", "score": 0.0}
    assert [(f["student"], f["status"]) for f in s["failed"]] == [
        ("carol", "graded"), ("dave", "timeout"), ("erin", "missing")]
    assert s["failed"][0]["grader_errors"] == ["test_a2: Traceback ... boom"]
    assert s["failed"][2]["message"].startswith("找不到提交的 notebook")
    assert compute_summary(RESULTS, top_messages=1, top_slowest=2)["slowest"][1]["student"] == "bob"


def _check_page(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "<script" not in text  # opens offline
    sources = re.findall(r'<img src="([^"]+)"', text)
    assert len(sources) == 3
    for src in sources:
        png = page.parent / src
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src
    return text


def test_build_report_writes_page_and_charts(course):
    page = build_report(course, A)
    assert page == course / "reports" / f"{A}.html"
    text = _check_page(page)
    assert sorted(p.name for p in (course / "reports" / A).iterdir()) == [
        "item_pass_rates.png", "score_histogram.png", "test_pass_rates.png"]
    for needle in ("f([#]) returned #, expected #", "dave", "missing", "test_a2: Traceback ... boom", "4.83"):
        assert needle in text, needle
    assert "zoe" not in text


def test_cli_report(course, monkeypatch, capsys):
    from course.cli import main

    monkeypatch.setenv("COURSE_ROOT", str(course))
    assert main(["report", A, "--out", str(course / "elsewhere")]) == 0
    page = course / "elsewhere" / f"{A}.html"
    assert str(page) in capsys.readouterr().out
    _check_page(page)


def test_report_without_results(tmp_path):
    page = build_report(tmp_path, A)
    assert "No results found" in page.read_text(encoding="utf-8")
    assert compute_summary([])["score_mean"] is None


def test_report_from_real_grades(tmp_path):
    """Grade three sample submissions for real; the report's numbers agree with their results."""
    from course.grading.engine import grade_submission
    from course.sandbox.process import Limits

    a, nb = "initialization", "Initialization.ipynb"
    results = []
    for student in ("correct", "init_he_sqrt1", "init_b_scalar"):
        r = grade_submission(ROOT, a, student, ROOT / "samples" / "submitted" / student / a / nb,
                             limits=Limits(call_timeout=10.0, memory_bytes=1 << 30))
        write_json_atomically(results_path(tmp_path, student, a), r)
        results.append(r)
    s = compute_summary(load_results(tmp_path, a))
    assert s["submissions"] == 3
    assert s["score_mean"] == pytest.approx(statistics.fmean(r["score"] for r in results))
    assert s["score_median"] == statistics.median(r["score"] for r in results)
    assert s["score_max"] == max(r["score"] for r in results)
    for item in s["items"]:
        full = sum(i["score"] == i["max_score"] for r in results for i in r["items"] if i["id"] == item["id"])
        assert item["full"] == full, item
    passed = {(i["id"], x["name"]): 0 for r in results for i in r["items"] for x in i["tests"]}
    for r in results:
        for i in r["items"]:
            for x in i["tests"]:
                passed[(i["id"], x["name"])] += x["passed"]
    assert {(x["item"], x["name"]): x["passed"] for x in s["tests"]} == passed
    assert [x["student"] for x in s["slowest"]] == [r["student"] for r in sorted(results, key=lambda r: -r["seconds"])]
    text = _check_page(build_report(tmp_path, a))
    assert all(student in text for student in ("correct", "init_he_sqrt1", "init_b_scalar"))
