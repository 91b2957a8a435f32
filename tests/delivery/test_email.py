"""E-mails end to end: queued, sent by the job to a real SMTP listener, checked with real gpg."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.jobs import run_pending
from dnscert.delivery import pgp
from dnscert.delivery.choices import MessageStatus
from dnscert.delivery.services import queue_email, render_email, tlp_subject
from tests.delivery.conftest import Keyring, Recipient
from tests.delivery.helpers import signed_parts

pytestmark = pytest.mark.django_db


def _send(**fields: Any) -> Any:
    values = {
        "to": "csirt@registry.example",
        "subject": "Lame delegation of xa.",
        "body": "Two of three name servers of xa. do not answer.\nFrom here on, watch it.\n",
        "category": "test.notice",
    }
    message = queue_email(**{**values, **fields})
    run_pending()
    message.refresh_from_db()
    return message


def test_it_signs_with_pgp_mime_verifiable_by_gpg(smtp_server: Any, verifier: Keyring) -> None:
    message = _send(tlp="AMBER", attachments=[("zone.txt", b"xa. NS a.nic.xa.\n", "text/plain")])

    received = smtp_server.wait_for(1)[0]
    assert message.status == MessageStatus.SENT and message.signed
    assert received.get_content_type() == "multipart/signed"
    assert received.get_param("protocol") == "application/pgp-signature"
    assert received.get_param("micalg") == "pgp-sha512"
    entity, signature = signed_parts(received)
    (verifier.home / "entity").write_bytes(entity)
    (verifier.home / "entity.asc").write_bytes(signature)
    verifier.run("--verify", str(verifier.home / "entity.asc"), str(verifier.home / "entity"))
    assert "Good signature" in verifier.last_stderr
    assert pgp.platform_fingerprint()[-16:] in verifier.last_stderr.replace(" ", "")


def test_it_detects_a_tampered_body(smtp_server: Any, verifier: Keyring) -> None:
    _send()
    entity, signature = signed_parts(smtp_server.wait_for(1)[0])
    (verifier.home / "entity").write_bytes(entity.replace(b"Two", b"Six"))
    (verifier.home / "entity.asc").write_bytes(signature)
    verifier.run(
        "--verify", str(verifier.home / "entity.asc"), str(verifier.home / "entity"), check=False
    )
    assert verifier.last_returncode != 0 and "BAD signature" in verifier.last_stderr


def test_it_sets_and_stores_the_message_id_and_custom_headers(smtp_server: Any) -> None:
    message = _send(headers={"X-DNSCERT-Ref": "DNSCERT-2026-0001"}, reply_to="cert@example.net")

    received = smtp_server.wait_for(1)[0]
    assert message.message_id.startswith("<") and message.message_id.endswith("@dnscert.example>")
    assert received["Message-ID"] == message.message_id
    assert received["X-DNSCERT-Ref"] == "DNSCERT-2026-0001"
    assert received["Reply-To"] == "cert@example.net"
    assert smtp_server.received[0].rcpt_tos == ["csirt@registry.example"]


def test_it_carries_text_html_and_attachments(smtp_server: Any) -> None:
    _send(html="<p>Two of three</p>", attachments=[("report.csv", b"a,b\n1,2\n", "text/csv")])

    received = smtp_server.wait_for(1)[0]
    inner = received.get_payload()[0]
    assert inner.get_content_type() == "multipart/mixed"
    alternative, attachment = inner.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert alternative.get_payload()[1].get_content().startswith("<p>Two of three")
    assert attachment.get_filename() == "report.csv"
    assert attachment.get_payload(decode=True) == b"a,b\n1,2\n"


def test_it_encrypts_to_the_recipient_key(smtp_server: Any, recipient: Recipient) -> None:
    message = _send(encrypt=True, recipient_key=recipient.public_key, tlp="RED")

    received = smtp_server.wait_for(1)[0]
    assert message.encrypted and message.status == MessageStatus.SENT
    assert received.get_content_type() == "multipart/encrypted"
    assert received.get_param("protocol") == "application/pgp-encrypted"
    control, data = received.get_payload()
    assert control.get_payload().strip() == "Version: 1"
    recipient.keyring.run("--import", data=pgp.public_key().encode())
    plaintext = recipient.keyring.run("--decrypt", data=data.get_payload().encode())
    assert b"Two of three name servers" in plaintext.replace(b"=\r\n", b"")
    assert b"TLP:RED" in plaintext
    assert "Good signature" in recipient.keyring.last_stderr
    assert b"Two of three" not in received.as_bytes()


def test_it_unsigned_when_asked(smtp_server: Any) -> None:
    message = _send(sign=False)

    received = smtp_server.wait_for(1)[0]
    assert not message.signed and received.get_content_type() == "text/plain"
    assert "Two of three" in received.get_content()


@pytest.mark.parametrize("label", [choice.value for choice in TLP])
def test_it_labels_subject_and_first_body_line_with_tlp(smtp_server: Any, label: str) -> None:
    _send(tlp=label.lower(), sign=False)

    received = smtp_server.wait_for(1)[0]
    assert received["Subject"] == f"[TLP:{label}] Lame delegation of xa."
    assert received.get_content().splitlines()[0] == f"TLP:{label}"
    assert "TLP:" not in _send(to="b@registry.example", sign=False).subject


def test_the_html_part_starts_with_the_tlp_label(smtp_server: Any) -> None:
    _send(tlp="AMBER+STRICT", sign=False, html="<p>Two of three</p>")

    html = smtp_server.wait_for(1)[0].get_payload()[1].get_content()
    assert html.startswith('<p class="tlp"><strong>TLP:AMBER+STRICT</strong></p>')


def test_tlp_subject_is_idempotent_and_optional() -> None:
    assert tlp_subject("x", None) == "x"
    assert tlp_subject("[TLP:GREEN] x", "GREEN") == "[TLP:GREEN] x"
    assert tlp_subject("x", "tlp:amber+strict") == "[TLP:AMBER+STRICT] x"
    assert tlp_subject("x", "white") == "[TLP:CLEAR] x"


def test_it_encodes_a_non_ascii_subject(smtp_server: Any) -> None:
    _send(subject="Délégation défaillante", sign=False)

    assert smtp_server.wait_for(1)[0]["Subject"] == "Délégation défaillante"


@pytest.fixture
def test_templates(settings: Any) -> None:
    """Templates of these tests only, found before the apps' templates."""
    engine = {**settings.TEMPLATES[0]}
    engine["DIRS"] = [str(Path(__file__).parent / "templates"), *engine.get("DIRS", [])]
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]


