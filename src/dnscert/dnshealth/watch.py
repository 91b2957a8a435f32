"""Delegation watch: snapshot each zone's parent-side NS, glue and DS; judge every change.

A snapshot is stored once per distinct delegation (``first_seen``/``last_seen``); a new one
means a :class:`DelegationChange` with the difference and a severity (the 2009 ccTLD
redelegation attacks replaced every name server of a zone by the attacker's):

* HIGH: every name server replaced by hosts under registrable domains the organisation never
  used (not in any of its snapshots, nor among its directory name servers); DS removed from a
  signed zone; the addresses of every name server changed.
* MEDIUM: other name server replacements or removals, a DS change (rollover), some addresses
  changed.
* LOW: name servers or DS only added.

A change inside a constituent's :class:`PlannedChange` window (matching its expected NS set
and DS when given) keeps its severity but is marked expected and raises no signal.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils import timezone
from publicsuffixlist import PublicSuffixList

from dnscert.core import audit
from dnscert.core.choices import Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.models import NameserverHost
from dnscert.dnshealth.models import (
    DelegationChange,
    DelegationSnapshot,
    MonitoringTarget,
    PlannedChange,
)
from dnscert.dnshealth.storage import DelegationState

REASON_NEW_DOMAINS = "all_ns_replaced_by_unknown_domains"
REASON_DS_REMOVED = "ds_removed_on_signed_zone"
REASON_ALL_GLUE = "addresses_of_all_ns_changed"
REASON_NS_REPLACED = "ns_replaced"
REASON_NS_REMOVED = "ns_removed"
REASON_DS_ROLLOVER = "ds_changed"
REASON_SOME_GLUE = "addresses_changed"
REASON_NS_ADDED = "ns_added"
REASON_DS_ADDED = "ds_added"


def digest_of(state: DelegationState) -> str:
    """SHA-256 of the canonical JSON of a delegation."""
    text = json.dumps(state.as_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=1)
def _suffix_list() -> PublicSuffixList:
    # The list shipped inside the publicsuffixlist package: never fetched at run time.
    return PublicSuffixList(only_icann=True)


def registrable_domain(host: str) -> str:
    """``example.co.uk`` for ``ns1.example.co.uk.``; the last two labels for unknown suffixes."""
    name = host.rstrip(".").lower()
    registrable = _suffix_list().privatesuffix(name)
    if registrable:
        return str(registrable)
    labels = name.split(".")
    return ".".join(labels[-2:])


def diff(old: DelegationState, new: DelegationState) -> dict[str, Any]:
    """What changed between two delegations (see ``DelegationChange.diff``)."""
    common = sorted(set(old.ns) & set(new.ns))
    glue_changed = {
        name: [old.glue.get(name, []), new.glue.get(name, [])]
        for name in common
        if old.glue.get(name, []) != new.glue.get(name, [])
    }
    return {
        "ns_added": sorted(set(new.ns) - set(old.ns)),
        "ns_removed": sorted(set(old.ns) - set(new.ns)),
        "glue_changed": glue_changed,
        "ds_added": sorted(set(new.ds) - set(old.ds)),
        "ds_removed": sorted(set(old.ds) - set(new.ds)),
    }


def known_domains(target: MonitoringTarget) -> set[str]:
    """Registrable domains of every name server the organisation ever used."""
    hosts = set(
        NameserverHost.objects.filter(organisation_id=target.organisation_id).values_list(
            "hostname", flat=True
        )
    )
    snapshots = DelegationSnapshot.objects.filter(target__organisation_id=target.organisation_id)
    for ns_set in snapshots.values_list("ns", flat=True):
        hosts.update(ns_set)
    return {registrable_domain(host) for host in hosts}


def judge(
    old: DelegationState, new: DelegationState, known: set[str]
) -> tuple[str, list[str], dict[str, Any]]:
    """(severity, reasons, diff) of the change from ``old`` to ``new``.

    ``known`` are the registrable domains the organisation used before this change.
    """
    change = diff(old, new)
    high, medium, low = [], [], []
    replaced_all = bool(new.ns) and not set(old.ns) & set(new.ns)
    new_domains = {registrable_domain(host) for host in new.ns}
    if replaced_all and not new_domains & known:
        high.append(REASON_NEW_DOMAINS)
    elif change["ns_removed"] and change["ns_added"]:
        medium.append(REASON_NS_REPLACED)
    elif change["ns_removed"]:
        medium.append(REASON_NS_REMOVED)
    elif change["ns_added"]:
        low.append(REASON_NS_ADDED)
    if old.ds and not new.ds:
        high.append(REASON_DS_REMOVED)
    elif change["ds_removed"]:
        medium.append(REASON_DS_ROLLOVER)
    elif change["ds_added"]:
        low.append(REASON_DS_ADDED)
    with_addresses = [name for name in set(old.ns) & set(new.ns) if old.glue.get(name)]
    if with_addresses and all(name in change["glue_changed"] for name in with_addresses):
        high.append(REASON_ALL_GLUE)
    elif change["glue_changed"]:
        medium.append(REASON_SOME_GLUE)
    if high:
        return Severity.HIGH, high + medium + low, change
    if medium:
        return Severity.MEDIUM, medium + low, change
    return Severity.LOW, low, change


def matching_plan(
    target: MonitoringTarget, new: DelegationState, at: datetime
) -> PlannedChange | None:
    """The planned change whose window holds ``at`` and whose expectations ``new`` meets."""
    plans = PlannedChange.objects.filter(
        target=target, window_start__lte=at, window_end__gte=at
    ).order_by("window_start")
    for plan in plans:
        ns_ok = not plan.expected_ns or _names(plan.expected_ns) == set(new.ns)
        ds_ok = not plan.expected_ds or {d.upper() for d in plan.expected_ds} == set(new.ds)
        if ns_ok and ds_ok:
            return plan
    return None


def _names(names: list[str]) -> set[str]:
    return {name.lower() if name.endswith(".") else f"{name.lower()}." for name in names}


def _state_of(snapshot: DelegationSnapshot) -> DelegationState:
    return DelegationState(list(snapshot.ns), dict(snapshot.glue), list(snapshot.ds))


def observe(
    target: MonitoringTarget, state: DelegationState, at: datetime | None = None
) -> DelegationChange | None:
    """Record the delegation seen now; return the change it reveals, if any."""
    at = at or timezone.now()
    digest = digest_of(state)
    latest = target.delegation_snapshots.order_by("-first_seen", "-id").first()
    if latest is not None and latest.digest == digest:
        DelegationSnapshot.objects.filter(pk=latest.pk).update(last_seen=at)
        return None
    known = known_domains(target)
    snapshot = DelegationSnapshot.objects.create(
        target=target,
        ns=state.ns,
        glue=state.glue,
        ds=state.ds,
        digest=digest,
        first_seen=at,
        last_seen=at,
    )
    if latest is None:
        return None
    return _record_change(target, latest, snapshot, known, at)


def _record_change(
    target: MonitoringTarget,
    old: DelegationSnapshot,
    new: DelegationSnapshot,
    known: set[str],
    at: datetime,
) -> DelegationChange:
    severity, reasons, change = judge(_state_of(old), _state_of(new), known)
    plan = matching_plan(target, _state_of(new), at)
    recorded = DelegationChange.objects.create(
        target=target,
        organisation_id=target.organisation_id,
        old=old,
        new=new,
        diff=change,
        severity=severity,
        reasons=reasons,
        detected_at=at,
        expected=plan is not None,
        planned_change=plan,
    )
    audit.record(None, audit.Action.CREATE, recorded, changes={"diff": change})
    return recorded


# ---- services used by the web and the API ----------------------------------------------------


@transaction.atomic
def plan_change(
    target: MonitoringTarget,
    actor: Any,
    *,
    window_start: datetime,
    window_end: datetime,
    expected_ns: list[str] | None = None,
    expected_ds: list[str] | None = None,
    note: str = "",
) -> PlannedChange:
    """Announce an expected delegation change of ``target`` (the caller checks permission)."""
    if not target.is_zone:
        raise InvalidInput("target", f"{target.name} is a name server host, not a zone")
    if window_end <= window_start:
        raise InvalidInput("window_end", "must be after the window start")
    if window_end - window_start > timedelta(days=31):
        raise InvalidInput("window_end", "a planned change window lasts at most 31 days")
    plan = PlannedChange.objects.create(
        target=target,
        organisation_id=target.organisation_id,
        window_start=window_start,
        window_end=window_end,
        expected_ns=sorted(_names(expected_ns or [])),
        expected_ds=[text.strip().upper() for text in expected_ds or [] if text.strip()],
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor, audit.Action.CREATE, plan)
    return plan


@transaction.atomic
def acknowledge_change(change: DelegationChange, actor: Any) -> DelegationChange:
    """Mark a delegation change as seen by ``actor``; resolves its open signal."""
    from dnscert.dnshealth.signals import resolve_change_signals

    if change.acknowledged_at is not None:
        return change
    change.acknowledged_by = actor
    change.acknowledged_at = timezone.now()
    change.save(update_fields=["acknowledged_by", "acknowledged_at"])
    audit.record(actor, audit.Action.STATE, change, changes={"acknowledged": [False, True]})
    resolve_change_signals(change)
    return change
