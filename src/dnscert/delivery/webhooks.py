"""The webhook channel: a JSON POST signed with HMAC-SHA256 of a shared secret.

The receiver recomputes ``hmac_sha256(secret, raw_body)`` and compares it with the
``X-DNSCERT-Signature: sha256=<hex>`` header (constant-time). ``X-DNSCERT-Timestamp`` (Unix
seconds) and ``X-DNSCERT-Delivery`` (the message UUID, the same on every retry) let it refuse
stale or repeated deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dnscert.core import http
from dnscert.delivery.models import OutboundMessage

SIGNATURE_HEADER = "X-DNSCERT-Signature"
TIMESTAMP_HEADER = "X-DNSCERT-Timestamp"
DELIVERY_HEADER = "X-DNSCERT-Delivery"
#: Response bodies longer than this are cut (only the status matters).
MAX_RESPONSE_BYTES = 64 * 1024


class WebhookRejected(http.OutboundHTTPError):
    """The receiver answered with a non-2xx status."""


def encode_payload(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed: compact, key-sorted UTF-8 JSON."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=<hex HMAC>``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header_value: str) -> bool:
    """True when ``header_value`` is the signature of ``body`` under ``secret`` (receiver side)."""
    return hmac.compare_digest(signature(secret, body), header_value or "")


def send_webhook(message: OutboundMessage) -> int:
    """POST ``message``; return the 2xx status or raise (``WebhookRejected`` for non-2xx)."""
    body = encode_payload(message.payload or {})
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(message.secret, body),
        TIMESTAMP_HEADER: str(int(time.time())),
        DELIVERY_HEADER: str(message.uuid),
    }
    response = http.request(
        "POST", message.recipient, body=body, headers=headers, max_bytes=MAX_RESPONSE_BYTES
    )
    if not response.ok:
        raise WebhookRejected(
            message.recipient_display, f"HTTP status {response.status}", status=response.status
        )
    OutboundMessage.objects.filter(pk=message.pk).update(
        last_status_code=response.status, sent_at=timezone.now()
    )
    return response.status
