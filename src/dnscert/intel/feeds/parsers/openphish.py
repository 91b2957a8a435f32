"""OpenPhish community feed: a plain list of phishing URLs, one per line."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dnscert.intel.feeds.indicators import put_url
from dnscert.intel.feeds.records import (
    Item,
    Lines,
    check_options,
    event_template,
    parse_records,
    read_settings,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import Event


@register("openphish")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """A ``phishing`` event per URL."""
    opts = check_options(options, (), "openphish")
    template = event_template(feed_name, opts)
    template["classification.type"] = opts.get("classification_type") or "phishing"
    return parse_records(
        lines, read_settings(feed_name, opts), lambda _n, text: build(text, template)
    )


def build(text: str, template: Event) -> Event:
    """The event of one URL line."""
    event = dict(template)
    event["raw"] = text
    put_url(event, text)
    return event
