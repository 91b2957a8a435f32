"""Enumerations of the insight app, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Score(models.IntegerChoices):
    """A survey answer from 1 (not at all) to 5 (fully)."""

    ONE = 1, _("1 — not at all")
    TWO = 2, "2"
    THREE = 3, "3"
    FOUR = 4, "4"
    FIVE = 5, _("5 — fully")


class ExportFormat(models.TextChoices):
    """The formats an after-action report is exported in."""

    MARKDOWN = "md", "Markdown"
    PDF = "pdf", "PDF"
