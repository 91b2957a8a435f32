"""Put one validated indicator (URL, DNS name, IP address, prefix) into an event.

Every ``put_*`` function raises :class:`~dnscert.intel.schema.InvalidValue` when the value is
bad; the parser turns that into a failed record with the message as the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from dnscert.intel.schema import (
    FIELDS,
    Event,
    InvalidValue,
    is_ip,
    normalise_asn,
    normalise_fqdn,
    normalise_ip,
    normalise_network,
    normalise_port,
    normalise_time,
    normalise_url,
)

KINDS = ("url", "fqdn", "ip", "network")


def put_url(event: Event, value: str, side: str = "source") -> None:
    """``<side>.url`` plus ``<side>.fqdn`` or ``<side>.ip`` from the URL's host."""
    parsed = normalise_url(value, f"{side}.url")
    event[f"{side}.url"] = parsed.url
    event[f"{side}.ip" if parsed.host_is_ip else f"{side}.fqdn"] = parsed.host


def put_fqdn(event: Event, value: str, side: str = "source") -> None:
    """``<side>.fqdn``."""
    event[f"{side}.fqdn"] = normalise_fqdn(value, f"{side}.fqdn")


def put_ip(event: Event, value: str, side: str = "source") -> None:
    """``<side>.ip``."""
    event[f"{side}.ip"] = normalise_ip(value, f"{side}.ip")


def put_network(event: Event, value: str, side: str = "source") -> None:
    """``<side>.network``."""
    event[f"{side}.network"] = normalise_network(value, f"{side}.network")


def put_host(event: Event, value: str, side: str = "source") -> None:
    """``<side>.ip`` if the value is an address, else ``<side>.fqdn``."""
    if is_ip(value):
        put_ip(event, value, side)
    else:
        put_fqdn(event, value, side)


_PUTTERS = {"url": put_url, "fqdn": put_fqdn, "ip": put_ip, "network": put_network}


def detect_kind(value: str) -> str:
    """Guess what a bare indicator is: ``url``, ``ip``, ``network`` or ``fqdn``."""
    text = value.strip()
    if "://" in text:
        return "url"
    if is_ip(text):
        return "ip"
    if "/" in text and is_ip(text.split("/", 1)[0]):
        return "network"
    return "fqdn"


def put(event: Event, value: str, kind: str = "auto", side: str = "source") -> None:
    """Put ``value`` as ``kind`` (one of :data:`KINDS`, or ``auto`` to detect it)."""
    if kind == "auto":
        kind = detect_kind(value)
    try:
        putter = _PUTTERS[kind]
    except KeyError:
        raise InvalidValue("kind", f"unknown indicator kind {kind!r}; known: {KINDS}") from None
    putter(event, value, side)


def _put_text(event: Event, field: str, value: str) -> None:
    event[field] = value


def _put_lower(event: Event, field: str, value: str) -> None:
    event[field] = value.lower()


def _put_upper(event: Event, field: str, value: str) -> None:
    event[field] = value.upper()


def _put_time(event: Event, field: str, value: str) -> None:
    event[field] = normalise_time(value, field)


def _put_port(event: Event, field: str, value: str) -> None:
    event[field] = normalise_port(value, field)


def _put_asn(event: Event, field: str, value: str) -> None:
    event[field] = normalise_asn(value, field)


def _put_typed(putter: Callable[[Event, str, str], None]) -> Callable[[Event, str, str], None]:
    def put_side(event: Event, field: str, value: str) -> None:
        putter(event, value, field.split(".", 1)[0])

    return put_side


_BY_SUFFIX: dict[str, Callable[[Event, str, str], None]] = {
    ".url": _put_typed(put_url),
    ".fqdn": _put_typed(put_fqdn),
    ".ip": _put_typed(put_ip),
    ".network": _put_typed(put_network),
    ".port": _put_port,
    ".asn": _put_asn,
    ".reverse_dns": _put_lower,
    ".cc": _put_upper,
}
_BY_TYPE: dict[str, Callable[[Event, str, str], None]] = {
    "DateTime": _put_time,
    "LowercaseString": _put_lower,
    "UppercaseString": _put_upper,
}
INDICATOR_FIELDS = frozenset(
    f"{side}.{name}"
    for side in ("source", "destination")
    for name in ("url", "fqdn", "ip", "network")
)
"""Fields that identify what an event is about; every event needs one of them."""


def set_field(event: Event, field: str, value: str) -> None:
    """Validate ``value`` for ``field`` and set it; ``extra.<name>`` goes into ``extra``.

    Empty values are skipped. URL fields also set the host field, as :func:`put_url` does.
    """
    value = value.strip()
    if not value:
        return
    if field.startswith("extra."):
        event.setdefault("extra", {})[field[6:]] = value
        return
    spec = FIELDS.get(field)
    if spec is None:
        raise InvalidValue("columns", f"{field!r} is not a field of the event schema")
    setter = _BY_SUFFIX.get(field[field.rfind(".") :]) if field.startswith(_SIDES) else None
    (setter or _BY_TYPE.get(spec.type, _put_text))(event, field, value)


_SIDES = ("source.", "destination.")


def has_indicator(event: Event) -> bool:
    """True if the event names a URL, DNS name, IP address or prefix."""
    return any(field in event for field in INDICATOR_FIELDS)
