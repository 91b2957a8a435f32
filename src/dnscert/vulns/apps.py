"""App configuration of vulnerability coordination: cases, vendors, embargoes, navigation."""

from django.apps import AppConfig


class VulnsConfig(AppConfig):
    name = "dnscert.vulns"
    label = "vulns"
    verbose_name = "Vulnerability coordination"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        navigation.register(
            navigation.NavItem("vulns:case-list", _("Vulnerabilities"), navigation.TEAM_ROLES),
            before="audit-log",
        )
        navigation.register(
            navigation.NavItem("vulns:my-cases", _("My cases"), navigation.MEMBER_ROLES),
            before="documents",
        )
