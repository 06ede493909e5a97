"""The `course grade` table: one row per submission, score / late / final as the gradebook states them."""
import pytest

from course.grading.batch import score_table

pytestmark = pytest.mark.unit


def result(student: str, score: float, penalty: float) -> dict:
    return {"student": student, "assignment": "initialization", "score": score, "max_score": 8.0,
            "status": "graded", "late": {"late_penalty": penalty} if penalty else None}


def test_no_penalty_reads_zero_not_minus_zero():
    grades = {("s1", "initialization"): {"score": 10.0, "late_penalty": 0.0, "total": 10.0, "manual": []},
              ("s2", "initialization"): {"score": 6.0, "late_penalty": 1.5, "total": 4.5, "manual": ["he"]}}
    rows = score_table([result("s1", 10, 0), result("s2", 6, 1.5)], grades).splitlines()
    assert rows[0].split() == ["student", "assignment", "score", "late", "final", "max", "status"]
    assert rows[1].split() == ["s1", "initialization", "10", "0", "10", "8", "graded"]
    assert rows[2].split() == ["s2", "initialization", "6", "-1.5", "4.5", "8", "graded", "manual:", "he"]
