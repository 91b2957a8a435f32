"""The staff queue page, message detail, retry now, the include for other apps, and the API."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from dnscert.core.jobs import run_pending
from dnscert.delivery.choices import MessageStatus
from dnscert.delivery.models import OutboundMessage
from dnscert.delivery.services import queue_email, queue_webhook
from tests.personas import login_verified, make_org, member, responder, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst() -> Client:
    return login_verified(Client(), staff())


def _mail(to: str, **fields: Any) -> OutboundMessage:
    values = {"subject": "Notice", "body": "Body", "category": "incident.notify", "sign": False}
    return queue_email(to=to, **{**values, **fields})


def _failed(to: str) -> OutboundMessage:
    message = _mail(to, category="oncall.page")
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=3, last_error="ConnectionRefusedError: refused"
    )
    return message


def test_the_queue_filters_and_counts_failures(analyst: Client) -> None:
    _mail("noc@registry.example")
    _failed("gone@vendor.example")

    page = analyst.get("/delivery/").content.decode()
    failed = analyst.get("/delivery/?status=failed").content.decode()
    by_channel = analyst.get("/delivery/?channel=webhook").content.decode()
    by_search = analyst.get("/delivery/?q=registry").content.decode()
    by_category = analyst.get("/delivery/?category=ONCALL.PAGE").content.decode()

    assert "noc@registry.example" in page and "gone@vendor.example" in page
    assert 'id="failures"' in page and "1 message failed or bounced" in page
    assert "gone@vendor.example" in failed and "noc@registry.example" not in failed
    assert "No message matches" in by_channel
    assert "noc@registry.example" in by_search and "gone@vendor.example" not in by_search
    assert "gone@vendor.example" in by_category and "noc@registry.example" not in by_category


def test_the_queue_exports_the_filtered_rows_as_csv(analyst: Client) -> None:
    _mail("noc@registry.example")
    _failed("gone@vendor.example")
    OutboundMessage.objects.filter(recipient="gone@vendor.example").update(
        last_error="=HYPERLINK(1)"
    )

    response = analyst.get("/delivery/export.csv?status=failed")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert [row["recipient_display"] for row in rows] == ["gone@vendor.example"]
    assert rows[0]["last_error"] == "'=HYPERLINK(1)" and rows[0]["status"] == "failed"


def test_the_queue_refuses_a_bad_filter_value(analyst: Client) -> None:
    response = analyst.get("/delivery/?status=exploded")

    assert response.status_code == 200 and "form-errors" in response.content.decode()


def test_the_detail_shows_headers_error_and_attempts(analyst: Client) -> None:
    message = _failed("gone@vendor.example")
    OutboundMessage.objects.filter(pk=message.pk).update(headers={"X-DNSCERT-Ref": "R-1"})

    page = analyst.get(f"/delivery/{message.pk}/").content.decode()

    assert "ConnectionRefusedError: refused" in page and "X-DNSCERT-Ref" in page
    assert message.message_id.replace("<", "&lt;").replace(">", "&gt;") in page
    assert 'id="attempts">3<' in page


def test_the_detail_of_a_webhook_hides_the_secret(analyst: Client) -> None:
    hook = queue_webhook(
        url="https://hooks.example/x?token=abc", payload={"a": 1}, secret="topsecret", category="t"
    )

    page = analyst.get(f"/delivery/{hook.pk}/").content.decode()

    assert "topsecret" not in page and "token=abc" not in page and "&quot;a&quot;: 1" in page


def test_retry_now_requeues_the_message(analyst: Client, smtp_server: Any) -> None:
    message = _failed("gone@vendor.example")

    response = analyst.post(f"/delivery/{message.pk}/retry/")
    run_pending()

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert analyst.get(f"/delivery/{message.pk}/retry/").status_code == 405


@pytest.mark.parametrize("who", ["anonymous", "member", "responder"])
def test_pages_are_for_staff_only(who: str) -> None:
    message = _mail("noc@registry.example")
    client = Client()
    if who == "member":
        login_verified(client, member())
    elif who == "responder":
        login_verified(client, responder())

    responses = [
        client.get("/delivery/"),
        client.get("/delivery/export.csv"),
        client.get(f"/delivery/{message.pk}/"),
        client.post(f"/delivery/{message.pk}/retry/"),
    ]

    expected = 302 if who == "anonymous" else 403
    assert [response.status_code for response in responses] == [expected] * 4
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING


def test_other_apps_include_the_status_of_their_object() -> None:
    organisation = make_org()
    _failed("gone@vendor.example")
    OutboundMessage.objects.update(about_type=None)
    sent = _mail("noc@registry.example", about=organisation)
    OutboundMessage.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)

    by_tag = Template("{% load delivery_tags %}{% delivery_status obj %}").render(
        Context({"obj": organisation})
    )
    by_include = Template(
        "{% load delivery_tags %}{% messages_sent_about obj as rows %}"
        '{% include "delivery/includes/messages_about.html" with messages=rows %}'
    ).render(Context({"obj": organisation}))

    for html in (by_tag, by_include):
        assert "noc@registry.example" in html and "gone@vendor.example" not in html
        assert "status-green" in html


# --- API ------------------------------------------------------------------------------------


def test_the_api_lists_filters_and_reads_messages(analyst: Client) -> None:
    _mail("noc@registry.example")
    failed = _failed("gone@vendor.example")

    listing = analyst.get("/api/delivery/messages/").json()
    only_failed = analyst.get("/api/delivery/messages/?status=failed").json()
    searched = analyst.get("/api/delivery/messages/?search=registry").json()
    detail = analyst.get(f"/api/delivery/messages/{failed.pk}/").json()

    assert listing["count"] == 2
    assert [row["recipient"] for row in only_failed["results"]] == ["gone@vendor.example"]
    assert [row["recipient"] for row in searched["results"]] == ["noc@registry.example"]
    assert detail["status"] == "failed" and detail["attempts"] == 3
    assert "secret" not in detail and "recipient_key" not in detail and "body" not in detail


def test_the_api_retries_a_message(analyst: Client) -> None:
    failed = _failed("gone@vendor.example")

    response = analyst.post(f"/api/delivery/messages/{failed.pk}/retry/")

    assert response.status_code == 200 and response.json()["status"] == "retrying"


@pytest.mark.parametrize("who", ["anonymous", "member", "responder"])
def test_the_api_is_for_staff_only(who: str) -> None:
    message = _mail("noc@registry.example")
    client = Client()
    if who == "member":
        login_verified(client, member())
    elif who == "responder":
        login_verified(client, responder())

    codes = {
        client.get("/api/delivery/messages/").status_code,
        client.get(f"/api/delivery/messages/{message.pk}/").status_code,
        client.post(f"/api/delivery/messages/{message.pk}/retry/").status_code,
    }

    assert codes <= {401, 403}
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING


def test_staff_find_the_queue_in_the_navigation(analyst: Client) -> None:
    assert 'href="/delivery/"' in analyst.get("/delivery/").content.decode()
    member_client = login_verified(Client(), member())
    assert 'href="/delivery/"' not in member_client.get("/portal/").content.decode()
