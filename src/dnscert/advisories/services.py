"""Every change to an advisory is a named function here: atomic, audited, validated.

The workflow is ``draft -> in_review -> published (-> withdrawn)`` (see
:mod:`dnscert.advisories.lifecycle`); publication needs an approver other than the author and
a CSAF 2.0 document that passes the mandatory tests. ``advisory_published`` is sent after the
transaction commits; advisories itself sends no e-mail. Callers check who may act; these
functions check what is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from dnscert.advisories import conf, lifecycle
from dnscert.advisories.choices import AdvisoryStatus
from dnscert.advisories.models import (
    REFERENCE_PREFIX,
    Advisory,
    AdvisoryRevision,
    AdvisoryTranslation,
    AffectedProduct,
)
from dnscert.advisories.signals import advisory_published, advisory_withdrawn
from dnscert.advisories.validation import (
    clean_affected,
    clean_audience_kinds,
    clean_audience_tlds,
    clean_credits,
    clean_cve_ids,
    clean_products,
    clean_references,
    clean_text,
    parse_category,
    parse_severity,
    parse_tlp,
)
from dnscert.core import audit, references
from dnscert.core.audit import Action
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.choices import ZoneKind
from dnscert.directory.models import Organisation, Product

#: Fields :func:`update_advisory` accepts.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "summary",
        "details",
        "recommendations",
        "severity",
        "tlp",
        "csaf_category",
        "cve_ids",
        "references",
        "credits",
        "audience_kinds",
        "audience_tlds",
        "audience_products",
        "named_organisations",
        "affected",
    }
)
#: The fields of a release compared to decide whether a publication is a new revision.
SNAPSHOT_FIELDS = (
    "title",
    "summary",
    "details",
    "recommendations",
    "severity",
    "tlp",
    "csaf_category",
    "cve_ids",
    "references",
    "credits",
)


# --- references ------------------------------------------------------------------------------


def allocate_reference(at: datetime | None = None) -> str:
    """The next free ``DNSCERT-SA-YYYY-NNNN``."""
    return references.allocate(REFERENCE_PREFIX, width=4, at=at)


# --- drafting --------------------------------------------------------------------------------


def _user_or_none(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _after_commit(callback: Any) -> None:
    transaction.on_commit(callback, robust=True)


def create_draft(
    *,
    title: str,
    summary: str,
    details: str = "",
    recommendations: str = "",
    severity: str,
    tlp: str,
    csaf_category: str,
    by: Any,
    cve_ids: Iterable[str] = (),
    references: Iterable[Mapping[str, str]] = (),
    credits: Iterable[Mapping[str, str]] = (),
    affected: Iterable[Mapping[str, Any]] = (),
    audience_kinds: Iterable[str] = (),
    audience_tlds: Iterable[str] = (),
    audience_products: Iterable[Any] = (),
    named_organisations: Iterable[Organisation] = (),
    language: str = "en",
) -> Advisory:
    """A new draft advisory with the next reference; every field is checked first."""
    fields = {
        "title": clean_text(title, "title", max_chars=200),
        "summary": clean_text(summary, "summary"),
        "details": clean_text(details, "details", required=False),
        "recommendations": clean_text(recommendations, "recommendations", required=False),
        "severity": parse_severity(severity),
        "tlp": parse_tlp(tlp),
        "csaf_category": parse_category(csaf_category),
        "cve_ids": clean_cve_ids(cve_ids),
        "references": clean_references(references),
        "credits": clean_credits(credits),
        "audience_kinds": clean_audience_kinds(audience_kinds),
        "audience_tlds": clean_audience_tlds(audience_tlds),
        "language": _clean_language(language),
    }
    rows = clean_affected(affected)
    products = clean_products(audience_products)
    named = list(named_organisations)
    with transaction.atomic():
        advisory = Advisory.objects.create(
            reference=allocate_reference(), author=_user_or_none(by), **fields
        )
        _replace_affected(advisory, rows)
        advisory.audience_products.set(products)
        advisory.recipient_organisations.set(named)
        refresh_audience(advisory)
        audit.record(by, Action.CREATE, advisory, changes=audit.json_safe(fields), tlp=advisory.tlp)
    return advisory


def _clean_language(value: Any) -> str:
    code = str(value or "").strip().lower()
    known = [code for code, _name in settings.LANGUAGES]
    if code not in known:
        raise InvalidInput(
            "language", f"unknown language {value!r}; expected one of {', '.join(known)}"
        )
    return code


def _replace_affected(advisory: Advisory, rows: list[dict[str, Any]]) -> None:
    advisory.affected.all().delete()
    AffectedProduct.objects.bulk_create(AffectedProduct(advisory=advisory, **row) for row in rows)


def _require_editable(advisory: Advisory) -> None:
    if advisory.status not in lifecycle.EDITABLE:
        raise InvalidInput(
            "status",
            f"a {advisory.status} advisory cannot be edited; start a new revision first",
        )


def update_advisory(advisory: Advisory, *, by: Any, **changes: Any) -> Advisory:
    """Change the texts, labels, audience or affected products of a draft or in-review advisory.

    The TLP label of an advisory that was published before cannot change: readers of the
    published release keep seeing it under that label.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "cannot be changed here")
    _require_editable(advisory)
    cleaners: dict[str, Callable[[Any], Any]] = {
        "title": lambda v: clean_text(v, "title", max_chars=200),
        "summary": lambda v: clean_text(v, "summary"),
        "details": lambda v: clean_text(v, "details", required=False),
        "recommendations": lambda v: clean_text(v, "recommendations", required=False),
        "severity": parse_severity,
        "tlp": parse_tlp,
        "csaf_category": parse_category,
        "cve_ids": clean_cve_ids,
        "references": clean_references,
        "credits": clean_credits,
        "audience_kinds": clean_audience_kinds,
        "audience_tlds": clean_audience_tlds,
    }
    fields = {name: cleaners[name](value) for name, value in changes.items() if name in cleaners}
    if "tlp" in fields and advisory.current_release and fields["tlp"] != advisory.tlp:
        raise InvalidInput(
            "tlp", "cannot change after publication; withdraw it and publish a new advisory"
        )
    rows = clean_affected(changes["affected"]) if "affected" in changes else None
    products = (
        clean_products(changes["audience_products"]) if "audience_products" in changes else None
    )
    diff: dict[str, Any] = {
        name: [getattr(advisory, name), value]
        for name, value in fields.items()
        if getattr(advisory, name) != value
    }
    with transaction.atomic():
        for name, value in fields.items():
            setattr(advisory, name, value)
        advisory.save()
        if rows is not None:
            _replace_affected(advisory, rows)
            diff["affected"] = len(rows)
        if products is not None:
            advisory.audience_products.set(products)
        if "named_organisations" in changes:
            advisory.recipient_organisations.set(list(changes["named_organisations"]))
        refresh_audience(advisory)
        audit.record(by, Action.UPDATE, advisory, changes=audit.json_safe(diff), tlp=advisory.tlp)
    return advisory


