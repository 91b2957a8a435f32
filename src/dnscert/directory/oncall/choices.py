"""Enumerations of on-call, declared once: rota kinds, page states, channels and levels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RotaKind(models.TextChoices):
    """Primary rotas are paged first; backup rotas only when a policy escalates to them."""

    PRIMARY = "primary", _("Primary (paged first)")
    BACKUP = "backup", _("Backup (second level)")


class PageStatus(models.TextChoices):
    """Where a page stands."""

    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATED_TO_STAFF = "escalated_to_staff", _("Escalated to staff")
    EXPIRED = "expired", _("Expired")


#: States in which a page still waits for somebody to acknowledge it.
WAITING_STATES = (PageStatus.OPEN, PageStatus.ESCALATED_TO_STAFF)


class Channel(models.TextChoices):
    """How one notification of a page went out."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class AckVia(models.TextChoices):
    """How a page was acknowledged."""

    LINK = "link", _("Link")
    REPLY = "reply", _("E-mail reply")
    WEB = "web", _("Web page")
    API = "api", _("API")


class Level(models.IntegerChoices):
    """Escalation levels: the on-call responders, the backup, then all core staff."""

    ON_CALL = 1, _("On-call responders")
    BACKUP = 2, _("Backup")
    STAFF = 3, _("Core staff")
