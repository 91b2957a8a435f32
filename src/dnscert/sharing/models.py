"""Sharing models: what was shared from which source, the STIX objects in each TAXII
collection, and the status resources of TAXII uploads.

A :class:`Share` is one source (an incident's indicators, a DGA registry list, a day of intel
events) shared under one TLP label; its ``items`` are the indicator values captured when it
was shared, from which both the STIX objects and the MISP event are built. A
:class:`SharedObject` is one version of one STIX object in one collection; an object shared
with two organisations sits in two collections, one row each. Both are
:class:`~dnscert.core.models.Shareable`, so every query goes through the visibility rule.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import Severity
from dnscert.core.models import Shareable
from dnscert.sharing.choices import Audience, SourceKind


class Share(Shareable):
    """One source shared with the community; ``uuid`` is also its MISP event uuid."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_key = models.CharField(_("source key"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MEDIUM
    )
    labels = models.JSONField(_("labels"), default=list, blank=True)
    items = models.JSONField(_("indicators"), default=list, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    registry_list = models.ForeignKey(
        "intel_patterns.RegistryList",
        verbose_name=_("DGA list"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("shared"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("share")
        verbose_name_plural = _("shares")

    def __str__(self) -> str:
        return self.title

    @property
    def item_count(self) -> int:
        """How many indicator values the share carries."""
        return len(self.items or [])


class SharedObject(Shareable):
    """One version of one STIX 2.1 object in one TAXII collection."""

    share = models.ForeignKey(
        Share,
        verbose_name=_("share"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stix_objects",
    )
    collection = models.UUIDField(_("collection"), db_index=True)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    stix_id = models.CharField(_("STIX id"), max_length=120)
    stix_type = models.CharField(_("STIX type"), max_length=64, db_index=True)
    version = models.CharField(_("version"), max_length=32)
    date_added = models.DateTimeField(_("added"), default=timezone.now, db_index=True)
    payload = models.JSONField(_("object"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["date_added", "id"]
        verbose_name = _("shared object")
        verbose_name_plural = _("shared objects")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "stix_id", "version"], name="sharing_object_version_once"
            )
        ]
        indexes = [models.Index(fields=["collection", "date_added", "id"])]

    def __str__(self) -> str:
        return f"{self.stix_id} ({self.version})"


class UploadStatus(models.Model):
    """The TAXII status resource of one ``POST .../objects/`` request."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.UUIDField(_("collection"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    successes = models.JSONField(default=list)
    failures = models.JSONField(default=list)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("TAXII upload status")
        verbose_name_plural = _("TAXII upload statuses")

    def __str__(self) -> str:
        return str(self.id)

    def as_taxii(self) -> dict[str, object]:
        """The status resource as TAXII 2.1 defines it (every upload completes at once)."""
        return {
            "id": str(self.id),
            "status": "complete",
            "request_timestamp": self.requested_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "total_count": len(self.successes) + len(self.failures),
            "success_count": len(self.successes),
            "successes": self.successes,
            "failure_count": len(self.failures),
            "failures": self.failures,
            "pending_count": 0,
        }
