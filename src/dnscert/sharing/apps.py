"""App configuration of sharing: STIX 2.1 over TAXII 2.1, the MISP feed, security.txt."""

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "dnscert.sharing"
    label = "sharing"
    verbose_name = "Sharing"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        navigation.register(
            navigation.NavItem("sharing:console", _("Sharing"), navigation.STAFF_ROLES),
            before="audit-log",
        )
        navigation.register(
            navigation.NavItem("sharing:mine", _("Sharing feeds"), navigation.MEMBER_ROLES),
            before="documents",
        )
