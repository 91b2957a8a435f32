"""The webhook channel: the warning as JSON, POSTed and HMAC-signed by the delivery queue."""

from __future__ import annotations

from dnscert.advisories.warnings import content
from dnscert.advisories.warnings.channels.base import Channel, register
from dnscert.advisories.warnings.choices import ChannelKind
from dnscert.advisories.warnings.models import Subscription, Warning, WarningDelivery
from dnscert.core.exceptions import InvalidInput
from dnscert.delivery.services import queue_webhook

MIN_SECRET_CHARS = 16


@register
class WebhookChannel(Channel):
    """POST to the subscription's URL, signed with its secret (see ``delivery.webhooks``)."""

    kind = ChannelKind.WEBHOOK

    def validate(self, subscription: Subscription) -> None:
        if not subscription.webhook_url:
            raise InvalidInput("webhook_url", "the webhook channel needs a URL")
        if len(subscription.webhook_secret) < MIN_SECRET_CHARS:
            raise InvalidInput(
                "webhook_secret", f"give a shared secret of at least {MIN_SECRET_CHARS} characters"
            )

    def deliver(
        self, warning: Warning, subscription: Subscription | None, *, purpose: str
    ) -> list[WarningDelivery]:
        if subscription is None or not subscription.webhook_url:
            return []
        message = queue_webhook(
            url=subscription.webhook_url,
            payload=content.payload(warning, purpose),
            secret=subscription.webhook_secret,
            category=f"warnings.{purpose}",
            about=warning,
        )
        delivery = WarningDelivery.objects.create(
            warning=warning,
            subscription=subscription,
            channel=self.kind,
            recipient=subscription.webhook_url,
            purpose=purpose,
            message=message,
        )
        return [delivery]
