"""App configuration of watch and warning: navigation entries and the listeners."""

from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "dnscert.advisories.warnings"
    label = "warnings"
    verbose_name = "Watch and warning"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.advisories.warnings import receivers
        from dnscert.web import navigation

        receivers.connect()
        navigation.register(
            navigation.NavItem("warnings:list", _("Warnings"), navigation.TEAM_ROLES),
            before="audit-log",
        )
        navigation.register(
            navigation.NavItem("warnings:portal-list", _("Warnings"), navigation.MEMBER_ROLES),
            before="documents",
        )
        navigation.register(
            navigation.NavItem(
                "warnings:subscriptions", _("Subscriptions"), navigation.MEMBER_ROLES
            ),
            before="documents",
        )
