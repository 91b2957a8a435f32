"""App configuration of situational awareness: feeds, events, aggregates; the menu entry."""

from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "dnscert.intel"
    label = "intel"
    verbose_name = "Situational awareness"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        navigation.register(
            navigation.NavItem("intel:events", _("Threat data"), navigation.SIGNED_IN_ROLES),
            before="audit-log",
        )
