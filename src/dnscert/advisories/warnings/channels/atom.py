"""The Atom channel: the warning appears in the subscription's private feed.

The feed lives at ``/warnings/feed/<token>.atom`` (see ``feeds.py``); delivering only records
that the warning belongs in that feed.
"""

from __future__ import annotations

from django.urls import reverse

from dnscert.advisories.warnings import content
from dnscert.advisories.warnings.channels.base import Channel, register
from dnscert.advisories.warnings.choices import ChannelKind
from dnscert.advisories.warnings.models import Subscription, Warning, WarningDelivery


def feed_url(subscription: Subscription) -> str:
    """The private feed address of ``subscription`` (whoever holds it can read the feed)."""
    return content.absolute(reverse("warnings:feed", args=[subscription.feed_token]))


@register
class AtomChannel(Channel):
    """Publish in the subscription's private Atom feed (reminders are not repeated there)."""

    kind = ChannelKind.ATOM

    def deliver(
        self, warning: Warning, subscription: Subscription | None, *, purpose: str
    ) -> list[WarningDelivery]:
        if subscription is None or purpose != content.PURPOSE_WARNING:
            return []
        delivery = WarningDelivery.objects.create(
            warning=warning,
            subscription=subscription,
            channel=self.kind,
            recipient=feed_url(subscription),
            purpose=purpose,
        )
        return [delivery]
