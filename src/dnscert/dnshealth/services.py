"""Scheduled measurement: plan batches of due targets, run them, store results, raise signals.

``dnshealth.plan_runs`` (every minute) claims the due targets and splits them into batches of
``DNSCERT_DNSHEALTH_BATCH_SIZE``; each batch is a :class:`MonitoringRun` executed by one
``dnshealth.run_batch`` job, so in-process threads or Celery workers share the work. A batch
measures its targets (:mod:`dnscert.dnshealth.storage`), stores one :class:`ZoneResult` per
target with ``bulk_create``, moves the targets' due times, feeds the delegation watch and
turns state changes into signals. A claim expires after :data:`CLAIM_MINUTES`, so a batch
whose worker died is planned again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import enqueue
from dnscert.dnshealth import signals, storage, watch
from dnscert.dnshealth.choices import CheckKind, HealthStatus, RunStatus
from dnscert.dnshealth.models import MonitoringRun, MonitoringTarget, ZoneResult

#: How long planned targets stay claimed by their batch.
CLAIM_MINUTES = 30
#: Status order, best first: the worse of two statuses is the one further right.
STATUS_ORDER = [HealthStatus.GREY, HealthStatus.GREEN, HealthStatus.AMBER, HealthStatus.RED]


def worse(first: str, second: str) -> str:
    """The worse of two statuses (grey counts as "nothing known")."""
    return max(first, second, key=lambda status: STATUS_ORDER.index(HealthStatus(status)))


# ---- planning --------------------------------------------------------------------------------


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def due_targets(check_kind: str, now: datetime) -> QuerySet[MonitoringTarget]:
    """Enabled, unclaimed targets whose ``check_kind`` measurement is due."""
    targets = MonitoringTarget.objects.filter(_unclaimed(now), enabled=True)
    if check_kind == CheckKind.FULL:
        return targets.filter(next_full_due__lte=now)
    return targets.filter(next_reachability_due__lte=now).exclude(next_full_due__lte=now)


def _chunks(items: Sequence[int], size: int) -> list[list[int]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def _create_run(target_ids: list[int], check_kind: str, requested_by: Any = None) -> MonitoringRun:
    run = MonitoringRun.objects.create(
        check_kind=check_kind,
        profile=storage.PROFILE_FOR_KIND[CheckKind(check_kind)],
        target_ids=target_ids,
        target_count=len(target_ids),
        requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
    )
    run.job_run = enqueue("dnshealth.run_batch", run_id=run.pk)
    run.save(update_fields=["job_run"])
    return run


@transaction.atomic
def plan_runs(now: datetime | None = None, batch_size: int | None = None) -> list[MonitoringRun]:
    """Claim every due target and enqueue one batch job per ``batch_size`` of them."""
    now = now or timezone.now()
    size = batch_size or settings.DNSCERT_DNSHEALTH_BATCH_SIZE
    if size < 1:
        raise InvalidInput("batch_size", "must be at least 1")
    runs = []
    for check_kind in (CheckKind.FULL, CheckKind.REACHABILITY):
        due = due_targets(check_kind, now).order_by("pk").select_for_update(skip_locked=True)
        for chunk in _chunks(list(due.values_list("pk", flat=True)), size):
            MonitoringTarget.objects.filter(pk__in=chunk).update(
                claimed_until=now + timedelta(minutes=CLAIM_MINUTES)
            )
            runs.append(_create_run(chunk, check_kind))
    return runs


# ---- running ---------------------------------------------------------------------------------


def _work_for(target: MonitoringTarget) -> storage.Work:
    if target.is_zone:
        return storage.Work(target.name, True, watch=target.watch_delegation)
    addresses = tuple(target.nameserver.addresses) if target.nameserver else ()
    return storage.Work(target.name, False, addresses=addresses)


def run_batch(run_id: int) -> MonitoringRun:
    """Measure the targets of run ``run_id`` and store everything (the batch job's body)."""
    run = MonitoringRun.objects.get(pk=run_id)
    if run.status == RunStatus.SUCCEEDED:
        return run  # a duplicate delivery of the job: the work is done (a failed run retries)
    MonitoringRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started=timezone.now())
    targets = list(
        MonitoringTarget.objects.filter(pk__in=run.target_ids, enabled=True).select_related(
            "nameserver", "latest_full_result"
        )
    )
    try:
        measurements = storage.measure(
            [_work_for(target) for target in targets],
            storage.engine_config(run.check_kind),
            settings.DNSCERT_DNS_CONCURRENCY,
        )
        with transaction.atomic():
            results = record_results(run, targets, measurements)
    except Exception as exc:
        _fail(run, targets, exc)
        raise
    MonitoringRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, finished=timezone.now(), result_count=len(results)
    )
    run.refresh_from_db()
    return run


