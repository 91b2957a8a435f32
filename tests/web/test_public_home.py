"""The public landing page and the redirect of signed-in visitors to their home page."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.personas import login_verified, member, responder, staff

pytestmark = pytest.mark.django_db


def test_it_shows_the_services_and_contact_address_to_anonymous_visitors(
    client: Client, settings
) -> None:
    settings.DEFAULT_FROM_EMAIL = "DNS-CERT duty desk <duty@dnscert.test>"
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "24x7 point of contact" in html
    assert "Vulnerability coordination" in html
    assert 'href="mailto:duty@dnscert.test"' in html
    assert "Audit log" not in html


def test_it_redirects_signed_in_staff_from_the_landing_page_to_home(client: Client) -> None:
    login_verified(client, staff())
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/home/"


def test_it_sends_members_from_home_to_their_portal(client: Client) -> None:
    client.force_login(member())
    response = client.get("/home/", follow=True)
    assert response.redirect_chain == [("/portal/", 302)]
    assert response.status_code == 200


def test_it_sends_anonymous_visitors_of_home_to_the_login_page(client: Client) -> None:
    response = client.get("/home/")
    assert response.status_code == 302
    assert "next=/home/" in response["Location"]


def test_it_shows_the_team_home_to_responders_without_audit_or_jobs(client: Client) -> None:
    login_verified(client, responder())
    response = client.get("/home/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Organisations by kind" in html
    assert "Recent audit events" not in html
    assert "Recent job runs" not in html


def test_it_renders_the_not_found_page_in_the_site_layout(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'class="site-header"' in response.content


def test_it_renders_the_server_error_page_without_a_request() -> None:
    html = render_to_string("500.html")
    assert "Server error" in html
    assert "/static/web/css/dnscert.css" in html


def test_it_explains_a_failed_csrf_check_in_the_site_layout(db) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "fr"})
    assert response.status_code == 403
    assert b"Form expired" in response.content
