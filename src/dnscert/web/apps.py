"""App configuration for the web faces: base layout, home pages, public site, assets."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dnscert.web"
    label = "web"
    verbose_name = "Web"
