"""App configuration of reachability drills: navigation entries and the bounce listener."""

from django.apps import AppConfig


class DrillsConfig(AppConfig):
    name = "dnscert.directory.drills"
    label = "drills"
    verbose_name = "Reachability drills"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.directory.drills import receivers
        from dnscert.web import navigation

        receivers.connect()
        navigation.register(
            navigation.NavItem("drills:list", _("Drills"), navigation.STAFF_ROLES),
            before="audit-log",
        )
        navigation.register(
            navigation.NavItem("drills:mine", _("Drill results"), navigation.MEMBER_ROLES),
            before="documents",
        )
