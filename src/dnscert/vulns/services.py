"""State changes of a case: open it, score it, move it, add products, add, notify and remove
vendors, set their status, reporters and CVE ids.

Each function is atomic, takes the acting user, writes an audit row and leaves e-mails and
jobs to run after commit. Discussion lives in :mod:`dnscert.vulns.messaging`, the embargo and
publication in :mod:`dnscert.vulns.embargo`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from dnscert.core import audit, references
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.lookups import vendors_for_product
from dnscert.directory.models import Organisation, Product
from dnscert.vulns import scoring
from dnscert.vulns.choices import VENDOR_SETTABLE, CaseStatus, Credit, CveState, VendorStatus
from dnscert.vulns.models import (
    REFERENCE_PREFIX,
    Case,
    CaseParticipant,
    CaseProduct,
    CaseVendor,
    CveReservation,
)

#: Days a notified vendor has to answer before it is flagged as silent.
DEFAULT_ANSWER_DAYS = 14
MAX_TEXT = 20_000

#: Status changes staff may make by hand (the others follow from actions).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.NEW: (CaseStatus.TRIAGED, CaseStatus.CLOSED),
    CaseStatus.TRIAGED: (CaseStatus.VENDORS_NOTIFIED, CaseStatus.CLOSED),
    CaseStatus.VENDORS_NOTIFIED: (CaseStatus.EMBARGOED, CaseStatus.CLOSED),
    CaseStatus.EMBARGOED: (CaseStatus.VENDORS_NOTIFIED, CaseStatus.CLOSED),
    CaseStatus.PUBLISHED: (CaseStatus.CLOSED,),
    CaseStatus.CLOSED: (),
}

EDITABLE_FIELDS = (
    "title",
    "description",
    "affected_software",
    "affected_versions",
    "severity",
    "cwe",
    "cve_ids",
    "cvss3_vector",
    "cvss4_vector",
    "tlp",
)


def allocate_reference(at: datetime | None = None) -> str:
    """The next ``DNSCERT-VU-YYYY-NNNN``."""
    return references.allocate(REFERENCE_PREFIX, width=4, at=at)


def _text(field: str, value: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(field, "this field is required")
    if len(text) > limit:
        raise InvalidInput(field, f"at most {limit} characters")
    return text


def _clean_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise editable case fields; CVSS vectors come back scored."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(sorted(unknown)[0], "not an editable field of a case")
    cleaned = dict(values)
    if "title" in values:
        cleaned["title"] = _text("title", values["title"], required=True, limit=200)
    for name in ("description", "affected_software", "affected_versions"):
        if name in values:
            cleaned[name] = _text(
                name, values[name], limit=MAX_TEXT if name == "description" else 300
            )
    if "tlp" in values:
        try:
            cleaned["tlp"] = TLP.parse(values["tlp"]).value
        except ValueError as error:
            raise InvalidInput("tlp", str(error)) from None
    if "cwe" in values:
        cleaned["cwe"] = scoring.clean_cwe(values["cwe"])
    if "cve_ids" in values:
        cleaned["cve_ids"] = scoring.clean_cve_ids(values["cve_ids"] or [])
    cleaned.update(_scores(values))
    return cleaned


def _scores(values: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "cvss3_vector" in values:
        v3 = scoring.score_v3(values["cvss3_vector"])
        result["cvss3_vector"] = v3.vector if v3 else ""
        result["cvss3_score"] = v3.score if v3 else None
        if v3 and "severity" not in values:
            result["severity"] = v3.severity
    if "cvss4_vector" in values:
        v4 = scoring.score_v4(values["cvss4_vector"])
        result["cvss4_vector"] = v4.vector if v4 else ""
        result["cvss4_score"] = v4.score if v4 else None
        if v4 and "severity" not in values:
            result["severity"] = v4.severity
    return result


def create_case(*, by: Any, title: str, report: Any = None, **fields: Any) -> Case:
    """Open a case (status new) with validated fields; the reporter is added separately."""
    cleaned = _clean_fields({"title": title, **fields})
    with transaction.atomic():
        case = Case.objects.create(
            reference=allocate_reference(),
            created_by=by if getattr(by, "is_authenticated", False) else None,
            report=report,
            reported_at=report.received_at if report is not None else timezone.now(),
            **cleaned,
        )
        audit.record(by, audit.Action.CREATE, case, changes={"reference": case.reference})
    return case


def open_case(
    *,
    by: Any,
    title: str,
    products: list[dict[str, Any]] | None = None,
    embargo_at: datetime | None = None,
    **fields: Any,
) -> Case:
    """Open a case with its affected products and embargo in one step: all or nothing.

    The same steps as by hand (:func:`create_case`, :func:`add_product`,
    :func:`~dnscert.vulns.embargo.set_embargo`), so the audit trail is the same.
    """
    from dnscert.vulns import embargo

    with transaction.atomic():
        case = create_case(by=by, title=title, **fields)
        for item in products or []:
            add_product(case, by=by, **item)
        if embargo_at is not None:
            embargo.set_embargo(case, by=by, embargo_at=embargo_at)
    return case


def update_case(case: Case, *, by: Any, **fields: Any) -> Case:
    """Change editable fields (CVSS re-scored, CVE ids and CWE validated); audited."""
    cleaned = _clean_fields(fields)
    with transaction.atomic():
        before = audit.snapshot(case, list(cleaned))
        for name, value in cleaned.items():
            setattr(case, name, value)
        case.save()
        changes = audit.changes_between(before, audit.snapshot(case, list(cleaned)))
        if changes:
            audit.record(by, audit.Action.UPDATE, case, changes=changes)
    return case


def transition(case: Case, new_status: str, *, by: Any) -> Case:
    """Move ``case`` to ``new_status`` if :data:`TRANSITIONS` allows it."""
    if new_status not in TRANSITIONS.get(case.status, ()):
        raise InvalidInput("status", f"a case cannot go from {case.status} to {new_status}")
    if new_status == CaseStatus.EMBARGOED and case.embargo_at is None:
        raise InvalidInput("status", "set an embargo date before embargoing the case")
    return _set_status(case, new_status, by=by)


def _set_status(case: Case, new_status: str, *, by: Any) -> Case:
    old = case.status
    if old == new_status:
        return case
    case.status = new_status
    case.save(update_fields=["status", "updated_at"])
    audit.record(by, audit.Action.STATE, case, changes={"status": [old, new_status]})
    return case


def add_reporter(
    case: Case,
    *,
    by: Any,
    user: Any = None,
    email: str = "",
    name: str = "",
    credit: str = Credit.NAME,
    credit_text: str = "",
    language: str = "en",
) -> CaseParticipant:
    """Add a reporter by account or e-mail with their credit wish; an account can read the case."""
    if credit not in Credit.values:
        raise InvalidInput("credit", f"one of {', '.join(Credit.values)}")
    if credit == Credit.CUSTOM and not credit_text.strip():
        raise InvalidInput("credit_text", "give the text to credit")
    if user is None and not email.strip():
        raise InvalidInput("email", "a reporter needs an account or an e-mail address")
    with transaction.atomic():
        participant = CaseParticipant.objects.create(
            case=case,
            user=user,
            email=(email or getattr(user, "email", "") or "").strip(),
            name=_text("name", name, limit=200),
            credit=credit,
            credit_text=_text("credit_text", credit_text, limit=300),
            language=language,
        )
        if user is not None:
            case.named_recipients.add(user)
        audit.record(by, audit.Action.UPDATE, case, changes={"reporter_added": str(participant)})
    return participant


def set_credit(
    participant: CaseParticipant, *, by: Any, credit: str, credit_text: str = ""
) -> None:
    """Change how the reporter is credited."""
    if credit not in Credit.values:
        raise InvalidInput("credit", f"one of {', '.join(Credit.values)}")
    if credit == Credit.CUSTOM and not credit_text.strip():
        raise InvalidInput("credit_text", "give the text to credit")
    with transaction.atomic():
        participant.credit, participant.credit_text = credit, credit_text.strip()[:300]
        participant.save(update_fields=["credit", "credit_text"])
        audit.record(by, audit.Action.UPDATE, participant.case, changes={"credit": credit})


# --- products and vendors ---------------------------------------------------------------------


def add_product(
    case: Case, *, by: Any, name: str = "", product: Product | None = None, versions: str = ""
) -> tuple[CaseProduct, list[Organisation]]:
    """Add a product; return it with every vendor that ships it not yet on the case."""
    label = product.name if product is not None else _text("name", name, required=True, limit=200)
    with transaction.atomic():
        item, created = CaseProduct.objects.get_or_create(
            case=case,
            name=label,
            defaults={"product": product, "versions": _text("versions", versions, limit=300)},
        )
        if created:
            audit.record(by, audit.Action.UPDATE, case, changes={"product_added": label})
    return item, proposed_vendors(case, item)


def proposed_vendors(case: Case, item: CaseProduct) -> list[Organisation]:
    """Vendors of kind vendor shipping ``item`` (by directory product or name), not yet on it."""
    on_case = set(case.vendors.values_list("organisation_id", flat=True))
    if item.product_id is not None:
        candidates = list(Organisation.objects.filter(products__pk=item.product_id))
    else:
        candidates = vendors_for_product(item.name)
    return [
        org for org in candidates if org.kind == OrganisationKind.VENDOR and org.pk not in on_case
    ]


def add_vendor(
    case: Case, organisation: Organisation, *, by: Any, products: list[CaseProduct] | None = None
) -> CaseVendor:
    """Put a vendor organisation on the case (not contacted yet: it cannot see the case)."""
    if organisation.kind != OrganisationKind.VENDOR:
        raise InvalidInput("organisation", f"{organisation.name} is not a DNS software vendor")
    with transaction.atomic():
        vendor, created = CaseVendor.objects.get_or_create(case=case, organisation=organisation)
        shipped = products if products is not None else _products_of(case, organisation)
        if shipped:
            vendor.products.add(*shipped)
        if created:
            audit.record(by, audit.Action.UPDATE, case, changes={"vendor_added": organisation.name})
    return vendor


def _products_of(case: Case, organisation: Organisation) -> list[CaseProduct]:
    names = set(organisation.products.values_list("name", flat=True))
    ids = set(organisation.products.values_list("pk", flat=True))
    return [p for p in case.products.all() if p.name in names or p.product_id in ids]


def add_vendors_for_product(case: Case, item: CaseProduct, *, by: Any) -> list[CaseVendor]:
    """One click: add every proposed vendor of ``item``."""
    with transaction.atomic():
        return [
            add_vendor(case, org, by=by, products=[item]) for org in proposed_vendors(case, item)
        ]


def notify_vendor(
    vendor: CaseVendor,
    *,
    by: Any,
    answer_days: int = DEFAULT_ANSWER_DAYS,
    now: datetime | None = None,
) -> CaseVendor:
    """Tell the vendor about the case by signed e-mail; it now sees the case and has a deadline."""
    from dnscert.vulns import notifications

    if answer_days < 1 or answer_days > 365:
        raise InvalidInput("answer_days", "between 1 and 365 days")
    moment = now or timezone.now()
    case = vendor.case
    with transaction.atomic():
        if vendor.status == VendorStatus.NOT_CONTACTED:
            vendor.status = VendorStatus.NOTIFIED
            vendor.status_date = moment
        vendor.notified_at = vendor.notified_at or moment
        vendor.deadline = moment + timedelta(days=answer_days)
        vendor.save()
        case.recipient_organisations.add(vendor.organisation)
        if case.status in (CaseStatus.NEW, CaseStatus.TRIAGED):
            embargoed = case.embargo_at is not None and case.embargo_at > moment
            target = CaseStatus.EMBARGOED if embargoed else CaseStatus.VENDORS_NOTIFIED
            _set_status(case, target, by=by)
        notifications.notify_vendor(vendor)
        audit.record(
            by, audit.Action.STATE, case, changes={"vendor_notified": vendor.organisation.name}
        )
    return vendor


def notify_all_vendors(case: Case, *, by: Any) -> list[CaseVendor]:
    """Notify every vendor of the case not contacted yet (the web's one-click action)."""
    with transaction.atomic():
        waiting = list(
            case.vendors.filter(status=VendorStatus.NOT_CONTACTED)
            .select_related("organisation", "case")
            .order_by("organisation__name", "pk")
        )
        return [notify_vendor(vendor, by=by) for vendor in waiting]


def removal_refusal(vendor: CaseVendor) -> str | None:
    """Why ``vendor`` must stay on its case (its history), or None when it may be removed."""
    name = vendor.organisation.name
    if vendor.status != VendorStatus.NOT_CONTACTED or vendor.notified_at is not None:
        return f"{name} has been notified; its history stays on the case"
    written = vendor.case.messages.filter(author_organisation_id=vendor.organisation_id)
    if written.exists() or vendor.private_messages.exists():
        return f"{name} has messages on the case; its history stays on the case"
    return None


def remove_vendor(vendor: CaseVendor, *, by: Any) -> None:
    """Take a vendor added by mistake off the case, before it was told or wrote anything."""
    with transaction.atomic():
        locked = CaseVendor.objects.select_for_update().select_related("case", "organisation")
        row = locked.get(pk=vendor.pk)
        refusal = removal_refusal(row)
        if refusal is not None:
            raise InvalidInput("vendor", refusal)
        row.delete()
        audit.record(
            by, audit.Action.UPDATE, row.case, changes={"vendor_removed": row.organisation.name}
        )


def set_vendor_status(
    vendor: CaseVendor,
    *,
    by: Any,
    status: str,
    statement: str | None = None,
    now: datetime | None = None,
) -> CaseVendor:
    """Record a vendor's status (and statement); the first answer stamps response times."""
    allowed = VendorStatus.values if _is_staff(by) else VENDOR_SETTABLE
    if status not in allowed:
        raise InvalidInput("status", f"one of {', '.join(str(s) for s in allowed)}")
    moment = now or timezone.now()
    with transaction.atomic():
        old = vendor.status
        vendor.status, vendor.status_date = status, moment
        if statement is not None:
            vendor.statement = _text("statement", statement, limit=MAX_TEXT)
            if vendor.statement and vendor.first_statement_at is None:
                vendor.first_statement_at = moment
        if status not in (VendorStatus.NOT_CONTACTED, VendorStatus.NOTIFIED):
            vendor.acknowledged_at = vendor.acknowledged_at or moment
        vendor.save()
        audit.record(
            by,
            audit.Action.STATE,
            vendor.case,
            changes={f"vendor {vendor.organisation.name}": [old, status]},
        )
    return vendor


def _is_staff(user: Any) -> bool:
    from dnscert.vulns.scope import is_coordinator

    return is_coordinator(user)


# --- CVE --------------------------------------------------------------------------------------


def request_cve(case: Case, *, by: Any, note: str = "") -> CveReservation:
    """Record that a CVE id is wanted for the case (a CNA fills it in when reserved)."""
    with transaction.atomic():
        reservation = CveReservation.objects.create(
            case=case,
            note=_text("note", note, limit=300),
            requested_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record(by, audit.Action.UPDATE, case, changes={"cve": "requested"})
    return reservation


def record_cve_reserved(reservation: CveReservation, *, by: Any, cve_id: str) -> CveReservation:
    """The CNA reserved ``cve_id``: store it on the reservation and the case."""
    try:
        cleaned = scoring.clean_cve_ids([cve_id])
    except InvalidInput as error:
        raise InvalidInput("cve_id", error.problem) from None
    if len(cleaned) != 1:
        raise InvalidInput("cve_id", "give exactly one CVE id")
    if reservation.state != CveState.REQUESTED:
        raise InvalidInput("state", f"the reservation is already {reservation.state}")
    case = reservation.case
    with transaction.atomic():
        reservation.cve_id, reservation.state = cleaned[0], CveState.RESERVED
        reservation.reserved_at = timezone.now()
        reservation.save()
        if cleaned[0] not in case.cve_ids:
            case.cve_ids = [*case.cve_ids, cleaned[0]]
            case.save(update_fields=["cve_ids", "updated_at"])
        audit.record(by, audit.Action.UPDATE, case, changes={"cve_reserved": cleaned[0]})
    return reservation