def _fail(run: MonitoringRun, targets: list[MonitoringTarget], exc: BaseException) -> None:
    MonitoringTarget.objects.filter(pk__in=[t.pk for t in targets]).update(claimed_until=None)
    MonitoringRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, finished=timezone.now(), error=f"{type(exc).__name__}: {exc}"
    )


def _result_for(
    run: MonitoringRun, target: MonitoringTarget, measurement: storage.Measurement, now: datetime
) -> ZoneResult:
    messages = measurement.messages
    status, worst_level = storage.status_for(messages, storage.ignored_tags())
    report = measurement.report
    full = run.check_kind == CheckKind.FULL
    rows = storage.message_rows(messages, keep_info=full)
    return ZoneResult(
        run=run,
        target=target,
        checked_at=now,
        check_kind=run.check_kind,
        status=status,
        worst_level=worst_level,
        duration_ms=report.duration_ms if report else 0,
        query_count=report.query_count if report else 0,
        message_count=len(storage.message_rows(messages)) if full else len(rows),
        messages=rows,
        nameservers=[timing.as_row() for timing in measurement.servers],
        soa_serials=storage.distinct_serials(measurement.servers),
    )


def _target_status(target: MonitoringTarget, result: ZoneResult) -> tuple[str, str]:
    """A full check sets the status; a reachability check can only make it worse."""
    if result.check_kind == CheckKind.FULL or target.latest_full_result is None:
        return result.status, result.worst_level
    full = target.latest_full_result
    status = worse(full.status, result.status)
    level = result.worst_level if status == result.status else full.worst_level
    return status, level


def _advance(target: MonitoringTarget, result: ZoneResult, now: datetime) -> None:
    status, level = _target_status(target, result)
    if status != target.status:
        target.status_since = now
    target.status, target.worst_level = status, level
    target.latest_result = result
    target.last_reachability_at = now
    target.next_reachability_due = now + timedelta(minutes=target.reachability_interval)
    if result.check_kind == CheckKind.FULL:
        target.latest_full_result = result
        target.last_full_at = now
        target.next_full_due = now + timedelta(minutes=target.full_interval)
    target.claimed_until = None


_ADVANCED_FIELDS = [
    "status",
    "status_since",
    "worst_level",
    "latest_result",
    "latest_full_result",
    "last_reachability_at",
    "next_reachability_due",
    "last_full_at",
    "next_full_due",
    "claimed_until",
]


def record_results(
    run: MonitoringRun,
    targets: Iterable[MonitoringTarget],
    measurements: Iterable[storage.Measurement],
) -> list[ZoneResult]:
    """Store one result per target, move due times, watch delegations, evaluate signals."""
    now = timezone.now()
    pairs = list(zip(targets, measurements, strict=True))
    results = ZoneResult.objects.bulk_create(
        [_result_for(run, target, measurement, now) for target, measurement in pairs]
    )
    _compact_superseded(run, [target for target, _ in pairs])
    for (target, _measurement), result in zip(pairs, results, strict=True):
        _advance(target, result, now)
    MonitoringTarget.objects.bulk_update([target for target, _ in pairs], _ADVANCED_FIELDS)
    for (target, measurement), result in zip(pairs, results, strict=True):
        _watch(target, measurement, now)
        signals.evaluate(target, result)
    return results


def _compact_superseded(run: MonitoringRun, targets: list[MonitoringTarget]) -> None:
    """Drop the INFO messages of the full results a new full result supersedes."""
    if run.check_kind != CheckKind.FULL:
        return
    ids = [target.latest_full_result_id for target in targets if target.latest_full_result_id]
    superseded = list(ZoneResult.objects.filter(pk__in=ids).only("pk", "messages"))
    for result in superseded:
        result.messages = storage.without_info(result.messages)
    ZoneResult.objects.bulk_update(superseded, ["messages"])


def _watch(target: MonitoringTarget, measurement: storage.Measurement, now: datetime) -> None:
    if not (target.is_zone and target.watch_delegation and measurement.delegation):
        return
    change = watch.observe(target, measurement.delegation, now)
    if change is not None:
        signals.signal_change(change)


# ---- on demand -------------------------------------------------------------------------------


def measure_batch(
    target_ids: Iterable[int], check_kind: str = CheckKind.FULL, *, requested_by: Any = None
) -> MonitoringRun:
    """Measure ``target_ids`` now, in this process, and return the finished run."""
    ids = sorted(set(target_ids))
    if not ids:
        raise InvalidInput("target_ids", "give at least one target")
    run = MonitoringRun.objects.create(
        check_kind=CheckKind(check_kind),
        profile=storage.PROFILE_FOR_KIND[CheckKind(check_kind)],
        target_ids=ids,
        target_count=len(ids),
        requested_by=requested_by if getattr(requested_by, "is_authenticated", False) else None,
    )
    return run_batch(run.pk)
