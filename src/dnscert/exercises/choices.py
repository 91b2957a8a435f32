"""Enumerations of scenario exercises, declared once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExerciseStatus(models.TextChoices):
    """Planned, then running (paused and resumed as often as needed), then ended."""

    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


#: Which status may follow which: running and paused alternate; ended is final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ExerciseStatus.PLANNED: (ExerciseStatus.RUNNING, ExerciseStatus.ENDED),
    ExerciseStatus.RUNNING: (ExerciseStatus.PAUSED, ExerciseStatus.ENDED),
    ExerciseStatus.PAUSED: (ExerciseStatus.RUNNING, ExerciseStatus.ENDED),
    ExerciseStatus.ENDED: (),
}

#: Statuses in which participants may still answer delivered injects.
ANSWERABLE = (ExerciseStatus.RUNNING, ExerciseStatus.PAUSED)


class ResponseVia(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")


class ObjectiveResult(models.TextChoices):
    UNMARKED = "", _("Not assessed")
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")
