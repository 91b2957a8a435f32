"""App configuration for DNS health: monitoring targets, runs, delegation watch, signals."""

from django.apps import AppConfig


class DnshealthConfig(AppConfig):
    name = "dnscert.dnshealth"
    label = "dnshealth"
    verbose_name = "DNS health"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        navigation.register(
            navigation.NavItem("dnshealth:dashboard", _("DNS health"), navigation.SIGNED_IN_ROLES),
            before="audit-log",
        )
        navigation.register(
            navigation.NavItem(
                "dnshealth:public-status", _("DNS status"), frozenset({navigation.PUBLIC})
            ),
            before="login",
        )
