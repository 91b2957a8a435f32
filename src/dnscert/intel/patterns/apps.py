"""App configuration of the pattern detectors; registers their navigation entries."""

from django.apps import AppConfig


class IntelPatternsConfig(AppConfig):
    name = "dnscert.intel.patterns"
    label = "intel_patterns"
    verbose_name = "Intel patterns"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        navigation.register(
            navigation.NavItem(
                "intel_patterns:concentration", _("Concentration"), navigation.TEAM_ROLES
            ),
            before="audit-log",
        )
        navigation.register(
            navigation.NavItem(
                "intel_patterns:campaigns", _("DGA coordination"), navigation.TEAM_ROLES
            ),
            before="audit-log",
        )
        navigation.register(
            navigation.NavItem("intel_patterns:mine", _("Blocking lists"), navigation.MEMBER_ROLES),
            before="documents",
        )
