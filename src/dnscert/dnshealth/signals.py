"""State changes become signals, once per change: the input of the warning service.

After each measurement :func:`evaluate` compares what holds now with the open signals of the
target: a condition that starts opens a signal (and notifies), one that persists only moves
``last_seen``, one that clears resolves it. While open, a signal's ``dedupe_key`` is unique
(database constraint), so a condition is never signalled twice.

* ``zone_broken`` while the target's status is red; its end resolves it and records a
  ``zone_recovered`` signal (born resolved: it is news, not a problem).
* ``rrsig_expiring`` while a full check finds ``DC01_RRSIG_EXPIRES_SOON``.
* ``rssac047_below_threshold`` while a full check of the root or a TLD finds a DNSCERT04
  breach.
* ``delegation_changed`` for every unexpected delegation change, until acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core import audit
from dnscert.core.choices import Severity
from dnscert.dnshealth.choices import CheckKind, HealthStatus, SignalKind, SignalState, TargetKind
from dnscert.dnshealth.models import DelegationChange, MonitoringTarget, Signal, ZoneResult

EXPIRES_SOON_TAG = "DC01_RRSIG_EXPIRES_SOON"
RSSAC047_TAGS = frozenset(
    {"DC04_AVAILABILITY_LOW", "DC04_UDP_LATENCY_HIGH", "DC04_TCP_LATENCY_HIGH"}
)

SUMMARIES = {
    SignalKind.ZONE_BROKEN: _("%(name)s is broken"),
    SignalKind.ZONE_RECOVERED: _("%(name)s recovered"),
    SignalKind.RRSIG_EXPIRING: _("Signatures of %(name)s expire soon"),
    SignalKind.DELEGATION_CHANGED: _("The delegation of %(name)s changed"),
    SignalKind.RSSAC047_BELOW_THRESHOLD: _("Servers of %(name)s miss RSSAC047 thresholds"),
}


def dedupe_key(kind: str, target: MonitoringTarget, suffix: str = "") -> str:
    """The key that identifies one condition of one target, e.g. ``zone_broken:t12``."""
    key = f"{kind}:t{target.pk}"
    return f"{key}:{suffix}" if suffix else key


def _broken_severity(target: MonitoringTarget) -> str:
    if target.kind in (TargetKind.ROOT, TargetKind.TLD):
        return Severity.CRITICAL
    return Severity.HIGH


def _summary(kind: str, target: MonitoringTarget) -> str:
    return str(SUMMARIES[SignalKind(kind)] % {"name": target.name})[:300]


def summary_of(signal: Signal) -> str:
    """The signal's one-line summary in the active language."""
    return _summary(signal.kind, signal.target)


def _open(
    kind: str,
    target: MonitoringTarget,
    severity: str,
    details: dict[str, Any],
    *,
    key: str | None = None,
    change: DelegationChange | None = None,
) -> Signal | None:
    """Open a signal unless one with the same key is open; return the new one or None."""
    key = key or dedupe_key(kind, target)
    existing = Signal.objects.filter(dedupe_key=key, state=SignalState.OPEN).first()
    now = timezone.now()
    if existing is not None:
        Signal.objects.filter(pk=existing.pk).update(last_seen=now, details=details)
        return None
    try:
        with transaction.atomic():
            signal = Signal.objects.create(
                kind=kind,
                target=target,
                organisation_id=target.organisation_id,
                severity=severity,
                summary=_summary(kind, target),
                details=audit.json_safe(details),
                dedupe_key=key,
                opened_at=now,
                last_seen=now,
                delegation_change=change,
            )
    except IntegrityError:  # another worker opened it a moment ago
        return None
    audit.record(None, audit.Action.CREATE, signal)
    _notify(signal)
    return signal


def _resolve(key: str) -> Signal | None:
    """Resolve the open signal with ``key``; return it (None when nothing was open)."""
    signal = Signal.objects.filter(dedupe_key=key, state=SignalState.OPEN).first()
    if signal is None:
        return None
    signal.state = SignalState.RESOLVED
    signal.resolved_at = timezone.now()
    signal.save(update_fields=["state", "resolved_at"])
    audit.record(None, audit.Action.STATE, signal, changes={"state": ["open", "resolved"]})
    return signal


def _notify(signal: Signal) -> None:
    from dnscert.dnshealth.notifications import notify_signal

    notify_signal(signal)


def _tagged(result: ZoneResult, tags: Iterable[str]) -> list[list[Any]]:
    wanted = frozenset(tags)
    return [row for row in result.messages if len(row) > 1 and row[1] in wanted]


# ---- conditions --------------------------------------------------------------------------


def _evaluate_status(target: MonitoringTarget, result: ZoneResult) -> list[Signal]:
    key = dedupe_key(SignalKind.ZONE_BROKEN, target)
    if target.status == HealthStatus.RED:
        details = {
            "result_id": result.pk,
            "worst_level": target.worst_level,
            "errors": [row for row in result.messages if row[2] in ("ERROR", "CRITICAL")][:20],
        }
        opened = _open(SignalKind.ZONE_BROKEN, target, _broken_severity(target), details)
        return [opened] if opened else []
    if target.status == HealthStatus.GREY:
        return []
    broken = _resolve(key)
    if broken is None:
        return []
    recovered = _open(
        SignalKind.ZONE_RECOVERED,
        target,
        Severity.INFO,
        {"result_id": result.pk, "broken_signal_id": broken.pk, "status": target.status},
        key=dedupe_key(SignalKind.ZONE_RECOVERED, target, str(broken.pk)),
    )
    if recovered is None:
        return []
    _resolve(recovered.dedupe_key)
    recovered.refresh_from_db()
    return [recovered]


def _evaluate_tag_condition(
    target: MonitoringTarget, result: ZoneResult, kind: str, tags: Iterable[str], severity: str
) -> list[Signal]:
    found = _tagged(result, tags)
    if not found:
        _resolve(dedupe_key(kind, target))
        return []
    opened = _open(kind, target, severity, {"result_id": result.pk, "messages": found[:20]})
    return [opened] if opened else []


def evaluate(target: MonitoringTarget, result: ZoneResult) -> list[Signal]:
    """Open and resolve the signals of ``target`` after ``result``; return those opened."""
    opened = _evaluate_status(target, result)
    if result.check_kind != CheckKind.FULL:
        return opened
    opened += _evaluate_tag_condition(
        target, result, SignalKind.RRSIG_EXPIRING, [EXPIRES_SOON_TAG], Severity.MEDIUM
    )
    if target.kind in (TargetKind.ROOT, TargetKind.TLD):
        opened += _evaluate_tag_condition(
            target, result, SignalKind.RSSAC047_BELOW_THRESHOLD, RSSAC047_TAGS, Severity.HIGH
        )
    return opened


def signal_change(change: DelegationChange) -> Signal | None:
    """Open the signal of an unexpected delegation change (expected ones stay quiet)."""
    if change.expected:
        return None
    details = {
        "change_id": change.pk,
        "diff": change.diff,
        "reasons": change.reasons,
        "old_ns": change.old.ns,
        "new_ns": change.new.ns,
    }
    return _open(
        SignalKind.DELEGATION_CHANGED,
        change.target,
        change.severity,
        details,
        key=dedupe_key(SignalKind.DELEGATION_CHANGED, change.target, f"c{change.pk}"),
        change=change,
    )


def resolve_change_signals(change: DelegationChange) -> None:
    """Resolve the signal of a delegation change (it was acknowledged)."""
    _resolve(dedupe_key(SignalKind.DELEGATION_CHANGED, change.target, f"c{change.pk}"))
