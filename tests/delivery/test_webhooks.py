"""Webhooks: signed JSON POSTs to a real receiver on 127.0.0.1, retried on failure."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.delivery import webhooks
from dnscert.delivery.choices import MessageStatus
from dnscert.delivery.services import queue_webhook
from tests.delivery.conftest import Receiver

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-receiver"


@pytest.fixture(autouse=True)
def loopback_allowed(settings: Any) -> None:
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = True


def _hook(receiver: Receiver, **fields: Any) -> Any:
    values = {
        "url": receiver.url(),
        "payload": {"incident": "DNSCERT-2026-0001", "severity": "high", "note": "é"},
        "secret": SECRET,
        "category": "oncall.page",
    }
    message = queue_webhook(**{**values, **fields})
    run_pending()
    message.refresh_from_db()
    return message


def test_it_posts_json_with_an_hmac_the_receiver_can_verify(receiver: Receiver) -> None:
    message = _hook(receiver)

    assert message.status == MessageStatus.SENT and message.last_status_code == 200
    (hit,) = receiver.hits
    assert json.loads(hit.body)["incident"] == "DNSCERT-2026-0001"
    assert hit.headers["Content-Type"] == "application/json"
    assert webhooks.verify(SECRET, hit.body, hit.headers["X-DNSCERT-Signature"])
    assert not webhooks.verify("wrong secret", hit.body, hit.headers["X-DNSCERT-Signature"])
    assert not webhooks.verify(SECRET, hit.body + b" ", hit.headers["X-DNSCERT-Signature"])
    assert abs(int(hit.headers["X-DNSCERT-Timestamp"]) - time.time()) < 60
    assert hit.headers["X-DNSCERT-Delivery"] == str(message.uuid)
    assert hit.headers["User-Agent"].startswith("dnscert/")


def test_a_non_2xx_answer_is_a_failure_with_the_status_recorded(receiver: Receiver) -> None:
    receiver.status = 503
    message = _hook(receiver)

    assert message.status == MessageStatus.RETRYING and message.last_status_code == 503
    assert "503" in message.last_error and message.attempts == 1


def test_it_refuses_private_targets_unless_allowed(receiver: Receiver, settings: Any) -> None:
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = False
    message = _hook(receiver)

    assert message.status == MessageStatus.RETRYING and receiver.hits == []
    assert "non-public address" in message.last_error


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "ftp://example.org/hook"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "http:///nohost"}, "url"),
        ({"url": "https://user:pw@example.org/"}, "url"),
        ({"url": "https://example.org/\r\nX: y"}, "url"),
        ({"secret": ""}, "secret"),
        ({"payload": {"when": object()}}, "payload"),
    ],
)
def test_it_refuses_bad_webhooks_naming_the_field(fields: dict[str, Any], field: str) -> None:
    values = {"url": "https://example.org/hook", "payload": {}, "secret": SECRET, "category": "t"}

    with pytest.raises(InvalidInput) as caught:
        queue_webhook(**{**values, **fields})

    assert caught.value.field == field
