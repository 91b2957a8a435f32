"""IMAP polling against a real IMAP server on 127.0.0.1 (the minimal server of
``imapserver.py``) over implicit TLS, STARTTLS and plain connections."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from dnscert.core.jobs import enqueue, run_pending
from dnscert.core.models import JobRun
from dnscert.incidents.intake import conf, imap
from dnscert.incidents.intake.choices import Channel
from dnscert.incidents.intake.models import Report
from tests.incidents.intake.conftest import mail
from tests.incidents.intake.imapserver import LOOPBACK, ImapServer, self_signed

pytestmark = pytest.mark.django_db

USER, PASSWORD = "intake", "s3cret pass"


@pytest.fixture(params=["ssl", "starttls", "none"])
def server(request: Any, tmp_path: Path, settings: Any) -> Iterator[ImapServer]:
    """A running IMAP server and the intake settings pointing at it."""
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    running = ImapServer(request.param, context, USER, PASSWORD)
    running.start()
    settings.DNSCERT_INTAKE_IMAP_HOST = LOOPBACK
    settings.DNSCERT_INTAKE_IMAP_PORT = running.port
    settings.DNSCERT_INTAKE_IMAP_SECURITY = request.param
    settings.DNSCERT_INTAKE_IMAP_USER = USER
    settings.DNSCERT_INTAKE_IMAP_PASSWORD = PASSWORD
    settings.DNSCERT_INTAKE_IMAP_CA_FILE = str(cert)
    try:
        yield running
    finally:
        running.stop()


def test_it_stores_unseen_messages_once_and_marks_them_seen(server: ImapServer) -> None:
    server.mailbox.add(mail(subject="First report"))
    server.mailbox.add(mail(subject="Second report"))

    result = imap.poll()

    assert (result.fetched, result.stored) == (2, 2)
    reports = Report.objects.order_by("id")
    assert [r.subject for r in reports] == ["First report", "Second report"]
    assert {r.channel for r in reports} == {Channel.IMAP}
    assert server.mailbox.unseen() == []
    if server.mode == "starttls":
        assert "STARTTLS" in server.commands
    again = imap.poll()
    assert (again.fetched, again.stored) == (0, 0)


def test_it_does_not_store_a_message_twice_when_it_comes_back_unseen(
    server: ImapServer,
) -> None:
    uid = server.mailbox.add(mail(subject="Once"))
    imap.poll()
    server.mailbox.flags[uid].clear()  # the flag was lost: the message comes back unseen
    result = imap.poll()
    assert (result.fetched, result.duplicates) == (1, 1)
    assert Report.objects.count() == 1


def test_it_names_the_server_when_the_login_is_refused(server: ImapServer, settings: Any) -> None:
    settings.DNSCERT_INTAKE_IMAP_PASSWORD = "wrong"
    with pytest.raises(imap.ImapError, match=f"IMAP {LOOPBACK}:{server.port}"):
        imap.poll()


@pytest.mark.parametrize("server", ["ssl"], indirect=True)
def test_it_polls_from_the_command_and_the_scheduled_job(server: ImapServer, capsys: Any) -> None:
    server.mailbox.add(mail(subject="Via the command"))
    call_command("intake-mail", "--imap")
    assert "1 stored" in capsys.readouterr().out

    server.mailbox.add(mail(subject="Via the job"))
    enqueue("intake.poll_imap")
    [run] = run_pending(["intake.poll_imap"])
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.result["stored"] == 1
    assert Report.objects.filter(subject="Via the job").exists()


def test_it_skips_the_job_while_imap_is_not_configured(settings: Any) -> None:
    settings.DNSCERT_INTAKE_IMAP_HOST = ""
    enqueue("intake.poll_imap")
    [run] = run_pending(["intake.poll_imap"])
    assert run.result == {"skipped": "IMAP is not configured"}
    assert not conf.imap_config().configured
