"""App configuration for the core: TLP, roles, visibility, audit, jobs."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dnscert.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from dnscert.core import jobs, signals  # noqa: F401  (signals: audit of sign-ins)

        jobs.autodiscover()
