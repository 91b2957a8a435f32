"""Generic CSV abuse feeds with configurable columns.

Options (besides the common ones in :data:`~dnscert.intel.feeds.records.COMMON_OPTIONS`):

``columns``
    Either a list mapping each column by position to an event field (``None`` or ``""``
    ignores a column), or, with ``header=True``, a dict mapping header names to fields.
    ``extra.<name>`` keeps a column in ``extra``.
``delimiter``
    One character, ``,`` by default (``\\t`` and ``;`` are common).
``comment_prefix``
    Lines starting with it are comments (``#`` by default; ``""`` for none).
``header``
    ``True`` if the first record line holds column names.
``classification_type``
    The type of every event of this feed (``undetermined`` by default).

A row with too few or too many fields, with a bad value, or with no indicator column filled
becomes a failed record naming the problem.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.indicators import has_indicator, set_field
from dnscert.intel.feeds.records import (
    Item,
    Lines,
    check_options,
    event_template,
    parse_records,
    read_settings,
    split_csv,
)
from dnscert.intel.feeds.registry import register
from dnscert.intel.schema import FIELDS, Event, InvalidValue

OPTIONS = ("columns", "delimiter", "comment_prefix", "header")


@register("csv")
def parse(
    lines: Lines, *, feed_name: str, options: Mapping[str, Any] | None = None
) -> Iterator[Item]:
    """Events from a CSV feed whose columns are described by the ``columns`` option."""
    opts = check_options(options, OPTIONS, "csv")
    prefix = str(opts.get("comment_prefix", "#"))
    settings = read_settings(feed_name, opts, (prefix,) if prefix else ())
    builder = RowBuilder(opts, event_template(feed_name, opts))
    return parse_records(lines, settings, builder.build)


class RowBuilder:
    """Turns CSV lines into events; learns the column order from the header when asked."""

    def __init__(self, opts: Mapping[str, Any], template: Event) -> None:
        self.delimiter = _delimiter(opts.get("delimiter", ","))
        self.mapping = _checked_mapping(opts.get("columns"), bool(opts.get("header", False)))
        self.fields: list[str | None] | None = None
        self.header_problem: str | None = None
        if isinstance(self.mapping, list) and not opts.get("header", False):
            self.fields = self.mapping
        self.template = template
        self.template["classification.type"] = str(
            opts.get("classification_type") or "undetermined"
        ).lower()

    def build(self, number: int, text: str) -> Event | None:
        """The event of one line, or ``None`` for the header line."""
        row = split_csv(text, self.delimiter)
        if self.header_problem:
            raise InvalidValue("row", f"cannot be read: {self.header_problem}")
        if self.fields is None:
            self._read_header(number, row)
            return None
        if len(row) != len(self.fields):
            raise InvalidValue(
                "row", f"has {len(row)} fields, expected {len(self.fields)} as configured"
            )
        event = dict(self.template)
        event["raw"] = text
        for field, value in zip(self.fields, row, strict=True):
            if field:
                set_field(event, field, value)
        if not has_indicator(event):
            raise InvalidValue("row", "no URL, DNS name, IP address or prefix in its columns")
        return event

    def _read_header(self, number: int, row: list[str]) -> None:
        try:
            self.fields = _header_fields(row, self.mapping)
        except InvalidValue as exc:
            self.header_problem = f"the header on line {number} is unusable ({exc.problem})"
            raise


def _delimiter(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 1:
        raise InvalidInput("delimiter", f"must be one character, got {value!r}")
    return value


def _checked_mapping(mapping: Any, header: bool) -> list[str | None] | dict[str, str | None]:
    if isinstance(mapping, Mapping):
        fields: Any = mapping.values()
    else:
        fields = mapping if isinstance(mapping, list | tuple) else ()
    unknown = [f for f in fields if f and f not in FIELDS and not str(f).startswith("extra.")]
    if unknown:
        raise InvalidInput("columns", f"not fields of the event schema: {unknown}")
    if isinstance(mapping, list | tuple) and mapping:
        return [str(field) if field else None for field in mapping]
    if header and isinstance(mapping, Mapping) and mapping:
        return {str(name): (str(field) if field else None) for name, field in mapping.items()}
    if header:
        raise InvalidInput("columns", "give a list of fields by position or a dict by header name")
    raise InvalidInput("columns", "without a header, give a list of fields by position")


def _header_fields(
    header: list[str], mapping: list[str | None] | dict[str, str | None]
) -> list[str | None]:
    names = [name.strip().lstrip("#").strip() for name in header]
    if isinstance(mapping, list):
        if len(mapping) != len(names):
            raise InvalidValue(
                "header", f"has {len(names)} columns, 'columns' lists {len(mapping)}"
            )
        return mapping
    missing = sorted(set(mapping) - set(names))
    if missing:
        raise InvalidValue("header", f"lacks the configured column(s) {', '.join(missing)}")
    return [mapping.get(name) for name in names]
