"""App configuration."""

from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "dnscert.intel"
    label = "intel"
    verbose_name = "Situational awareness"
