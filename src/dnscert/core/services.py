"""Core state changes: shared documents, API tokens and MFA enrolment, each audited."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dnscert.core import audit
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import ApiToken, SharedDocument
from dnscert.core.visibility import is_core_staff

MAX_TOKEN_DAYS = 3650
BACKUP_CODE_COUNT = 10
SHARED_DOCUMENT_RELATIONS = ("recipient_organisations", "named_recipients", "assignees")


# --- Shared documents ------------------------------------------------------------------------


def _require_staff(actor: Any, what: str) -> None:
    if not is_core_staff(actor):
        raise PermissionDenied(f"Only core staff may {what}.")


def _document_state(document: SharedDocument) -> dict[str, Any]:
    state = audit.snapshot(document, ["title", "body", "tlp", "owner_organisation", "attachment"])
    for relation in SHARED_DOCUMENT_RELATIONS:
        state[relation] = sorted(getattr(document, relation).values_list("pk", flat=True))
    return state


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput("title", "a shared document needs a title")
    return title


@transaction.atomic
def create_shared_document(
    actor: Any,
    *,
    title: str,
    tlp: str,
    body: str = "",
    owner_organisation: Any = None,
    recipient_organisations: Iterable[Any] = (),
    named_recipients: Iterable[Any] = (),
    assignees: Iterable[Any] = (),
    attachment: UploadedFile | None = None,
) -> SharedDocument:
    """Share a document under ``tlp`` (core staff only); records a ``create`` audit event."""
    _require_staff(actor, "share documents")
    document = SharedDocument.objects.create(
        title=_clean_title(title),
        body=body,
        tlp=TLP.parse(tlp).value,
        owner_organisation=owner_organisation,
        created_by=actor,
    )
    if attachment is not None:
        document.attachment.save(attachment.name or "attachment", attachment, save=True)
    document.recipient_organisations.set(recipient_organisations)
    document.named_recipients.set(named_recipients)
    document.assignees.set(assignees)
    audit.record(actor, audit.Action.CREATE, document, changes=_document_state(document))
    return document


@transaction.atomic
def update_shared_document(actor: Any, document: SharedDocument, **fields: Any) -> SharedDocument:
    """Change a shared document's fields and recipients; records the differences."""
    _require_staff(actor, "change shared documents")
    before = _document_state(document)
    for name, value in fields.items():
        if name in SHARED_DOCUMENT_RELATIONS:
            getattr(document, name).set(value)
        elif name == "title":
            document.title = _clean_title(value)
        elif name == "tlp":
            document.tlp = TLP.parse(value).value
        elif name in ("body", "owner_organisation"):
            setattr(document, name, value)
        else:
            raise InvalidInput(name, "is not a field of a shared document one may change")
    document.save()
    changes = audit.changes_between(before, _document_state(document))
    if changes:
        audit.record(actor, audit.Action.UPDATE, document, changes=changes)
    return document


# --- API tokens ------------------------------------------------------------------------------


def _clean_token_days(days: int | None) -> int | None:
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput("days", f"must be between 1 and {MAX_TOKEN_DAYS}, got {days}")
    return days


@transaction.atomic
def issue_api_token(
    actor: Any, user: Any, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns it with the raw value, which is shown only once."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("name", "an API token needs a name saying what uses it")
    days = _clean_token_days(days)
    expires = timezone.now() + timedelta(days=days) if days else None
    token, raw = ApiToken.issue(user, name[:100], expires=expires)
    changes = {"user": user.get_username(), "name": token.name, "expires": expires}
    audit.record(actor, audit.Action.CREATE, token, changes=changes)
    return token, raw


@transaction.atomic
def revoke_api_token(actor: Any, token: ApiToken) -> ApiToken:
    """Revoke ``token`` (its owner or core staff only); records a ``state`` audit event."""
    if token.user_id != getattr(actor, "pk", None):
        _require_staff(actor, "revoke other people's API tokens")
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit.record(actor, audit.Action.STATE, token, changes={"revoked": [False, True]})
    return token


# --- MFA enrolment ---------------------------------------------------------------------------


def has_confirmed_device(user: Any) -> bool:
    """True when ``user`` has a confirmed TOTP device (backup codes alone do not count)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user: Any) -> TOTPDevice:
    """The user's unconfirmed TOTP device awaiting its first code, created if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_totp_device(user: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with its first ``code``; returns fresh backup codes, None if wrong."""
    if device.user_id != user.pk or not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(user, audit.Action.UPDATE, user, changes={"mfa": "authenticator enrolled"})
    return regenerate_backup_codes(user)


@transaction.atomic
def regenerate_backup_codes(user: Any) -> list[str]:
    """Replace the user's static backup codes with new single-use ones and return them."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="backup codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record(user, audit.Action.UPDATE, user, changes={"mfa": "backup codes issued"})
    return codes
