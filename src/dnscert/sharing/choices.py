"""Enumerations of sharing, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who a TAXII collection (and the MISP feed of the same name) is for."""

    PUBLIC = "public", _("Public (TLP:CLEAR)")
    COMMUNITY = "community", _("Community (TLP:GREEN)")
    ORGANISATION = "organisation", _("One organisation (TLP:AMBER)")


class SourceKind(models.TextChoices):
    """What a share was made from."""

    INCIDENT = "incident", _("Incident indicators")
    DGA_LIST = "dga_list", _("DGA list")
    INTEL = "intel", _("Intel events")
