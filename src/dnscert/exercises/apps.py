"""App configuration of scenario exercises: injects, answers, after-action, navigation."""

from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "dnscert.exercises"
    label = "exercises"
    verbose_name = "Exercises and training"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from dnscert.web import navigation

        navigation.register(
            navigation.NavItem("exercises:list", _("Exercises"), navigation.STAFF_ROLES),
            before="audit-log",
        )
        navigation.register(
            navigation.NavItem("exercises:mine", _("My exercises"), navigation.MEMBER_ROLES),
            before="documents",
        )
