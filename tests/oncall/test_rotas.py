"""Rotas, shifts and weekly patterns: hostile input is refused naming the field, responders
change only their own shifts, everything is audited."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import AuditEvent
from dnscert.directory.oncall import rotas
from dnscert.directory.oncall.models import Shift
from tests.oncall.factories import person, policy, rota, utc
from tests.personas import member, staff

pytestmark = pytest.mark.django_db

START = utc(2026, 6, 1, 8)


def _add(who: Any = None, by: Any = None, **fields: Any) -> Shift:
    who = who or person("alice", "Europe/Paris")
    values = {"start": START, "end": START + timedelta(hours=8)}
    return rotas.add_shift(
        fields.pop("on", None) or rota(), responder=who, by=by, **{**values, **fields}
    )


@pytest.mark.parametrize(
    ("fields", "field", "problem"),
    [
        ({"end": START - timedelta(hours=1)}, "end", "must be after the start"),
        ({"end": START}, "end", "must be after the start"),
        ({"start": datetime(2026, 6, 1, 8)}, "start", "must include a time zone"),
        ({"end": "tomorrow"}, "end", "must be a date and time"),
        ({"end": START + timedelta(hours=25)}, "end", "allows at most 24 h"),
    ],
)
def test_it_refuses_bad_shifts_naming_the_field(
    fields: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _add(**fields)
    assert caught.value.field == field and problem in caught.value.problem
    assert not Shift.objects.exists()


def test_it_refuses_a_shift_longer_than_the_policy_allows() -> None:
    short = rota(policy=policy(max_shift_hours=12))
    with pytest.raises(InvalidInput, match=r"lasts 13.0 h; the policy .* allows at most 12 h"):
        _add(on=short, end=START + timedelta(hours=13))


def test_it_refuses_a_constituent_member_as_responder() -> None:
    with pytest.raises(InvalidInput, match=r"responder: .* is not staff or a responder"):
        _add(who=member())


def test_a_responder_adds_and_removes_only_their_own_shifts() -> None:
    alice, bob = person("alice", "UTC"), person("bob", "UTC")
    own = _add(who=alice, by=alice)
    with pytest.raises(PermissionDenied):
        _add(who=bob, by=alice)
    with pytest.raises(PermissionDenied):
        rotas.remove_shift(own, by=bob)
    rotas.remove_shift(own, by=alice)
    assert not Shift.objects.exists()
    actions = list(
        AuditEvent.objects.filter(object_type="oncall.shift").values_list("action", flat=True)
    )
    assert sorted(actions) == ["create", "delete"]


def test_staff_edit_anyones_shifts_and_members_nobodys() -> None:
    alice = person("alice", "UTC")
    assert _add(who=alice, by=staff()).responder == alice
    with pytest.raises(PermissionDenied):
        _add(who=alice, by=member())


@pytest.mark.parametrize("zone_name", ["Mars/Olympus_Mons", "", "../../etc/passwd", "CET; DROP"])
def test_it_refuses_an_unknown_time_zone(zone_name: str) -> None:
    with pytest.raises(InvalidInput, match=r"^time_zone: unknown time zone"):
        rotas.save_rota(None, by=staff(), name="R", time_zone=zone_name, policy=policy())
    with pytest.raises(InvalidInput, match=r"^time_zone: unknown time zone"):
        rotas.add_pattern(
            rota(), responder=person("a", "UTC"), weekdays="mon", start_time=time(8),
            end_time=time(16), time_zone=zone_name or "Nowhere/Land", by=None,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("weekdays", "problem"),
    [("", "choose at least one"), ("funday", "is not a weekday"), ([7], "is not a weekday"),
     ("fri-mon", "runs backwards")],
)  # fmt: skip
def test_it_refuses_bad_weekdays(weekdays: Any, problem: str) -> None:
    with pytest.raises(InvalidInput, match=f"^weekdays: .*{problem}"):
        rotas.add_pattern(
            rota(), responder=person("a", "UTC"), weekdays=weekdays, start_time=time(8),
            end_time=time(16), by=None,
        )  # fmt: skip


def test_a_pattern_longer_than_the_policy_max_is_refused() -> None:
    short = rota(policy=policy(max_shift_hours=8))
    with pytest.raises(InvalidInput, match=r"^end_time: the shift lasts 10.0 h"):
        rotas.add_pattern(
            short, responder=person("a", "UTC"), weekdays="mon", start_time=time(20),
            end_time=time(6), by=None,
        )  # fmt: skip


def test_parse_weekdays_reads_names_ranges_and_numbers() -> None:
    assert rotas.parse_weekdays("Mon-Fri") == [0, 1, 2, 3, 4]
    assert rotas.parse_weekdays("sat,sun,0") == [0, 5, 6]
    assert rotas.parse_weekdays([4, "4", 2]) == [2, 4]


def test_a_pattern_expands_once_and_its_removal_keeps_past_shifts() -> None:
    alice = person("alice", "Europe/Paris")
    now = utc(2026, 6, 3, 12)  # a Wednesday
    pattern = rotas.add_pattern(
        rota(), responder=alice, weekdays="mon-fri", start_time=time(8), end_time=time(16),
        by=alice, weeks=2, now=now,
    )  # fmt: skip
    planned = pattern.shifts.count()
    assert planned == 11  # weekdays from Wed 3 June (valid from today) to Wed 17 June
    assert rotas.expand_pattern(pattern, weeks=2, now=now) == 0
    assert rotas.extend_all_patterns(weeks=3, now=now) == 5

    removed = rotas.remove_pattern(pattern, by=alice, now=now)
    past = Shift.objects.filter(responder=alice)
    assert removed == 15 and past.count() == 1 and past.get().pattern is None


def test_policy_and_rota_changes_are_staff_only_checked_and_audited() -> None:
    analyst = staff()
    with pytest.raises(PermissionDenied):
        rotas.save_policy(None, by=person("r", "UTC"), name="P")
    with pytest.raises(InvalidInput, match=r"^on_call_minutes:"):
        rotas.save_policy(None, by=analyst, name="P", on_call_minutes=0)
    backup = rota("Backup", kind="backup")
    saved = rotas.save_policy(None, by=analyst, name="P", backup_rota=backup)
    with pytest.raises(InvalidInput, match=r"^backup_rota: .* is not a backup rota"):
        rotas.save_policy(saved, by=analyst, backup_rota=rota("Main"))
    with pytest.raises(InvalidInput, match=r"^webhook_secret:"):
        rotas.save_rota(
            None, by=analyst, name="Hooked", time_zone="UTC", policy=saved,
            webhook_url="https://chat.example/hook",
        )  # fmt: skip
    made = rotas.save_rota(None, by=analyst, name="Main 2", time_zone="Asia/Tokyo", policy=saved)
    rotas.save_rota(made, by=analyst, webhook_url="https://chat.example/h", webhook_secret="x")
    update = AuditEvent.objects.get(object_type="oncall.rota", action="update")
    assert "webhook_url" in update.changes and "webhook_secret" not in update.changes
