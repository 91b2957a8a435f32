"""App configuration."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "dnscert.incidents"
    label = "incidents"
    verbose_name = "Incidents"
