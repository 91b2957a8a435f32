"""DGA coordination: campaigns, their per-registry lists, sending, acknowledgement, coverage.

Every state change is a named function here that writes an audit row. Generation runs in
the job ``intel_patterns.generate_campaign``: it computes the family's domains day by day
with the pure generator registry (:mod:`dnscert.intel.dga`), compresses each TLD's rows as
it goes (:mod:`dnscert.intel.patterns.blobs`) and maps each TLD to its registry in the
directory. A TLD without a registry there is listed as uncovered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dnscert.core import audit
from dnscert.core.audit import Action
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import enqueue
from dnscert.directory.lookups import organisation_for_tld
from dnscert.intel.dga import base as dga
from dnscert.intel.dga.service import DateRangeError, days_in_range, tld_of
from dnscert.intel.patterns import blobs, conf
from dnscert.intel.patterns.choices import AcknowledgedVia, CampaignStatus, ListStatus
from dnscert.intel.patterns.models import DgaCampaign, RegistryList

GENERATE_JOB = "intel_patterns.generate_campaign"
LIST_COLUMNS = ("date", "domain", "tld", "family")
ALL_COLUMNS = (*LIST_COLUMNS, "registry")


def family_choices() -> list[tuple[str, str]]:
    """``(name, description)`` of every registered DGA family."""
    return [(family.name, family.description) for family in dga.families()]


def check_request(family: str, start: date, end: date) -> str:
    """The family's registry name when the request is usable; ``InvalidInput`` otherwise."""
    try:
        name = dga.get(family).name
    except dga.UnknownFamilyError as error:
        raise InvalidInput("family", str(error)) from None
    try:
        days_in_range(start, end, conf.campaign_max_days())
    except DateRangeError as error:
        raise InvalidInput("end_date", str(error)) from None
    return name


@transaction.atomic
def create_campaign(
    *, family: str, start: date, end: date, by: Any, tlp: str = TLP.AMBER, note: str = ""
) -> DgaCampaign:
    """Record a campaign and enqueue the job that generates its lists."""
    name = check_request(family, start, end)
    label = TLP.parse(tlp).value
    campaign = DgaCampaign.objects.create(
        family=name, start_date=start, end_date=end, tlp=label, note=note, created_by=by
    )
    audit.record(by, Action.CREATE, campaign, changes={"family": name, "days": campaign.day_count})
    enqueue(GENERATE_JOB, campaign_id=campaign.pk)
    return campaign


def _claim(campaign_id: int) -> bool:
    startable = [CampaignStatus.PENDING, CampaignStatus.FAILED]
    claimed = DgaCampaign.objects.filter(pk=campaign_id, status__in=startable)
    return claimed.update(status=CampaignStatus.GENERATING, error="", days_done=0) == 1


