"""Warnings: raise (with de-duplication, rate limit and review), deliver, review, acknowledge.

Every state change is one function here: atomic, audited, and delivering through the
channel plug-ins inside the caller's transaction (the delivery queue sends after commit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from dnscert.advisories.warnings import channels, content, matching, rules
from dnscert.advisories.warnings.choices import AckVia, WarningStatus, severity_rank
from dnscert.advisories.warnings.models import Warning, WarningDelivery
from dnscert.core import audit, references
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.models import Organisation

REFERENCE_PREFIX = "DNSCERT-W"


@dataclass(frozen=True)
class Draft:
    """What a rule wants to tell one organisation; :func:`raise_warning` makes it a Warning."""

    organisation: Organisation
    title: str
    body: str
    severity: str
    tlp: str
    dedupe_key: str
    tlds: Sequence[str] = field(default_factory=tuple)
    product_ids: Sequence[int] = field(default_factory=tuple)
    source: Model | None = None


def _check(draft: Draft) -> str:
    try:
        severity_rank(draft.severity)
    except ValueError as exc:
        raise InvalidInput("severity", str(exc)) from None
    try:
        label = TLP.parse(draft.tlp).value
    except ValueError as exc:
        raise InvalidInput("tlp", str(exc)) from None
    if not draft.title.strip():
        raise InvalidInput("title", "a warning needs a title")
    if not draft.dedupe_key.strip():
        raise InvalidInput("dedupe_key", "a warning needs a deduplication key")
    return label


def raise_warning(rule_name: str, draft: Draft, *, by: Any = None) -> Warning | None:
    """Turn ``draft`` into a warning under rule ``rule_name``; None when nothing is raised.

    Nothing is raised while the rule is disabled, or when the organisation got a warning with
    the same deduplication key within the rule's window (that one's ``repeats`` grows).
    A rule needing review holds the warning for staff; past the rate limit it is held too.
    """
    rule = rules.get_rule(rule_name)
    label = _check(draft)
    setting = rules.setting_of(rule_name)
    if not setting.enabled:
        return None
    with transaction.atomic():
        # One organisation at a time: two workers raising the same condition do not both send.
        list(Organisation.objects.select_for_update().filter(pk=draft.organisation.pk).values("pk"))
        if _suppress_duplicate(rule, draft):
            return None
        warning = _create(rule, draft, label, _initial_status(rule, setting, draft))
        audit.record(by, audit.Action.CREATE, warning)
        if warning.status == WarningStatus.SENT:
            deliver(warning)
    return warning


def _suppress_duplicate(rule: rules.Rule, draft: Draft) -> bool:
    since = timezone.now() - timedelta(hours=rule.dedupe_hours)
    updated = Warning.objects.filter(
        organisation=draft.organisation,
        dedupe_key=draft.dedupe_key,
        created_at__gte=since,
    ).update(repeats=F("repeats") + 1)
    return updated > 0


def _initial_status(rule: rules.Rule, setting: Any, draft: Draft) -> str:
    if setting.review_required:
        return WarningStatus.PENDING_REVIEW
    if _over_rate_limit(rule.name, draft.organisation, setting.rate_limit):
        return WarningStatus.RATE_LIMITED
    return WarningStatus.SENT


def _over_rate_limit(rule_name: str, organisation: Organisation, limit: int) -> bool:
    since = timezone.now() - timedelta(hours=1)
    sent = Warning.objects.filter(
        organisation=organisation, rule=rule_name, status=WarningStatus.SENT, sent_at__gte=since
    ).count()
    return sent >= limit


def _create(rule: rules.Rule, draft: Draft, label: str, status: str) -> Warning:
    values: dict[str, Any] = {
        "rule": rule.name,
        "kind": rule.kind,
        "severity": draft.severity,
        "tlp": label,
        "organisation": draft.organisation,
        "owner_organisation": None,
        "title": draft.title.strip()[:300],
        "body": draft.body,
        "tlds": sorted({tld.lower().strip(".")[:63] for tld in draft.tlds if tld}),
        "product_ids": sorted(set(draft.product_ids)),
        "dedupe_key": draft.dedupe_key[:200],
        "status": status,
        **_source_fields(draft.source),
    }
    warning = _create_with_reference(values)
    warning.recipient_organisations.add(draft.organisation)
    return warning


def _source_fields(source: Model | None) -> dict[str, Any]:
    if source is None or source.pk is None:
        return {"source_type": None, "source_id": ""}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": str(source.pk)}


def _create_with_reference(values: Mapping[str, Any]) -> Warning:
    """Create the warning under the next ``DNSCERT-W-YYYY-NNNNNN``."""
    return Warning.objects.create(
        reference=references.allocate(REFERENCE_PREFIX, width=6), **values
    )


# --- delivery -------------------------------------------------------------------------------


def deliver(warning: Warning, *, purpose: str = content.PURPOSE_WARNING) -> list[WarningDelivery]:
    """Hand ``warning`` to every matching subscription's channels (the default without any)."""
    deliveries: list[WarningDelivery] = []
    for subscription in matching.for_warning(warning):
        for kind in subscription.channels:
            deliveries += channels.get(kind).deliver(warning, subscription, purpose=purpose)
    if not matching.has_own_subscription(warning) and _default_delivery(warning):
        for channel in channels.REGISTRY.values():
            if channel.default:
                deliveries += channel.deliver(warning, None, purpose=purpose)
    if purpose == content.PURPOSE_WARNING:
        Warning.objects.filter(pk=warning.pk).update(sent_at=timezone.now())
        warning.refresh_from_db(fields=["sent_at"])
    return deliveries


