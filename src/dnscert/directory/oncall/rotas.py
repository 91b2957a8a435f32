"""Rotas, escalation policies, shifts and weekly patterns: every change is a named function
that checks its input, writes an audit row and returns the object.

Staff change anything; a responder adds and removes only their own shifts and patterns.
``by=None`` is the platform itself (the command line, the demo loader, jobs): it is recorded
as "system". Views and the API always pass the requesting user, never None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.visibility import is_core_staff
from dnscert.directory.oncall.choices import RotaKind
from dnscert.directory.oncall.models import EscalationPolicy, Rota, Shift, ShiftPattern

Action = audit.Action
DEFAULT_EXPAND_WEEKS = 4
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --- input checks ----------------------------------------------------------------------------


def zone(name: str, field: str = "time_zone") -> ZoneInfo:
    """The IANA time zone ``name`` (e.g. ``Europe/Paris``), or InvalidInput naming ``field``."""
    text = (name or "").strip()
    if not text or text not in _known_zones():
        raise InvalidInput(
            field, f"unknown time zone {name!r}; use an IANA name such as Europe/Paris"
        )
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - listed but unreadable
        raise InvalidInput(field, f"unknown time zone {name!r}") from None


_ZONES: set[str] = set()


def _known_zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone, sorted, for select boxes."""
    return [(name, name) for name in sorted(_known_zones())]


