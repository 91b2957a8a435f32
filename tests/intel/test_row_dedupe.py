"""In-run dedupe of stored rows: the same verdict as the check against stored events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dnscert.intel import rows
from dnscert.intel.rows import RowDedupe

BASE = datetime(2026, 11, 20, tzinfo=UTC)
DAY = 86400.0


def _row(key: int, hours: float) -> list[Any]:
    row: list[Any] = [None] * len(rows.COLUMNS)
    row[rows.DEDUPE_KEY] = key
    row[rows.TIME] = BASE + timedelta(hours=hours)
    return row


def _hours(kept: list[list[Any]]) -> list[float]:
    return [(row[rows.TIME] - BASE).total_seconds() / 3600 for row in kept]


def test_a_repeat_within_the_window_of_any_kept_row_goes_even_out_of_order() -> None:
    dedupe = RowDedupe(DAY)
    # 0 h kept; -30 h is outside 0 h's window, kept; +20 h is within 0 h's window: a repeat,
    # though it is 50 h from the latest kept row.
    assert _hours(dedupe.fresh([_row(1, 0), _row(1, -30), _row(1, 20)])) == [0, -30]
    assert _hours(dedupe.fresh([_row(1, -50), _row(1, 24), _row(1, 60)])) == [24, 60]


def test_the_window_is_exclusive_and_keys_are_separate() -> None:
    dedupe = RowDedupe(DAY)
    kept = dedupe.fresh([_row(1, 0), _row(2, 1), _row(1, 23.99), _row(1, 24)])
    assert [(row[rows.DEDUPE_KEY], h) for row, h in zip(kept, _hours(kept), strict=True)] == [
        (1, 0),
        (2, 1),
        (1, 24),
    ]


def test_a_zero_window_keeps_everything_and_memory_is_bounded() -> None:
    assert len(RowDedupe(0).fresh([_row(1, 0), _row(1, 0)])) == 2
    dedupe = RowDedupe(DAY, max_keys=3)
    dedupe.fresh([_row(key, 0) for key in range(10)])
    assert len(dedupe._kept) == 3
    # The oldest keys were forgotten: key 0 counts as new again, key 9 is still a repeat.
    assert _hours(dedupe.fresh([_row(0, 1), _row(9, 1)])) == [1]
