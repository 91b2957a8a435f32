"""App configuration of the intake: report forms, API, inbound e-mail and the triage queue."""

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "dnscert.incidents.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        report_roles = frozenset({navigation.PUBLIC, *navigation.MEMBER_ROLES})
        navigation.register(
            navigation.NavItem("intake:report", _("Report an incident"), report_roles),
            before="login",
        )
        navigation.register(
            navigation.NavItem("intake:queue", _("Intake"), navigation.TEAM_ROLES),
            before="audit-log",
        )
