"""State changes of the directory: one named, atomic, audited function per change.

Every function takes the acting user first. ``actor=None`` means the platform itself (a
management command or a job) and skips the permission check; views and endpoints always
pass the signed-in user. Input is normalised (zone names, phones, prefixes, ...) then
validated with ``full_clean``; problems raise ``ValidationError`` keyed by field name and
forbidden changes raise ``PermissionDenied``. An update that changes nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from dnscert.core.audit import Action, changes_between, record, snapshot
from dnscert.directory import validators
from dnscert.directory.access import (
    can_edit_contacts,
    can_edit_directory,
    can_edit_organisation,
    require,
)
from dnscert.directory.choices import ZoneKind
from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Product,
    Zone,
)

M = TypeVar("M", bound=models.Model)
Normalisers = dict[str, Callable[[Any], Any]]


def _strip(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _optional_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValidationError(_("expected a whole number."))
    try:
        return int(value)
    except (TypeError, ValueError):
        message = _("%(value)r is not a whole number.")
        raise ValidationError(message, params={"value": value}) from None


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _strip(value).lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ValidationError(_("%(value)r is not yes or no."), params={"value": value})


def _optional_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        message = _("%(value)r is not a date written YYYY-MM-DD.")
        raise ValidationError(message, params={"value": value}) from None


ORGANISATION_FIELDS: Normalisers = {
    "name": _strip,
    "short_name": lambda value: _strip(value).lower(),
    "kind": _strip,
    "country": validators.normalise_country,
    "languages": validators.normalise_languages,
    "time_zone": lambda value: _strip(value) or "UTC",
    "membership": _strip,
    "iana_id": _optional_int,
    "security_txt_url": _strip,
    "website": _strip,
    "notes": lambda value: value or "",
}
ZONE_FIELDS: Normalisers = {
    "name": validators.normalise_zone_name,
    "kind": _strip,
    "monitored": _flag,
}
NAMESERVER_FIELDS: Normalisers = {
    "hostname": validators.normalise_hostname,
    "addresses": validators.normalise_addresses,
}
PREFIX_FIELDS: Normalisers = {"prefix": validators.normalise_prefix}
ASN_FIELDS: Normalisers = {"asn": validators.normalise_asn}
PRODUCT_FIELDS: Normalisers = {"name": _strip, "kind": _strip, "cpe": _strip, "purl": _strip}
CONTACT_FIELDS: Normalisers = {
    "name": _strip,
    "is_role_mailbox": _flag,
    "role": _strip,
    "email": lambda value: _strip(value).lower(),
    "phone": validators.normalise_phone,
    "pgp_fingerprint": validators.normalise_fingerprint,
    "pgp_key": lambda value: _strip(value) and _strip(value) + "\n",
    "languages": validators.normalise_languages,
    "time_zone": lambda value: _strip(value) or "UTC",
    "is_24x7": _flag,
    "last_verified": _optional_date,
}


def infer_zone_kind(name: str) -> str:
    """The root for ``.``, a TLD for a single label, otherwise a zone."""
    if name == ".":
        return ZoneKind.ROOT
    return ZoneKind.TLD if name.count(".") == 1 else ZoneKind.ZONE


def normalise_each(
    fields: dict[str, Any], normalisers: Normalisers
) -> tuple[dict[str, Any], dict[str, list[ValidationError]]]:
    """Normalise every field; return the clean values and the problems of the others."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}
    for name, value in fields.items():
        if name not in normalisers:
            errors.setdefault(name, []).append(ValidationError(_("unknown field.")))
            continue
        try:
            clean[name] = normalisers[name](value)
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.error_list)
    return clean, errors


def normalise_fields(fields: dict[str, Any], normalisers: Normalisers) -> dict[str, Any]:
    """Normalise every field, collecting all problems into one ``ValidationError``."""
    clean, errors = normalise_each(fields, normalisers)
    if errors:
        raise ValidationError(errors)
    return clean


def assign(obj: M, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)


def _save_new(actor: Any, obj: M, via: str | None) -> M:
    obj.full_clean()
    obj.save()
    record(actor, Action.CREATE, obj, changes=snapshot(obj), via=via)
    return obj


def _save_changes(actor: Any, obj: M, fields: dict[str, Any], via: str | None) -> M:
    before = snapshot(obj)
    assign(obj, fields)
    changes = changes_between(before, snapshot(obj))
    if not changes:
        return obj
    obj.full_clean()
    obj.save()
    record(actor, Action.UPDATE, obj, changes=changes, via=via)
    return obj