def set_translation(
    advisory: Advisory,
    *,
    language: str,
    title: str,
    summary: str,
    details: str = "",
    recommendations: str = "",
    by: Any,
) -> AdvisoryTranslation:
    """Add or replace the advisory's texts in ``language`` (not its original language)."""
    code = _clean_language(language)
    if code == advisory.language:
        raise InvalidInput("language", f"{code} is the advisory's original language")
    _require_editable(advisory)
    values = {
        "title": clean_text(title, "title", max_chars=200),
        "summary": clean_text(summary, "summary"),
        "details": clean_text(details, "details", required=False),
        "recommendations": clean_text(recommendations, "recommendations", required=False),
    }
    with transaction.atomic():
        translation, created = AdvisoryTranslation.objects.update_or_create(
            advisory=advisory, language=code, defaults=values
        )
        audit.record(
            by,
            Action.CREATE if created else Action.UPDATE,
            advisory,
            changes={"translation": code},
            tlp=advisory.tlp,
        )
    return translation


def delete_translation(advisory: Advisory, *, language: str, by: Any) -> None:
    """Remove the advisory's translation into ``language``."""
    _require_editable(advisory)
    with transaction.atomic():
        deleted, _rows = advisory.translations.filter(language=language).delete()
        if not deleted:
            raise InvalidInput("language", f"the advisory has no {language!r} translation")
        audit.record(
            by, Action.DELETE, advisory, changes={"translation": language}, tlp=advisory.tlp
        )


