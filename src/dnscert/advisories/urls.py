"""URL routes of advisories: reader pages, the staff console and the CSAF provider paths."""

from django.urls import path, re_path

from dnscert.advisories import console, views, wellknown

app_name = "advisories"

WHITE = r"^\.well-known/csaf/white/"

urlpatterns = [
    path("advisories/", views.advisory_list, name="list"),
    path("advisories/feed.atom", views.AdvisoryFeed(), name="feed"),
    path("advisories/console/", console.console, name="console"),
    path(
        "advisories/console/export.<str:fmt>",
        console.console_export,
        name="console-export",
    ),
    path("advisories/console/new/", console.create, name="create"),
    path("advisories/console/<str:reference>/", console.manage, name="manage"),
    path("advisories/console/<str:reference>/edit/", console.edit, name="edit"),
    path(
        "advisories/console/<str:reference>/translation/",
        console.save_translation,
        name="translation",
    ),
    path(
        "advisories/console/<str:reference>/<str:action>/",
        console.act,
        name="act",
    ),
    path("advisories/<str:reference>/", views.advisory_detail, name="detail"),
    path("advisories/<str:reference>/csaf.json", views.advisory_csaf, name="csaf"),
    path(
        "advisories/<str:reference>/csaf/<str:filename>",
        views.advisory_csaf,
        name="csaf-file",
    ),
    path(
        ".well-known/csaf/provider-metadata.json",
        wellknown.provider_metadata,
        name="provider-metadata",
    ),
    re_path(WHITE + r"$", wellknown.directory_listing, name="csaf-directory"),
    re_path(WHITE + r"index\.txt$", wellknown.index_txt, name="csaf-index"),
    re_path(WHITE + r"changes\.csv$", wellknown.changes_csv, name="csaf-changes"),
    re_path(WHITE + r"feed-tlp-white\.json$", wellknown.rolie_feed, name="csaf-rolie"),
    re_path(WHITE + r"(?P<year>\d{4})/$", wellknown.year_listing, name="csaf-year"),
    re_path(
        WHITE + r"(?P<year>\d{4})/(?P<name>[+\-a-z0-9_]+)\.json$",
        wellknown.document,
        name="csaf-document",
    ),
    re_path(
        WHITE + r"(?P<year>\d{4})/(?P<name>[+\-a-z0-9_]+)\.json\.(?P<suffix>sha256|sha512|asc)$",
        wellknown.document,
        name="csaf-document-extra",
    ),
]
