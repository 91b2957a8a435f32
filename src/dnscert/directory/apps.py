"""App configuration for the constituency directory."""

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "dnscert.directory"
    label = "directory"
    verbose_name = "Directory"
