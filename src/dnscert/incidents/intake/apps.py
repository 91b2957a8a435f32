"""App configuration."""

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "dnscert.incidents.intake"
    label = "intake"
    verbose_name = "Intake"
