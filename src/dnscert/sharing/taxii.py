"""TAXII 2.1 plumbing: media types, error responses, client authentication and the query
parameters of the objects endpoints (``added_after``, ``limit``, ``next``, ``match[...]``).

Clients authenticate with an API token, as HTTP Basic (any user name, the token as password,
which is what most TAXII clients offer) or as ``Authorization: Bearer``; a browser session
works too. A bad or revoked token is refused with 401, never treated as anonymous.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dnscert.core.models import ApiToken
from dnscert.sharing import conf
from dnscert.sharing.models import SharedObject

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
REALM = 'Basic realm="dnscert TAXII 2.1", charset="UTF-8"'


class TaxiiError(Exception):
    """An error answered as a TAXII error message with ``status``."""

    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.description = description


def taxii_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """A JSON response with the TAXII 2.1 media type."""
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False), status=status, content_type=TAXII_MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: TaxiiError) -> HttpResponse:
    """The TAXII error message of ``error``; 401 carries the Basic challenge."""
    body = {"title": error.title, "http_status": str(error.status)}
    if error.description:
        body["description"] = error.description
    response = taxii_response(body, error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = REALM
    return response


def check_accept(request: HttpRequest) -> None:
    """Refuse (406) clients that accept neither TAXII 2.1 JSON nor anything."""
    accept = request.headers.get("Accept", "")
    if not accept:
        return
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if not {"application/taxii+json", "*/*", "application/*"} & set(kinds):
        raise TaxiiError(406, "Not acceptable", f"this server answers with {TAXII_MEDIA_TYPE}")


def _token_from_header(header: str) -> str | None:
    scheme, _sep, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise TaxiiError(401, "Malformed Basic credentials") from None
        return decoded.partition(":")[2]
    raise TaxiiError(401, "Unsupported authorization scheme", "use Basic or Bearer")


def authenticate(request: HttpRequest) -> Any:
    """The user behind the request's token (or session); the anonymous user when none.

    A session counts for reading only: the views are exempt from CSRF protection (machine
    clients have no CSRF token), so a write must carry its token in the header.
    """
    header = request.headers.get("Authorization", "")
    if not header:
        return request.user if request.method in ("GET", "HEAD") else AnonymousUser()
    raw = _token_from_header(header)
    token = (
        ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(raw or "")).first()
    )
    if token is None or not token.is_valid or not token.user.is_active:
        raise TaxiiError(401, "Invalid credentials", "unknown, revoked or expired API token")
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user


# --- query parameters ------------------------------------------------------------------------


def taxii_time(moment: datetime) -> str:
    """A TAXII timestamp with microseconds, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(name: str, value: str) -> datetime:
    """An RFC 3339 timestamp in UTC; a 400 naming the parameter otherwise."""
    text = value.strip()
    if not text.endswith("Z"):
        raise TaxiiError(400, f"Invalid {name}", f"{name} must be a UTC timestamp ending in Z")
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError:
        raise TaxiiError(400, f"Invalid {name}", f"{name} {value!r} is not a timestamp") from None
    return moment


@dataclass
class Query:
    """The filters and paging of one objects/manifest/versions request."""

    added_after: datetime | None = None
    limit: int = 100
    after: tuple[datetime, int] | None = None
    types: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=lambda: ["last"])
    spec_versions: list[str] = field(default_factory=list)


def _limit(raw: str | None) -> int:
    default, maximum = conf.taxii_page_size()
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise TaxiiError(400, "Invalid limit", f"limit {raw!r} is not a whole number") from None
    if value < 1:
        raise TaxiiError(400, "Invalid limit", "limit must be at least 1")
    return min(value, maximum)


def encode_next(row: SharedObject) -> str:
    """An opaque ``next`` token: the position after ``row``."""
    text = f"{taxii_time(row.date_added)}|{row.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_next(raw: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        moment, _sep, pk = text.partition("|")
        return parse_time("next", moment), int(pk)
    except (ValueError, binascii.Error, TaxiiError):
        raise TaxiiError(400, "Invalid next", "next must be a value this server returned") from None


def _split(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def parse_query(request: HttpRequest) -> Query:
    """Read the TAXII query parameters of ``request``; 400 naming the bad one."""
    params = request.GET
    query = Query(limit=_limit(params.get("limit")))
    if "added_after" in params:
        query.added_after = parse_time("added_after", params["added_after"])
    if "next" in params:
        query.after = _decode_next(params["next"])
    query.types = _split(params.get("match[type]"))
    query.ids = _split(params.get("match[id]"))
    query.spec_versions = _split(params.get("match[spec_version]"))
    versions = _split(params.get("match[version]"))
    for version in versions:
        if version not in ("first", "last", "all"):
            parse_time("match[version]", version)
    query.versions = versions or ["last"]
    return query


def _version_filter(rows: QuerySet[SharedObject], versions: list[str]) -> QuerySet[SharedObject]:
    if "all" in versions:
        return rows
    same = SharedObject.objects.filter(
        collection=OuterRef("collection"), stix_id=OuterRef("stix_id")
    )
    condition = Q(pk__in=[])
    if "last" in versions:
        condition |= ~Q(Exists(same.filter(version__gt=OuterRef("version"))))
    if "first" in versions:
        condition |= ~Q(Exists(same.filter(version__lt=OuterRef("version"))))
    stamps = [v for v in versions if v not in ("first", "last")]
    if stamps:
        condition |= Q(version__in=[_normal_version(v) for v in stamps])
    return rows.filter(condition)


def _normal_version(value: str) -> str:
    moment = parse_time("match[version]", value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def apply_filters(
    rows: QuerySet[SharedObject], query: Query, *, versions: bool = True
) -> QuerySet[SharedObject]:
    """Filter ``rows`` by the query's matches and ``added_after``, in date-added order."""
    if query.types:
        rows = rows.filter(stix_type__in=query.types)
    if query.ids:
        rows = rows.filter(stix_id__in=query.ids)
    if query.spec_versions and "2.1" not in query.spec_versions:
        rows = rows.none()
    if versions:
        rows = _version_filter(rows, query.versions)
    if query.added_after is not None:
        rows = rows.filter(date_added__gt=query.added_after)
    return rows.order_by("date_added", "id")


@dataclass
class Page:
    """One page of rows, whether more follow and the token to get them."""

    rows: list[SharedObject]
    more: bool
    next: str = ""

    def headers(self) -> dict[str, str]:
        """``X-TAXII-Date-Added-First`` and ``-Last`` of the page (none when it is empty)."""
        if not self.rows:
            return {}
        return {
            "X-TAXII-Date-Added-First": taxii_time(self.rows[0].date_added),
            "X-TAXII-Date-Added-Last": taxii_time(self.rows[-1].date_added),
        }


def paginate(rows: QuerySet[SharedObject], query: Query) -> Page:
    """The page of ``rows`` that ``query`` asks for."""
    if query.after is not None:
        moment, pk = query.after
        rows = rows.filter(Q(date_added__gt=moment) | Q(date_added=moment, pk__gt=pk))
    found = list(rows[: query.limit + 1])
    more = len(found) > query.limit
    found = found[: query.limit]
    return Page(found, more, encode_next(found[-1]) if more else "")
