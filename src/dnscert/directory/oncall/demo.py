"""Demo on-call data: three responders in Paris, New York and Tokyo on a follow-the-sun rota.

On weekdays Tokyo hands over to Paris, Paris to New York and New York back to Tokyo, with
overlaps wide enough to survive the daylight-saving changes of Paris and New York. At the
weekend New York covers only Saturday, which leaves one visible gap every week: Sunday
evening UTC (20:00-23:00 in winter, 19:00-23:00 in summer), until Tokyo starts on Monday.
Loading again changes nothing (patterns are matched by responder, days and hours).
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from dnscert.core import audit
from dnscert.core.choices import Role
from dnscert.directory.oncall import rotas
from dnscert.directory.oncall.models import EscalationPolicy, Rota, ShiftPattern

DEMO_PASSWORD = "demo-oncall-responder"  # a fictional demo account password, never deployed
ROTA_NAME = "Follow-the-sun"
POLICY_NAME = "Default escalation"

#: username, first name, time zone, weekdays, local start, local end
RESPONDERS: list[tuple[str, str, str, str, time, time]] = [
    ("haruto", "Haruto", "Asia/Tokyo", "mon-fri", time(8), time(18)),
    ("amelie", "Amélie", "Europe/Paris", "mon-fri", time(8), time(18)),
    ("noah", "Noah", "America/New_York", "mon-fri", time(11), time(20)),
    ("haruto", "Haruto", "Asia/Tokyo", "sat-sun", time(9), time(21)),
    ("amelie", "Amélie", "Europe/Paris", "sat-sun", time(9), time(21)),
    ("noah", "Noah", "America/New_York", "sat", time(14), time(23)),
]


def _responder(username: str, first_name: str, zone_name: str) -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": "(demo)",
            "email": f"{username}@oncall.dnscert.example",
            "role": Role.RESPONDER,
            "time_zone": zone_name,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        audit.record(None, audit.Action.CREATE, user, changes={"demo": "on-call responder"})
    return user


@transaction.atomic
def load_demo_oncall() -> dict[str, int]:
    """Create the demo rota, policy, responders and weekly patterns; return what was created."""
    actor = None  # the platform itself
    policy = EscalationPolicy.objects.filter(name=POLICY_NAME).first() or rotas.save_policy(
        None, by=actor, name=POLICY_NAME, on_call_minutes=15, backup_minutes=15
    )
    rota = Rota.objects.filter(name=ROTA_NAME).first() or rotas.save_rota(
        None,
        by=actor,
        name=ROTA_NAME,
        time_zone="UTC",
        policy=policy,
        description="Tokyo, Paris and New York hand over the watch; Sunday evening UTC is open.",
    )
    created = 0
    for username, first_name, zone_name, days, start, end in RESPONDERS:
        user = _responder(username, first_name, zone_name)
        weekdays = rotas.parse_weekdays(days)
        exists = ShiftPattern.objects.filter(
            rota=rota, responder=user, start_time=start, end_time=end, weekdays=weekdays
        ).exists()
        if not exists:
            rotas.add_pattern(
                rota, responder=user, weekdays=weekdays, start_time=start, end_time=end, by=actor
            )
            created += 1
    shifts = rotas.extend_all_patterns()
    return {"patterns_created": created, "shifts_created": shifts}
