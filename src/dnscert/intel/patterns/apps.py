"""App configuration."""

from django.apps import AppConfig


class IntelPatternsConfig(AppConfig):
    name = "dnscert.intel.patterns"
    label = "intel_patterns"
    verbose_name = "Intel patterns"
