"""The application serves its own assets: nothing is loaded from a CDN."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.personas import login_verified, staff

ASSETS = [
    ("/static/web/vendor/htmx.min.js", b"htmx"),
    ("/static/web/vendor/chart.umd.min.js", b"Chart.js v4"),
    ("/static/web/css/dnscert.css", b".tlp-amber-strict"),
    ("/static/web/js/dnscert.js", b"htmx:configRequest"),
    ("/static/web/favicon.svg", b"<svg"),
]


@pytest.mark.parametrize(("path", "marker"), ASSETS)
def test_it_serves_its_own_static_assets(client: Client, path: str, marker: bytes) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert marker in b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_it_loads_no_script_or_stylesheet_from_another_site(client: Client) -> None:
    login_verified(client, staff())
    for path in ("/", "/home/", "/jobs/"):
        html = client.get(path, follow=True).content.decode()
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//[^"]+"', html)
        assert external == [], path


def test_it_uses_the_official_tlp_colours_on_black(client: Client) -> None:
    css = b"".join(client.get("/static/web/css/dnscert.css").streaming_content).decode()  # type: ignore[attr-defined]
    for colour in ("#ff2b2b", "#ffc000", "#33ff00", "#ffffff"):
        assert colour in css.lower()
    assert re.search(r"\.tlp-red \{\s*color: var\(--tlp-red\);", css)
    assert "background: #000000;" in css