def _delete(actor: Any, obj: models.Model, via: str | None) -> None:
    record(actor, Action.DELETE, obj, changes=snapshot(obj), via=via)
    try:
        obj.delete()
    except ProtectedError:
        raise ValidationError(
            _("%(object)s is still referenced (e.g. by user accounts) and cannot be deleted."),
            params={"object": str(obj)},
        ) from None


def _may_edit(actor: Any, organisation: Organisation) -> None:
    require(actor is None or can_edit_organisation(actor, organisation))


def _may_edit_contacts(actor: Any, organisation: Organisation) -> None:
    require(
        actor is None or can_edit_contacts(actor, organisation),
        _("You may only change the contacts of your own organisation."),
    )


# Organisations


@transaction.atomic
def create_organisation(actor: Any, *, via: str | None = None, **fields: Any) -> Organisation:
    """Add an organisation to the constituency (staff)."""
    require(actor is None or can_edit_directory(actor))
    organisation = Organisation(**normalise_fields(fields, ORGANISATION_FIELDS))
    return _save_new(actor, organisation, via)


@transaction.atomic
def update_organisation(
    actor: Any, organisation: Organisation, *, via: str | None = None, **fields: Any
) -> Organisation:
    """Change an organisation's details (staff)."""
    _may_edit(actor, organisation)
    return _save_changes(actor, organisation, normalise_fields(fields, ORGANISATION_FIELDS), via)


@transaction.atomic
def delete_organisation(actor: Any, organisation: Organisation, *, via: str | None = None) -> None:
    """Remove an organisation and everything it runs (staff)."""
    _may_edit(actor, organisation)
    _delete(actor, organisation, via)


@transaction.atomic
def set_organisation_clients(
    actor: Any,
    organisation: Organisation,
    clients: Iterable[Organisation],
    *,
    via: str | None = None,
) -> Organisation:
    """Replace the organisations that receive security services from ``organisation``."""
    _may_edit(actor, organisation)
    wanted = {client.pk: client for client in clients}
    if organisation.pk in wanted:
        raise ValidationError({"clients": [_("an organisation cannot be its own client.")]})
    before = sorted(organisation.clients.values_list("short_name", flat=True))
    after = sorted(client.short_name for client in wanted.values())
    if before != after:
        organisation.clients.set(wanted.values())
        record(actor, Action.UPDATE, organisation, changes={"clients": [before, after]}, via=via)
    return organisation


# What an organisation runs


@transaction.atomic
def create_zone(
    actor: Any, organisation: Organisation, *, via: str | None = None, **fields: Any
) -> Zone:
    """Register a zone (the root, a TLD or any zone) as run by ``organisation``."""
    _may_edit(actor, organisation)
    clean = normalise_fields(fields, ZONE_FIELDS)
    clean.setdefault("kind", infer_zone_kind(clean.get("name", "")))
    return _save_new(actor, Zone(organisation=organisation, **clean), via)


@transaction.atomic
def update_zone(actor: Any, zone: Zone, *, via: str | None = None, **fields: Any) -> Zone:
    """Change a zone's name, kind or monitoring flag."""
    _may_edit(actor, zone.organisation)
    return _save_changes(actor, zone, normalise_fields(fields, ZONE_FIELDS), via)


@transaction.atomic
def delete_zone(actor: Any, zone: Zone, *, via: str | None = None) -> None:
    """Remove a zone from the directory."""
    _may_edit(actor, zone.organisation)
    _delete(actor, zone, via)


@transaction.atomic
def create_nameserver(
    actor: Any, organisation: Organisation, *, via: str | None = None, **fields: Any
) -> NameserverHost:
    """Register a nameserver host (and its addresses) operated by ``organisation``."""
    _may_edit(actor, organisation)
    clean = normalise_fields(fields, NAMESERVER_FIELDS)
    return _save_new(actor, NameserverHost(organisation=organisation, **clean), via)


@transaction.atomic
def update_nameserver(
    actor: Any, nameserver: NameserverHost, *, via: str | None = None, **fields: Any
) -> NameserverHost:
    """Change a nameserver's host name or addresses."""
    _may_edit(actor, nameserver.organisation)
    return _save_changes(actor, nameserver, normalise_fields(fields, NAMESERVER_FIELDS), via)


@transaction.atomic
def delete_nameserver(actor: Any, nameserver: NameserverHost, *, via: str | None = None) -> None:
    """Remove a nameserver host."""
    _may_edit(actor, nameserver.organisation)
    _delete(actor, nameserver, via)


@transaction.atomic
def create_prefix(
    actor: Any, organisation: Organisation, *, via: str | None = None, **fields: Any
) -> NetworkPrefix:
    """Register an IP prefix used by ``organisation``."""
    _may_edit(actor, organisation)
    clean = normalise_fields(fields, PREFIX_FIELDS)
    return _save_new(actor, NetworkPrefix(organisation=organisation, **clean), via)


