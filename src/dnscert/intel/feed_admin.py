"""Feed management: create and change feeds with validation, audited.

A feed names a registered parser and its options (checked by running the parser over empty
input, which validates options without reading anything), how data arrives (upload, URL,
directory, MISP, STIX) and how often the scheduler fetches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction

from dnscert.core.audit import Action, record
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.intel import conf
from dnscert.intel.choices import SourceKind
from dnscert.intel.feeds.registry import get as get_parser
from dnscert.intel.models import Feed

FEED_FIELDS = (
    "name",
    "description",
    "parser",
    "options",
    "source_kind",
    "url",
    "path",
    "schedule_minutes",
    "enabled",
    "provider",
)
FETCHED_KINDS = frozenset({SourceKind.URL, SourceKind.MISP, SourceKind.STIX})
SCHEDULED_KINDS = FETCHED_KINDS | {SourceKind.DIRECTORY}
DEFAULT_PARSERS = {SourceKind.MISP: "misp_feed", SourceKind.STIX: "stix"}


def check_feed(values: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidInput` naming the field when ``values`` do not make a usable feed."""
    parser = str(values.get("parser") or "")
    try:
        parse = get_parser(parser)
    except InvalidInput as exc:
        raise InvalidInput("parser", exc.problem) from None
    options = values.get("options") or {}
    if not isinstance(options, dict):
        raise InvalidInput("options", "must be a JSON object")
    list(parse([], feed_name=str(values.get("name") or "feed"), options=options))
    kind = values.get("source_kind", SourceKind.UPLOAD)
    if kind in FETCHED_KINDS and not values.get("url"):
        raise InvalidInput("url", "a URL is required for this source kind")
    if kind == SourceKind.DIRECTORY:
        _check_watch_path(str(values.get("path") or ""))
    if values.get("schedule_minutes") and kind not in SCHEDULED_KINDS:
        raise InvalidInput("schedule_minutes", "only fetched or watched feeds run on a schedule")


def _check_watch_path(path: str) -> None:
    if not path:
        raise InvalidInput("path", "a directory is required for a directory watch")
    root = conf.watch_root()
    if not Path(path).resolve().is_relative_to(root):
        raise InvalidInput("path", f"watched directories must be inside {root}")


def create_feed(*, by: Any, **values: Any) -> Feed:
    """A new feed; audited."""
    _only_known(values)
    kind = values.get("source_kind", SourceKind.UPLOAD)
    values.setdefault("parser", DEFAULT_PARSERS.get(kind, ""))
    check_feed(values)
    if Feed.objects.filter(name=values.get("name")).exists():
        raise InvalidInput("name", f"a feed named {values.get('name')!r} exists already")
    with transaction.atomic():
        feed = Feed.objects.create(**values)
        record(by, Action.CREATE, feed, changes=_snapshot(feed), tlp=TLP.AMBER)
    return feed


def update_feed(feed: Feed, *, by: Any, **values: Any) -> Feed:
    """Change ``feed``; audited with the fields that changed."""
    _only_known(values)
    merged = {name: getattr(feed, name) for name in FEED_FIELDS} | values
    check_feed(merged)
    if Feed.objects.filter(name=merged["name"]).exclude(pk=feed.pk).exists():
        raise InvalidInput("name", f"a feed named {merged['name']!r} exists already")
    changes = {
        name: [getattr(feed, name), value]
        for name, value in values.items()
        if getattr(feed, name) != value
    }
    with transaction.atomic():
        for name, value in values.items():
            setattr(feed, name, value)
        feed.save()
        record(by, Action.UPDATE, feed, changes=changes, tlp=TLP.AMBER)
    return feed


def _only_known(values: Mapping[str, Any]) -> None:
    unknown = sorted(set(values) - set(FEED_FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], "not a feed field")


def _snapshot(feed: Feed) -> dict[str, Any]:
    return {name: getattr(feed, name) for name in FEED_FIELDS}
