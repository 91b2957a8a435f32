"""History retention: detail older than ``DNSCERT_DNSHEALTH_DETAIL_DAYS`` becomes daily roll-ups.

Whole UTC days are rolled up: every :class:`ZoneResult` of a target on a day becomes part of
one :class:`DailyRollup` (results, status counts, availability, latency percentiles per name
server, tags seen with counts), and only then is the detail deleted, in the same transaction.
Each roll-up writes a :class:`RollupRecord` saying how many results and messages it folded in
and deleted, so nothing disappears silently.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dnscert.dnshealth.choices import HealthStatus
from dnscert.dnshealth.models import DailyRollup, RollupRecord, ZoneResult

#: Targets rolled up per transaction.
TARGETS_PER_CHUNK = 500
_STATUS_RANK = {
    HealthStatus.GREY: 0,
    HealthStatus.GREEN: 1,
    HealthStatus.AMBER: 2,
    HealthStatus.RED: 3,
}


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` (0..1) percentile of ``values`` by the nearest-rank method."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return round(ordered[rank - 1], 2)


@dataclass
class ServerDay:
    """One name server address's probes over one day."""

    probes: int = 0
    reachable: int = 0
    udp: list[float] = field(default_factory=list)
    tcp: list[float] = field(default_factory=list)
    serials: set[int] = field(default_factory=set)

    def add(self, row: list[Any]) -> None:
        _ns, _address, reachable, udp_ms, tcp_ms, serial = (list(row) + [None] * 6)[:6]
        self.probes += 1
        self.reachable += 1 if reachable else 0
        if udp_ms is not None:
            self.udp.append(float(udp_ms))
        if tcp_ms is not None:
            self.tcp.append(float(tcp_ms))
        if serial is not None:
            self.serials.add(int(serial))

    def as_dict(self) -> dict[str, Any]:
        return {
            "probes": self.probes,
            "reachable": self.reachable,
            "udp_p50": percentile(self.udp, 0.5),
            "udp_p95": percentile(self.udp, 0.95),
            "tcp_p50": percentile(self.tcp, 0.5),
            "tcp_p95": percentile(self.tcp, 0.95),
            "serials": sorted(self.serials),
        }


@dataclass
class Day:
    """The running totals of one target's day."""

    runs: int = 0
    messages: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    servers: dict[str, ServerDay] = field(default_factory=lambda: defaultdict(ServerDay))

    def add(self, status: str, message_count: int, messages: list[Any], servers: list[Any]) -> None:
        self.runs += 1
        self.messages += message_count
        self.statuses[status] += 1
        self.tags.update({row[1] for row in messages if len(row) > 1})
        for row in servers:
            self.servers[f"{row[0]}/{row[1]}"].add(row)

    def rollup(self, target_id: int, day: date) -> DailyRollup:
        probes = sum(server.probes for server in self.servers.values())
        reachable = sum(server.reachable for server in self.servers.values())
        return DailyRollup(
            target_id=target_id,
            day=day,
            runs=self.runs,
            worst_status=max(self.statuses, key=lambda s: _STATUS_RANK[HealthStatus(s)]),
            status_counts=dict(self.statuses),
            availability_pct=round(100.0 * reachable / probes, 2) if probes else None,
            message_count=self.messages,
            nameservers={key: server.as_dict() for key, server in sorted(self.servers.items())},
            tags=dict(sorted(self.tags.items())),
        )


def cutoff_for(now: datetime, detail_days: int) -> datetime:
    """Midnight UTC ``detail_days`` days before ``now``: detail before it is rolled up."""
    day = (now.astimezone(UTC) - timedelta(days=detail_days)).date()
    return datetime.combine(day, time.min, tzinfo=UTC)


def _merge(existing: DailyRollup, new: DailyRollup) -> DailyRollup:
    """Fold ``new`` into a roll-up written earlier for the same day (counts add up)."""
    counts = Counter(existing.status_counts) + Counter(new.status_counts)
    existing.runs += new.runs
    existing.message_count += new.message_count
    existing.status_counts = dict(counts)
    existing.worst_status = max(counts, key=lambda s: _STATUS_RANK[HealthStatus(s)])
    existing.tags = dict(Counter(existing.tags) + Counter(new.tags))
    for key, server in new.nameservers.items():
        existing.nameservers.setdefault(key, server)
    return existing


_ROW_FIELDS = ("target_id", "checked_at", "status", "message_count", "messages", "nameservers")


def _days_of(target_ids: list[int], cutoff: datetime) -> dict[tuple[int, date], Day]:
    days: dict[tuple[int, date], Day] = defaultdict(Day)
    rows = (
        ZoneResult.objects.filter(target_id__in=target_ids, checked_at__lt=cutoff)
        .order_by()
        .values_list(
            "target_id", "checked_at", "status", "message_count", "messages", "nameservers"
        )
    )
    for target_id, checked_at, status, count, messages, servers in rows.iterator(chunk_size=2000):
        day = checked_at.astimezone(UTC).date()
        days[(target_id, day)].add(status, count, messages, servers)
    return days


@transaction.atomic
def _roll_chunk(target_ids: list[int], cutoff: datetime, record: RollupRecord) -> None:
    days = _days_of(target_ids, cutoff)
    existing = {
        (rollup.target_id, rollup.day): rollup
        for rollup in DailyRollup.objects.filter(
            target_id__in=target_ids, day__in={day for _, day in days}
        )
    }
    fresh, merged = [], []
    for (target_id, day), totals in days.items():
        rollup = totals.rollup(target_id, day)
        if (target_id, day) in existing:
            merged.append(_merge(existing[(target_id, day)], rollup))
        else:
            fresh.append(rollup)
        record.results_rolled_up += totals.runs
        record.messages_rolled_up += totals.messages
        record.first_day = min(filter(None, [record.first_day, day]))
        record.last_day = max(filter(None, [record.last_day, day]))
    DailyRollup.objects.bulk_create(fresh)
    fields = ["runs", "message_count", "status_counts", "worst_status", "tags", "nameservers"]
    DailyRollup.objects.bulk_update(merged, fields)
    record.rollups_written += len(fresh) + len(merged)
    deleted, _ = ZoneResult.objects.filter(target_id__in=target_ids, checked_at__lt=cutoff).delete()
    record.results_deleted += deleted
    record.save()


def rollup_history(now: datetime | None = None, detail_days: int | None = None) -> RollupRecord:
    """Roll up and delete detail older than the retention; return what was done."""
    now = now or timezone.now()
    days = settings.DNSCERT_DNSHEALTH_DETAIL_DAYS if detail_days is None else detail_days
    cutoff = cutoff_for(now, days)
    record = RollupRecord.objects.create(ran_at=now, cutoff=cutoff)
    target_ids = sorted(
        set(ZoneResult.objects.filter(checked_at__lt=cutoff).values_list("target_id", flat=True))
    )
    for start in range(0, len(target_ids), TARGETS_PER_CHUNK):
        _roll_chunk(target_ids[start : start + TARGETS_PER_CHUNK], cutoff, record)
    return record
