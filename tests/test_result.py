"""The result schema (course.grading.result) catches what does not fit it."""
from __future__ import annotations

from pathlib import Path

from course.grading.result import check_result

GOOD = {"student": "s", "assignment": "a", "score": 1.5, "max_score": 3, "status": "graded", "message": "",
        "isolation": "bwrap", "output": "", "seconds": 0.2, "timings": {"read": 0.01},
        "items": [{"id": "f", "score": 1.5, "max_score": 3.0, "extra_credit": False, "cell": "ok", "notes": [],
                   "tests": [{"name": "test_f", "points": 1.5, "passed": True, "message": "", "plot": None}]}],
        "late": {"seconds_late": 0.0, "late_penalty": 0.0},
        "submitted_at": {"time": None, "source": "timestamp.txt", "problem": None}}


def test_a_record_that_fits_has_no_problems():
    assert check_result(GOOD) == []


def test_unknown_keys_wrong_types_and_statuses_are_named():
    bad = {**GOOD, "status": "fine", "score": "10", "colour": "green",
           "items": [{**GOOD["items"][0], "tests": [{"name": "t", "passed": "yes"}]}]}
    problems = check_result(bad)
    assert any(p.startswith("result.status:") for p in problems)
    assert any(p.startswith("result.score: expected a number") for p in problems)
    assert "result.colour: not in the schema (course.grading.result.Result)" in problems
    assert any(p.startswith("result.items[0].tests[0].passed: expected bool") for p in problems)
    assert sorted(check_result({**GOOD, "submitted_at": {"time": None}})) == ["result.submitted_at.problem: missing",
                                                                                "result.submitted_at.source: missing"]


def test_the_gradebook_a_result_is_recorded_in_is_named_without_its_password(tmp_path):
    from course.grading.store import gradebook_identity

    assert gradebook_identity("postgresql://ta:s3cret@db.example:5432/course") == "postgresql://ta@db.example:5432/course"
    assert gradebook_identity("postgresql+psycopg://ta@db/course") == "postgresql+psycopg://ta@db/course"
    assert gradebook_identity("postgresql://db/course") == "postgresql://db/course"
    relative = gradebook_identity("sqlite:///gradebook.db")
    assert relative == f"sqlite:///{Path('gradebook.db').resolve()}" and relative.startswith("sqlite:////")
    assert gradebook_identity(f"sqlite:///{tmp_path}/../{tmp_path.name}/g.db") == f"sqlite:///{tmp_path / 'g.db'}"
