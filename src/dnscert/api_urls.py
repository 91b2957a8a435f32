"""The REST API: one router, each app registering its viewsets in its ``api.py``."""

from rest_framework.routers import DefaultRouter

from dnscert.core import api as core_api
from dnscert.directory import api as directory_api
from dnscert.dnshealth import api as dnshealth_api

router = DefaultRouter()
core_api.register(router)
directory_api.register(router)
dnshealth_api.register(router)

urlpatterns = router.urls