@pytest.mark.usefixtures("test_templates")
def test_render_email_uses_the_language_and_falls_back_to_english() -> None:
    context = {"zone": "xa.", "detail": "<b>lame</b> & broken"}

    subject_fr, body_fr = render_email("delivery/test/notice", context, "fr")
    subject_de, body_de = render_email("delivery/test/notice", context, "de")

    assert subject_fr == "Zone xa. en panne" and body_fr.startswith("La zone xa.")
    assert subject_de == "Zone xa. is broken" and body_de.startswith("The zone xa.")
    assert "<b>lame</b> & broken" in body_de  # plain text: never HTML-escaped


@pytest.mark.usefixtures("test_templates")
def test_render_email_refuses_missing_templates() -> None:
    with pytest.raises(InvalidInput, match="template_base"):
        render_email("delivery/test/absent", {}, "fr")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "hello\r\nBcc: victim@example.org"}, "subject"),
        ({"subject": "hello\nX-Evil: 1"}, "subject"),
        ({"to": "a@example.org\r\nBcc: victim@example.org"}, "to"),
        ({"to": "not an address"}, "to"),
        ({"reply_to": "x@example.org\nBcc: y@example.org"}, "reply_to"),
        ({"headers": {"X-Ref": "a\r\nBcc: victim@example.org"}}, "headers[X-Ref]"),
        ({"headers": {"X-Bad:Name": "a"}}, "headers"),
        ({"headers": {"Subject": "override"}}, "headers"),
        ({"tlp": "PURPLE"}, "tlp"),
        ({"category": ""}, "category"),
        ({"encrypt": True}, "recipient_key"),
        ({"encrypt": True, "recipient_key": "not a key"}, "recipient_key"),
        (
            {
                "encrypt": True,
                "recipient_key": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n"
                "-----END PGP PUBLIC KEY BLOCK-----\n",
            },
            "recipient_key",
        ),
        ({"attachments": [("a.txt", "text, not bytes", "text/plain")]}, "attachments"),
        ({"attachments": [("a\r\nb.txt", b"x", "text/plain")]}, "attachments"),
        ({"subject": ""}, "subject"),
        ({"headers": {f"X-H{n}": "v" for n in range(21)}}, "headers"),
        ({"headers": {"X-Long": "v" * 901}}, "headers[X-Long]"),
        ({"subject": "x" * 901}, "subject"),
        ({"body": "nul \x00 byte"}, "body"),
    ],
)
def test_it_refuses_hostile_input_naming_the_field(fields: dict[str, Any], field: str) -> None:
    values = {"to": "a@example.org", "subject": "s", "body": "b", "category": "test"}

    with pytest.raises(InvalidInput) as caught:
        queue_email(**{**values, **fields})

    assert caught.value.field == field


def test_other_backends_see_subject_body_and_signed_bytes(settings: Any) -> None:
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = _send(tlp="GREEN")

    (sent,) = mail.outbox
    assert sent.subject == "[TLP:GREEN] Lame delegation of xa." and sent.to == [message.recipient]
    assert sent.body.startswith("TLP:GREEN\n\nTwo of three")
    assert b"multipart/signed" in sent.message().as_bytes()