@transaction.atomic
def update_prefix(
    actor: Any, prefix: NetworkPrefix, *, via: str | None = None, **fields: Any
) -> NetworkPrefix:
    """Change an IP prefix."""
    _may_edit(actor, prefix.organisation)
    return _save_changes(actor, prefix, normalise_fields(fields, PREFIX_FIELDS), via)


@transaction.atomic
def delete_prefix(actor: Any, prefix: NetworkPrefix, *, via: str | None = None) -> None:
    """Remove an IP prefix."""
    _may_edit(actor, prefix.organisation)
    _delete(actor, prefix, via)


@transaction.atomic
def create_asn(
    actor: Any, organisation: Organisation, *, via: str | None = None, **fields: Any
) -> AutonomousSystem:
    """Register an autonomous system operated by ``organisation``."""
    _may_edit(actor, organisation)
    clean = normalise_fields(fields, ASN_FIELDS)
    return _save_new(actor, AutonomousSystem(organisation=organisation, **clean), via)


@transaction.atomic
def update_asn(
    actor: Any, autonomous_system: AutonomousSystem, *, via: str | None = None, **fields: Any
) -> AutonomousSystem:
    """Change an AS number."""
    _may_edit(actor, autonomous_system.organisation)
    return _save_changes(actor, autonomous_system, normalise_fields(fields, ASN_FIELDS), via)


@transaction.atomic
def delete_asn(actor: Any, autonomous_system: AutonomousSystem, *, via: str | None = None) -> None:
    """Remove an autonomous system."""
    _may_edit(actor, autonomous_system.organisation)
    _delete(actor, autonomous_system, via)


@transaction.atomic
def create_product(
    actor: Any, vendor: Organisation, *, via: str | None = None, **fields: Any
) -> Product:
    """Register a software product shipped by ``vendor``."""
    _may_edit(actor, vendor)
    clean = normalise_fields(fields, PRODUCT_FIELDS)
    return _save_new(actor, Product(vendor=vendor, **clean), via)


@transaction.atomic
def update_product(
    actor: Any, product: Product, *, via: str | None = None, **fields: Any
) -> Product:
    """Change a product's name, kind, CPE or purl."""
    _may_edit(actor, product.vendor)
    return _save_changes(actor, product, normalise_fields(fields, PRODUCT_FIELDS), via)


@transaction.atomic
def delete_product(actor: Any, product: Product, *, via: str | None = None) -> None:
    """Remove a product."""
    _may_edit(actor, product.vendor)
    _delete(actor, product, via)


# Contacts


def normalise_contact_fields(
    fields: dict[str, Any], current: Contact | None = None
) -> dict[str, Any]:
    """Normalise contact fields; a PGP key sets (and must match) the fingerprint."""
    clean = normalise_fields(fields, CONTACT_FIELDS)
    key = clean.get("pgp_key", current.pgp_key if current else "")
    if key and ("pgp_key" in clean or "pgp_fingerprint" in clean):
        expected = clean.get("pgp_fingerprint", "")
        try:
            clean["pgp_fingerprint"] = validators.inspect_public_key(key, expected).fingerprint
        except ValidationError as error:
            raise ValidationError({"pgp_key": error.error_list}) from None
    return clean


@transaction.atomic
def create_contact(
    actor: Any, organisation: Organisation, *, via: str | None = None, **fields: Any
) -> Contact:
    """Add a contact to ``organisation`` (staff, or a member of that organisation)."""
    _may_edit_contacts(actor, organisation)
    contact = Contact(organisation=organisation, **normalise_contact_fields(fields))
    return _save_new(actor, contact, via)


@transaction.atomic
def update_contact(
    actor: Any, contact: Contact, *, via: str | None = None, **fields: Any
) -> Contact:
    """Change a contact (staff, or a member of the contact's organisation)."""
    _may_edit_contacts(actor, contact.organisation)
    target = fields.pop("organisation", contact.organisation)
    _may_edit_contacts(actor, target)
    clean = normalise_contact_fields(fields, contact)
    clean["organisation"] = target
    return _save_changes(actor, contact, clean, via)


@transaction.atomic
def delete_contact(actor: Any, contact: Contact, *, via: str | None = None) -> None:
    """Remove a contact (staff, or a member of the contact's organisation)."""
    _may_edit_contacts(actor, contact.organisation)
    _delete(actor, contact, via)


def mark_contact_verified(
    actor: Any, contact: Contact, *, on: date | None = None, via: str | None = None
) -> Contact:
    """Record that ``contact`` was confirmed reachable and correct today (or ``on``)."""
    return update_contact(actor, contact, via=via, last_verified=on or timezone.localdate())
