"""REST API of on-call; ``register`` adds its endpoints to the platform's router."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to ``router``."""