# --- audience --------------------------------------------------------------------------------


def audience_query(advisory: Advisory) -> Q:
    """Organisations matched by the audience kinds, TLDs and products (not the named ones)."""
    condition = Q(pk__in=[])
    if advisory.audience_kinds:
        condition |= Q(kind__in=advisory.audience_kinds)
    if advisory.audience_tlds:
        names = [f"{tld}." for tld in advisory.audience_tlds] + list(advisory.audience_tlds)
        condition |= Q(zones__kind=ZoneKind.TLD, zones__name__in=names)
    if advisory.pk and advisory.audience_products.exists():
        vendors = Product.objects.filter(advisories=advisory).values("vendor_id")
        condition |= Q(pk__in=vendors)
    return condition


def refresh_audience(advisory: Advisory) -> None:
    """Store the organisations the audience kinds, TLDs and products match right now."""
    matched = Organisation.objects.filter(audience_query(advisory)).distinct()
    advisory.audience_resolved.set(list(matched))


def audience_organisations(advisory: Advisory) -> QuerySet[Organisation]:
    """Every organisation the advisory is addressed to: named ones and the matched audience."""
    named = advisory.recipient_organisations.values("pk")
    return (
        Organisation.objects.filter(Q(pk__in=named) | audience_query(advisory))
        .distinct()
        .order_by("name")
    )


# --- the workflow ----------------------------------------------------------------------------


def _move(advisory: Advisory, new: str, *, by: Any, note: str = "") -> str:
    locked = Advisory.objects.select_for_update().get(pk=advisory.pk)
    old = locked.status
    if not lifecycle.allowed(old, new):
        raise InvalidInput("status", lifecycle.refusal(old, new))
    advisory.status = new
    changes: dict[str, Any] = {"status": [old, new]}
    if note:
        changes["note"] = note
    audit.record(by, Action.STATE, advisory, changes=changes, tlp=advisory.tlp)
    return old


def submit_for_review(advisory: Advisory, *, by: Any) -> Advisory:
    """Send a draft to review (the console shows whether its CSAF document validates)."""
    with transaction.atomic():
        _move(advisory, AdvisoryStatus.IN_REVIEW, by=by)
        advisory.save(update_fields=["status", "updated_at"])
    return advisory


def return_to_draft(advisory: Advisory, *, by: Any, note: str = "") -> Advisory:
    """Send an advisory in review back to its author for changes."""
    text = clean_text(note, "note", max_chars=2000, required=False)
    with transaction.atomic():
        _move(advisory, AdvisoryStatus.DRAFT, by=by, note=text)
        advisory.save(update_fields=["status", "updated_at"])
    return advisory


def start_revision(advisory: Advisory, *, by: Any) -> Advisory:
    """Open a published advisory for changes; readers keep the last published release."""
    with transaction.atomic():
        _move(advisory, AdvisoryStatus.DRAFT, by=by)
        advisory.save(update_fields=["status", "updated_at"])
    return advisory


def may_approve(advisory: Advisory, user: Any) -> bool:
    """True when ``user`` may approve: core staff, and not the author (unless allowed)."""
    if not getattr(user, "is_core_staff", False):
        return False
    own = bool(advisory.author_id and advisory.author_id == user.pk)
    return not own or conf.self_approval_allowed()


def snapshot(advisory: Advisory) -> dict[str, Any]:
    """What a release says: texts, labels, affected products and translations, as JSON."""
    data: dict[str, Any] = {name: getattr(advisory, name) for name in SNAPSHOT_FIELDS}
    data["language"] = advisory.language
    data["affected"] = [
        {
            "product_id": row.product_id,
            "vendor": row.vendor_name,
            "product_name": row.product_name,
            "versions": row.versions,
            "status": row.status,
            "statement": row.statement,
        }
        for row in advisory.affected.select_related("vendor", "product__vendor")
    ]
    data["translations"] = {
        t.language: {
            "title": t.title,
            "summary": t.summary,
            "details": t.details,
            "recommendations": t.recommendations,
        }
        for t in advisory.translations.all()
    }
    return data


def _changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return [name for name in new if old.get(name) != new.get(name)]


