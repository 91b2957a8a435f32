"""The e-mail channel: multipart text + HTML, PGP/MIME-signed, encrypted when the recipient's
directory contact has a PGP key, TLP label in the subject (all through ``delivery``).

Recipients: the subscription's address, else the organisation's 24x7 contacts (or the
user's own address for a personal subscription); with no subscription at all, the 24x7
contacts in each contact's own language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from dnscert.advisories.warnings import content
from dnscert.advisories.warnings.channels.base import Channel, register
from dnscert.advisories.warnings.choices import ChannelKind
from dnscert.advisories.warnings.models import Subscription, Warning, WarningDelivery
from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.services import queue_email
from dnscert.directory.lookups import contacts_24x7
from dnscert.directory.models import Contact, Organisation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Addressee:
    """One e-mail recipient: address, language and PGP key (empty: sign only)."""

    address: str
    language: str
    key: str = ""


def _key_for(address: str) -> str:
    contact = Contact.objects.filter(email__iexact=address).exclude(pgp_key="").first()
    return contact.pgp_key if contact else ""


def _contacts(organisation: Organisation, language: str | None) -> list[Addressee]:
    return [
        Addressee(contact.email, language or contact.preferred_language, contact.pgp_key)
        for contact in contacts_24x7(organisation)
    ]


def addressees(warning: Warning, subscription: Subscription | None) -> list[Addressee]:
    """Who gets the e-mail for ``subscription`` (None: the organisation's default)."""
    if subscription is None:
        return _contacts(warning.organisation, None)
    if subscription.email:
        address = subscription.email
        return [Addressee(address, subscription.language, _key_for(address))]
    if subscription.user is not None:
        address = subscription.user.email
        return [Addressee(address, subscription.language, _key_for(address))] if address else []
    assert subscription.organisation is not None
    return _contacts(subscription.organisation, subscription.language)


def _queue(warning: Warning, addressee: Addressee, purpose: str) -> tuple[OutboundMessage, bool]:
    subject, body = content.email_text(warning, addressee.language, purpose)
    fields: dict[str, Any] = {
        "to": addressee.address,
        "subject": subject,
        "body": body,
        "html": content.email_html(warning, addressee.language, purpose),
        "category": f"warnings.{purpose}",
        "tlp": warning.tlp,
        "language": addressee.language,
        "about": warning,
        "headers": {"X-DNSCERT-Ref": warning.reference},
    }
    if addressee.key:
        try:
            return queue_email(**fields, encrypt=True, recipient_key=addressee.key), True
        except InvalidInput as exc:  # an unusable key must not stop the warning
            logger.warning("not encrypting %s to %s: %s", warning, addressee.address, exc)
    return queue_email(**fields), False


@register
class EmailChannel(Channel):
    """Signed (and where possible encrypted) e-mail through the delivery queue."""

    kind = ChannelKind.EMAIL
    default = True

    def deliver(
        self, warning: Warning, subscription: Subscription | None, *, purpose: str
    ) -> list[WarningDelivery]:
        deliveries = []
        for addressee in addressees(warning, subscription):
            message, encrypted = _queue(warning, addressee, purpose)
            deliveries.append(
                WarningDelivery.objects.create(
                    warning=warning,
                    subscription=subscription,
                    channel=self.kind,
                    recipient=addressee.address,
                    purpose=purpose,
                    message=message,
                    encrypted=encrypted,
                )
            )
        return deliveries
