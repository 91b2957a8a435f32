"""E-mails of the pattern detectors: registry lists and concentration hand-overs.

Each e-mail goes to the organisation's 24x7 contacts (``directory.lookups.contacts_24x7``),
one per contact, in the contact's language, with the CSV attached, through
``dnscert.delivery.services.queue_email`` (signed, queued in the caller's transaction, sent
after commit and retried by the delivery app).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.audit import Action
from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.services import queue_email, render_email
from dnscert.directory.lookups import contacts_24x7
from dnscert.directory.models import Contact, Organisation
from dnscert.intel.patterns import campaigns
from dnscert.intel.patterns.choices import AlertStatus, CampaignStatus, ListStatus
from dnscert.intel.patterns.models import ConcentrationAlert, DgaCampaign, RegistryList

LIST_TEMPLATE = "intel_patterns/email/registry_list"
ALERT_TEMPLATE = "intel_patterns/email/concentration_alert"
CATEGORY_DGA = "intel.dga"
CATEGORY_CONCENTRATION = "intel.concentration"


def _contacts(organisation: Organisation | None, field: str) -> list[Contact]:
    if organisation is None:
        raise InvalidInput(field, "no organisation in the directory to send this to")
    contacts = list(contacts_24x7(organisation))
    if not contacts:
        raise InvalidInput(field, f"{organisation.name} has no 24x7 contact in the directory")
    return contacts


def _url(name: str, **kwargs: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"


@transaction.atomic
def send_list(registry_list: RegistryList, *, by: Any) -> int:
    """E-mail one list to its registry's 24x7 contacts; return how many e-mails were queued."""
    contacts = _contacts(registry_list.organisation, "organisation")
    campaign = registry_list.campaign
    attachment = (
        campaigns.csv_filename(registry_list),
        campaigns.list_csv_bytes(registry_list),
        "text/csv",
    )
    context = {
        "list": registry_list,
        "campaign": campaign,
        "organisation": registry_list.organisation,
        "ack_url": _url("intel_patterns:acknowledge", token=registry_list.token),
        "portal_url": _url("intel_patterns:list", pk=registry_list.pk),
        "site_name": settings.SITE_NAME,
    }
    for contact in contacts:
        _queue(contact, context, LIST_TEMPLATE, registry_list, [attachment], CATEGORY_DGA)
    registry_list.recipient_organisations.add(registry_list.organisation)  # type: ignore[arg-type]
    registry_list.sent_at = timezone.now()
    if registry_list.status != ListStatus.ACKNOWLEDGED:
        registry_list.status = ListStatus.SENT
    registry_list.save(update_fields=["sent_at", "status"])
    audit.record(by, Action.STATE, registry_list, changes={"sent_to": [c.email for c in contacts]})
    return len(contacts)


def _queue(
    contact: Contact,
    context: dict[str, Any],
    template: str,
    about: Any,
    attachments: list[tuple[str, bytes, str]],
    category: str,
) -> None:
    language = contact.preferred_language
    subject, body = render_email(template, {**context, "contact": contact}, language)
    queue_email(
        to=contact.email,
        subject=subject,
        body=body,
        category=category,
        tlp=about.tlp,
        language=language,
        about=about,
        attachments=attachments,
        headers={"X-DNSCERT-Ref": f"{about._meta.model_name}-{about.pk}"},
    )


@transaction.atomic
def send_campaign(campaign: DgaCampaign, *, by: Any) -> dict[str, Any]:
    """Send every unsent list that has a registry; lists whose registry has no 24x7 contact
    are skipped and named in the result."""
    if campaign.status not in (CampaignStatus.READY, CampaignStatus.SENT):
        raise InvalidInput("campaign", "the lists are not generated yet")
    sent, skipped = 0, []
    unsent = campaign.lists.filter(status=ListStatus.READY).select_related("organisation")
    for registry_list in unsent.order_by("tld"):
        try:
            sent += send_list(registry_list, by=by)
        except InvalidInput as error:
            skipped.append(f".{registry_list.tld}: {error.problem}")
    campaign.status = CampaignStatus.SENT
    campaign.sent_at = timezone.now()
    campaign.save(update_fields=["status", "sent_at"])
    audit.record(by, Action.STATE, campaign, changes={"emails": sent, "skipped": skipped})
    return {"emails": sent, "skipped": skipped}


@transaction.atomic
def hand_over(alert: ConcentrationAlert, *, by: Any) -> int:
    """Staff approved the alert: e-mail the domain list to the organisation's 24x7 contacts."""
    if alert.status != AlertStatus.OPEN:
        raise InvalidInput("status", f"the alert is {alert.get_status_display()}, not open")
    contacts = _contacts(alert.organisation, "organisation")
    day = alert.window_start.isoformat()
    attachment = (
        f"concentration_{alert.dimension}_{alert.key}_{day}.csv",
        alert.domains_csv.encode(),
        "text/csv",
    )
    context = {
        "alert": alert,
        "organisation": alert.organisation,
        "portal_url": _url("intel_patterns:alert", pk=alert.pk),
        "site_name": settings.SITE_NAME,
    }
    for contact in contacts:
        _queue(contact, context, ALERT_TEMPLATE, alert, [attachment], CATEGORY_CONCENTRATION)
    alert.recipient_organisations.add(alert.organisation)  # type: ignore[arg-type]
    alert.status = AlertStatus.HANDED_OVER
    alert.reviewed_by = by
    alert.reviewed_at = timezone.now()
    alert.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit.record(by, Action.STATE, alert, changes={"status": [AlertStatus.OPEN, alert.status]})
    return len(contacts)