def _default_delivery(warning: Warning) -> bool:
    return warning.rule not in rules.RULES or rules.RULES[warning.rule].default_delivery


def approve(warning: Warning, *, by: Any, note: str = "") -> Warning:
    """Staff release a held warning (review queue or rate limit): it is delivered now."""
    return _review(warning, WarningStatus.SENT, by=by, note=note)


def reject(warning: Warning, *, by: Any, note: str = "") -> Warning:
    """Staff decide a held warning is not to be sent."""
    return _review(warning, WarningStatus.REJECTED, by=by, note=note)


HELD = (WarningStatus.PENDING_REVIEW, WarningStatus.RATE_LIMITED)


def _review(warning: Warning, status: str, *, by: Any, note: str) -> Warning:
    with transaction.atomic():
        locked = Warning.objects.select_for_update().get(pk=warning.pk)
        if locked.status not in HELD:
            raise InvalidInput(
                "status", f"{locked.reference} is {locked.status}, not waiting for review"
            )
        before = locked.status
        locked.status = status
        locked.reviewed_by = by
        locked.reviewed_at = timezone.now()
        locked.review_note = note.strip()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit.record(by, audit.Action.STATE, locked, changes={"status": [before, status]})
        if status == WarningStatus.SENT:
            deliver(locked)
    return locked


def acknowledge(warning: Warning, *, by: Any = None, via: str = AckVia.LINK) -> Warning:
    """Record that the organisation got the warning (the first acknowledgement counts)."""
    if via not in AckVia.values:
        raise InvalidInput("via", f"unknown acknowledgement channel {via!r}")
    with transaction.atomic():
        locked = Warning.objects.select_for_update().get(pk=warning.pk)
        if locked.acknowledged_at is not None:
            return locked
        if locked.status != WarningStatus.SENT:
            raise InvalidInput("status", f"{locked.reference} was not sent; nothing to acknowledge")
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = by if getattr(by, "is_authenticated", False) else None
        locked.acknowledged_via = via
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_via"])
        audit.record(by, audit.Action.STATE, locked, changes={"acknowledged": [False, True]})
    return locked


def by_ack_token(token: str) -> Warning | None:
    """The warning whose acknowledgement link carries ``token`` (None for unknown tokens)."""
    if not token or len(token) > 64:
        return None
    return Warning.objects.select_related("organisation").filter(ack_token=token).first()
