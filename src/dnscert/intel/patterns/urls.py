"""URL routes of intel patterns."""

from django.urls import URLPattern

app_name = "intel_patterns"
urlpatterns: list[URLPattern] = []
