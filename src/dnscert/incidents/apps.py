"""App configuration of incidents: the queue for the team, the portal list for members."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "dnscert.incidents"
    label = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        navigation.register(
            navigation.NavItem("incidents:list", _("Incidents"), navigation.TEAM_ROLES),
            before="directory:organisation-list",
        )
        navigation.register(
            navigation.NavItem("incidents:portal", _("Our incidents"), navigation.MEMBER_ROLES),
            before="portal-organisation",
        )
