"""App configuration."""

from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "dnscert.directory.oncall"
    label = "oncall"
    verbose_name = "On-call"
