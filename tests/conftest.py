"""Shared infrastructure fixtures: free loopback ports, a real Redis and a real SMTP listener.

``redis_url`` uses ``DNSCERT_TEST_REDIS_URL`` when set (``make test`` starts a server), and
otherwise starts ``redis-server`` itself on a free loopback port for the session, so plain
``pytest`` works too. ``smtp_server`` is an aiosmtpd listener on 127.0.0.1 with Django's SMTP
e-mail backend pointed at it. Personas live in :mod:`tests.personas`.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


def find_free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now at ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


#: Fixtures that open the database: a test using one (or marked django_db) is a database test.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "admin_user",
        "admin_client",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that touch the database ``database``: the PostgreSQL run repeats only
    those (scripts/test.sh); pure engine and parser tests have no database to vary."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") is not None or fixtures & DATABASE_FIXTURES:
            item.add_marker(pytest.mark.database)


@pytest.fixture(autouse=True, scope="session")
def _allow_loopback_http() -> Iterator[None]:
    """Every server a test talks to is on loopback, which the outbound HTTP wrapper refuses
    by default (a fetched feed URL must not reach the platform's own network); tests of that
    refusal switch it off with the ``settings`` fixture."""
    from django.conf import settings

    before = settings.DNSCERT_HTTP_ALLOW_PRIVATE
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = True
    yield
    settings.DNSCERT_HTTP_ALLOW_PRIVATE = before


@pytest.fixture
def free_port() -> Callable[..., int]:
    """``free_port()`` returns a free TCP port on 127.0.0.1 (or on the host given)."""
    return find_free_port


# --- Redis ----------------------------------------------------------------------------------


def _wait_for_redis(url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(url, socket_timeout=1).ping()
            return
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real Redis server for the whole session (see the module docstring)."""
    given = os.environ.get("DNSCERT_TEST_REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("DNSCERT_TEST_REDIS_URL is unset and redis-server is not installed")
    directory: Path = tmp_path_factory.mktemp("redis")
    port = find_free_port()
    process = subprocess.Popen(
        [binary, "--bind", LOOPBACK, "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://{LOOPBACK}:{port}/0"
    try:
        _wait_for_redis(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """A real, emptied Redis database for this test."""
    redis.Redis.from_url(redis_server_url).flushdb()
    return redis_server_url


# --- SMTP -----------------------------------------------------------------------------------


@dataclass
class Received:
    """One message as the SMTP listener got it: envelope and parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpServer:
    """A running SMTP listener that keeps every message it receives."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def messages(self) -> list[EmailMessage]:
        return [item.message for item in self.received]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        with self._arrived:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), parsed)  # type: ignore[arg-type]
            )
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least ``count`` messages arrived and return them all."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"expected {count} message(s), got {len(self.received)}")
        return self.messages


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP listener on 127.0.0.1 with Django's mail going to it over SMTP."""
    # aiosmtpd logs connection chatter from its own thread, which can outlive pytest's captured
    # streams; only its warnings matter to a test.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = SmtpServer(LOOPBACK, find_free_port())
    controller = Controller(server, hostname=LOOPBACK, port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = LOOPBACK
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield server
    finally:
        controller.stop()
