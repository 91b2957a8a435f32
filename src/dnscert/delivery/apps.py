"""App configuration of delivery: outbound e-mail and webhooks, the staff queue page."""

from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "dnscert.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.delivery import conf
        from dnscert.web import navigation

        # Read at startup so a bad value stops the platform instead of breaking pages later.
        conf.retention_days()

        navigation.register(
            navigation.NavItem("delivery:queue", _("Delivery"), navigation.STAFF_ROLES),
            before="audit-log",
        )
