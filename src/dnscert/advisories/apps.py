"""App configuration of advisories: registers the navigation entries."""

from django.apps import AppConfig


class AdvisoriesConfig(AppConfig):
    name = "dnscert.advisories"
    label = "advisories"
    verbose_name = "Advisories"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        everyone = frozenset({navigation.PUBLIC}) | navigation.SIGNED_IN_ROLES
        navigation.register(
            navigation.NavItem("advisories:list", _("Advisories"), everyone), before="login"
        )
        navigation.register(
            navigation.NavItem("advisories:console", _("Advisory console"), navigation.STAFF_ROLES),
            before="audit-log",
        )
