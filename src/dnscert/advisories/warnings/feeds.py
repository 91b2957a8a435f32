"""The private Atom feed of a subscription: the warnings delivered to it, newest first.

Whoever holds the URL (it carries the subscription's unguessable token) reads the feed; an
unknown token or an inactive subscription answers 404. Only the warnings handed to this
subscription's Atom channel are listed, so TLP and audience were decided at delivery.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from dnscert.advisories.warnings import content
from dnscert.advisories.warnings.choices import ChannelKind
from dnscert.advisories.warnings.models import Subscription, Warning

FEED_ENTRIES = 100


def feed_warnings(subscription: Subscription) -> list[Warning]:
    """The newest warnings delivered to ``subscription``'s Atom channel."""
    rows = Warning.objects.filter(
        deliveries__subscription=subscription, deliveries__channel=ChannelKind.ATOM
    ).select_related("organisation")
    return list(rows.distinct().order_by("-created_at", "-id")[:FEED_ENTRIES])


def build_feed(subscription: Subscription) -> Atom1Feed:
    """The Atom document of ``subscription``."""
    link = content.absolute(reverse("warnings:feed", args=[subscription.feed_token]))
    feed = Atom1Feed(
        title=f"dnscert warnings: {subscription.name}",
        link=link,
        description="",
        feed_url=link,
        language=subscription.language,
    )
    for warning in feed_warnings(subscription):
        feed.add_item(
            title=f"[TLP:{warning.tlp}] {warning.reference} {warning.title}",
            link=content.portal_url(warning),
            description=warning.body,
            unique_id=f"urn:dnscert:warning:{warning.reference}",
            pubdate=warning.sent_at or warning.created_at,
            updateddate=warning.sent_at or warning.created_at,
            categories=[warning.kind, warning.severity, f"TLP:{warning.tlp}"],
        )
    return feed


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """Serve the feed of the subscription holding ``token``."""
    subscription = Subscription.objects.filter(feed_token=token, active=True).first()
    if subscription is None or len(token) > 64:
        raise Http404
    document = build_feed(subscription)
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    document.write(response, "utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
