"""The one event schema of the feed pipeline, the failed-record shape and the value validators.

Every parser emits events as plain ``dict`` objects (fast to build, cheap to copy, easy to
serialise), keyed by the field names below. The names follow IntelMQ's harmonization
(``intelmq/etc/harmonization.conf``) wherever a field fits, so events can be exchanged with
the tools national CERTs run; the fields marked *enrichment* are ours, written by the experts.

=================================  ===============  ============================================
field                              type             meaning
=================================  ===============  ============================================
``time.source``                    DateTime         when the feed says the event happened (UTC)
``time.observation``               DateTime         when our pipeline read the record (UTC)
``feed.name``                      String           name of the feed as configured by us
``feed.provider``                  String           organisation that publishes the feed
``feed.accuracy``                  Accuracy         0-100: how much the feed is trusted
``feed.url``                       URL              where the feed is fetched from
``feed.line``                      Integer          *ours*: line (or record position) in the input
``classification.taxonomy``        LowercaseString  RSIT class, e.g. ``fraud``
``classification.type``            LowercaseString  RSIT type, e.g. ``phishing``
``classification.identifier``      LowercaseString  feed-specific label, e.g. ``openresolver``
``source.ip``                      IPAddress        address of the abusive or affected host
``source.network``                 IPNetwork        CIDR prefix of the abusive or affected host
``source.port``                    Integer          port of the source
``source.asn``                     Integer          autonomous system number of ``source.ip``
``source.as_name``                 String           name of that autonomous system
``source.fqdn``                    FQDN             DNS name, lower case, ASCII (A-label) form
``source.url``                     URL              URL of the abusive resource
``source.reverse_dns``             FQDN             PTR name of ``source.ip`` per the feed
``source.geolocation.cc``          UppercaseString  ISO 3166-1 alpha-2 country of ``source.ip``
``source.fqdn_unicode``            String           *enrichment*: Unicode (U-label) fqdn
``source.registered_domain``       FQDN             *enrichment*: registrable domain (PSL)
``source.domain_suffix``           FQDN             *enrichment*: public suffix (PSL)
``source.tld``                     String           *enrichment*: top-level domain (last label)
``destination.ip``                 IPAddress        address the source connected to (e.g. C2)
``destination.port``               Integer          port the source connected to
``destination.asn``                Integer          autonomous system of ``destination.ip``
``destination.as_name``            String           name of that autonomous system
``destination.network``            IPNetwork        CIDR prefix of the destination
``destination.reverse_dns``        FQDN             PTR name of ``destination.ip`` per the feed
``destination.fqdn``               FQDN             DNS name of the destination
``destination.url``                URL              URL of the destination
``destination.geolocation.cc``     UppercaseString  country of ``destination.ip``
``destination.fqdn_unicode``       String           *enrichment*, as for source
``destination.registered_domain``  FQDN             *enrichment*, as for source
``destination.domain_suffix``      FQDN             *enrichment*, as for source
``destination.tld``                String           *enrichment*, as for source
``protocol.transport``             LowercaseString  e.g. ``tcp``, ``udp``
``protocol.application``           LowercaseString  e.g. ``dns``, ``http``
``malware.name``                   LowercaseString  malware family, lower case, e.g. ``emotet``
``malware.hash.md5``               String           MD5 of a sample
``malware.hash.sha1``              String           SHA-1 of a sample or certificate
``malware.hash.sha256``            String           SHA-256 of a sample
``event_description.text``         String           free text from the feed
``event_description.url``          URL              link to the feed's page about the event
``misp.event_uuid``                LowercaseString  UUID of the MISP event
``misp.attribute_uuid``            LowercaseString  UUID of the MISP attribute
``extra``                          JSON             ``dict`` of feed fields with no home above
``raw``                            String           the original line or record, as text
=================================  ===============  ============================================

Differences from IntelMQ, on purpose: ``raw`` holds the original text itself (IntelMQ stores
it base64-encoded) because our records are text after decoding, and ``extra`` is a nested
``dict`` rather than a JSON string.

A record a parser cannot turn into an event is never dropped: it becomes a
:class:`FailedRecord` carrying the feed, the line number, the raw text and the reason.

The ``normalise_*`` helpers validate one value and return its canonical form, or raise
:class:`InvalidValue` naming the field and the problem. They are cached where inputs repeat
(timestamps, addresses) because feeds repeat them a lot.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dnscert.core.exceptions import InvalidInput

Event = dict[str, Any]
"""One normalised event: field name (see the table above) to value."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one event field is typed and what it means."""

    type: str
    meaning: str


