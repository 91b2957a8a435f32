"""The CSAF provider's public paths under ``/.well-known/csaf/`` (TLP:CLEAR documents only).

``provider-metadata.json``, the ``white/`` directory with listings, ``index.txt``,
``changes.csv``, the ROLIE feed, and each document with its ``.sha256``, ``.sha512`` and
``.asc``. Everything is served from the stored :class:`~dnscert.advisories.models.CsafFile`.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from dnscert.advisories import provider

JSON_DUMPS = {"indent": 2, "ensure_ascii": False}


def provider_metadata(request: HttpRequest) -> JsonResponse:
    """``/.well-known/csaf/provider-metadata.json``."""
    return JsonResponse(provider.provider_metadata(), json_dumps_params=JSON_DUMPS)


def directory_listing(request: HttpRequest) -> HttpResponse:
    """The ``white/`` folder: its year folders and the index files (directory listing)."""
    years = sorted({f.path.split("/", 1)[0] for f in provider.public_files()}, reverse=True)
    entries = [f"{year}/" for year in years] + [
        "index.txt",
        "changes.csv",
        provider.ROLIE_FEED_NAME,
    ]
    return render(request, "advisories/csaf_listing.html", {"folder": "white/", "entries": entries})


def year_listing(request: HttpRequest, year: str) -> HttpResponse:
    """A year folder: each document and its hash and signature files."""
    files = sorted(f.filename for f in provider.public_files().filter(path__startswith=f"{year}/"))
    if not files:
        raise Http404("no such folder")
    entries = [name + suffix for name in files for suffix in ("", ".sha256", ".sha512", ".asc")]
    return render(
        request, "advisories/csaf_listing.html", {"folder": f"white/{year}/", "entries": entries}
    )


def index_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(provider.index_txt(), content_type="text/plain; charset=utf-8")


def changes_csv(request: HttpRequest) -> HttpResponse:
    return HttpResponse(provider.changes_csv(), content_type="text/csv; charset=utf-8")


def rolie_feed(request: HttpRequest) -> HttpResponse:
    body = json.dumps(provider.rolie_feed(), **JSON_DUMPS)  # type: ignore[arg-type]
    return HttpResponse(body, content_type="application/json")


def document(request: HttpRequest, year: str, name: str, suffix: str = "") -> HttpResponse:
    """``<year>/<name>.json`` and its ``.sha256``, ``.sha512`` and ``.asc`` companions."""
    stored = provider.find_public_file(f"{year}/{name}.json")
    if stored is None:
        raise Http404("no such CSAF document")
    if suffix == "":
        return HttpResponse(stored.content.encode(), content_type="application/json")
    if suffix in ("sha256", "sha512"):
        return HttpResponse(
            provider.hash_line(stored, suffix), content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(stored.signature, content_type="application/pgp-signature")
