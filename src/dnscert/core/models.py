"""Core models: users and their role, the shareable-object base, audit events, job runs."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Role


class User(AbstractUser):
    """A person who signs in: core staff, an extended-team responder or a constituent member."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("Constituent members belong to exactly one organisation."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_core_staff(self) -> bool:
        """True for the core team, who see everything."""
        return self.is_active and (self.role == Role.STAFF or self.is_superuser)

    @property
    def is_responder(self) -> bool:
        return self.is_active and self.role == Role.RESPONDER

    @property
    def needs_mfa(self) -> bool:
        """Staff and responders must sign in with a second factor."""
        return self.role in (Role.STAFF, Role.RESPONDER) or self.is_superuser


class Shareable(models.Model):
    """Base for every object shared under TLP; the visibility rule reads these fields.

    ``owner_organisation`` is the source organisation, ``recipient_organisations`` those the
    object is addressed to, ``named_recipients`` the people named for TLP:RED and
    ``assignees`` the responders assigned to work on it.
    """

    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER)
    owner_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_organisations = models.ManyToManyField(
        "directory.Organisation",
        verbose_name=_("recipient organisations"),
        blank=True,
        related_name="+",
    )
    named_recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("named recipients"), blank=True, related_name="+"
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assignees"), blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One recorded action: who did what to which object, when and from where."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        STATE = "state", _("changed state")
        DELETE = "delete", _("deleted")
        READ = "read", _("read")
        LOGIN = "login", _("signed in")
        LOGIN_FAILED = "login_failed", _("failed to sign in")
        LOGOUT = "logout", _("signed out")
        IMPORT = "import", _("imported")
        EXPORT = "export", _("exported")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    via = models.CharField(_("via"), max_length=16, blank=True, help_text="web, api, cli, job")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"

    @property
    def change_lines(self) -> list[tuple[str, str]]:
        """``(field, "old → new")`` pairs for display; other values as compact JSON."""
        return [(str(key), _change_text(value)) for key, value in (self.changes or {}).items()]


def _change_text(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{_json_text(value[0])} → {_json_text(value[1])}"
    return _json_text(value)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class ApiToken(models.Model):
    """A bearer token for a machine client; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, user: Any, name: str, expires: Any = None) -> tuple[ApiToken, str]:
        """Create a token and return it with its raw value, which is shown only once."""
        raw = "dc_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=raw[:8], digest=cls.digest_of(raw), expires=expires
        )
        return token, raw

    @property
    def is_valid(self) -> bool:
        return not self.revoked and (self.expires is None or self.expires > timezone.now())


class JobRun(models.Model):
    """One execution of a declared job, in-process or on a Celery worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    name = models.CharField(_("job"), max_length=100, db_index=True)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    backend = models.CharField(_("backend"), max_length=16, blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class SharedDocument(Shareable):
    """A document the core team shares with constituents under TLP (a note, a report, a file)."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to="shared-documents/%Y/%m/", blank=True, max_length=255
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("shared document")
        verbose_name_plural = _("shared documents")

    def __str__(self) -> str:
        return self.title


class ReferenceCounter(models.Model):
    """The last number handed out in a reference series for a year (locked while allocating).

    One row per (series, year), e.g. ("DNSCERT", 2026) for incidents ``DNSCERT-2026-0001`` and
    ("DNSCERT-SA", 2026) for advisories; :mod:`dnscert.core.references` allocates from it.
    """

    series = models.CharField(_("series"), max_length=32)
    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="core_reference_series_year")
        ]
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"
