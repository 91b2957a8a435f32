"""URL routes of sharing: staff console, constituent page, TAXII 2.1, MISP feeds,
security.txt."""

from django.urls import path

from dnscert.sharing import taxii_views, views

app_name = "sharing"

COLLECTION = "taxii2/api/collections/<str:collection_id>/"

urlpatterns = [
    path("sharing/", views.console, name="console"),
    path("sharing/share/incident/", views.share_incident, name="share-incident"),
    path("sharing/share/dga/", views.share_dga, name="share-dga"),
    path("sharing/share/intel/", views.share_intel, name="share-intel"),
    path("sharing/shares/<uuid:uuid>/", views.share_detail, name="share"),
    path("sharing/shares/<uuid:uuid>/stix.json", views.share_bundle, name="share-bundle"),
    path("sharing/shares/<uuid:uuid>/unshare/", views.unshare, name="unshare"),
    path("sharing/mine/", views.mine, name="mine"),
    path("sharing/about/", views.about, name="about"),
    path("taxii2/", taxii_views.discovery, name="taxii-discovery"),
    path("taxii2/api/", taxii_views.api_root, name="taxii-root"),
    path("taxii2/api/status/<str:status_id>/", taxii_views.status, name="taxii-status"),
    path("taxii2/api/collections/", taxii_views.collection_list, name="taxii-collections"),
    path(COLLECTION, taxii_views.collection_detail, name="taxii-collection"),
    path(COLLECTION + "objects/", taxii_views.objects, name="taxii-objects"),
    path(COLLECTION + "manifest/", taxii_views.manifest, name="taxii-manifest"),
    path(COLLECTION + "objects/<str:object_id>/", taxii_views.object_detail, name="taxii-object"),
    path(
        COLLECTION + "objects/<str:object_id>/versions/",
        taxii_views.versions,
        name="taxii-versions",
    ),
    path("misp-feed/manifest.json", views.misp_manifest, name="misp-manifest"),
    path("misp-feed/hashes.csv", views.misp_hashes, name="misp-hashes"),
    path("misp-feed/<uuid:uuid>.json", views.misp_event, name="misp-event"),
    path(
        "misp-feed/org/<int:org_pk>/manifest.json",
        views.misp_org_manifest,
        name="misp-org-manifest",
    ),
    path("misp-feed/org/<int:org_pk>/hashes.csv", views.misp_org_hashes, name="misp-org-hashes"),
    path(
        "misp-feed/org/<int:org_pk>/<uuid:uuid>.json", views.misp_org_event, name="misp-org-event"
    ),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
]
