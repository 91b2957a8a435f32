"""Top-level URL configuration: web faces, accounts, apps, REST API and its schema."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("", include("dnscert.web.urls")),
    path("", include("dnscert.core.urls")),
    path("directory/", include("dnscert.directory.urls")),
    path("", include("dnscert.dnshealth.urls")),
    path("", include("dnscert.intel.urls")),
    path("", include("dnscert.intel.patterns.urls")),
    path("", include("dnscert.incidents.urls")),
    path("", include("dnscert.incidents.intake.urls")),
    path("", include("dnscert.directory.oncall.urls")),
    path("", include("dnscert.directory.drills.urls")),
    path("", include("dnscert.delivery.urls")),
    path("", include("dnscert.insight.urls")),
    path("", include("dnscert.vulns.urls")),
    path("", include("dnscert.advisories.urls")),
    path("", include("dnscert.advisories.warnings.urls")),
    path("", include("dnscert.sharing.urls")),
    path("", include("dnscert.exercises.urls")),
    path("api/", include("dnscert.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
