"""URL routes of the web faces: public site, home pages, member portal, jobs, health."""

from django.urls import path

from dnscert.web import views

urlpatterns = [
    path("", views.public_home, name="public-home"),
    path("home/", views.home, name="home"),
    path("portal/", views.portal_home, name="portal-home"),
    path("portal/organisation/", views.portal_organisation, name="portal-organisation"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("health", views.health, name="health"),
]
