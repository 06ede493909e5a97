"""course.grading.arrival.parse_stamp reads timestamp.txt exactly as nbgrader does."""
from __future__ import annotations

import pytest

from course.grading.arrival import parse_stamp

STAMPS = [
    "2026-11-01 11:59:00.000000 UTC",  # what nbgrader writes
    "2026-11-01 11:59:00.123456 UTC",
    "2026-11-01 11:59:00.5 UTC",
    "2026-11-01 11:59:00 UTC",
    "2026-02-29 10:00:00.000000 UTC",  # no such day: nbgrader's parser decides
    "2026-11-01 24:00:00.000000 UTC",
    "2026-11-01 11:59:00.000000 CET",  # other zones and forms go to nbgrader's parser
    "2026-11-01 11:59:00.000000 +0100",
    "2026-11-01T11:59:00Z",
    "2026-11-01 11:59:00.1234567 UTC",
    "yesterday",
    "",
]


@pytest.mark.parametrize("text", STAMPS)
def test_parse_stamp_agrees_with_nbgrader(text):
    from nbgrader.utils import parse_utc

    try:
        expected = parse_utc(text) if text else None
    except (ValueError, OverflowError, TypeError):
        expected = None
    assert parse_stamp(text) == expected
