"""Subscriptions: create, change and delete, with every choice checked and audited.

Members manage their organisation's subscriptions; core staff manage every one and their
own personal ones; responders their own personal ones.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet

from dnscert.advisories.warnings import channels
from dnscert.advisories.warnings.choices import ChannelKind, WarningKind, severity_rank
from dnscert.advisories.warnings.models import Subscription
from dnscert.core import audit
from dnscert.core.choices import Role
from dnscert.core.exceptions import InvalidInput
from dnscert.core.visibility import is_core_staff
from dnscert.directory.models import Organisation, Product
from dnscert.directory.validators import normalise_zone_name

FIELDS = (
    "name", "kinds", "tlds", "min_severity", "channels", "email", "webhook_url",
    "webhook_secret", "language", "active",
)  # fmt: skip
MAX_TLDS = 200


def manageable(user: Any) -> QuerySet[Subscription]:
    """The subscriptions ``user`` may see and change."""
    rows = Subscription.objects.select_related("organisation", "user").prefetch_related("products")
    if is_core_staff(user):
        return rows.all()
    condition = Q(user_id=user.pk)
    if getattr(user, "role", None) == Role.MEMBER and user.organisation_id:
        condition |= Q(organisation_id=user.organisation_id, user__isnull=True)
    return rows.filter(condition)


def _clean_kinds(value: Any) -> list[str]:
    kinds = _as_list("kinds", value)
    for kind in kinds:
        if kind not in WarningKind.values:
            known = ", ".join(WarningKind.values)
            raise InvalidInput("kinds", f"unknown kind {kind!r} (known: {known})")
    return sorted(set(kinds))


def _clean_tlds(value: Any) -> list[str]:
    tlds = _as_list("tlds", value)
    if len(tlds) > MAX_TLDS:
        raise InvalidInput("tlds", f"at most {MAX_TLDS} TLDs")
    cleaned = set()
    for tld in tlds:
        text = str(tld).strip().strip(".").lower()
        try:
            name = normalise_zone_name(text) if text and "." not in text else ""
        except ValidationError:
            name = ""
        if not name:
            raise InvalidInput("tlds", f"{tld!r} is not a TLD (one label, e.g. 'xa')")
        cleaned.add(name.strip("."))
    return sorted(cleaned)


def _clean_channels(value: Any) -> list[str]:
    kinds = _as_list("channels", value)
    if not kinds:
        raise InvalidInput("channels", "choose at least one channel")
    for kind in kinds:
        channels.get(kind)
    return sorted(set(kinds))


def _as_list(field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidInput(field, "give a list")
    return [str(item) for item in value]


def _clean_severity(value: Any) -> str:
    try:
        severity_rank(str(value))
    except ValueError as exc:
        raise InvalidInput("min_severity", str(exc)) from None
    return str(value)


def _clean_language(value: Any) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if value not in codes:
        raise InvalidInput("language", f"unknown language {value!r} (known: {', '.join(codes)})")
    return str(value)


def _clean_email(value: Any) -> str:
    text = str(value or "").strip()
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise InvalidInput("email", f"{text!r} is not a valid e-mail address") from None
    return text


def _clean_url(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("webhook_url", f"{text!r} is not an http(s) URL with a host")
    if parts.username or parts.password:
        raise InvalidInput("webhook_url", "credentials in the URL are refused; use the secret")
    if len(text) > 2000 or any(c in text for c in "\r\n\x00 "):
        raise InvalidInput("webhook_url", "not a usable URL (too long or with blanks)")
    return text


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "kinds": _clean_kinds,
    "tlds": _clean_tlds,
    "channels": _clean_channels,
    "min_severity": _clean_severity,
    "language": _clean_language,
    "email": _clean_email,
    "webhook_url": _clean_url,
    "name": lambda value: _clean_name(value),
    "webhook_secret": lambda value: str(value or "").strip()[:200],
    "active": bool,
}


def _clean_name(value: Any) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 100:
        raise InvalidInput("name", "give a name of 1 to 100 characters")
    return text


def _clean_products(products: Iterable[Any]) -> list[Product]:
    ids = []
    for item in products:
        pk = item.pk if isinstance(item, Product) else item
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            raise InvalidInput("products", f"{pk!r} is not a product id") from None
    found = list(Product.objects.filter(pk__in=ids))
    missing = set(ids) - {product.pk for product in found}
    if missing:
        raise InvalidInput("products", f"no product with id {sorted(missing)[0]}")
    return found


def _apply(subscription: Subscription, values: Mapping[str, Any]) -> list[Product] | None:
    for field, value in values.items():
        if field == "products":
            continue
        if field not in CLEANERS:
            raise InvalidInput(field, "not a subscription field")
        setattr(subscription, field, CLEANERS[field](value))
    if ChannelKind.WEBHOOK in subscription.channels and not subscription.webhook_secret:
        subscription.webhook_secret = secrets.token_urlsafe(24)
    for kind in subscription.channels:
        channels.get(kind).validate(subscription)
    if "products" in values:
        return _clean_products(values["products"] or [])
    return None


def _owner_for(by: Any, organisation: Organisation | None) -> dict[str, Any]:
    if getattr(by, "role", None) == Role.MEMBER:
        if by.organisation_id is None:
            raise InvalidInput("organisation", "you belong to no organisation")
        return {"organisation_id": by.organisation_id, "user": None}
    if organisation is not None:
        if not is_core_staff(by):
            raise InvalidInput("organisation", "only core staff manage other organisations")
        return {"organisation": organisation, "user": None}
    return {"organisation": None, "user": by}


def create_subscription(
    *, by: Any, organisation: Organisation | None = None, **values: Any
) -> Subscription:
    """A new subscription: a member's is for their organisation, a team member's personal
    unless staff name an organisation."""
    subscription = Subscription(created_by=by, **_owner_for(by, organisation))
    values = {"channels": ["email"], **values}
    if "name" not in values:
        raise InvalidInput("name", "give a name")
    products = _apply(subscription, values)
    with transaction.atomic():
        subscription.save()
        if products is not None:
            subscription.products.set(products)
        audit.record(by, audit.Action.CREATE, subscription, changes=_snapshot(subscription))
    return subscription


def update_subscription(subscription: Subscription, *, by: Any, **values: Any) -> Subscription:
    """Change the given fields of ``subscription``; audited."""
    before = _snapshot(subscription)
    products = _apply(subscription, values)
    with transaction.atomic():
        subscription.save()
        if products is not None:
            subscription.products.set(products)
        changes = audit.changes_between(before, _snapshot(subscription))
        audit.record(by, audit.Action.UPDATE, subscription, changes=changes)
    return subscription


def delete_subscription(subscription: Subscription, *, by: Any) -> None:
    """Delete ``subscription``; audited."""
    with transaction.atomic():
        audit.record(by, audit.Action.DELETE, subscription)
        subscription.delete()


def _snapshot(subscription: Subscription) -> dict[str, Any]:
    values = audit.snapshot(subscription, [f for f in FIELDS if f != "webhook_secret"])
    values["webhook_secret"] = "set" if subscription.webhook_secret else ""
    return values
