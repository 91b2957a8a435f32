"""Permission classes and decorators, and an access-denied test for every core endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import View

from dnscert.core import services
from dnscert.core.models import SharedDocument
from dnscert.core.permissions import (
    IsAuthenticatedMember,
    IsCoreStaff,
    IsStaffOrResponder,
    RoleRequiredMixin,
    role_required,
    staff_required,
)
from tests.personas import login_verified, make_user, member, outsider, responder, staff

pytestmark = pytest.mark.django_db


def token_client(user: Any) -> Client:
    raw = services.issue_api_token(user, user, "tests")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def request_as(user: Any) -> HttpRequest:
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = user
    return request


@staff_required
def staff_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@role_required("staff", "responder")
def team_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


class ResponderPage(RoleRequiredMixin, View):
    required_roles = ("responder",)

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")


def test_it_redirects_the_public_to_login_from_protected_views() -> None:
    for view in (staff_view, team_view, ResponderPage.as_view()):
        response = view(request_as(AnonymousUser()))
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/somewhere/%3Fx%3D1"


def test_it_refuses_signed_in_users_without_the_role() -> None:
    with pytest.raises(PermissionDenied):
        staff_view(request_as(responder()))
    with pytest.raises(PermissionDenied):
        team_view(request_as(member()))
    with pytest.raises(PermissionDenied):
        ResponderPage.as_view()(request_as(staff()))


def test_it_admits_users_with_the_role() -> None:
    superuser = member()
    superuser.is_superuser = True
    assert staff_view(request_as(staff())).status_code == 200
    assert staff_view(request_as(superuser)).status_code == 200
    assert team_view(request_as(responder())).status_code == 200
    assert ResponderPage.as_view()(request_as(responder())).status_code == 200


def test_it_refuses_inactive_users_like_the_public() -> None:
    user = staff()
    user.is_active = False
    assert staff_view(request_as(user)).status_code == 302


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (IsCoreStaff, {"staff"}),
        (IsStaffOrResponder, {"staff", "responder"}),
        (IsAuthenticatedMember, {"member"}),
    ],
)
def test_it_grants_drf_permissions_by_role(permission: Any, allowed: set[str]) -> None:
    users = {"staff": staff(), "responder": responder(), "member": member()}
    for role, user in users.items():
        request: Any = request_as(user)
        assert permission().has_permission(request, None) is (role in allowed), role
    assert not permission().has_permission(request_as(AnonymousUser()), None)


def test_it_does_not_count_a_member_without_organisation_as_member() -> None:
    request: Any = request_as(make_user("member", None))
    assert not IsAuthenticatedMember().has_permission(request, None)


# --- Access denied, endpoint by endpoint -----------------------------------------------------


def test_it_refuses_the_audit_api_to_everyone_but_staff() -> None:
    url = reverse("audit-event-list")
    assert Client().get(url).status_code == 401
    assert token_client(member()).get(url).status_code == 403
    assert token_client(responder()).get(url).status_code == 403
    assert token_client(staff()).get(url).status_code == 200


def test_it_refuses_writes_to_shared_documents_except_by_staff() -> None:
    url = reverse("shared-document-list")
    body = {"title": "x", "tlp": "GREEN"}
    assert Client().post(url, body, content_type="application/json").status_code == 401
    for user in (member(), responder()):
        response = token_client(user).post(url, body, content_type="application/json")
        assert response.status_code == 403
    document = services.create_shared_document(staff(), title="y", tlp="GREEN")
    detail = reverse("shared-document-detail", args=[document.pk])
    response = token_client(member()).patch(detail, {"title": "z"}, "application/json")
    assert response.status_code == 403
    assert SharedDocument.objects.get(pk=document.pk).title == "y"


def test_it_refuses_me_to_the_public() -> None:
    assert Client().get(reverse("me-list")).status_code == 401


def test_it_sends_the_public_to_login_from_account_pages() -> None:
    for name in ("api-tokens", "mfa-setup", "mfa-verify", "document-create", "audit-log"):
        response = Client().get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_it_refuses_document_creation_page_to_non_staff() -> None:
    for user in (member(), responder()):
        client = login_verified(Client(), user)
        assert client.get(reverse("document-create")).status_code == 403


def test_it_shows_clear_documents_to_the_public_and_hides_the_rest() -> None:
    analyst = staff()
    clear = services.create_shared_document(analyst, title="public note", tlp="CLEAR")
    green = services.create_shared_document(analyst, title="community note", tlp="GREEN")
    client = Client()
    assert "public note" in client.get(reverse("documents")).content.decode()
    assert client.get(reverse("document-detail", args=[clear.pk])).status_code == 200
    assert client.get(reverse("document-detail", args=[green.pk])).status_code == 404
    signed_in = login_verified(Client(), outsider())
    assert signed_in.get(reverse("document-detail", args=[green.pk])).status_code == 200
