"""SLA clocks: time to acknowledge, to first action and to resolve, against per-severity targets.

A clock starts when the incident is opened and stops at the matching timestamp
(``acknowledged_at``, ``first_action_at``, ``resolved_at``). It is overdue when it has not
stopped and its target has passed, or when it stopped after the target (breached). Finished
incidents are never overdue. :func:`overdue_condition` is the same rule as a query condition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dnscert.incidents import conf, lifecycle
from dnscert.incidents.models import Incident

#: clock name -> (label, stop field, targets attribute)
CLOCKS: dict[str, tuple[Promise, str, str]] = {
    "acknowledge": (_("Time to acknowledge"), "acknowledged_at", "acknowledge"),
    "first_action": (_("Time to first action"), "first_action_at", "first_action"),
    "resolve": (_("Time to resolve"), "resolved_at", "resolve"),
}


@dataclass(frozen=True)
class Clock:
    """One SLA clock of one incident."""

    name: str
    label: str
    target: timedelta
    deadline: datetime
    stopped_at: datetime | None
    elapsed: timedelta
    overdue: bool
    breached: bool

    @property
    def remaining(self) -> timedelta:
        """Time left before the deadline (negative once passed)."""
        return self.target - self.elapsed

    @property
    def target_seconds(self) -> float:
        return self.target.total_seconds()

    @property
    def elapsed_seconds(self) -> float:
        return self.elapsed.total_seconds()

    @property
    def running(self) -> bool:
        return self.stopped_at is None


def clocks(incident: Incident, now: datetime | None = None) -> list[Clock]:
    """The incident's three clocks at ``now``."""
    now = now or timezone.now()
    targets = conf.sla_targets(incident.severity)
    open_ = incident.status in lifecycle.OPEN
    result = []
    for name, (label, field, attribute) in CLOCKS.items():
        target: timedelta = getattr(targets, attribute)
        stopped = getattr(incident, field)
        end = stopped or now
        elapsed = end - incident.created_at
        breached = elapsed > target
        result.append(
            Clock(
                name=name,
                label=str(label),
                target=target,
                deadline=incident.created_at + target,
                stopped_at=stopped,
                elapsed=elapsed,
                overdue=open_ and stopped is None and breached,
                breached=breached,
            )
        )
    return result


def is_overdue(incident: Incident, now: datetime | None = None) -> bool:
    """True when one of the incident's running clocks passed its target."""
    return any(clock.overdue for clock in clocks(incident, now))


def overdue_condition(now: datetime | None = None) -> Q:
    """Query condition for open incidents with a running clock past its target."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for severity, targets in conf.all_targets().items():
        running_late = Q()
        for _label, field, attribute in CLOCKS.values():
            target: timedelta = getattr(targets, attribute)
            late = Q(**{f"{field}__isnull": True, "created_at__lt": now - target})
            running_late = late if not running_late else running_late | late
        condition |= Q(severity=severity) & running_late
    return condition & Q(status__in=[status.value for status in lifecycle.OPEN])


def with_overdue(queryset: QuerySet[Incident], now: datetime | None = None) -> QuerySet[Incident]:
    """``queryset`` annotated with ``overdue`` (bool) for the list page."""
    return queryset.annotate(
        overdue=ExpressionWrapper(overdue_condition(now), output_field=BooleanField())
    )


def overdue(queryset: QuerySet[Incident], now: datetime | None = None) -> QuerySet[Incident]:
    """Only the overdue incidents of ``queryset``."""
    return queryset.filter(overdue_condition(now))


def format_duration(value: timedelta) -> str:
    """``1d 2h``, ``3h 05m``, ``12m``: compact, sign-aware."""
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes}m"