def _spec(type_: str, meaning: str) -> FieldSpec:
    return FieldSpec(type_, meaning)


_SIDE_FIELDS: dict[str, FieldSpec] = {
    "ip": _spec("IPAddress", "IP address"),
    "network": _spec("IPNetwork", "CIDR prefix"),
    "port": _spec("Integer", "port number"),
    "asn": _spec("Integer", "autonomous system number"),
    "as_name": _spec("String", "autonomous system name"),
    "fqdn": _spec("FQDN", "DNS name in lower-case ASCII (A-label) form"),
    "url": _spec("URL", "URL"),
    "reverse_dns": _spec("FQDN", "PTR name of the address"),
    "geolocation.cc": _spec("UppercaseString", "ISO 3166-1 alpha-2 country code"),
    "fqdn_unicode": _spec("String", "Unicode (U-label) form of the DNS name"),
    "registered_domain": _spec("FQDN", "registrable domain from the Public Suffix List"),
    "domain_suffix": _spec("FQDN", "public suffix from the Public Suffix List"),
    "tld": _spec("String", "top-level domain (last label, A-label form)"),
}

FIELDS: dict[str, FieldSpec] = {
    "time.source": _spec("DateTime", "when the feed says the event happened (UTC)"),
    "time.observation": _spec("DateTime", "when the pipeline read the record (UTC)"),
    "feed.name": _spec("String", "name of the feed"),
    "feed.provider": _spec("String", "organisation that publishes the feed"),
    "feed.accuracy": _spec("Accuracy", "0-100: how much the feed is trusted"),
    "feed.url": _spec("URL", "where the feed is fetched from"),
    "feed.line": _spec("Integer", "line number, or record position, of the record in the input"),
    "classification.taxonomy": _spec("LowercaseString", "RSIT class"),
    "classification.type": _spec("LowercaseString", "RSIT type"),
    "classification.identifier": _spec("LowercaseString", "feed-specific label"),
    **{f"source.{name}": spec for name, spec in _SIDE_FIELDS.items()},
    **{f"destination.{name}": spec for name, spec in _SIDE_FIELDS.items()},
    "protocol.transport": _spec("LowercaseString", "transport protocol"),
    "protocol.application": _spec("LowercaseString", "application protocol"),
    "malware.name": _spec("LowercaseString", "malware family"),
    "malware.hash.md5": _spec("String", "MD5 of a sample"),
    "malware.hash.sha1": _spec("String", "SHA-1 of a sample or certificate"),
    "malware.hash.sha256": _spec("String", "SHA-256 of a sample"),
    "event_description.text": _spec("String", "free text from the feed"),
    "event_description.url": _spec("URL", "link to the feed's page about the event"),
    "misp.event_uuid": _spec("LowercaseString", "UUID of the MISP event"),
    "misp.attribute_uuid": _spec("LowercaseString", "UUID of the MISP attribute"),
    "extra": _spec("JSON", "feed fields with no harmonised home"),
    "raw": _spec("String", "the original line or record"),
}
"""Every field an event may carry, with its type and meaning."""

REQUIRED_FIELDS = ("feed.name", "time.observation", "raw", "classification.type")
"""Fields every parser sets on every event."""


