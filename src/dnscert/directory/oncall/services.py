"""Paging: who is on call now, page them (e-mail + webhook), escalate, acknowledge.

:func:`page` notifies the responders on call in the primary rotas (level 1). The job
``oncall.escalate`` (every minute) calls :func:`escalate_due`: a page nobody acknowledged
within the policy's minutes goes to the backup (level 2: the backup rota's on-call
responders and the named backup responders), then to every core staff member (level 3), and
expires after the policy's hours. When nobody is on call at all, staff are paged at once.
Acknowledgement comes by the link in the e-mail (:func:`acknowledge_page`), by a reply that
quotes the page token (:func:`find_page_token`), or on the page in the web UI or the API.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.choices import Role, Severity
from dnscert.core.exceptions import InvalidInput
from dnscert.core.visibility import is_core_staff
from dnscert.directory.oncall import notify
from dnscert.directory.oncall.choices import WAITING_STATES, AckVia, Level, PageStatus, RotaKind
from dnscert.directory.oncall.models import EscalationPolicy, Page, Rota, Shift

Action = audit.Action
TOKEN_PATTERN = re.compile(r"PAGE-([0-9a-f]{32})\b", re.IGNORECASE)
#: Links a page may carry: a path on the platform or an http(s) URL (never javascript: etc.).
SAFE_URL = re.compile(r"^(/(?!/)|https?://)[^\s<>\"']*$", re.IGNORECASE)


# --- who is on call --------------------------------------------------------------------------


def _on_call_shifts(at: datetime, rotas: QuerySet[Rota]) -> QuerySet[Shift]:
    return Shift.objects.filter(
        rota__in=rotas, start__lte=at, end__gt=at, responder__is_active=True
    ).select_related("responder", "rota")


def primary_rotas() -> QuerySet[Rota]:
    """The active primary rotas: those paged first."""
    return Rota.objects.filter(active=True, kind=RotaKind.PRIMARY).select_related("policy")


def _users(shifts: QuerySet[Shift]) -> list[Any]:
    people = {shift.responder.pk: shift.responder for shift in shifts}
    return sorted(people.values(), key=lambda user: user.get_username())


def on_call_now(at: datetime | None = None) -> list[Any]:
    """The active users on call at ``at`` (default now) in the active primary rotas."""
    return _users(_on_call_shifts(at or timezone.now(), primary_rotas()))


def on_call_in(rota: Rota, at: datetime | None = None) -> list[Any]:
    """The active users on call at ``at`` in one rota."""
    return _users(_on_call_shifts(at or timezone.now(), Rota.objects.filter(pk=rota.pk)))


def core_staff() -> list[Any]:
    """Every active core staff member (and superuser) with an e-mail address."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return list(users.filter(Q(role=Role.STAFF) | Q(is_superuser=True)).order_by("username"))


def policy_of(page: Page) -> EscalationPolicy:
    """The page's escalation policy (the defaults when no rota was involved)."""
    return page.rota.policy if page.rota is not None else EscalationPolicy(name="default")


# --- paging ----------------------------------------------------------------------------------


def _check_page_input(subject: str, severity: str, url: str) -> None:
    if not (subject or "").strip():
        raise InvalidInput("subject", "a page needs a subject")
    if severity not in Severity.values:
        raise InvalidInput("severity", f"must be one of {', '.join(Severity.values)}")
    if url and not SAFE_URL.match(url):
        raise InvalidInput("url", "must be a path on the platform (/...) or an http(s) URL")


def _paging_rota(at: datetime) -> tuple[Rota | None, list[Any]]:
    shifts = _on_call_shifts(at, primary_rotas()).order_by("rota__name", "start")
    first = shifts.first()
    rota = first.rota if first is not None else primary_rotas().first()
    return rota, _users(shifts)


@transaction.atomic
def page(
    *,
    subject: str,
    body: str,
    url: str,
    severity: str,
    about: Model | None = None,
    reference: str = "",
    now: datetime | None = None,
) -> Page:
    """Page whoever is on call now (e-mail and webhook) and start the escalation clock.

    With nobody on call, every core staff member is paged at once and the page records it.
    """
    _check_page_input(subject, severity, url or "")
    now = now or timezone.now()
    rota, responders = _paging_rota(now)
    new = Page.objects.create(
        subject=subject.strip()[:300],
        body=body,
        url=(url or "")[:500],
        severity=severity,
        reference=(reference or "")[:64],
        rota=rota,
        created_at=now,
        level_started_at=now,
        **_about_fields(about),
    )
    if not responders:
        new.level, new.status, new.nobody_on_call = Level.STAFF, PageStatus.ESCALATED_TO_STAFF, True
        new.save(update_fields=["level", "status", "nobody_on_call"])
        responders = core_staff()
    notify.send_level(new, responders, now=now)
    audit.record(None, Action.CREATE, new, changes=_page_changes(new, responders))
    return new


def _about_fields(about: Model | None) -> dict[str, Any]:
    if about is None or about.pk is None:
        return {}
    return {"about_type": ContentType.objects.get_for_model(about), "about_id": str(about.pk)}


def _page_changes(page: Page, recipients: list[Any]) -> dict[str, Any]:
    return {
        "level": page.level,
        "status": page.status,
        "severity": page.severity,
        "reference": page.reference,
        "nobody_on_call": page.nobody_on_call,
        "paged": [user.get_username() for user in recipients],
    }


# --- escalation ------------------------------------------------------------------------------


