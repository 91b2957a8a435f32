"""Enumerations shared by every app: TLP 2.0 labels, roles and severities, declared once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0 labels (FIRST, 2022). Labels are never translated."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"

    @classmethod
    def parse(cls, value: str) -> TLP:
        """Parse ``GREEN``, ``tlp:green`` or ``TLP:AMBER+STRICT``; raise ValueError otherwise."""
        text = (value or "").strip().upper()
        if text.startswith("TLP:"):
            text = text[4:]
        if text == "WHITE":
            text = "CLEAR"
        try:
            return cls(text)
        except ValueError:
            allowed = ", ".join(c.value for c in cls)
            raise ValueError(f"unknown TLP label {value!r}; expected one of {allowed}") from None

    @property
    def rank(self) -> int:
        """0 for CLEAR up to 4 for RED: a higher rank is more restricted."""
        return list(TLP).index(self)

    @property
    def label_text(self) -> str:
        """The label as TLP 2.0 writes it, e.g. ``TLP:AMBER+STRICT``."""
        return f"TLP:{self.value}"

    @property
    def colour(self) -> str:
        """The TLP 2.0 colour, to be shown on a black background."""
        return TLP_COLOURS[self]


TLP_COLOURS = {
    TLP.CLEAR: "#FFFFFF",
    TLP.GREEN: "#33FF00",
    TLP.AMBER: "#FFC000",
    TLP.AMBER_STRICT: "#FFC000",
    TLP.RED: "#FF2B2B",
}


class Role(models.TextChoices):
    """What a signed-in user is to the platform; anonymous visitors are the public."""

    STAFF = "staff", _("Staff (core team)")
    RESPONDER = "responder", _("Responder (extended team)")
    MEMBER = "member", _("Constituent member")


class Severity(models.TextChoices):
    """Severity shared by incidents, advisories and signals."""

    INFO = "info", _("Informational")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")
