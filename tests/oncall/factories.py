"""Factories of the on-call tests: policies, rotas, shifts and a follow-the-sun team."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from dnscert.directory.oncall import rotas
from dnscert.directory.oncall.choices import RotaKind
from dnscert.directory.oncall.models import EscalationPolicy, Rota, Shift
from tests.personas import responder


def utc(*args: int) -> datetime:
    """``utc(2026, 3, 2, 8)`` -> an aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def policy(**fields: Any) -> EscalationPolicy:
    values = {"name": f"Policy {EscalationPolicy.objects.count() + 1}", **fields}
    return EscalationPolicy.objects.create(**values)


def rota(name: str = "", kind: str = RotaKind.PRIMARY, **fields: Any) -> Rota:
    fields.setdefault("policy", fields.get("policy") or policy())
    name = name or f"Rota {Rota.objects.count() + 1}"
    return Rota.objects.create(name=name, kind=kind, **fields)


def shift(on: Rota, who: Any, start: datetime, end: datetime) -> Shift:
    return Shift.objects.create(rota=on, responder=who, start=start, end=end)


def person(username: str, zone_name: str, language: str = "en") -> Any:
    return responder(username, time_zone=zone_name, language=language, first_name=username.title())


def follow_the_sun(on: Rota, *, now: datetime, weeks: int = 4) -> dict[str, Any]:
    """Tokyo, Paris and New York covering every hour of every day, with overlaps that
    survive the daylight-saving changes of Paris and New York."""
    team = {
        "tokyo": person("kenji", "Asia/Tokyo"),
        "paris": person("claire", "Europe/Paris", "fr"),
        "newyork": person("maya", "America/New_York"),
    }
    hours = {
        "tokyo": (time(8), time(17)),
        "paris": (time(8), time(17)),
        "newyork": (time(11), time(20)),
    }
    for key, (start, end) in hours.items():
        rotas.add_pattern(
            on, responder=team[key], weekdays="mon-sun", start_time=start, end_time=end,
            by=None, weeks=weeks, now=now,
        )  # fmt: skip
    return team