def backup_responders(page: Page, at: datetime) -> list[Any]:
    """Level 2 of the page's policy at ``at``: the backup rota's on-call and named backups."""
    policy = policy_of(page)
    if policy.pk is None:
        return []
    people = {user.pk: user for user in policy.backup_responders.filter(is_active=True)}
    if policy.backup_rota is not None and policy.backup_rota.active:
        people.update({user.pk: user for user in on_call_in(policy.backup_rota, at)})
    return sorted(people.values(), key=lambda user: user.get_username())


def _next_level(page: Page, at: datetime) -> tuple[int, list[Any]]:
    if page.level == Level.ON_CALL:
        backups = backup_responders(page, at)
        if backups:
            return Level.BACKUP, backups
    return Level.STAFF, core_staff()


def is_due(page: Page, at: datetime) -> bool:
    """True when the page's current level ran out of time at ``at``."""
    minutes = policy_of(page).minutes_for(page.level)
    return page.is_waiting and at >= page.level_started_at + timedelta(minutes=minutes)


@transaction.atomic
def escalate(page: Page, *, now: datetime | None = None) -> Page:
    """Move an unacknowledged page to the next level (or expire it after the staff level)."""
    now = now or timezone.now()
    page = (
        Page.objects.select_for_update(of=("self",)).select_related("rota__policy").get(pk=page.pk)
    )
    if not page.is_waiting:
        return page
    old = {"level": page.level, "status": page.status}
    if page.level == Level.STAFF:
        page.status = PageStatus.EXPIRED
        page.save(update_fields=["status"])
        audit.record(None, Action.STATE, page, changes=audit.changes_between(old, _state(page)))
        return page
    page.level, recipients = _next_level(page, now)
    if page.level == Level.STAFF:
        page.status = PageStatus.ESCALATED_TO_STAFF
    page.level_started_at = now
    page.save(update_fields=["level", "status", "level_started_at"])
    notify.send_level(page, recipients, now=now)
    changes = audit.changes_between(old, _state(page))
    changes["paged"] = [user.get_username() for user in recipients]
    audit.record(None, Action.STATE, page, changes=changes)
    return page


def _state(page: Page) -> dict[str, Any]:
    return {"level": page.level, "status": page.status}


def escalate_due(now: datetime | None = None) -> list[Page]:
    """Escalate every waiting page whose level ran out of time; return those moved."""
    now = now or timezone.now()
    moved = []
    waiting = Page.objects.filter(status__in=WAITING_STATES).select_related("rota__policy")
    for candidate in waiting.order_by("created_at"):
        if is_due(candidate, now):
            moved.append(escalate(candidate, now=now))
    return moved


# --- acknowledgement -------------------------------------------------------------------------


@transaction.atomic
def acknowledge_page(
    page: Page, *, by: Any | None = None, via: str = AckVia.LINK, now: datetime | None = None
) -> Page:
    """Acknowledge ``page`` (stops its escalation); acknowledging again changes nothing."""
    if via not in AckVia.values:
        raise InvalidInput("via", f"must be one of {', '.join(AckVia.values)}")
    locked = Page.objects.select_for_update().get(pk=page.pk)
    if locked.acknowledged_at is not None:
        return locked
    user = by if by is not None and getattr(by, "is_authenticated", False) else None
    old = _state(locked)
    locked.status = PageStatus.ACKNOWLEDGED
    locked.acknowledged_at = now or timezone.now()
    locked.acknowledged_by = user
    locked.acknowledged_via = via
    locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledged_via"])
    changes = audit.changes_between(old, _state(locked))
    changes["via"] = via
    audit.record(user, Action.STATE, locked, changes=changes)
    return locked


def page_by_token(token: str) -> Page | None:
    """The page whose token is ``token`` (32 hex digits, with or without ``PAGE-``)."""
    match = TOKEN_PATTERN.search(token if token.upper().startswith("PAGE-") else f"PAGE-{token}")
    if match is None:
        return None
    return Page.objects.filter(token=match.group(1).lower()).first()


def find_page_token(text: str) -> Page | None:
    """The first page whose token (``PAGE-<32 hex digits>``) appears in ``text``."""
    for match in TOKEN_PATTERN.finditer(text or ""):
        found = Page.objects.filter(token=match.group(1).lower()).first()
        if found is not None:
            return found
    return None


def acknowledge_reply(text: str, *, sender: str = "") -> Page | None:
    """Acknowledge the page a reply quotes (by a user with the sender's address if known)."""
    found = find_page_token(text)
    if found is None:
        return None
    user = (
        get_user_model().objects.filter(email__iexact=sender.strip(), is_active=True).first()
        if sender
        else None
    )
    return acknowledge_page(found, by=user, via=AckVia.REPLY)


def notified_users(page: Page) -> QuerySet[Any]:
    """Users a page was sent to."""
    ids = page.notifications.exclude(user=None).values("user_id")
    return get_user_model().objects.filter(pk__in=ids)


def may_see_page(user: Any, page: Page) -> bool:
    """Staff see every page; a responder the pages sent to them."""
    if is_core_staff(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False) and page.notifications.filter(user=user).exists()
    )


def visible_pages(user: Any) -> QuerySet[Page]:
    """Pages ``user`` may see: every page for staff, those sent to them for responders."""
    pages = Page.objects.select_related("rota", "acknowledged_by")
    if is_core_staff(user):
        return pages
    if not getattr(user, "is_authenticated", False) or user.role != Role.RESPONDER:
        return pages.none()
    return pages.filter(notifications__user=user).distinct()
