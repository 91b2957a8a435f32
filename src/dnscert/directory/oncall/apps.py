"""App configuration of on-call: rotas, coverage, paging and escalation."""

from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "dnscert.directory.oncall"
    label = "oncall"
    verbose_name = "On-call"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        navigation.register(
            navigation.NavItem("oncall:overview", _("On-call"), navigation.TEAM_ROLES),
            before="audit-log",
        )
