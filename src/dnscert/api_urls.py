"""The REST API: one router, each app registering its viewsets in its ``api.py``."""

from rest_framework.routers import DefaultRouter

from dnscert.advisories import api as advisories_api
from dnscert.advisories.warnings import api as warnings_api
from dnscert.core import api as core_api
from dnscert.delivery import api as delivery_api
from dnscert.directory import api as directory_api
from dnscert.directory.drills import api as drills_api
from dnscert.directory.oncall import api as oncall_api
from dnscert.dnshealth import api as dnshealth_api
from dnscert.exercises import api as exercises_api
from dnscert.incidents import api as incidents_api
from dnscert.incidents.intake import api as intake_api
from dnscert.insight import api as insight_api
from dnscert.intel import api as intel_api
from dnscert.intel.patterns import api as intel_patterns_api
from dnscert.sharing import api as sharing_api
from dnscert.vulns import api as vulns_api

router = DefaultRouter()
for app_api in (
    core_api,
    directory_api,
    oncall_api,
    drills_api,
    dnshealth_api,
    intel_api,
    intel_patterns_api,
    incidents_api,
    intake_api,
    delivery_api,
    insight_api,
    vulns_api,
    advisories_api,
    warnings_api,
    sharing_api,
    exercises_api,
):
    app_api.register(router)

urlpatterns = router.urls
