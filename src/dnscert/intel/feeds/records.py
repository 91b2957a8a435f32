"""Shared plumbing for parsers: decoding lines, skipping comments, options and base events.

Parsers read ``Iterable[str | bytes]`` so a file can stream through them line by line with
flat memory. :func:`numbered_lines` turns that input into ``(line number, text)`` pairs and,
for lines that cannot even be read (bad encoding, binary data, absurd length), into
:class:`~dnscert.intel.schema.FailedRecord` objects, so nothing is ever dropped.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.schema import Event, FailedRecord, normalise_time, now

Lines = Iterable[str | bytes]
Item = Event | FailedRecord

DEFAULT_MAX_LINE_LENGTH = 65536
DEFAULT_MAX_DOCUMENT_CHARS = 256 * 1024 * 1024
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

COMMON_OPTIONS = frozenset(
    {
        "encoding",
        "max_line_length",
        "observed_at",
        "feed_provider",
        "feed_accuracy",
        "feed_url",
        "classification_type",
    }
)
"""Options every parser accepts, on top of its own."""


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """How to read the lines of one feed."""

    feed_name: str
    encoding: str = "utf-8"
    comment_prefixes: tuple[str, ...] = ("#",)
    max_line_length: int = DEFAULT_MAX_LINE_LENGTH


def check_options(
    options: Mapping[str, Any] | None, allowed: Iterable[str], parser: str
) -> dict[str, Any]:
    """A copy of ``options``; raise :class:`InvalidInput` if one is unknown to ``parser``."""
    given = dict(options or {})
    known = COMMON_OPTIONS | frozenset(allowed)
    unknown = sorted(set(given) - known)
    if unknown:
        raise InvalidInput(
            "options",
            f"parser {parser!r} does not know {', '.join(unknown)}; known: "
            f"{', '.join(sorted(known))}",
        )
    return given


def read_settings(
    feed_name: str, options: Mapping[str, Any], comment_prefixes: tuple[str, ...] = ("#",)
) -> ReadSettings:
    """The :class:`ReadSettings` a parser gets from its options."""
    if not feed_name:
        raise InvalidInput("feed_name", "a feed name is required")
    encoding = str(options.get("encoding", "utf-8"))
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput("encoding", f"unknown text encoding {encoding!r}") from None
    max_length = options.get("max_line_length", DEFAULT_MAX_LINE_LENGTH)
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
        raise InvalidInput("max_line_length", f"must be a positive integer, got {max_length!r}")
    return ReadSettings(feed_name, encoding, comment_prefixes, max_length)


def event_template(feed_name: str, options: Mapping[str, Any]) -> Event:
    """The fields every event of one parse run shares: feed name, observation time, ..."""
    template: Event = {"feed.name": feed_name}
    observed = options.get("observed_at")
    template["time.observation"] = normalise_time(observed, "observed_at") if observed else now()
    for option, field in (("feed_provider", "feed.provider"), ("feed_url", "feed.url")):
        if options.get(option) is not None:
            template[field] = str(options[option])
    if options.get("feed_accuracy") is not None:
        template["feed.accuracy"] = _accuracy(options["feed_accuracy"])
    return template


def _accuracy(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100:
        return float(value)
    raise InvalidInput("feed_accuracy", f"must be a number from 0 to 100, got {value!r}")


def decode(line: str | bytes, encoding: str) -> tuple[str, str | None]:
    """The text of a line and, if it cannot be decoded, the reason (text then escapes bytes)."""
    if isinstance(line, str):
        return line, None
    try:
        return line.decode(encoding), None
    except UnicodeDecodeError as exc:
        text = line.decode(encoding, "backslashreplace")
        bad = line[exc.start : exc.start + 1].hex()
        reason = (
            f"line is not valid {encoding}: byte 0x{bad} at position {exc.start}; "
            f"set the feed's 'encoding' option if it is not {encoding}"
        )
        return text, reason


def numbered_lines(
    lines: Lines, settings: ReadSettings
) -> Iterator[tuple[int, str] | FailedRecord]:
    """``(line number, text)`` for each record line; a :class:`FailedRecord` for unreadable ones.

    Blank lines and lines starting with a comment prefix are skipped: they are not records.
    """
    prefixes = settings.comment_prefixes
    for number, line in enumerate(lines, 1):
        text, problem = decode(line, settings.encoding)
        text = text.rstrip("\r\n")
        if number == 1:
            text = text.removeprefix("\ufeff")
        stripped = text.strip()
        if not stripped or (prefixes and stripped.startswith(prefixes)):
            continue
        problem = problem or _line_problem(text, settings.max_line_length)
        if problem:
            yield FailedRecord(settings.feed_name, number, text, problem)
        else:
            yield number, text


def _line_problem(text: str, max_length: int) -> str | None:
    if len(text) > max_length:
        return f"line is {len(text)} characters long, over the limit of {max_length}"
    match = _CONTROL_CHARS.search(text)
    if match:
        return (
            f"line contains control character 0x{ord(match.group()):02x} at position "
            f"{match.start()}: binary data, not a text record"
        )
    return None


def split_csv(text: str, delimiter: str = ",") -> list[str]:
    """The fields of one CSV line (quotes handled; fast path when there are none)."""
    if '"' not in text:
        return text.split(delimiter)
    if text[0] == '"' and text[-1] == '"':
        # Every field quoted (abuse.ch dumps): split on '","' unless quotes occur inside fields.
        fields = text[1:-1].split(f'"{delimiter}"')
        if not any('"' in field for field in fields):
            return fields
    return next(csv.reader((text,), delimiter=delimiter, skipinitialspace=False))


def read_document(
    lines: Lines, settings: ReadSettings, max_chars: int = DEFAULT_MAX_DOCUMENT_CHARS
) -> tuple[str, FailedRecord | None]:
    """The whole input as one text (for JSON documents) or the reason it cannot be read."""
    parts: list[str] = []
    size = 0
    for line in lines:
        text, problem = decode(line, settings.encoding)
        if problem:
            return "", FailedRecord(settings.feed_name, 1, text, f"document {problem[5:]}")
        parts.append(text)
        size += len(text)
        if size > max_chars:
            reason = f"document is over {max_chars} characters; raw keeps the first part only"
            return "", FailedRecord(settings.feed_name, 1, "".join(parts), reason)
    return "".join(parts).removeprefix("\ufeff"), None


def load_json(text: str, settings: ReadSettings) -> tuple[Any, FailedRecord | None]:
    """The decoded JSON document or a failed record naming where it is broken."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        reason = f"document is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        return None, FailedRecord(settings.feed_name, exc.lineno, text, reason)
    except RecursionError:
        return None, FailedRecord(settings.feed_name, 1, text, "document is nested too deeply")


def to_raw(item: Any) -> str:
    """A JSON record as compact text for the ``raw`` field."""
    return json.dumps(item, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def lower_or_none(value: Any) -> str | None:
    """A non-empty string, stripped and lower-cased; ``None`` for empty or non-strings."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text or None


def parse_records(
    lines: Lines, settings: ReadSettings, build: Callable[[int, str], Event | None]
) -> Iterator[Item]:
    """Run ``build`` on every record line; turn its :class:`InvalidInput` into a failed record.

    ``build`` returns the event, or ``None`` for a line that is not a record (a header).
    """
    feed = settings.feed_name
    for item in numbered_lines(lines, settings):
        if isinstance(item, FailedRecord):
            yield item
            continue
        number, text = item
        try:
            event = build(number, text)
        except InvalidInput as exc:
            yield FailedRecord(feed, number, text, str(exc))
            continue
        if event is not None:
            event["feed.line"] = number
            yield event
