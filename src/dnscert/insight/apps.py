"""App configuration."""

from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "dnscert.insight"
    label = "insight"
    verbose_name = "Insight"
