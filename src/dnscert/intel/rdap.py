"""RDAP lookups of registrar data, through the outbound HTTP wrapper, cached in Registration.

``lookup(domain)`` asks ``<DNSCERT_INTEL_RDAP_URL>domain/<name>`` (RFC 9082) and reads the
registrar entity (RFC 9083: role ``registrar``, its ``fn`` and its ``IANA Registrar ID``
public id) and the ``registration`` event. The answer is stored as a
:class:`~dnscert.intel.models.Registration` with source ``rdap`` and reused for
``DNSCERT_INTEL_RDAP_CACHE_DAYS``; a domain the server does not know is cached too (with no
registrar), so it is not asked again every run. :func:`attribute_pending` looks up the
domains of recent unattributed events and attributes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from dnscert.core import http
from dnscert.core.exceptions import InvalidInput
from dnscert.intel import conf
from dnscert.intel.aggregation import rebuild_days
from dnscert.intel.attribution import Attributor
from dnscert.intel.choices import RegistrationSource
from dnscert.intel.models import Event, Registration
from dnscert.intel.schema import InvalidValue, normalise_time, parse_time

MAX_ANSWER_BYTES = 1024 * 1024
RECENT_DAYS = 7


@dataclass(frozen=True)
class RdapAnswer:
    """What an RDAP domain answer says about the registration."""

    registrar_name: str
    iana_id: int | None
    created_at: datetime | None


def lookup(domain: str) -> Registration:
    """Ask RDAP about ``domain`` (or reuse a fresh cached answer); the stored registration."""
    cached = Registration.objects.filter(domain=domain).first()
    fresh_after = timezone.now() - timedelta(days=conf.rdap_cache_days())
    if cached is not None and (
        cached.source != RegistrationSource.RDAP or cached.updated_at > fresh_after
    ):
        return cached
    answer = ask(domain)
    registration, _ = Registration.objects.update_or_create(
        domain=domain,
        defaults={
            "tld": domain.rsplit(".", 1)[-1],
            "registrar_name": answer.registrar_name,
            "iana_id": answer.iana_id,
            "created_at": answer.created_at,
            "source": RegistrationSource.RDAP,
            "updated_at": timezone.now(),
        },
    )
    return registration


def ask(domain: str) -> RdapAnswer:
    """The RDAP answer for ``domain``; an empty answer when the server does not know it."""
    base = conf.rdap_base_url()
    if not base:
        raise InvalidInput("DNSCERT_INTEL_RDAP_URL", "RDAP lookups are switched off")
    url = f"{base.rstrip('/')}/domain/{domain}"
    response = http.request(
        "GET", url, headers={"Accept": "application/rdap+json"}, max_bytes=MAX_ANSWER_BYTES
    )
    if response.status == 404:
        return RdapAnswer("", None, None)
    if not response.ok:
        raise http.OutboundHTTPError(url, f"HTTP status {response.status}", status=response.status)
    try:
        document = json.loads(response.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise http.OutboundHTTPError(url, f"answer is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise http.OutboundHTTPError(url, "answer is not an RDAP object")
    return parse_answer(document)


def parse_answer(document: dict[str, Any]) -> RdapAnswer:
    """Registrar name, IANA id and registration date from an RDAP domain object."""
    registrar = next(
        (
            entity
            for entity in document.get("entities") or []
            if isinstance(entity, dict) and "registrar" in (entity.get("roles") or [])
        ),
        {},
    )
    return RdapAnswer(_vcard_fn(registrar), _iana_id(registrar), _registered(document))


def _vcard_fn(entity: dict[str, Any]) -> str:
    vcard = entity.get("vcardArray")
    if isinstance(vcard, list) and len(vcard) == 2 and isinstance(vcard[1], list):
        for item in vcard[1]:
            if isinstance(item, list) and len(item) == 4 and item[0] == "fn":
                return str(item[3])[:200]
    return ""


def _iana_id(entity: dict[str, Any]) -> int | None:
    for public_id in entity.get("publicIds") or []:
        if isinstance(public_id, dict) and public_id.get("type") == "IANA Registrar ID":
            try:
                return int(str(public_id.get("identifier")))
            except ValueError:
                return None
    return None


def _registered(document: dict[str, Any]) -> datetime | None:
    for event in document.get("events") or []:
        if isinstance(event, dict) and event.get("eventAction") == "registration":
            try:
                return parse_time(normalise_time(str(event.get("eventDate")), "eventDate"))
            except InvalidValue:
                return None
    return None


def pending_domains(limit: int) -> list[str]:
    """Domains of recent events without a registrar and without a fresh registration."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    known = Registration.objects.filter(domain=OuterRef("source_domain"))
    domains = (
        Event.objects.filter(time_observation__gte=since, registrar_name="")
        .exclude(source_domain="")
        .filter(~Exists(known))
        .values_list("source_domain", flat=True)
        .distinct()
        .order_by("source_domain")
    )
    return list(domains[:limit])


def attribute_pending(limit: int | None = None) -> dict[str, int]:
    """Look up pending domains over RDAP and attribute their events; counters."""
    if not conf.rdap_base_url():
        return {"looked_up": 0, "errors": 0, "events": 0}
    looked_up = errors = updated = 0
    attributor = Attributor()
    days: set[Any] = set()
    for domain in pending_domains(limit or conf.rdap_lookups_per_run()):
        try:
            registration = lookup(domain)
        except http.OutboundHTTPError:
            errors += 1
            continue
        looked_up += 1
        if registration.registrar_name or registration.iana_id is not None:
            updated += _attribute_domain(registration, attributor, days)
    if days:
        rebuild_days(min(days), max(days))
    return {"looked_up": looked_up, "errors": errors, "events": updated}


def _attribute_domain(registration: Registration, attributor: Attributor, days: set[Any]) -> int:
    events = Event.objects.filter(source_domain=registration.domain, registrar_name="")
    days.update(moment.date() for moment in events.values_list("time_source", flat=True))
    return events.update(
        registrar_name=registration.registrar_name,
        registrar_iana_id=registration.iana_id,
        domain_created_at=registration.created_at,
        registrar_org_id=attributor.registrar_org(
            registration.iana_id, registration.registrar_name
        ),
    )
