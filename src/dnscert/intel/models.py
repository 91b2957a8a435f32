"""Threat-data storage: feeds, ingest runs, events, failed lines, registrations, aggregates.

:class:`Event` is the stored form of a pipeline event (see :mod:`dnscert.intel.schema`): the
columns the explorer, the aggregates and the pattern detectors query are first-class and
indexed; every other harmonised field lives in ``extra`` and the original line in ``raw``.
A line that could not become an event is a :class:`FailedRecord` of its :class:`IngestRun`,
never dropped. :class:`DailyAggregate` rows are the roll-up that outlives event retention.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.intel.choices import Dimension, RegistrationSource, RunStatus, SourceKind


class Feed(models.Model):
    """A source of threat data: which parser reads it and how its data arrives."""

    name = models.SlugField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    parser = models.CharField(_("parser"), max_length=64, help_text=_("registered parser name"))
    options = models.JSONField(
        _("parser options"), default=dict, blank=True, help_text=_("e.g. columns of a CSV feed")
    )
    source_kind = models.CharField(
        _("source kind"), max_length=16, choices=SourceKind.choices, default=SourceKind.UPLOAD
    )
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    path = models.CharField(
        _("watched directory"), max_length=500, blank=True, help_text=_("for directory feeds")
    )
    schedule_minutes = models.PositiveIntegerField(
        _("schedule (minutes)"), default=0, help_text=_("0: only when run by hand")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    accepted_count = models.PositiveBigIntegerField(_("events accepted"), default=0)
    failed_count = models.PositiveBigIntegerField(_("lines failed"), default=0)
    duplicate_count = models.PositiveBigIntegerField(_("duplicates"), default=0)
    error_count = models.PositiveIntegerField(_("failed runs"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")

    def __str__(self) -> str:
        return self.name


class IngestRun(models.Model):
    """One pass of a feed's data through the pipeline, with its counters."""

    feed = models.ForeignKey(
        Feed, verbose_name=_("feed"), on_delete=models.CASCADE, related_name="runs"
    )
    source = models.CharField(
        _("source"), max_length=500, blank=True, help_text=_("file name or URL read")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    records = models.PositiveBigIntegerField(_("records"), default=0)
    accepted = models.PositiveBigIntegerField(_("accepted"), default=0)
    failed = models.PositiveBigIntegerField(_("failed"), default=0)
    duplicates = models.PositiveBigIntegerField(_("duplicates"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("ingest run")
        verbose_name_plural = _("ingest runs")
        indexes = [models.Index(fields=["feed", "-started_at"], name="intel_run_feed_started")]

    def __str__(self) -> str:
        return f"{self.feed.name} {self.started_at:%Y-%m-%d %H:%M}"


class Event(models.Model):
    """One stored, enriched event.

    ``time_source`` is the feed's time of the event, or the observation time when the feed
    gives none, so every event has a time on the axis the explorer and aggregates use.
    ``source_domain`` is the registrable domain (Public Suffix List) and ``source_tld`` the
    last label, both in A-label form. ``dedupe_key`` identifies the same report within the
    deduplication window.

    The foreign keys carry no database constraint (``db_constraint=False``): events are
    bulk-loaded by the hundred thousand, and checking four keys per row in the database would
    cost more than the rest of the load; the storage service only writes ids it has just read,
    and Django still applies ``on_delete``. Nor do they get single-column indexes: the
    composite indexes below lead with them where a query needs it. The attribution, TLD and
    domain indexes are partial (not NULL, not empty): every query on them asks for one
    registrar, registry, TLD or domain, and an event without one (an unattributed event, a
    bare IP address) then costs no entry in them.
    """

    time_source = models.DateTimeField(_("time"))
    time_observation = models.DateTimeField(_("observed"))
    feed = models.ForeignKey(
        Feed,
        verbose_name=_("feed"),
        on_delete=models.CASCADE,
        related_name="events",
        db_constraint=False,
        db_index=False,
    )
    run = models.ForeignKey(
        IngestRun,
        verbose_name=_("ingest run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        db_constraint=False,
        db_index=False,
    )
    classification_taxonomy = models.CharField(_("taxonomy"), max_length=64, blank=True)
    classification_type = models.CharField(_("category"), max_length=64, blank=True)
    source_fqdn = models.CharField(_("host name"), max_length=253, blank=True)
    source_domain = models.CharField(_("registrable domain"), max_length=253, blank=True)
    source_tld = models.CharField(_("TLD"), max_length=63, blank=True)
    source_url = models.TextField(_("URL"), blank=True)
    source_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    source_asn = models.PositiveBigIntegerField(_("ASN"), null=True, blank=True)
    registrar_name = models.CharField(_("registrar"), max_length=200, blank=True)
    registrar_iana_id = models.PositiveIntegerField(_("registrar IANA id"), null=True, blank=True)
    registrar_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("registrar organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    registry_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("registry organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    domain_created_at = models.DateTimeField(_("domain created"), null=True, blank=True)
    dedupe_key = models.BigIntegerField(
        _("deduplication key"),
        null=True,
        blank=True,
        help_text=_("64-bit hash of the fields that identify a report"),
    )
    raw = models.TextField(_("raw"))
    extra = models.JSONField(_("other fields"), default=dict, blank=True)

    class Meta:
        ordering = ["-time_source", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["-time_source"], name="intel_event_time"),
            models.Index(
                fields=["source_tld", "time_source"],
                name="intel_event_tld_time",
                condition=~Q(source_tld=""),
            ),
            models.Index(
                fields=["registrar_iana_id", "time_source"],
                name="intel_event_registrar_time",
                condition=Q(registrar_iana_id__isnull=False),
            ),
            models.Index(
                fields=["registrar_org", "time_source"],
                name="intel_event_rarorg_time",
                condition=Q(registrar_org__isnull=False),
            ),
            models.Index(
                fields=["registry_org", "time_source"],
                name="intel_event_ryorg_time",
                condition=Q(registry_org__isnull=False),
            ),
            models.Index(
                fields=["classification_type", "time_source"], name="intel_event_type_time"
            ),
            models.Index(fields=["feed", "time_source"], name="intel_event_feed_time"),
            models.Index(
                fields=["source_domain"], name="intel_event_domain", condition=~Q(source_domain="")
            ),
            models.Index(fields=["dedupe_key", "time_source"], name="intel_event_dedupe"),
        ]

    def __str__(self) -> str:
        subject = self.source_fqdn or self.source_url or self.source_ip or "-"
        return f"{self.classification_type or '?'} {subject}"


class FailedRecord(models.Model):
    """A line (or record) that could not become an event, kept with the reason."""

    run = models.ForeignKey(
        IngestRun, verbose_name=_("ingest run"), on_delete=models.CASCADE, related_name="failures"
    )
    line_number = models.PositiveBigIntegerField(_("line"))
    raw = models.TextField(_("raw"))
    reason = models.TextField(_("reason"))
    stage = models.CharField(_("stage"), max_length=32, default="parser")

    class Meta:
        ordering = ["run", "line_number"]
        verbose_name = _("failed record")
        verbose_name_plural = _("failed records")

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.reason}"


class Registration(models.Model):
    """Registration data the platform holds for a domain: who sponsors it, since when."""

    domain = models.CharField(_("domain"), max_length=253, unique=True)
    tld = models.CharField(_("TLD"), max_length=63, db_index=True)
    registrar_name = models.CharField(_("registrar"), max_length=200, blank=True)
    iana_id = models.PositiveIntegerField(_("registrar IANA id"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=RegistrationSource.choices,
        default=RegistrationSource.IMPORT,
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [models.Index(fields=["iana_id"], name="intel_registration_iana")]

    def __str__(self) -> str:
        return self.domain


class DailyAggregate(models.Model):
    """Events of one day counted by one dimension value (a TLD, registrar, category or feed).

    For the registrar dimension ``key`` is the IANA id when known, else the registrar name;
    ``label`` is what to show. ``new_registrations`` counts the events whose domain was
    created within ``DNSCERT_INTEL_NEW_REGISTRATION_DAYS`` before the event.
    """

    day = models.DateField(_("day"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=253)
    label = models.CharField(_("label"), max_length=253, blank=True)
    count = models.PositiveBigIntegerField(_("events"), default=0)
    new_registrations = models.PositiveBigIntegerField(_("new registrations"), default=0)

    class Meta:
        ordering = ["-day", "dimension", "key"]
        verbose_name = _("daily aggregate")
        verbose_name_plural = _("daily aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "dimension", "key"], name="intel_aggregate_unique"
            )
        ]
        indexes = [models.Index(fields=["dimension", "key", "day"], name="intel_aggregate_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}: {self.count}"


class RegistrarSize(models.Model):
    """Domains under management of a registrar on a date (for abuse rates)."""

    iana_id = models.PositiveIntegerField(_("registrar IANA id"), null=True, blank=True)
    name = models.CharField(_("registrar"), max_length=200)
    domains = models.PositiveBigIntegerField(_("domains under management"))
    as_of = models.DateField(_("as of"))

    class Meta:
        ordering = ["name", "-as_of"]
        verbose_name = _("registrar size")
        verbose_name_plural = _("registrar sizes")
        constraints = [
            models.UniqueConstraint(fields=["name", "as_of"], name="intel_registrar_size_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.as_of}: {self.domains}"


class TldSize(models.Model):
    """Domains registered in a TLD on a date (for abuse rates)."""

    tld = models.CharField(_("TLD"), max_length=63)
    domains = models.PositiveBigIntegerField(_("domains"))
    as_of = models.DateField(_("as of"))

    class Meta:
        ordering = ["tld", "-as_of"]
        verbose_name = _("TLD size")
        verbose_name_plural = _("TLD sizes")
        constraints = [
            models.UniqueConstraint(fields=["tld", "as_of"], name="intel_tld_size_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tld} {self.as_of}: {self.domains}"