def _aware(value: datetime, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput(field, "must be a date and time")
    if timezone.is_naive(value):
        raise InvalidInput(field, "must include a time zone (e.g. 2026-03-29T08:00+02:00)")
    return value.astimezone(UTC)


def parse_weekdays(value: Iterable[Any] | str) -> list[int]:
    """``[0, 1, 4]``, ``"0,1,4"``, ``"mon,tue"`` or ``"mon-fri"`` -> sorted weekday numbers."""
    if isinstance(value, str):
        items: list[Any] = [item for item in value.replace(" ", "").lower().split(",") if item]
    else:
        items = list(value)
    days: set[int] = set()
    for item in items:
        days.update(_weekday_item(item))
    if not days:
        raise InvalidInput("weekdays", "choose at least one weekday")
    return sorted(days)


def _weekday_item(item: Any) -> list[int]:
    text = str(item).strip().lower()
    if "-" in text:
        first, _sep, last = text.partition("-")
        low, high = _weekday(first), _weekday(last)
        if low > high:
            raise InvalidInput("weekdays", f"range {text!r} runs backwards")
        return list(range(low, high + 1))
    return [_weekday(text)]


def _weekday(text: str) -> int:
    if text[:3] in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(text[:3])
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    raise InvalidInput("weekdays", f"{text!r} is not a weekday (0-6 or mon..sun)")


def _check_responder(user: Any) -> None:
    if user is None or not user.is_active:
        raise InvalidInput("responder", "must be an active user")
    if user.role not in (Role.STAFF, Role.RESPONDER) and not user.is_superuser:
        raise InvalidInput("responder", f"{user.get_username()} is not staff or a responder")


def _check_length(rota: Rota, length: timedelta, field: str = "end") -> None:
    longest = rota.policy.max_shift_hours
    if length > timedelta(hours=longest):
        hours = round(length.total_seconds() / 3600, 2)
        raise InvalidInput(
            field, f"the shift lasts {hours} h; the policy {rota.policy} allows at most {longest} h"
        )


def may_edit_shifts(user: Any, responder: Any) -> bool:
    """Staff edit anyone's shifts; a responder only their own."""
    if is_core_staff(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.RESPONDER
        and responder is not None
        and user.pk == responder.pk
    )


def _require_edit(user: Any, responder: Any) -> None:
    if user is not None and not may_edit_shifts(user, responder):
        raise PermissionDenied(
            "Only core staff, or the responder themselves, may change these shifts."
        )


def _require_staff(user: Any) -> None:
    if user is not None and not is_core_staff(user):
        raise PermissionDenied("Only core staff may change rotas and escalation policies.")


# --- policies and rotas ----------------------------------------------------------------------

POLICY_FIELDS = ("name", "on_call_minutes", "backup_minutes", "expire_hours", "max_shift_hours")


@transaction.atomic
def save_policy(
    policy: EscalationPolicy | None,
    *,
    by: Any,
    backup_rota: Rota | None = None,
    backup_responders: Sequence[Any] = (),
    **values: Any,
) -> EscalationPolicy:
    """Create (``policy`` None) or update an escalation policy."""
    _require_staff(by)
    policy = policy or EscalationPolicy()
    before = audit.snapshot(policy) if policy.pk else {}
    for name in POLICY_FIELDS:
        if name in values:
            setattr(policy, name, values[name])
    _check_policy(policy, backup_rota)
    policy.backup_rota = backup_rota
    action = Action.UPDATE if policy.pk else Action.CREATE
    policy.save()
    for user in backup_responders:
        _check_responder(user)
    policy.backup_responders.set(backup_responders)
    changes = audit.changes_between(before, audit.snapshot(policy))
    changes["backup_responders"] = sorted(u.get_username() for u in backup_responders)
    audit.record(by, action, policy, changes=changes)
    return policy


def _check_policy(policy: EscalationPolicy, backup_rota: Rota | None) -> None:
    if not (policy.name or "").strip():
        raise InvalidInput("name", "a policy needs a name")
    for name in ("on_call_minutes", "backup_minutes"):
        if not 1 <= int(getattr(policy, name)) <= 24 * 60:
            raise InvalidInput(name, "must be between 1 and 1440 minutes")
    if not 1 <= int(policy.max_shift_hours) <= 24 * 7:
        raise InvalidInput("max_shift_hours", "must be between 1 and 168 hours")
    if not 1 <= int(policy.expire_hours) <= 24 * 30:
        raise InvalidInput("expire_hours", "must be between 1 and 720 hours")
    if backup_rota is not None and backup_rota.kind != RotaKind.BACKUP:
        raise InvalidInput("backup_rota", f"{backup_rota} is not a backup rota")


ROTA_FIELDS = (
    "name",
    "kind",
    "time_zone",
    "policy",
    "description",
    "active",
    "webhook_url",
    "webhook_secret",
)


@transaction.atomic
def save_rota(rota: Rota | None, *, by: Any, **values: Any) -> Rota:
    """Create (``rota`` None) or update a rota; the time zone must be a known IANA name."""
    _require_staff(by)
    rota = rota or Rota()
    before = audit.snapshot(rota) if rota.pk else {}
    for name in ROTA_FIELDS:
        if name in values:
            setattr(rota, name, values[name])
    if not (rota.name or "").strip():
        raise InvalidInput("name", "a rota needs a name")
    zone(rota.time_zone)
    if rota.kind not in RotaKind.values:
        raise InvalidInput("kind", f"must be one of {', '.join(RotaKind.values)}")
    if rota.policy_id is None:
        raise InvalidInput("policy", "choose an escalation policy")
    if rota.webhook_url and not rota.webhook_secret:
        raise InvalidInput("webhook_secret", "a webhook needs a secret to sign its bodies")
    action = Action.UPDATE if rota.pk else Action.CREATE
    rota.save()
    after = audit.snapshot(rota)
    for secret in ("webhook_secret",):
        before.pop(secret, None), after.pop(secret, None)
    audit.record(by, action, rota, changes=audit.changes_between(before, after))
    return rota


# --- shifts ----------------------------------------------------------------------------------


@transaction.atomic
def add_shift(
    rota: Rota,
    *,
    responder: Any,
    start: datetime,
    end: datetime,
    by: Any,
    note: str = "",
) -> Shift:
    """Put ``responder`` on call in ``rota`` from ``start`` to ``end`` (overlaps are allowed)."""
    _check_responder(responder)
    _require_edit(by, responder)
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        raise InvalidInput("end", "must be after the start")
    _check_length(rota, end - start)
    shift = Shift.objects.create(
        rota=rota, responder=responder, start=start, end=end, note=note[:200]
    )
    audit.record(by, Action.CREATE, shift, changes=_shift_changes(shift))
    return shift


def _shift_changes(shift: Shift) -> dict[str, Any]:
    return {
        "rota": shift.rota.name,
        "responder": shift.responder.get_username(),
        "start": shift.start.isoformat(),
        "end": shift.end.isoformat(),
    }


@transaction.atomic
def remove_shift(shift: Shift, *, by: Any) -> None:
    """Remove one shift."""
    _require_edit(by, shift.responder)
    changes = _shift_changes(shift)
    audit.record(by, Action.DELETE, shift, changes=changes)
    shift.delete()


# --- weekly patterns -------------------------------------------------------------------------


def _span(start_time: time, end_time: time) -> timedelta:
    """Length of a daily shift from ``start_time`` to ``end_time`` (next day if not later)."""
    today = date(2000, 1, 3)
    begin = datetime.combine(today, start_time)
    finish = datetime.combine(today, end_time)
    if finish <= begin:
        finish += timedelta(days=1)
    return finish - begin


@transaction.atomic
def add_pattern(
    rota: Rota,
    *,
    responder: Any,
    weekdays: Iterable[Any] | str,
    start_time: time,
    end_time: time,
    by: Any,
    time_zone: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    weeks: int = DEFAULT_EXPAND_WEEKS,
    now: datetime | None = None,
) -> ShiftPattern:
    """Add a weekly pattern (in ``time_zone``, the responder's by default) and expand it."""
    _check_responder(responder)
    _require_edit(by, responder)
    days = parse_weekdays(weekdays)
    zone_name = time_zone or responder.time_zone
    zone(zone_name)
    if not isinstance(start_time, time) or not isinstance(end_time, time):
        raise InvalidInput("start_time", "start and end must be times of day")
    _check_length(rota, _span(start_time, end_time), "end_time")
    valid_from = valid_from or (now or timezone.now()).astimezone(ZoneInfo(zone_name)).date()
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput("valid_until", "must not be before valid_from")
    pattern = ShiftPattern.objects.create(
        rota=rota,
        responder=responder,
        weekdays=days,
        start_time=start_time,
        end_time=end_time,
        time_zone=zone_name,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    created = expand_pattern(pattern, weeks=weeks, now=now)
    audit.record(by, Action.CREATE, pattern, changes={"pattern": str(pattern), "shifts": created})
    return pattern


def pattern_shift_times(
    pattern: ShiftPattern, first: date, last: date
) -> list[tuple[datetime, datetime]]:
    """UTC start and end of every shift of ``pattern`` starting on local days first..last.

    Local wall-clock times stay fixed across daylight-saving changes; a start inside a
    skipped hour moves forward with the clock (zoneinfo's fold=0 rule).
    """
    tz = ZoneInfo(pattern.time_zone)
    wraps = pattern.end_time <= pattern.start_time
    times = []
    day = max(first, pattern.valid_from)
    if pattern.valid_until is not None:
        last = min(last, pattern.valid_until)
    while day <= last:
        if day.weekday() in pattern.weekdays:
            start = datetime.combine(day, pattern.start_time, tzinfo=tz).astimezone(UTC)
            end_day = day + timedelta(days=1) if wraps else day
            end = datetime.combine(end_day, pattern.end_time, tzinfo=tz).astimezone(UTC)
            times.append((start, end))
        day += timedelta(days=1)
    return times


def expand_pattern(
    pattern: ShiftPattern, *, weeks: int = DEFAULT_EXPAND_WEEKS, now: datetime | None = None
) -> int:
    """Create the pattern's missing shifts from yesterday (local) for ``weeks`` weeks."""
    today = (now or timezone.now()).astimezone(ZoneInfo(pattern.time_zone)).date()
    wanted = pattern_shift_times(pattern, today - timedelta(days=1), today + timedelta(weeks=weeks))
    existing = set(pattern.shifts.values_list("start", flat=True))
    new = [
        Shift(rota=pattern.rota, responder=pattern.responder, start=start, end=end, pattern=pattern)
        for start, end in wanted
        if start not in existing
    ]
    Shift.objects.bulk_create(new)
    return len(new)


def extend_all_patterns(*, weeks: int = DEFAULT_EXPAND_WEEKS, now: datetime | None = None) -> int:
    """Expand every pattern still valid, so shifts always reach ``weeks`` weeks ahead."""
    today = (now or timezone.now()).date()
    patterns = ShiftPattern.objects.filter(rota__active=True).exclude(valid_until__lt=today)
    total = 0
    for pattern in patterns.select_related("rota", "responder"):
        created = expand_pattern(pattern, weeks=weeks, now=now)
        if created:
            audit.record(None, Action.UPDATE, pattern, changes={"shifts_planned": created})
        total += created
    return total


@transaction.atomic
def remove_pattern(pattern: ShiftPattern, *, by: Any, now: datetime | None = None) -> int:
    """Remove a pattern and its future shifts; past shifts stay, detached, as the record."""
    _require_edit(by, pattern.responder)
    now = now or timezone.now()
    removed, _counts = pattern.shifts.filter(start__gte=now).delete()
    pattern.shifts.update(pattern=None)
    audit.record(
        by, Action.DELETE, pattern, changes={"pattern": str(pattern), "future_shifts": removed}
    )
    pattern.delete()
    return removed


# --- reading ---------------------------------------------------------------------------------


def shifts_between(rota: Rota, start: datetime, end: datetime) -> QuerySet[Shift]:
    """Shifts of ``rota`` overlapping ``[start, end)``, with their responders."""
    return (
        rota.shifts.filter(start__lt=end, end__gt=start)
        .select_related("responder")
        .order_by("start")
    )


def week_start(day: date) -> date:
    """The Monday of the week of ``day``."""
    return day - timedelta(days=day.weekday())
