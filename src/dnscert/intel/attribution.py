"""Django-side experts: registrar attribution and mapping to the directory, per batch of rows.

Registrar, IANA id and creation date come from the :class:`~dnscert.intel.models.Registration`
table (imported data and cached RDAP answers); the registry organisation from the TLD's zone in
the directory and the registrar organisation from the IANA registrar id (or, failing that,
the registrar's name). Lookups are made once per batch and cached for the run, so a batch
costs one query for registrations plus one per TLD or registrar not seen before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection

from dnscert.directory import lookups
from dnscert.directory.choices import OrganisationKind
from dnscert.directory.models import Organisation
from dnscert.intel import rows as R
from dnscert.intel.models import Registration

RegistrationData = tuple[str, int | None, datetime | None]
"""``(registrar name, IANA id, creation time)`` of a domain."""

_MAX_CACHED_DOMAINS = 200_000
_QUERY_CHUNK = 900


class Attributor:
    """Fills the registrar and organisation columns of event rows; caches for one run."""

    def __init__(self) -> None:
        self._registrations: dict[str, RegistrationData | None] = {}
        self._registries: dict[str, int | None] = {}
        self._registrars: dict[tuple[int | None, str], int | None] = {}

    def attribute(self, batch: Sequence[list[Any]]) -> None:
        """Set registrar, creation date, registrar and registry organisation of every row."""
        self._load_registrations({row[R.DOMAIN] for row in batch if row[R.DOMAIN]})
        registrations, registries = self._registrations, self._registries
        for row in batch:  # the hot loop of ingestion: cached values read inline
            domain, tld = row[R.DOMAIN], row[R.TLD]
            found = registrations.get(domain) if domain else None
            if found is not None:
                name, iana_id, created = found
                row[R.REGISTRAR_NAME] = name
                row[R.REGISTRAR_IANA_ID] = iana_id
                row[R.DOMAIN_CREATED] = created
                row[R.REGISTRAR_ORG] = self.registrar_org(iana_id, name)
            if tld:
                known = tld in registries
                row[R.REGISTRY_ORG] = registries[tld] if known else self.registry_org(tld)

    def _load_registrations(self, domains: set[str]) -> None:
        missing = [domain for domain in domains if domain not in self._registrations]
        if not missing:
            return
        if len(self._registrations) + len(missing) > _MAX_CACHED_DOMAINS:
            self._registrations.clear()
        for domain in missing:
            self._registrations[domain] = None
        if connection.vendor == "postgresql":
            for domain, name, iana_id, created in _postgres_registrations(missing):
                self._registrations[domain] = (name, iana_id, created)
            return
        for chunk in _chunks(missing, _QUERY_CHUNK):
            found = Registration.objects.filter(domain__in=chunk).values_list(
                "domain", "registrar_name", "iana_id", "created_at"
            )
            for domain, name, iana_id, created in found:
                self._registrations[domain] = (name, iana_id, created)

    def registry_org(self, tld: str) -> int | None:
        """Id of the organisation running ``tld`` in the directory."""
        if tld not in self._registries:
            organisation = lookups.organisation_for_tld(tld)
            self._registries[tld] = organisation.pk if organisation else None
        return self._registries[tld]

    def registrar_org(self, iana_id: int | None, name: str) -> int | None:
        """Id of the registrar organisation, by IANA id first, else by name."""
        key = (iana_id, name)
        if key not in self._registrars:
            self._registrars[key] = _find_registrar(iana_id, name)
        return self._registrars[key]


def _postgres_registrations(domains: list[str]) -> list[Any]:
    """One query with the domains as one text parameter (DNS names hold no comma).

    The array comes from a sub-select so the planner does not estimate each domain in turn
    (see :func:`dnscert.intel.dedupe._postgres_times`).
    """
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('domain')}, {quote('registrar_name')}, {quote('iana_id')}, "
        f"{quote('created_at')} FROM {quote(Registration._meta.db_table)} "
        f"WHERE {quote('domain')} = ANY((SELECT string_to_array(%s, ','))::text[])"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [",".join(domains)])
        return list(cursor.fetchall())


def _find_registrar(iana_id: int | None, name: str) -> int | None:
    organisation = lookups.registrar_by_iana_id(iana_id) if iana_id is not None else None
    if organisation is None and name:
        organisation = Organisation.objects.filter(
            kind=OrganisationKind.REGISTRAR, name__iexact=name
        ).first()
    return organisation.pk if organisation else None


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
