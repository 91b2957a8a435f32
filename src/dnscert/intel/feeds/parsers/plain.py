"""Plain-list feeds: one URL, DNS name, IP address or prefix per line.

The kind of each line is detected (``kind="auto"``, the default) or fixed by the ``kind``
option (``url``, ``fqdn``, ``ip``, ``network``). Hosts-file lines (``0.0.0.0 bad.example``)
and trailing ``# comments`` are understood. ``classification_type`` sets the type of every
event (``undetermined`` by default). ``comment_prefixes`` lists the comment markers
(``#`` and ``;`` by default).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.indicators import KINDS, put
from dnscert.intel.feeds.records import (
    Item,
    Lines,
    check_options,
    event_template,
    parse_records,
    read_settings,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import Event, InvalidValue

OPTIONS = ("kind", "comment_prefixes")
_SINK_ADDRESSES = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1"})
_TRAILING_COMMENT = re.compile(r"\s[#;].*$")


@register("plain")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from a list with one indicator per line."""
    opts = check_options(options, OPTIONS, "plain")
    kind = str(opts.get("kind", "auto"))
    if kind != "auto" and kind not in KINDS:
        raise InvalidInput("kind", f"unknown kind {kind!r}; use auto or one of {', '.join(KINDS)}")
    prefixes = tuple(opts.get("comment_prefixes", ("#", ";")))
    settings = read_settings(feed_name, opts, prefixes)
    template = event_template(feed_name, opts)
    template["classification.type"] = str(opts.get("classification_type") or "undetermined")
    return parse_records(lines, settings, lambda _number, text: build(text, template, kind))


def build(text: str, template: Event, kind: str) -> Event:
    """The event of one list line."""
    event = dict(template)
    event["raw"] = text
    put(event, indicator_of(text), kind)
    return event


def indicator_of(text: str) -> str:
    """The indicator on a line, without a trailing comment or a hosts-file sink address."""
    tokens = _TRAILING_COMMENT.sub("", text).split()
    if len(tokens) == 2 and tokens[0] in _SINK_ADDRESSES:
        return tokens[1]
    if len(tokens) != 1:
        raise InvalidValue("line", f"expected one indicator, found {len(tokens)} words")
    return tokens[0]
