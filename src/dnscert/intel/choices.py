"""Enumerations of situational awareness (feeds, runs, aggregates), declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """How a feed's data reaches the platform."""

    UPLOAD = "upload", _("Upload")
    URL = "url", _("HTTP(S) URL on a schedule")
    DIRECTORY = "directory", _("Directory watch")
    MISP = "misp", _("MISP feed")
    STIX = "stix", _("STIX 2.1 bundle")


class RunStatus(models.TextChoices):
    """State of one ingest run."""

    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Dimension(models.TextChoices):
    """What a daily aggregate counts events by."""

    TLD = "tld", _("TLD")
    REGISTRAR = "registrar", _("Registrar")
    CATEGORY = "category", _("Category")
    FEED = "feed", _("Feed")


class RegistrationSource(models.TextChoices):
    """Where a registration record came from."""

    IMPORT = "import", _("Imported table")
    RDAP = "rdap", _("RDAP lookup")
    ZONE = "zone", _("Zone file")
