"""The CSAF 2.0 provider: stored files, provider-metadata.json, index.txt, changes.csv, ROLIE.

Each published release is rendered once into a :class:`CsafFile` (JSON bytes, SHA-256,
SHA-512 and a detached OpenPGP signature by the platform key). Only TLP:CLEAR advisories
(CSAF label WHITE) appear in the public directory ``/.well-known/csaf/white/`` and its ROLIE
feed; every other label is served only to the advisory's audience through the portal and API.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dnscert.advisories import conf
from dnscert.advisories.choices import AdvisoryStatus
from dnscert.advisories.csaf import CSAF_SCHEMA_URL, csaf_date, filename_for, to_csaf
from dnscert.advisories.models import Advisory, CsafFile
from dnscert.core.choices import TLP

WELL_KNOWN = "/.well-known/csaf"
PUBLIC_FOLDER = "white"
ROLIE_FEED_NAME = "feed-tlp-white.json"
PROVIDER_SCHEMA_URL = "https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json"


def render_bytes(document: dict[str, Any]) -> bytes:
    """The stored form of a CSAF document: UTF-8 JSON, indented, keys sorted."""
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def store_csaf_file(advisory: Advisory) -> CsafFile:
    """Render, hash and sign the advisory's current release (replacing the previous file)."""
    from dnscert.delivery.pgp import sign_detached

    document = to_csaf(advisory)
    tracking = document["document"]["tracking"]
    data = render_bytes(document)
    released = datetime.fromisoformat(tracking["current_release_date"].replace("Z", "+00:00"))
    year = tracking["initial_release_date"][:4]
    values = {
        "path": f"{year}/{filename_for(tracking['id'])}",
        "content": data.decode(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "sha512": hashlib.sha512(data).hexdigest(),
        "signature": sign_detached(data).decode(),
        "tlp": advisory.tlp,
        "release": advisory.current_release,
        "released_at": released,
    }
    stored, _created = CsafFile.objects.update_or_create(advisory=advisory, defaults=values)
    advisory.csaf_file = stored  # refresh the cached reverse relation
    return stored


def public_files() -> QuerySet[CsafFile]:
    """Files of the public directory: TLP:CLEAR advisories that were published."""
    return CsafFile.objects.filter(
        tlp=TLP.CLEAR,
        advisory__tlp=TLP.CLEAR,
        advisory__status__in=[AdvisoryStatus.PUBLISHED, AdvisoryStatus.WITHDRAWN],
    ).select_related("advisory")


def directory_url() -> str:
    return f"{conf.site_url()}{WELL_KNOWN}/{PUBLIC_FOLDER}/"


def file_url(csaf_file: CsafFile) -> str:
    return directory_url() + csaf_file.path


def hash_line(csaf_file: CsafFile, algorithm: str) -> str:
    """``<hex>  <filename>`` as ``sha512sum`` writes it."""
    digest = csaf_file.sha512 if algorithm == "sha512" else csaf_file.sha256
    return f"{digest}  {csaf_file.filename}\n"


def index_txt() -> str:
    """``index.txt``: one path per line, relative to the directory, sorted."""
    return "".join(f"{path}\n" for path in sorted(f.path for f in public_files()))


def changes_csv() -> str:
    """``changes.csv`` (CSAF 2.0): ``"path","current release date"``, newest first."""
    rows = sorted(public_files(), key=lambda f: (f.released_at, f.path), reverse=True)
    return "".join(f'"{f.path}","{csaf_date(f.released_at)}"\n' for f in rows)


def _last_updated() -> datetime:
    newest = public_files().order_by("-released_at").first()
    return newest.released_at if newest else timezone.now()


def provider_metadata() -> dict[str, Any]:
    """``provider-metadata.json``: a trusted provider (hashes and OpenPGP signatures)."""
    from dnscert.delivery.pgp import platform_fingerprint

    base = conf.site_url()
    return {
        "canonical_url": f"{base}{WELL_KNOWN}/provider-metadata.json",
        "distributions": [
            {
                "directory_url": directory_url(),
                "rolie": {
                    "feeds": [
                        {
                            "summary": "TLP:CLEAR (CSAF WHITE) advisories",
                            "tlp_label": "WHITE",
                            "url": rolie_feed_url(),
                        }
                    ]
                },
            }
        ],
        "last_updated": csaf_date(_last_updated()),
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "public_openpgp_keys": [
            {"fingerprint": platform_fingerprint(), "url": f"{base}/pgp-key.asc"}
        ],
        "publisher": {
            "category": "coordinator",
            "name": conf.publisher_name(),
            "namespace": conf.publisher_namespace(),
        },
        "role": "csaf_trusted_provider",
    }


def rolie_feed_url() -> str:
    return directory_url() + ROLIE_FEED_NAME


def rolie_feed() -> dict[str, Any]:
    """The ROLIE (RFC 8322) JSON feed of the public directory, newest first."""
    files = sorted(public_files(), key=lambda f: (f.released_at, f.path), reverse=True)
    entries = []
    for item in files:
        document = json.loads(item.content)["document"]
        url = file_url(item)
        entries.append(
            {
                "id": document["tracking"]["id"],
                "title": document["title"],
                "link": [
                    {"rel": "self", "href": url},
                    {"rel": "hash", "href": url + ".sha512"},
                    {"rel": "hash", "href": url + ".sha256"},
                    {"rel": "signature", "href": url + ".asc"},
                ],
                "published": document["tracking"]["initial_release_date"],
                "updated": document["tracking"]["current_release_date"],
                "summary": {"content": _summary_of(document)},
                "content": {"type": "application/json", "src": url},
                "format": {"schema": CSAF_SCHEMA_URL, "version": "2.0"},
            }
        )
    return {
        "feed": {
            "id": "dnscert-csaf-feed-tlp-white",
            "title": f"{conf.publisher_name()} CSAF feed (TLP:WHITE)",
            "link": [
                {"rel": "self", "href": rolie_feed_url()},
                {"rel": "service", "href": f"{conf.site_url()}{WELL_KNOWN}/provider-metadata.json"},
            ],
            "category": [
                {"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}
            ],
            "updated": csaf_date(_last_updated()),
            "entry": entries,
        }
    }


def _summary_of(document: dict[str, Any]) -> str:
    for note in document.get("notes", []):
        if note.get("category") == "summary":
            return str(note["text"])
    return str(document["title"])


def find_public_file(path: str) -> CsafFile | None:
    """The public file at ``<year>/<name>.json``, or None."""
    return public_files().filter(path=path).first()
