"""DNS health: monitoring targets, runs, compact results, history, delegation watch, signals.

Storage is shaped for a large constituency: one :class:`ZoneResult` row per target per
measurement, with its messages and per-nameserver measurements as compact JSON lists (see
:data:`MESSAGE_FIELDS` and :data:`NAMESERVER_FIELDS`), rolled up into one
:class:`DailyRollup` per target per day once older than ``DNSCERT_DNSHEALTH_DETAIL_DAYS``.
Delegation snapshots are stored once per distinct state (``first_seen``/``last_seen``), and
signals once per state change, never once per run.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import Severity
from dnscert.dnshealth.choices import (
    CheckKind,
    DeliveryStatus,
    HealthStatus,
    RunStatus,
    SignalKind,
    SignalState,
    TargetKind,
)

#: Order of the items of one entry of ``ZoneResult.messages``.
MESSAGE_FIELDS = ("test_case", "tag", "level", "args")
#: Order of the items of one entry of ``ZoneResult.nameservers``.
NAMESERVER_FIELDS = ("ns", "address", "reachable", "udp_ms", "tcp_ms", "serial")

#: Default schedules in minutes: (reachability interval, full-check interval) per kind.
DEFAULT_SCHEDULES: dict[str, tuple[int, int]] = {
    TargetKind.ROOT: (5, 60),
    TargetKind.TLD: (5, 60),
    TargetKind.ZONE: (1440, 1440),
    TargetKind.NAMESERVER: (5, 60),
}


class MonitoringTarget(models.Model):
    """Something measured on a schedule: a zone of the directory or a name server host.

    ``status``, ``worst_level`` and ``latest_result`` are the latest outcome, denormalised so
    the status grid is one query over this table.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=TargetKind.choices)
    name = models.CharField(_("name"), max_length=253, help_text=_("zone or host name, e.g. xa."))
    zone = models.OneToOneField(
        "directory.Zone",
        verbose_name=_("zone"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monitoring_target",
    )
    nameserver = models.OneToOneField(
        "directory.NameserverHost",
        verbose_name=_("name server host"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monitoring_target",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="monitoring_targets",
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    watch_delegation = models.BooleanField(_("watch delegation"), default=True)
    reachability_interval = models.PositiveIntegerField(
        _("reachability interval (minutes)"), default=1440
    )
    full_interval = models.PositiveIntegerField(_("full check interval (minutes)"), default=1440)
    last_reachability_at = models.DateTimeField(_("last reachability check"), null=True, blank=True)
    last_full_at = models.DateTimeField(_("last full check"), null=True, blank=True)
    next_reachability_due = models.DateTimeField(
        _("next reachability check due"), default=timezone.now
    )
    next_full_due = models.DateTimeField(_("next full check due"), default=timezone.now)
    #: Set while a batch job holds the target, so two planners never queue it twice.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=HealthStatus.choices, default=HealthStatus.GREY
    )
    worst_level = models.CharField(_("worst level"), max_length=10, blank=True)
    status_since = models.DateTimeField(_("status since"), null=True, blank=True)
    latest_result = models.ForeignKey(
        "ZoneResult",
        verbose_name=_("latest result"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    latest_full_result = models.ForeignKey(
        "ZoneResult",
        verbose_name=_("latest full result"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("monitoring target")
        verbose_name_plural = _("monitoring targets")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="dnshealth_target_unique_name"),
        ]
        indexes = [
            models.Index(fields=["enabled", "next_reachability_due"], name="dnsh_tgt_reach_due"),
            models.Index(fields=["enabled", "next_full_due"], name="dnsh_tgt_full_due"),
            models.Index(fields=["organisation", "status"], name="dnsh_tgt_org_status"),
            models.Index(fields=["status", "kind"], name="dnsh_tgt_status_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_zone(self) -> bool:
        """True for root, TLD and zone targets (name server hosts are not zones)."""
        return self.kind != TargetKind.NAMESERVER


class MonitoringRun(models.Model):
    """One batch of measurements executed by one ``dnshealth.run_batch`` job."""

    started = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    profile = models.CharField(_("profile"), max_length=16, default="default")
    check_kind = models.CharField(
        _("check kind"), max_length=12, choices=CheckKind.choices, default=CheckKind.FULL
    )
    target_count = models.PositiveIntegerField(_("targets"), default=0)
    result_count = models.PositiveIntegerField(_("results"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    target_ids = models.JSONField(_("target ids"), default=list, blank=True)
    job_run = models.ForeignKey(
        "core.JobRun",
        verbose_name=_("job run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for scheduled runs."),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("monitoring run")
        verbose_name_plural = _("monitoring runs")

    def __str__(self) -> str:
        return f"run #{self.pk} {self.check_kind} {self.status}"


class ZoneResult(models.Model):
    """The outcome of measuring one target in one run, stored compactly.

    ``messages`` is a list of ``[test_case, tag, level, args]`` (level name). DEBUG is never
    stored; INFO (about 90 % of a full check's messages) only on full results, and dropped
    when a newer full result of the target supersedes it, so the latest full result always
    has every message and history keeps NOTICE and above. ``message_count`` counts the
    messages above DEBUG the check emitted. ``nameservers`` is a list of ``[ns, address,
    reachable, udp_ms, tcp_ms, serial]`` (latencies in ms or None, serial or None). Use
    :meth:`message_dicts` and :meth:`nameserver_dicts` to read them by name.
    """

    run = models.ForeignKey(
        MonitoringRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="results"
    )
    target = models.ForeignKey(
        MonitoringTarget,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    check_kind = models.CharField(
        _("check kind"), max_length=12, choices=CheckKind.choices, default=CheckKind.FULL
    )
    status = models.CharField(_("status"), max_length=8, choices=HealthStatus.choices)
    worst_level = models.CharField(_("worst level"), max_length=10, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    query_count = models.PositiveIntegerField(_("queries"), default=0)
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    messages = models.JSONField(_("messages"), default=list, blank=True)
    nameservers = models.JSONField(_("name server measurements"), default=list, blank=True)
    soa_serials = models.JSONField(
        _("SOA serials"), default=list, blank=True, help_text=_("distinct serials seen")
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("zone result")
        verbose_name_plural = _("zone results")
        indexes = [
            models.Index(fields=["target", "-checked_at"], name="dnsh_result_target_time"),
            models.Index(fields=["checked_at"], name="dnsh_result_time"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.checked_at:%Y-%m-%d %H:%M} {self.status}"

    def message_dicts(self) -> list[dict[str, Any]]:
        """The messages as ``{"test_case", "tag", "level", "args"}`` dicts."""
        return [dict(zip(MESSAGE_FIELDS, item, strict=False)) for item in self.messages]

    def nameserver_dicts(self) -> list[dict[str, Any]]:
        """The per-nameserver measurements as dicts keyed by :data:`NAMESERVER_FIELDS`."""
        return [dict(zip(NAMESERVER_FIELDS, item, strict=False)) for item in self.nameservers]


class DailyRollup(models.Model):
    """One target's day, kept after its detail results are deleted.

    ``status_counts`` is ``{"green": n, "amber": n, "red": n}``; ``nameservers`` maps
    ``"ns/address"`` to ``{"probes", "reachable", "udp_p50", "udp_p95", "tcp_p50", "tcp_p95",
    "serials"}``; ``tags`` maps each message tag seen to the number of results carrying it.
    """

    target = models.ForeignKey(
        MonitoringTarget,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="rollups",
    )
    day = models.DateField(_("day"))
    runs = models.PositiveIntegerField(_("results"), default=0)
    worst_status = models.CharField(
        _("worst status"), max_length=8, choices=HealthStatus.choices, default=HealthStatus.GREY
    )
    status_counts = models.JSONField(_("status counts"), default=dict, blank=True)
    availability_pct = models.FloatField(_("availability (%)"), null=True, blank=True)
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    nameservers = models.JSONField(_("name servers"), default=dict, blank=True)
    tags = models.JSONField(_("tags seen"), default=dict, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily roll-up")
        verbose_name_plural = _("daily roll-ups")
        constraints = [
            models.UniqueConstraint(fields=["target", "day"], name="dnshealth_rollup_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.day} {self.worst_status}"


class RollupRecord(models.Model):
    """What one history roll-up did, so that no detail disappears silently."""

    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    cutoff = models.DateTimeField(_("detail older than"))
    results_rolled_up = models.PositiveIntegerField(_("results rolled up"), default=0)
    results_deleted = models.PositiveIntegerField(_("results deleted"), default=0)
    messages_rolled_up = models.PositiveIntegerField(_("messages rolled up"), default=0)
    rollups_written = models.PositiveIntegerField(_("daily roll-ups written"), default=0)
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("roll-up record")
        verbose_name_plural = _("roll-up records")

    def __str__(self) -> str:
        return f"roll-up {self.ran_at:%Y-%m-%d %H:%M}: {self.results_rolled_up} results"


class DelegationSnapshot(models.Model):
    """One distinct parent-side delegation state of a zone (stored once, seen many times).

    ``ns`` is the sorted list of NS names, ``glue`` maps NS name -> sorted addresses (glue
    or looked-up), ``ds`` the sorted DS rdata texts; ``digest`` is their SHA-256.
    """

    target = models.ForeignKey(
        MonitoringTarget,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="delegation_snapshots",
    )
    ns = models.JSONField(_("NS set"), default=list)
    glue = models.JSONField(_("glue"), default=dict, blank=True)
    ds = models.JSONField(_("DS"), default=list, blank=True)
    digest = models.CharField(_("digest"), max_length=64)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-first_seen", "-id"]
        verbose_name = _("delegation snapshot")
        verbose_name_plural = _("delegation snapshots")
        indexes = [
            models.Index(fields=["target", "-first_seen"], name="dnsh_snap_target_time"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.digest[:12]}"


class PlannedChange(models.Model):
    """A change of delegation a constituent announces in advance, so it does not alarm.

    Empty ``expected_ns``/``expected_ds`` mean "any change inside the window is expected".
    """

    target = models.ForeignKey(
        MonitoringTarget,
        verbose_name=_("zone"),
        on_delete=models.CASCADE,
        related_name="planned_changes",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="planned_delegation_changes",
    )
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    expected_ns = models.JSONField(_("expected NS set"), default=list, blank=True)
    expected_ds = models.JSONField(_("expected DS"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-window_start"]
        verbose_name = _("planned delegation change")
        verbose_name_plural = _("planned delegation changes")
        indexes = [models.Index(fields=["target", "window_start"], name="dnsh_plan_target")]

    def __str__(self) -> str:
        return f"{self.target} {self.window_start:%Y-%m-%d %H:%M}"


class DelegationChange(models.Model):
    """A change of a zone's parent-side NS set, glue or DS, with old vs new and a severity.

    ``diff`` is ``{"ns_added", "ns_removed", "glue_changed": {ns: [old, new]}, "ds_added",
    "ds_removed"}``; ``reasons`` lists the severity rules that fired.
    """

    target = models.ForeignKey(
        MonitoringTarget,
        verbose_name=_("zone"),
        on_delete=models.CASCADE,
        related_name="delegation_changes",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="delegation_changes",
    )
    old = models.ForeignKey(
        DelegationSnapshot,
        verbose_name=_("old delegation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    new = models.ForeignKey(
        DelegationSnapshot,
        verbose_name=_("new delegation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    diff = models.JSONField(_("difference"), default=dict)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    expected = models.BooleanField(_("expected"), default=False)
    planned_change = models.ForeignKey(
        PlannedChange,
        verbose_name=_("planned change"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matched_changes",
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        verbose_name = _("delegation change")
        verbose_name_plural = _("delegation changes")
        indexes = [
            models.Index(fields=["target", "-detected_at"], name="dnsh_change_target_time"),
            models.Index(fields=["organisation", "-detected_at"], name="dnsh_change_org_time"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.detected_at:%Y-%m-%d %H:%M} {self.severity}"


class Signal(models.Model):
    """A state change worth telling someone about, stored once per change (not per run).

    While ``state`` is open, ``dedupe_key`` (e.g. ``zone_broken:target:12``) is unique: the
    same condition seen again only moves ``last_seen``; when it clears the signal is resolved.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=SignalKind.choices)
    target = models.ForeignKey(
        MonitoringTarget,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="signals",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="dnshealth_signals",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=SignalState.choices, default=SignalState.OPEN
    )
    summary = models.CharField(_("summary"), max_length=300)
    details = models.JSONField(_("details"), default=dict, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    delegation_change = models.ForeignKey(
        DelegationChange,
        verbose_name=_("delegation change"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signals",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state="open"),
                name="dnshealth_signal_one_open_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "severity", "opened_at"], name="dnsh_signal_open"),
            models.Index(fields=["organisation", "-opened_at"], name="dnsh_signal_org_time"),
            models.Index(fields=["target", "-opened_at"], name="dnsh_signal_target_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} ({self.state})"


class Notification(models.Model):
    """One e-mail about one signal to one recipient; failures stay visible and are retried."""

    signal = models.ForeignKey(
        Signal,
        verbose_name=_("signal"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=8, default="en")
    contact = models.ForeignKey(
        "directory.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["signal", "email"], name="dnshealth_notification_once"),
        ]
        indexes = [models.Index(fields=["status", "created"], name="dnsh_notif_status")]

    def __str__(self) -> str:
        return f"{self.email} {self.status}"
