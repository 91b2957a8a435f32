"""App configuration."""

from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "dnscert.delivery"
    label = "delivery"
    verbose_name = "Delivery"
