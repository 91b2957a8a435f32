"""``dnscert oncall now|gaps`` and ``dnscert demo-oncall``."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dnscert.cli import main as dnscert_main
from dnscert.directory.oncall import coverage, services
from dnscert.directory.oncall.models import Shift, ShiftPattern
from tests.oncall.factories import person, rota, shift

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_oncall_now_prints_who_is_on_call() -> None:
    now = timezone.now()
    shift(rota(), person("kenji", "Asia/Tokyo"), now - timedelta(hours=1), now + timedelta(hours=1))

    assert _run("oncall", "now").startswith("kenji\t")
    (entry,) = json.loads(_run("oncall", "now", "--json"))["on_call"]
    assert entry["username"] == "kenji" and entry["local_time"].endswith("+09:00")


def test_oncall_gaps_as_json_lists_every_uncovered_stretch() -> None:
    main = rota("Main")
    now = timezone.now()
    shift(main, person("kenji", "UTC"), now - timedelta(hours=1), now + timedelta(days=7))
    printed = json.loads(_run("oncall", "gaps", "--weeks", "2", "--json"))

    assert len(printed["gaps"]) == 1 and printed["gaps"][0]["start"] > now.isoformat()
    assert 160 < printed["uncovered_hours"] < 170
    assert "1 gap(s)" in _run("oncall", "gaps", "--rota", "Main")
    with pytest.raises(CommandError, match="--weeks: must be between 1 and 52"):
        _run("oncall", "gaps", "--weeks", "0")
    with pytest.raises(CommandError, match="--rota: no rota called 'Nope'"):
        _run("oncall", "gaps", "--rota", "Nope")


def test_the_dnscert_command_forwards_oncall_to_django(capsys: pytest.CaptureFixture[str]) -> None:
    assert dnscert_main(["oncall", "now"]) == 0
    assert "Nobody is on call now" in capsys.readouterr().out


def test_demo_oncall_is_idempotent_and_leaves_exactly_one_gap_a_week() -> None:
    first = _run("demo-oncall")
    counts = (ShiftPattern.objects.count(), Shift.objects.count())
    second = _run("demo-oncall")

    assert "patterns_created': 6" in first and "patterns_created': 0" in second
    assert (ShiftPattern.objects.count(), Shift.objects.count()) == counts
    result = coverage.coverage(weeks=3)
    assert 3 <= len(result.gaps) <= 4  # one every Sunday evening UTC
    assert all(gap.start.weekday() == 6 and gap.end.hour == 23 for gap in result.gaps)
    zones = {user.time_zone for user in services.on_call_now(result.gaps[0].end)}
    assert zones == {"Asia/Tokyo"}