def pending_revision(
    advisory: Advisory, *, summary: str = "", at: datetime | None = None
) -> AdvisoryRevision | None:
    """The revision publishing now would add (unsaved), or None when nothing changed."""
    data = snapshot(advisory)
    last = advisory.revisions.order_by("-number").first()
    if last is None:
        text = summary or "Initial public release."
        return AdvisoryRevision(
            advisory=advisory, number=1, date=at or timezone.now(), summary=text, snapshot=data
        )
    changed = _changed_fields(last.snapshot, data)
    if not changed:
        return None
    text = summary or "Updated: " + ", ".join(changed) + "."
    return AdvisoryRevision(
        advisory=advisory,
        number=last.number + 1,
        date=at or timezone.now(),
        summary=text,
        snapshot=data,
    )


def publish(advisory: Advisory, *, by: Any, revision_summary: str = "") -> Advisory:
    """Publish an advisory in review, as a new revision when its content changed.

    The approver must be core staff other than the author (unless self-approval is allowed);
    the CSAF 2.0 document must pass the schema and mandatory tests, else publication is
    refused naming the failing rule. ``advisory_published`` is sent after commit.
    """
    if not may_approve(advisory, by):
        if getattr(by, "is_core_staff", False):
            raise InvalidInput("approver", "the author cannot approve their own advisory")
        raise InvalidInput("approver", "only core staff may approve an advisory")
    summary = clean_text(revision_summary, "revision_summary", max_chars=500, required=False)
    before = advisory.status
    try:
        return _publish(advisory, by=by, summary=summary)
    except InvalidInput:
        advisory.status = before
        raise


def _publish(advisory: Advisory, *, by: Any, summary: str) -> Advisory:
    from dnscert.advisories import csaf, provider

    with transaction.atomic():
        _move(advisory, AdvisoryStatus.PUBLISHED, by=by)
        now = timezone.now()
        revision = pending_revision(advisory, summary=summary, at=now)
        document = csaf.to_csaf(advisory, extra_revision=revision)
        problems = csaf.validation_problems(document)
        if problems:
            raise InvalidInput("csaf", "; ".join(problems))
        if revision is not None:
            revision.by = _user_or_none(by)
            revision.save()
            advisory.current_release = revision.number
        advisory.approver = _user_or_none(by)
        if advisory.published_at is None:
            advisory.published_at = now
        advisory.save()
        refresh_audience(advisory)
        provider.store_csaf_file(advisory)
        number = advisory.current_release
        if revision is not None:  # re-publishing unchanged content announces nothing new
            _after_commit(
                lambda: advisory_published.send(sender=Advisory, advisory=advisory, revision=number)
            )
    return advisory


def withdraw(advisory: Advisory, *, by: Any, reason: str) -> Advisory:
    """Withdraw a published advisory: a new revision says why; it stays readable, marked."""
    from dnscert.advisories import provider

    if not getattr(by, "is_core_staff", False):
        raise InvalidInput("by", "only core staff may withdraw an advisory")
    text = clean_text(reason, "reason", max_chars=2000)
    with transaction.atomic():
        _move(advisory, AdvisoryStatus.WITHDRAWN, by=by, note=text)
        now = timezone.now()
        last = advisory.revisions.order_by("-number").first()
        number = (last.number if last else 0) + 1
        AdvisoryRevision.objects.create(
            advisory=advisory,
            number=number,
            date=now,
            summary=f"Withdrawn: {text}"[:500],
            snapshot=snapshot(advisory) | {"withdrawn": text},
            by=_user_or_none(by),
        )
        advisory.current_release = number
        advisory.withdrawn_at = now
        advisory.withdrawal_reason = text
        advisory.save()
        provider.store_csaf_file(advisory)
        _after_commit(lambda: advisory_withdrawn.send(sender=Advisory, advisory=advisory, by=by))
    return advisory


def delete_draft(advisory: Advisory, *, by: Any) -> None:
    """Delete an advisory that was never released; released ones are withdrawn instead."""
    if advisory.current_release or advisory.status not in lifecycle.EDITABLE:
        raise InvalidInput("status", "a released advisory cannot be deleted; withdraw it instead")
    with transaction.atomic():
        audit.record(by, Action.DELETE, advisory, tlp=advisory.tlp)
        advisory.delete()
