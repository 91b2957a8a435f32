"""Enumerations of advisories, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdvisoryStatus(models.TextChoices):
    """Where an advisory is in its life: draft, in review, published, withdrawn."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CsafCategory(models.TextChoices):
    """The CSAF 2.0 profile (``document.category``) an advisory is published as."""

    SECURITY_ADVISORY = "csaf_security_advisory", _("Security advisory")
    INFORMATIONAL_ADVISORY = "csaf_informational_advisory", _("Informational advisory")
    SECURITY_INCIDENT_RESPONSE = "csaf_security_incident_response", _("Security incident response")


class ProductStatus(models.TextChoices):
    """How an affected product stands to the advisory (CSAF ``product_status`` lists)."""

    KNOWN_AFFECTED = "known_affected", _("Known affected")
    KNOWN_NOT_AFFECTED = "known_not_affected", _("Known not affected")
    FIXED = "fixed", _("Fixed")
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
