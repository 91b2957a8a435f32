"""On-call models: escalation policies, rotas, shifts and weekly patterns, pages and the
notifications each page sent.

Shift times are aware datetimes stored in UTC; a weekly pattern is written in its own time
zone (the responder's by default) and expanded into shifts, so daylight-saving changes move
the UTC times and never the local ones.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.directory.oncall.choices import AckVia, Channel, Level, PageStatus, RotaKind


class EscalationPolicy(models.Model):
    """How long each level has to acknowledge before the next one is paged.

    Level 1 is whoever is on call in the primary rotas, level 2 the backup rota and the named
    backup responders (skipped when the policy has neither), level 3 every core staff member.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    on_call_minutes = models.PositiveIntegerField(
        _("minutes for the on-call responders"),
        default=15,
        help_text=_("Minutes the on-call responders have to acknowledge before escalation."),
    )
    backup_rota = models.ForeignKey(
        "Rota",
        verbose_name=_("backup rota"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backing_policies",
    )
    backup_responders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("backup responders"),
        blank=True,
        related_name="+",
    )
    backup_minutes = models.PositiveIntegerField(
        _("minutes for the backup"),
        default=15,
        help_text=_("Minutes the backup has to acknowledge before all staff are paged."),
    )
    expire_hours = models.PositiveIntegerField(
        _("hours before an unacknowledged page expires"), default=24
    )
    max_shift_hours = models.PositiveIntegerField(
        _("longest shift in hours"),
        default=24,
        help_text=_("Shifts longer than this are refused."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name

    def minutes_for(self, level: int) -> int:
        """Minutes ``level`` has before the page escalates (staff: until it expires)."""
        if level == Level.ON_CALL:
            return self.on_call_minutes
        if level == Level.BACKUP:
            return self.backup_minutes
        return self.expire_hours * 60


class Rota(models.Model):
    """A rota of the extended team; its shifts together should cover every hour (24x7)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=RotaKind.choices, default=RotaKind.PRIMARY
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("The rota's reference time zone, e.g. Europe/Paris."),
    )
    policy = models.ForeignKey(
        EscalationPolicy,
        verbose_name=_("escalation policy"),
        on_delete=models.PROTECT,
        related_name="rotas",
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    webhook_url = models.URLField(
        _("webhook URL"),
        blank=True,
        help_text=_("Chat or SMS gateway that receives every page of this rota (optional)."),
    )
    webhook_secret = models.CharField(
        _("webhook secret"),
        max_length=200,
        blank=True,
        help_text=_("Shared secret the webhook body is signed with (HMAC-SHA256)."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("rota")
        verbose_name_plural = _("rotas")

    def __str__(self) -> str:
        return self.name


class ShiftPattern(models.Model):
    """A weekly shift, e.g. Monday to Friday 08:00-16:00 Europe/Paris, expanded into shifts.

    An end time at or before the start time means the shift ends the next day.
    """

    rota = models.ForeignKey(
        Rota, verbose_name=_("rota"), on_delete=models.CASCADE, related_name="patterns"
    )
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responder"),
        on_delete=models.CASCADE,
        related_name="oncall_patterns",
    )
    weekdays = models.JSONField(_("weekdays"), help_text=_("0 is Monday, 6 is Sunday."))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["rota", "responder", "start_time"]
        verbose_name = _("weekly shift pattern")
        verbose_name_plural = _("weekly shift patterns")

    def __str__(self) -> str:
        hours = f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        return f"{self.responder} {self.weekday_text} {hours} {self.time_zone}"

    @property
    def weekday_text(self) -> str:
        """``Mon,Tue,Wed`` for display."""
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return ",".join(names[day] for day in sorted(self.weekdays))


class Shift(models.Model):
    """One responder on call in one rota from ``start`` to ``end`` (aware, stored in UTC)."""

    rota = models.ForeignKey(
        Rota, verbose_name=_("rota"), on_delete=models.CASCADE, related_name="shifts"
    )
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responder"),
        on_delete=models.CASCADE,
        related_name="oncall_shifts",
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"), db_index=True)
    pattern = models.ForeignKey(
        ShiftPattern,
        verbose_name=_("pattern"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shifts",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["start", "end", "id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="oncall_shift_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["pattern", "start"], name="oncall_shift_once_per_pattern_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.responder} {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M} UTC"

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def new_page_token() -> str:
    """128 random bits as 32 hex digits: unguessable, and easy to find in a reply."""
    return secrets.token_hex(16)


class Page(models.Model):
    """One page: who was alerted about what, at which level, and who acknowledged it."""

    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    severity = models.CharField(_("severity"), max_length=16)
    url = models.CharField(_("URL"), max_length=500, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    about_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    about_id = models.CharField(max_length=64, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    rota = models.ForeignKey(
        Rota,
        verbose_name=_("rota"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pages",
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.ON_CALL
    )
    status = models.CharField(
        _("status"), max_length=24, choices=PageStatus.choices, default=PageStatus.OPEN
    )
    nobody_on_call = models.BooleanField(
        _("nobody was on call"), default=False, help_text=_("Staff were paged at once.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    level_started_at = models.DateTimeField(_("level paged at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_via = models.CharField(
        _("acknowledged via"), max_length=16, choices=AckVia.choices, blank=True
    )
    token = models.CharField(max_length=32, unique=True, default=new_page_token, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"

    @property
    def token_label(self) -> str:
        """The token as written in subjects and replies: ``PAGE-<32 hex digits>``."""
        return f"PAGE-{self.token}"

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at - self.created_at

    @property
    def is_waiting(self) -> bool:
        """True while nobody acknowledged and the page has not expired."""
        return self.status in (PageStatus.OPEN, PageStatus.ESCALATED_TO_STAFF)

    def escalates_at(self) -> datetime | None:
        """When the current level runs out (None once acknowledged or expired)."""
        if not self.is_waiting:
            return None
        policy = self.rota.policy if self.rota is not None else EscalationPolicy()
        return self.level_started_at + timedelta(minutes=policy.minutes_for(self.level))


class PageNotification(models.Model):
    """One message a page sent: an e-mail to a person or a post to a rota's webhook."""

    page = models.ForeignKey(
        Page, verbose_name=_("page"), on_delete=models.CASCADE, related_name="notifications"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="oncall_notifications",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=500)
    outbound_id = models.PositiveIntegerField(_("outbound message"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("page notification")
        verbose_name_plural = _("page notifications")

    def __str__(self) -> str:
        return f"{self.page_id} L{self.level} {self.channel} {self.recipient}"
