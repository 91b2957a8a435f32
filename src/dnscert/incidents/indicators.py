"""Indicators: normalising what analysts paste, and the directory lookups they suggest.

Each kind of indicator asks the directory who could be affected: the registry of a domain's
TLD and the operator of its zone, the operator of a name server, the organisation holding an
IP address, the registrar with an IANA id. A URL or an e-mail address is asked about through
its host or domain. :func:`suggestions` leaves out organisations already taking part.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from dnscert.core.exceptions import InvalidInput
from dnscert.directory import lookups, validators
from dnscert.directory.models import Organisation
from dnscert.incidents.choices import IndicatorKind
from dnscert.incidents.models import Incident, Indicator

MAX_VALUE_CHARS = 2048


@dataclass(frozen=True)
class Suggestion:
    """An organisation the directory links to an indicator, and why."""

    organisation: Organisation
    reason: str
    indicator: Indicator


def _problem(error: ValidationError) -> str:
    return "; ".join(error.messages)


def _domain(value: str) -> str:
    try:
        name = validators.normalise_zone_name(value, field="value")
    except ValidationError as error:
        raise InvalidInput("value", _problem(error)) from None
    if name == ".":
        raise InvalidInput("value", "the root is not a domain indicator")
    return name.rstrip(".")


def _nameserver(value: str) -> str:
    try:
        return validators.normalise_hostname(value, field="value").rstrip(".")
    except ValidationError as error:
        raise InvalidInput("value", _problem(error)) from None


def _ip(value: str) -> str:
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        raise InvalidInput("value", f"{value!r} is not an IPv4 or IPv6 address") from None


def _url(value: str) -> str:
    text = value.strip()
    try:
        URLValidator(schemes=["http", "https", "ftp"])(text)
    except ValidationError:
        raise InvalidInput("value", f"{text!r} is not an http, https or ftp URL") from None
    return text


def _registrar_id(value: str) -> str:
    text = value.strip()
    if not text.isdigit() or int(text) <= 0:
        raise InvalidInput("value", f"{text!r} is not an IANA registrar id (a positive number)")
    return str(int(text))


def _email(value: str) -> str:
    text = value.strip()
    try:
        validate_email(text)
    except ValidationError:
        raise InvalidInput("value", f"{text!r} is not an e-mail address") from None
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


NORMALISERS: dict[str, Callable[[str], str]] = {
    IndicatorKind.DOMAIN: _domain,
    IndicatorKind.NAMESERVER: _nameserver,
    IndicatorKind.IP: _ip,
    IndicatorKind.URL: _url,
    IndicatorKind.REGISTRAR_ID: _registrar_id,
    IndicatorKind.EMAIL: _email,
}


def normalise(kind: str, value: str) -> str:
    """``value`` in the canonical form of ``kind``; :class:`InvalidInput` naming the field."""
    if kind not in NORMALISERS:
        allowed = ", ".join(IndicatorKind.values)
        raise InvalidInput("kind", f"unknown indicator kind {kind!r}; expected one of {allowed}")
    text = (value or "").strip()
    if not text:
        raise InvalidInput("value", "must not be empty")
    if len(text) > MAX_VALUE_CHARS or "\x00" in text:
        raise InvalidInput("value", f"must be one value of at most {MAX_VALUE_CHARS} characters")
    return NORMALISERS[kind](text)


# --- directory lookups -------------------------------------------------------------------------


def _for_domain(name: str) -> Iterable[tuple[Organisation | None, str]]:
    tld = name.rsplit(".", 1)[-1]
    yield lookups.organisation_for_tld(tld), f"registry of .{tld}"
    yield lookups.organisation_for_zone(name), f"operator of the zone of {name}"


def _for_host(host: str) -> Iterable[tuple[Organisation | None, str]]:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        yield from _for_domain(host)
    else:
        yield lookups.organisation_for_ip(host), f"holder of {host}"


def _lookups(indicator: Indicator) -> Iterable[tuple[Organisation | None, str]]:
    value = indicator.value
    if indicator.kind == IndicatorKind.DOMAIN:
        yield from _for_domain(value)
    elif indicator.kind == IndicatorKind.NAMESERVER:
        yield lookups.organisation_for_nameserver(value), f"operator of name server {value}"
        yield from _for_domain(value)
    elif indicator.kind == IndicatorKind.IP:
        yield lookups.organisation_for_ip(value), f"holder of {value}"
    elif indicator.kind == IndicatorKind.REGISTRAR_ID:
        yield lookups.registrar_by_iana_id(value), f"registrar with IANA id {value}"
    elif indicator.kind == IndicatorKind.URL:
        host = (urlsplit(value).hostname or "").rstrip(".")
        if host:
            yield from _for_host(host)
    elif indicator.kind == IndicatorKind.EMAIL:
        yield from _for_domain(value.rpartition("@")[2])


def suggestions_for(indicator: Indicator) -> list[Suggestion]:
    """The organisations the directory links to ``indicator``, closest match first."""
    found: dict[int, Suggestion] = {}
    for organisation, reason in _lookups(indicator):
        if organisation is not None and organisation.pk not in found:
            found[organisation.pk] = Suggestion(organisation, reason, indicator)
    return list(found.values())


def suggestions(incident: Incident) -> list[Suggestion]:
    """Organisations suggested by all of the incident's indicators, not yet participants."""
    taking_part = set(incident.participants.values_list("organisation_id", flat=True))
    result: dict[int, Suggestion] = {}
    for indicator in incident.indicators.all():
        for suggestion in suggestions_for(indicator):
            pk = suggestion.organisation.pk
            if pk not in taking_part and pk not in result:
                result[pk] = suggestion
    return list(result.values())
