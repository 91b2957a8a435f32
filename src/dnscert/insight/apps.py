"""App configuration: KPIs, after-action reports and feedback; listens to incident closures."""

from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "dnscert.insight"
    label = "insight"
    verbose_name = "Insight"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.incidents.signals import incident_status_changed
        from dnscert.insight import receivers
        from dnscert.web import navigation

        incident_status_changed.connect(
            receivers.on_status_changed, dispatch_uid="insight.on_status_changed"
        )
        navigation.register(
            navigation.NavItem("insight:dashboard", _("Reports"), navigation.STAFF_ROLES),
            before="audit-log",
        )
