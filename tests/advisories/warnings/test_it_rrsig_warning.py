"""THE end-to-end test: an RRSIG expiry signal on a TLD warns that TLD's registry only,
by a PGP-signed e-mail through a real SMTP listener and an HMAC-signed webhook to a real
receiver on 127.0.0.1; the same signal again sends nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dnscert.advisories.warnings.choices import ChannelKind, WarningKind, WarningStatus
from dnscert.advisories.warnings.models import Subscription, Warning
from dnscert.core.choices import Severity
from dnscert.delivery import pgp, webhooks
from dnscert.dnshealth.choices import SignalKind, SignalState
from dnscert.dnshealth.models import Signal
from tests.advisories.warnings.conftest import (
    committed,
    expiring,
    measure,
    registry,
    tld_target,
)
from tests.delivery.conftest import Keyring, Receiver
from tests.delivery.helpers import signed_parts

pytestmark = pytest.mark.django_db

SECRET = "registry-webhook-secret-0123456789"


def _warning_mail(smtp_server: Any) -> list[Any]:
    """The warning e-mails received (the DNS health notices are not warnings)."""
    return [
        m for m in smtp_server.messages if str(m["X-DNSCERT-Ref"] or "").startswith("DNSCERT-W")
    ]


def _verify(verifier: Keyring, message: Any) -> None:
    entity, signature = signed_parts(message)
    (verifier.home / "entity").write_bytes(entity)
    (verifier.home / "entity.asc").write_bytes(signature)
    verifier.run("--verify", str(verifier.home / "entity.asc"), str(verifier.home / "entity"))
    assert "Good signature" in verifier.last_stderr
    assert pgp.platform_fingerprint()[-16:] in verifier.last_stderr.replace(" ", "")


def test_it_warns_only_the_tld_registry_by_signed_mail_and_webhook_once(
    smtp_server: Any,
    receiver: Receiver,
    verifier: Keyring,
    django_capture_on_commit_callbacks: Any,
) -> None:
    xa = registry("xa")
    xb = registry("xb")  # another registry, with its own 24x7 contact: must get nothing
    Subscription.objects.create(
        organisation=xa,
        name="NOC",
        channels=[ChannelKind.EMAIL, ChannelKind.WEBHOOK],
        webhook_url=receiver.url("/dnscert"),
        webhook_secret=SECRET,
    )
    target = tld_target(xa)
    tld_target(xb)

    with committed(django_capture_on_commit_callbacks):
        measure(target, expiring(2.0))

    signal = Signal.objects.get()
    assert (signal.kind, signal.state) == (SignalKind.RRSIG_EXPIRING, SignalState.OPEN)
    warning = Warning.objects.get()
    assert warning.kind == WarningKind.RRSIG_EXPIRY and warning.status == WarningStatus.SENT
    assert warning.organisation == xa and warning.severity == Severity.HIGH
    assert warning.tlds == ["xa"]

    smtp_server.wait_for(1)
    (mail,) = _warning_mail(smtp_server)
    assert mail["To"] == "noc@nic.xa.example"
    assert str(mail["Subject"]).strip().startswith(f"[TLP:AMBER] {warning.reference}")
    assert "expire in 2.0 days" in mail["Subject"]
    assert mail.get_content_type() == "multipart/signed"
    _verify(verifier, mail)
    assert all(m["To"] != "noc@nic.xb.example" for m in smtp_server.messages)

    (hit,) = receiver.hits
    assert hit.path == "/dnscert"
    assert webhooks.verify(SECRET, hit.body, hit.headers["X-DNSCERT-Signature"])
    payload = json.loads(hit.body)
    assert payload["reference"] == warning.reference and payload["kind"] == "rrsig_expiry"
    assert payload["tlp"] == "TLP:AMBER" and payload["organisation"] == xa.short_name
    assert payload["acknowledge_url"].startswith("https://dnscert.example/warnings/ack/")

    # The same condition again: seen while open (no new signal), then cleared and back
    # within the rule's window (a new signal with the same key): nothing is sent again.
    with committed(django_capture_on_commit_callbacks):
        measure(target, expiring(1.9))
        measure(target, [])
        measure(target, expiring(1.8))
    assert Signal.objects.count() == 2
    assert Warning.objects.count() == 1
    assert Warning.objects.get().repeats == 1
    assert len(_warning_mail(smtp_server)) == 1
    assert len(receiver.hits) == 1
