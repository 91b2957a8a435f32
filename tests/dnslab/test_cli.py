"""``dnscert lab serve`` reports a broken configuration with a clear error."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import dns.message
import dns.query
import pytest

from dnscert.dnslab.cli import main
from tests.conftest import find_free_port


def test_it_exits_2_naming_a_missing_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", str(tmp_path / "missing.cfg")]) == 2
    assert "missing.cfg" in capsys.readouterr().err


def test_it_serves_until_sigterm_and_exits_cleanly(tmp_path: Path) -> None:
    port = find_free_port()
    (tmp_path / "x.zone").write_text(
        "@ 60 SOA ns1 admin 1 2 3 4 5\n@ 60 NS ns1\nns1 60 A 127.53.2.1\n"
    )
    config = tmp_path / "Corefile"
    config.write_text("x. {\n    bind 127.53.2.1\n    log\n    file x.zone x.\n}\n")
    command = [sys.executable, "-m", "dnscert.cli", "lab", "serve", str(config)]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "DEBUG"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "ready" in process.stdout.readline()
        query = dns.message.make_query("ns1.x.", "A")
        response = dns.query.udp(query, "127.53.2.1", timeout=3, port=port)
        assert response.answer[0].to_text() == "ns1.x. 60 IN A 127.53.2.1"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "ns1.x. A" in err  # each query is logged at debug level