@dataclass(frozen=True, slots=True)
class FailedRecord:
    """A record that could not become an event, kept with its raw text and the reason.

    ``line`` is the 1-based line number for line-oriented feeds; for JSON documents (MISP,
    STIX, PhishTank JSON, X-ARF) it is the 1-based position of the record in the document.
    A pipeline expert may also reject an event: ``stage`` then names the expert.
    """

    feed: str
    line: int
    raw: str
    reason: str
    stage: str = "parser"

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict, for storage or JSON output."""
        return {
            "feed": self.feed,
            "line": self.line,
            "raw": self.raw,
            "reason": self.reason,
            "stage": self.stage,
        }


class InvalidValue(InvalidInput):
    """A field value that fails validation; ``field`` and ``problem`` say which and why."""


def event_problems(event: Mapping[str, Any]) -> list[str]:
    """The ways ``event`` breaks the schema: unknown fields, missing required fields."""
    problems = [f"unknown field {name!r}" for name in event if name not in FIELDS]
    problems += [f"missing field {name!r}" for name in REQUIRED_FIELDS if not event.get(name)]
    extra = event.get("extra")
    if extra is not None and not isinstance(extra, dict):
        problems.append("field 'extra' is not a dict")
    return problems


# --- IP addresses and networks ----------------------------------------------------------------


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
CANONICAL_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
"""An IPv4 address already in canonical form (no leading zeros; use ``fullmatch``)."""


def normalise_ip(value: str, field: str = "source.ip") -> str:
    """The canonical text of an IPv4 or IPv6 address (IPv6 compressed, brackets removed)."""
    if CANONICAL_IPV4.fullmatch(value):
        return value
    return _normalise_ip(value, field)


@lru_cache(maxsize=65536)
def _normalise_ip(value: str, field: str) -> str:
    text = value.strip().strip("[]")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise InvalidValue(field, f"{_show(value)} is not an IP address") from None


_IPV4_SHAPE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
#: Hex digits, colons and dots, and perhaps a zone (``fe80::1%eth0``): what IPv6 text can be.
_IPV6_SHAPE = re.compile(r"^[0-9A-Fa-f:.]+(?:%[^%\s]+)?$")


def is_ip(value: str) -> bool:
    """True if ``value`` is an IPv4 or IPv6 address."""
    text = value.strip().strip("[]")
    if ":" in text:
        if not _IPV6_SHAPE.match(text):
            return False  # a URL or host:port, decided without an exception
    elif not _IPV4_SHAPE.match(text):
        return False  # the common case in feeds (a DNS name), decided without an exception
    try:
        normalise_ip(text)
    except InvalidValue:
        return False
    return True


@lru_cache(maxsize=16384)
def normalise_network(value: str, field: str = "source.network") -> str:
    """The canonical CIDR text of a prefix; host bits are cleared (``192.0.2.7/24`` is ok)."""
    text = value.strip()
    if "/" not in text:
        raise InvalidValue(field, f"{_show(value)} is not a CIDR prefix (no '/length')")
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        raise InvalidValue(field, f"{_show(value)} is not a CIDR prefix") from None


# --- DNS names and URLs -----------------------------------------------------------------------

_ASCII_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_FORBIDDEN_IN_NAME = re.compile(r"[\s/\\:@?#\[\]<>\"'`,;|*=]|[\x00-\x1f\x7f]")
MAX_NAME_LENGTH = 253
_COMMON_NAME = re.compile(
    r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
"""An ASCII name of two or more valid labels ending in a label that starts with a letter:
valid as it is (it cannot be an address, nor end in an all-numeric label)."""


@lru_cache(maxsize=65536)
def normalise_fqdn(value: str, field: str = "source.fqdn") -> str:
    """A DNS name in lower case without the final dot; Unicode labels pass to the IDN expert.

    Rejects empty labels, labels over 63 characters, names over 253 characters, single-label
    names, characters that cannot be in a host name and values that are IP addresses.
    """
    name = value.strip().rstrip(".").lower()
    if len(name) <= MAX_NAME_LENGTH and _COMMON_NAME.fullmatch(name):
        return name  # the usual case, checked by one regular expression
    if not name:
        raise InvalidValue(field, "empty DNS name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidValue(field, f"DNS name is {len(name)} characters, over {MAX_NAME_LENGTH}")
    if _FORBIDDEN_IN_NAME.search(name):
        raise InvalidValue(field, f"{_show(value)} contains characters not allowed in a name")
    if is_ip(name):
        raise InvalidValue(field, f"{_show(value)} is an IP address, not a DNS name")
    labels = name.split(".")
    if len(labels) < 2:
        raise InvalidValue(field, f"{_show(value)} has a single label; expected a domain name")
    for label in labels:
        _check_label(label, value, field)
    if labels[-1].isdigit():
        raise InvalidValue(field, f"{_show(value)} ends in an all-numeric label")
    return name


def _check_label(label: str, value: str, field: str) -> None:
    if not label:
        raise InvalidValue(field, f"{_show(value)} has an empty label")
    if len(label) > 63:
        raise InvalidValue(field, f"{_show(value)} has a label over 63 characters")
    if label.isascii() and not _ASCII_LABEL.match(label):
        raise InvalidValue(field, f"{_show(value)} has an invalid label {label!r}")


URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "ws", "wss"})
_DEFANGED_SCHEMES = {"hxxp": "http", "hxxps": "https", "fxp": "ftp"}
_DEFANGED_DOTS = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]", re.IGNORECASE)
MAX_URL_LENGTH = 8192


@dataclass(frozen=True, slots=True)
class ParsedURL:
    """A validated URL and its host, either a DNS name or an IP address."""

    url: str
    host: str
    host_is_ip: bool
    port: int | None


def normalise_url(value: str, field: str = "source.url") -> ParsedURL:
    """Validate a URL (defanged ``hxxp://`` and ``[.]`` are refanged) and split off its host.

    The scheme and host are lower-cased; path, query and fragment are kept byte for byte.
    """
    text = value.strip()
    if "[" in text or "(" in text or "{" in text:
        text = _DEFANGED_DOTS.sub(".", text)
    if len(text) > MAX_URL_LENGTH:
        raise InvalidValue(field, f"URL is {len(text)} characters, over {MAX_URL_LENGTH}")
    if not text.isprintable() or " " in text:
        raise InvalidValue(field, f"{_show(value)} contains spaces or control characters")
    simple = _SIMPLE_URL.match(text)
    if simple:
        return _simple_url(simple, value, field)
    parts = _split_url(text, value, field)
    host = _url_host(parts.hostname or "", value, field)
    port = _url_port(parts, value, field)
    scheme = _DEFANGED_SCHEMES.get(parts.scheme, parts.scheme)
    netloc = parts.netloc.rsplit("@", 1)
    netloc[-1] = netloc[-1].lower()
    url = urlunsplit((scheme, "@".join(netloc), parts.path, parts.query, parts.fragment))
    return ParsedURL(url, host[0], host[1], port)


_SIMPLE_URL = re.compile(
    r"^(?P<scheme>https?|ftp)://(?P<host>[A-Za-z0-9._-]+)(?::(?P<port>\d{1,5}))?(?P<rest>[/?#].*)?$"
)
"""Most feed URLs: lower-case scheme, plain host, optional port. Checked without urlsplit."""


def _simple_url(match: re.Match[str], value: str, field: str) -> ParsedURL:
    host, host_is_ip = _url_host(match["host"], value, field)
    port = int(match["port"]) if match["port"] else None
    if port is not None and port > 65535:
        raise InvalidValue(field, f"{_show(value)} has an invalid port")
    netloc = match["host"].lower() + (f":{match['port']}" if match["port"] else "")
    url = f"{match['scheme']}://{netloc}{match['rest'] or ''}"
    return ParsedURL(url, host, host_is_ip, port)


def _split_url(text: str, value: str, field: str) -> Any:
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise InvalidValue(field, f"{_show(value)} is not a URL: {exc}") from None
    scheme = parts.scheme.lower()
    if _DEFANGED_SCHEMES.get(scheme, scheme) not in URL_SCHEMES:
        raise InvalidValue(field, f"{_show(value)} has no supported scheme (http, https, ftp)")
    return parts._replace(scheme=scheme)


def _url_host(hostname: str, value: str, field: str) -> tuple[str, bool]:
    if not hostname:
        raise InvalidValue(field, f"{_show(value)} has no host")
    if is_ip(hostname):
        return normalise_ip(hostname, field), True
    try:
        return normalise_fqdn(hostname, field), False
    except InvalidValue as exc:
        raise InvalidValue(field, f"bad host in URL: {exc.problem}") from None


def _url_port(parts: Any, value: str, field: str) -> int | None:
    try:
        port: int | None = parts.port
    except ValueError:
        raise InvalidValue(field, f"{_show(value)} has an invalid port") from None
    return port


# --- numbers ----------------------------------------------------------------------------------


def normalise_port(value: str | int, field: str = "source.port") -> int:
    """A port number 0-65535."""
    number = _to_int(value, field)
    if not 0 <= number <= 65535:
        raise InvalidValue(field, f"port {number} is outside 0-65535")
    return number


def normalise_asn(value: str | int, field: str = "source.asn") -> int:
    """An AS number (``AS64500`` or ``64500``), 1 to 4294967295."""
    text = value.strip().upper().removeprefix("AS") if isinstance(value, str) else value
    number = _to_int(text, field)
    if not 0 < number < 2**32:
        raise InvalidValue(field, f"AS number {number} is outside 1-4294967295")
    return number


def _to_int(value: str | int, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise InvalidValue(field, f"{_show(value)} is not an integer")
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidValue(field, f"{_show(value)} is not an integer") from None


# --- timestamps -------------------------------------------------------------------------------

_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$")
_EARLIEST_YEAR = 1990
_LATEST_YEAR = 2100


def normalise_time(value: str | int | float | datetime | date, field: str = "time.source") -> str:
    """A timestamp as ISO 8601 in UTC, e.g. ``2024-05-01T08:30:00+00:00``.

    Accepts ISO 8601 with an offset or ``Z``, ``YYYY-MM-DD HH:MM:SS`` (read as UTC, the way
    abuse.ch and Shadowserver publish), ``... UTC`` suffixes, bare dates, Unix epoch seconds
    and ``datetime`` objects (naive ones are taken as UTC).
    """
    if isinstance(value, datetime):
        return _format_time(value, field)
    if isinstance(value, date):
        return _format_time(datetime(value.year, value.month, value.day), field)
    if isinstance(value, int | float):
        return _time_from_epoch(float(value), field)
    return _normalise_time_text(value, field)


@lru_cache(maxsize=16384)
def _normalise_time_text(value: str, field: str) -> str:
    text = value.strip()
    if _EPOCH.match(text):
        return _time_from_epoch(float(text), field)
    text = text.removesuffix(" UTC").removesuffix(" GMT").removesuffix(" +0000")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(field, f"{_show(value)} is not a timestamp") from None
    return _format_time(parsed, field)


def _time_from_epoch(seconds: float, field: str) -> str:
    try:
        return _format_time(datetime.fromtimestamp(seconds, UTC), field)
    except (OverflowError, OSError, ValueError):
        raise InvalidValue(field, f"{seconds} is not a usable Unix time") from None


def _format_time(moment: datetime, field: str) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if not _EARLIEST_YEAR <= moment.year <= _LATEST_YEAR:
        raise InvalidValue(field, f"year {moment.year} is outside {_EARLIEST_YEAR}-{_LATEST_YEAR}")
    return moment.isoformat()


def parse_time(value: str) -> datetime:
    """The ``datetime`` of a timestamp already normalised by :func:`normalise_time`."""
    return _parse_normalised(value)


@lru_cache(maxsize=16384)
def _parse_normalised(value: str) -> datetime:
    return datetime.fromisoformat(value)


def now() -> str:
    """The current time, normalised."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _show(value: object, limit: int = 80) -> str:
    """``repr`` of a value, cut short so an error message stays readable."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "...'"
