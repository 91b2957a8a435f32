"""Coverage: follow-the-sun with no gap, a gap found to the minute, daylight-saving weeks,
the heat map."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dnscert.directory.oncall import coverage, rotas
from dnscert.directory.oncall.coverage import Segment, sweep
from tests.oncall.factories import follow_the_sun, person, rota, shift, utc

pytestmark = pytest.mark.django_db

MARCH_1 = utc(2026, 3, 1)


def test_it_sweeps_overlapping_shifts_counting_each_responder_once() -> None:
    start, end = utc(2026, 1, 5), utc(2026, 1, 6)
    shifts = [
        (utc(2026, 1, 5, 0), utc(2026, 1, 5, 10), 1),
        (utc(2026, 1, 5, 8), utc(2026, 1, 5, 12), 2),
        (utc(2026, 1, 5, 9), utc(2026, 1, 5, 11), 1),  # responder 1 again, overlapping
        (utc(2026, 1, 5, 14), utc(2026, 1, 6, 2), 3),  # runs past the range
    ]
    assert sweep(shifts, start, end) == [
        Segment(utc(2026, 1, 5, 0), utc(2026, 1, 5, 8), 1),
        Segment(utc(2026, 1, 5, 8), utc(2026, 1, 5, 11), 2),
        Segment(utc(2026, 1, 5, 11), utc(2026, 1, 5, 12), 1),
        Segment(utc(2026, 1, 5, 12), utc(2026, 1, 5, 14), 0),
        Segment(utc(2026, 1, 5, 14), utc(2026, 1, 6), 1),
    ]


def test_it_finds_no_gap_in_a_follow_the_sun_rota_over_four_weeks_across_dst() -> None:
    team_rota = rota("Follow the sun")
    follow_the_sun(team_rota, now=MARCH_1, weeks=5)
    # 1 March to 29 March 2026 spans New York's (8 March) and Paris's (29 March) DST changes.
    result = coverage.coverage(utc(2026, 3, 1), utc(2026, 3, 29, 12))

    assert result.gaps == []
    assert result.fully_covered and result.uncovered_hours == 0


def test_it_finds_a_gap_exactly() -> None:
    team_rota = rota()
    alice, bob = person("alice", "Europe/Paris"), person("bob", "America/New_York")
    shift(team_rota, alice, utc(2026, 5, 4, 0), utc(2026, 5, 4, 13, 30))
    shift(team_rota, bob, utc(2026, 5, 4, 15, 45), utc(2026, 5, 5, 0))

    result = coverage.coverage(utc(2026, 5, 4), utc(2026, 5, 5))

    assert result.gaps == [Segment(utc(2026, 5, 4, 13, 30), utc(2026, 5, 4, 15, 45), 0)]
    assert result.uncovered_hours == 2.25
    assert result.as_dict()["gaps"] == [
        {
            "start": "2026-05-04T13:30:00+00:00",
            "end": "2026-05-04T15:45:00+00:00",
            "hours": 2.25,
            "responders": 0,
        }
    ]


def test_it_shows_the_hour_new_york_loses_when_only_the_us_changes_to_summer_time() -> None:
    # Tokyo 08-16 JST, Paris 08-16, New York 10-18 local: seamless in winter (23-07, 07-15,
    # 15-23 UTC). From 8 March New York works 14-22 UTC, so 22-23 UTC is uncovered daily.
    team_rota = rota()
    for name, zone_name, start, end in [
        ("kenji", "Asia/Tokyo", time(8), time(16)),
        ("claire", "Europe/Paris", time(8), time(16)),
        ("maya", "America/New_York", time(10), time(18)),
    ]:
        rotas.add_pattern(
            team_rota, responder=person(name, zone_name), weekdays="mon-sun",
            start_time=start, end_time=end, by=None, weeks=3, now=MARCH_1,
        )  # fmt: skip

    result = coverage.coverage(utc(2026, 3, 2), utc(2026, 3, 16), rota=team_rota)

    expected = [Segment(utc(2026, 3, d, 22), utc(2026, 3, d, 23), 0) for d in range(8, 16)]
    assert result.gaps == expected


def test_it_keeps_local_times_across_the_paris_dst_change() -> None:
    team_rota = rota()
    claire = person("claire", "Europe/Paris")
    pattern = rotas.add_pattern(
        team_rota, responder=claire, weekdays="mon-fri", start_time=time(8),
        end_time=time(16), by=None, weeks=2, now=utc(2026, 3, 23),
    )  # fmt: skip
    starts = {s.start.date(): (s.start, s.end) for s in pattern.shifts.all()}

    assert starts[utc(2026, 3, 27).date()] == (utc(2026, 3, 27, 7), utc(2026, 3, 27, 15))
    assert starts[utc(2026, 3, 30).date()] == (utc(2026, 3, 30, 6), utc(2026, 3, 30, 14))


def test_a_night_shift_over_the_clock_change_lasts_one_hour_less() -> None:
    team_rota = rota()
    night = rotas.add_pattern(
        team_rota, responder=person("nuit", "Europe/Paris"), weekdays="sat",
        start_time=time(22), end_time=time(6), by=None, weeks=1, now=utc(2026, 3, 27),
    )  # fmt: skip
    (only,) = night.shifts.all()

    assert (only.start, only.end) == (utc(2026, 3, 28, 21), utc(2026, 3, 29, 4))
    assert only.duration == timedelta(hours=7)


def test_it_lists_hours_covered_by_one_person_only() -> None:
    team_rota = rota()
    alice, bob = person("alice", "UTC"), person("bob", "UTC")
    shift(team_rota, alice, utc(2026, 5, 4, 0), utc(2026, 5, 5, 0))
    shift(team_rota, bob, utc(2026, 5, 4, 6), utc(2026, 5, 4, 18))

    result = coverage.coverage(utc(2026, 5, 4), utc(2026, 5, 5))

    assert result.gaps == []
    assert result.thin == [
        Segment(utc(2026, 5, 4, 0), utc(2026, 5, 4, 6), 1),
        Segment(utc(2026, 5, 4, 18), utc(2026, 5, 5, 0), 1),
    ]


def test_the_heat_map_marks_gap_partial_thin_and_ok_hours_in_the_viewers_zone() -> None:
    team_rota = rota()
    alice, bob = person("alice", "UTC"), person("bob", "UTC")
    shift(team_rota, alice, utc(2026, 5, 4, 0), utc(2026, 5, 4, 10, 30))
    shift(team_rota, bob, utc(2026, 5, 4, 5), utc(2026, 5, 4, 8))
    result = coverage.coverage(utc(2026, 5, 4), utc(2026, 5, 5))

    (row,) = coverage.heat_map(result, ZoneInfo("UTC"))
    states = [cell.state for cell in row.cells]
    assert states[:5] == ["thin"] * 5
    assert states[5:8] == ["ok"] * 3
    assert states[10] == "partial" and row.cells[10].uncovered_minutes == 30
    assert states[11:] == ["gap"] * 13
    assert row.has_gap

    paris = coverage.heat_map(result, ZoneInfo("Europe/Paris"))  # UTC+2 in May
    assert [r.day.isoformat() for r in paris] == ["2026-05-04", "2026-05-05"]
    assert paris[0].cells[0].state == "outside" and paris[0].cells[2].state == "thin"


def test_the_heat_map_skips_the_local_hour_lost_to_summer_time() -> None:
    result = coverage.coverage(utc(2026, 3, 28), utc(2026, 3, 30), rota=rota())
    rows = coverage.heat_map(result, ZoneInfo("Europe/Paris"))
    sunday = next(r for r in rows if r.day.isoformat() == "2026-03-29")

    assert sunday.cells[2].state == "outside"  # 02:00-03:00 does not exist that night
    assert sunday.cells[3].state == "gap"


@pytest.mark.parametrize("weeks", [0, 53, -1])
def test_it_refuses_a_range_out_of_bounds(weeks: int) -> None:
    with pytest.raises(ValueError, match="weeks"):
        coverage.coverage(weeks=weeks)


def test_it_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="end: must be after the start"):
        coverage.coverage(utc(2026, 5, 5), utc(2026, 5, 4))