def generate_campaign(campaign_id: int) -> DgaCampaign:
    """Compute the campaign's domains and store one list per TLD (the job's body).

    Only a pending (or failed) campaign is generated, so running the job twice is harmless.
    """
    if not _claim(campaign_id):
        return DgaCampaign.objects.get(pk=campaign_id)
    campaign = DgaCampaign.objects.get(pk=campaign_id)
    try:
        writers = _generate(campaign)
        _store_lists(campaign, writers)
    except Exception as error:
        DgaCampaign.objects.filter(pk=campaign_id).update(
            status=CampaignStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    return DgaCampaign.objects.get(pk=campaign_id)


def _generate(campaign: DgaCampaign) -> dict[str, blobs.ListWriter]:
    family = dga.get(campaign.family)
    writers: dict[str, blobs.ListWriter] = {}
    days = days_in_range(campaign.start_date, campaign.end_date, conf.campaign_max_days())
    for index, day in enumerate(days, start=1):
        by_tld: dict[str, list[str]] = {}
        for domain in dict.fromkeys(family.domains_for(day)):
            by_tld.setdefault(tld_of(domain), []).append(domain)
        for tld, domains in by_tld.items():
            writers.setdefault(tld, blobs.ListWriter()).extend(day, domains)
        DgaCampaign.objects.filter(pk=campaign.pk).update(days_done=index)
    return writers


@transaction.atomic
def _store_lists(campaign: DgaCampaign, writers: dict[str, blobs.ListWriter]) -> None:
    campaign.lists.all().delete()
    for tld in sorted(writers):
        organisation = organisation_for_tld(tld)
        RegistryList.objects.create(
            campaign=campaign,
            tld=tld,
            organisation=organisation,
            tlp=campaign.tlp,
            rows=writers[tld].finish(),
            domain_count=writers[tld].count,
            status=ListStatus.READY if organisation else ListStatus.UNCOVERED,
        )
    campaign.domain_count = sum(writer.count for writer in writers.values())
    campaign.status = CampaignStatus.READY
    campaign.generated_at = timezone.now()
    campaign.days_done = campaign.day_count
    campaign.save(update_fields=["domain_count", "status", "generated_at", "days_done"])
    audit.record(None, Action.STATE, campaign, changes={"status": [None, campaign.status]})


def lists_of(campaign: DgaCampaign) -> QuerySet[RegistryList]:
    """The campaign's lists with their registries, without loading the domain blobs."""
    return campaign.lists.defer("rows").select_related("organisation").order_by("tld")


# --- CSV ------------------------------------------------------------------------------------


def csv_line(values: Iterable[str]) -> str:
    """One CSV line; DGA names, dates and TLDs never need quoting, registry names may."""
    cells = []
    for value in values:
        text = str(value)
        if any(ch in text for ch in ',"\n\r'):
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    return ",".join(cells) + "\n"


def list_csv(registry_list: RegistryList) -> Iterator[str]:
    """The list as CSV lines (columns date, domain, tld, family), header first."""
    yield csv_line(LIST_COLUMNS)
    family = registry_list.campaign.family
    for day, domain in blobs.iter_rows(registry_list.rows):
        yield csv_line((day, domain, registry_list.tld, family))


def list_csv_bytes(registry_list: RegistryList) -> bytes:
    """The whole CSV of one list (for the e-mail attachment)."""
    return "".join(list_csv(registry_list)).encode()


def campaign_csv(campaign: DgaCampaign) -> Iterator[str]:
    """Every list of the campaign as CSV lines, with the registry's name as the last column."""
    yield csv_line(ALL_COLUMNS)
    for registry_list in campaign.lists.select_related("organisation").order_by("tld"):
        registry = registry_list.organisation.name if registry_list.organisation else ""
        for day, domain in blobs.iter_rows(registry_list.rows):
            yield csv_line((day, domain, registry_list.tld, campaign.family, registry))


def csv_filename(registry_list: RegistryList) -> str:
    """``conficker-b_2020-01-01_2020-01-07_cc.csv``."""
    campaign = registry_list.campaign
    return f"{campaign.family}_{campaign.start_date}_{campaign.end_date}_{registry_list.tld}.csv"


# --- coverage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageSummary:
    """Coverage of a campaign: domains in all, under a known registry, reported covered."""

    total_domains: int
    mapped_domains: int
    covered_domains: int
    lists: int
    sent: int
    acknowledged: int
    reported: int
    uncovered_tlds: list[str]

    @property
    def percent(self) -> float:
        """Reported covered share of every generated domain (uncovered TLDs count as 0)."""
        return _percent(self.covered_domains, self.total_domains)

    @property
    def mapped_percent(self) -> float:
        """Reported covered share of the domains whose registry is in the directory."""
        return _percent(self.covered_domains, self.mapped_domains)


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def coverage_summary(campaign: DgaCampaign) -> CoverageSummary:
    """The campaign's coverage figures, read from the lists (never from the blobs)."""
    rows = list(lists_of(campaign))
    mapped = [row for row in rows if row.organisation_id is not None]
    return CoverageSummary(
        total_domains=sum(row.domain_count for row in rows),
        mapped_domains=sum(row.domain_count for row in mapped),
        covered_domains=sum(row.covered_count or 0 for row in mapped),
        lists=len(mapped),
        sent=sum(1 for row in mapped if row.sent_at),
        acknowledged=sum(1 for row in mapped if row.acknowledged_at),
        reported=sum(1 for row in mapped if row.covered_count is not None),
        uncovered_tlds=[row.tld for row in rows if row.organisation_id is None],
    )


def coverage_chart(campaign: DgaCampaign) -> dict[str, Any]:
    """Chart data (``labels``, ``values``, ``label``): coverage % per registry list."""
    mapped = [row for row in lists_of(campaign) if row.organisation_id is not None]
    return {
        "labels": [f".{row.tld}" for row in mapped],
        "values": [row.coverage_percent or 0 for row in mapped],
        "label": "%",
    }


# --- acknowledgement and coverage reports ---------------------------------------------------


def list_for_token(token: str) -> RegistryList | None:
    """The sent list whose acknowledgement token is ``token``."""
    text = (token or "").strip()
    if not text or len(text) > 64:
        return None
    found = RegistryList.objects.defer("rows").filter(token=text, sent_at__isnull=False)
    return found.select_related("campaign", "organisation").first()


@transaction.atomic
def acknowledge(registry_list: RegistryList, *, by: Any, via: str) -> RegistryList:
    """Record that the registry received the list (a second acknowledgement changes nothing)."""
    if registry_list.acknowledged_at is not None:
        return registry_list
    if registry_list.organisation_id is None:
        raise InvalidInput("list", "this TLD has no registry in the directory")
    registry_list.acknowledged_at = timezone.now()
    registry_list.acknowledged_by = by if getattr(by, "is_authenticated", False) else None
    registry_list.acknowledged_via = AcknowledgedVia(via).value
    registry_list.status = ListStatus.ACKNOWLEDGED
    registry_list.save(
        update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_via", "status"]
    )
    audit.record(by, Action.STATE, registry_list, changes={"acknowledged_via": via})
    return registry_list


def parse_covered(value: Any, registry_list: RegistryList) -> int:
    """The covered count as an integer between 0 and the list's size; ``InvalidInput`` else."""
    if isinstance(value, bool):
        raise InvalidInput("covered_count", "must be a whole number")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput("covered_count", f"{value!r} is not a whole number") from None
    if number < 0 or number > registry_list.domain_count:
        raise InvalidInput(
            "covered_count",
            f"must be between 0 and {registry_list.domain_count} (the list's size), not {number}",
        )
    return number


@transaction.atomic
def report_coverage(
    registry_list: RegistryList, *, covered: Any, by: Any, via: str, note: str = ""
) -> RegistryList:
    """Record how many of the list's domains the registry blocked or pre-registered.

    A coverage report also acknowledges the list when that was not done yet.
    """
    number = parse_covered(covered, registry_list)
    if len(note) > 2000:
        raise InvalidInput("note", "at most 2,000 characters")
    before = registry_list.covered_count
    acknowledge(registry_list, by=by, via=via)
    registry_list.covered_count = number
    registry_list.coverage_note = note
    registry_list.coverage_reported_at = timezone.now()
    registry_list.save(update_fields=["covered_count", "coverage_note", "coverage_reported_at"])
    audit.record(by, Action.UPDATE, registry_list, changes={"covered_count": [before, number]})
    return registry_list
