"""The shared fixtures of tests/conftest.py work: free ports, the real Redis, the SMTP listener."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import redis
from django.core.mail import send_mail


def test_it_hands_out_a_loopback_port_that_can_be_bound(free_port: Callable[[], int]) -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
    assert 1024 <= port <= 65535


def test_it_gives_each_test_an_empty_real_redis(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    assert client.dbsize() == 0
    client.set("dnscert:fixture-check", "1")
    assert client.get("dnscert:fixture-check") == b"1"


def test_it_delivers_django_mail_to_the_smtp_listener(smtp_server: Any) -> None:
    send_mail(
        "Warning: expiring DNSKEY",
        "The signatures of example. expire in 2 days.",
        "cert@dnscert.example",
        ["noc@registry.example"],
    )

    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Warning: expiring DNSKEY"
    assert "expire in 2 days" in message.get_content()
    assert smtp_server.received[0].rcpt_tos == ["noc@registry.example"]
    assert smtp_server.received[0].mail_from == "cert@dnscert.example"
