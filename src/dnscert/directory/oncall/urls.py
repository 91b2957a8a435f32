"""URL routes of on-call."""

from django.urls import URLPattern

app_name = "oncall"
urlpatterns: list[URLPattern] = []
