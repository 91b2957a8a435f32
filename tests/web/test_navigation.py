"""The main menu depends on the role, and never breaks on pages that are not built."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from dnscert.core.choices import Role
from dnscert.web import navigation
from dnscert.web.navigation import NavItem
from tests.personas import login_verified, member, responder, staff

pytestmark = pytest.mark.django_db


def nav_html(client: Client, path: str) -> str:
    html = client.get(path).content.decode()
    start = html.index('<nav class="site-nav"')
    return html[start : html.index("</nav>", start)]


def test_it_shows_staff_the_audit_log_and_jobs_links(client: Client) -> None:
    login_verified(client, staff())
    nav = nav_html(client, "/home/")
    assert 'href="/jobs/"' in nav
    assert ">Audit log<" in nav
    assert ">Home<" in nav
    assert 'href="/home/" aria-current="page"' in nav
    assert 'href="/api/docs/"' in nav
    assert 'href="/documents/"' in nav


def test_it_offers_signed_in_users_their_api_tokens_and_sign_out(client: Client) -> None:
    client.force_login(member(first_name="Mia", last_name="Member"))
    html = client.get("/portal/").content.decode()
    assert "Mia Member" in html
    assert 'href="/accounts/tokens/"' in html
    assert 'action="/accounts/logout/" method="post"' in html


def test_it_hides_staff_links_from_members(client: Client) -> None:
    client.force_login(member())
    nav = nav_html(client, "/portal/")
    assert "Audit log" not in nav
    assert 'href="/jobs/"' not in nav
    assert 'href="/portal/organisation/"' in nav
    assert "My organisation" in nav


def test_it_hides_jobs_and_admin_from_responders(client: Client) -> None:
    login_verified(client, responder())
    nav = nav_html(client, "/home/")
    assert 'href="/jobs/"' not in nav
    assert "Audit log" not in nav
    assert 'href="/admin/"' not in nav
    assert 'href="/api/docs/"' in nav


def test_it_links_the_django_admin_only_for_users_allowed_in_it(client: Client) -> None:
    login_verified(client, staff(is_staff=True))
    assert 'href="/admin/"' in nav_html(client, "/home/")
    other = Client()
    login_verified(other, staff())
    assert 'href="/admin/"' not in nav_html(other, "/home/")


def test_it_shows_the_public_a_home_link_and_no_team_links(client: Client) -> None:
    nav = nav_html(client, "/")
    assert 'href="/"' in nav
    assert "/jobs/" not in nav
    assert "/documents/" not in nav
    assert "/home/" not in nav
    assert 'href="/accounts/login/"' in nav


def test_it_renders_nothing_for_a_nav_link_whose_page_does_not_exist() -> None:
    request = RequestFactory().get("/")
    template = Template(
        '{% load dnscert_web %}[{% nav_link "no-such-page" "Ghost" %}]'
        '[{% nav_link "jobs" "Jobs" %}]'
    )
    html = template.render(Context({"request": request}))
    assert html == '[][<li><a href="/jobs/">Jobs</a></li>]'


def test_it_adds_registered_items_for_their_roles_only() -> None:
    item = NavItem("health", "Health", frozenset({Role.STAFF.value}))
    navigation.register(item, before="jobs")
    try:
        staff_items = navigation.items_for(Role.STAFF.value)
        assert staff_items.index(item) == [i.url_name for i in staff_items].index("jobs") - 1
        assert item not in navigation.items_for(Role.MEMBER.value)
        navigation.register(item)
        assert navigation.NAV_ITEMS.count(item) == 1
    finally:
        navigation.NAV_ITEMS.remove(item)


@pytest.mark.parametrize(
    ("label", "css_class"),
    [
        ("CLEAR", "tlp-clear"),
        ("GREEN", "tlp-green"),
        ("AMBER", "tlp-amber"),
        ("AMBER+STRICT", "tlp-amber-strict"),
        ("RED", "tlp-red"),
    ],
)
def test_it_renders_tlp_badges_with_the_label_class(label: str, css_class: str) -> None:
    html = Template("{% load dnscert_web %}{{ tlp|tlp_badge }}").render(Context({"tlp": label}))
    assert html == f'<span class="badge {css_class}">TLP:{label}</span>'


def test_it_renders_no_badge_for_an_empty_label() -> None:
    html = Template("{% load dnscert_web %}[{{ tlp|tlp_badge }}]").render(Context({"tlp": ""}))
    assert html == "[]"
