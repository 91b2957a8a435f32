"""``dnscert check``: human and JSON output, bulk files with progress, exit statuses."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from dnscert.dnshealth.engine import cli
from tests.dnshealth.engine.conftest import ROOT_IP, ThreadedNetwork, build_tree
from tests.dnshealth.engine.fakeserver import FakeNetwork

HINTS = f""".       3600000   NS    ns.root.
ns.root.    3600000   A     {ROOT_IP}
"""


@pytest.fixture
def hints(tmp_path: Path) -> Path:
    """A root hints file for the fake tree."""
    path = tmp_path / "hints"
    path.write_text(HINTS, encoding="utf-8")
    return path


def _main(port: int, hints: Path, *args: str) -> tuple[int, str]:
    net = FakeNetwork(port)
    build_tree(net)
    out = io.StringIO()
    common = ["--hints", str(hints), "--port", str(port), "--timeout", "0.3", "--retries", "1"]
    with ThreadedNetwork(net):
        status = cli.main([*args, *common, "--no-ipv6"], out=out)
    return status, out.getvalue()


def test_it_prints_messages_grouped_by_test_case(port: int, hints: Path) -> None:
    status, text = _main(port, hints, "good.xa", "--test", "BASIC02", "--level", "INFO")
    assert status == 0
    lines = text.splitlines()
    assert lines[0].startswith("good.xa: INFO (")
    assert lines[1] == "  BASIC02 (Basic)"
    assert lines[2].startswith("    INFO     B02_AUTH_RESPONSE_SOA domain=good.xa ns_list=")


def test_it_hides_messages_below_the_level(port: int, hints: Path) -> None:
    status, text = _main(port, hints, "good.xa", "--test", "BASIC02", "--level", "WARNING")
    assert status == 0
    assert text.splitlines() == [text.splitlines()[0]]


def test_it_writes_one_json_object_per_zone(port: int, hints: Path) -> None:
    status, text = _main(port, hints, "good.xa", "absent.xa", "--test", "BASIC02", "--json")
    assert status == 1
    reports = {data["zone"]: data for data in map(json.loads, text.splitlines())}
    assert set(reports) == {"good.xa", "absent.xa"}
    absent = reports["absent.xa"]
    assert set(absent) == {
        "format",
        "zone",
        "profile",
        "started",
        "duration_ms",
        "query_count",
        "worst_level",
        "results",
    }
    assert absent["worst_level"] == "CRITICAL"
    message = absent["results"][0]["messages"][0]
    assert message == {
        "test_case": "BASIC02",
        "tag": "B02_NO_DELEGATION",
        "level": "CRITICAL",
        "args": {"domain": "absent.xa"},
    }


def test_it_checks_a_zone_file_with_a_progress_bar(
    port: int, hints: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zones = tmp_path / "zones.txt"
    zones.write_text("# constituents\ngood.xa\n\nabsent.xa  # gone\n", encoding="utf-8")
    status, text = _main(
        port, hints, "--file", str(zones), "--concurrency", "2", "--progress", "--test", "BASIC01"
    )
    assert status == 1
    assert sorted(line.split(":")[0] for line in text.splitlines() if not line[0].isspace()) == [
        "absent.xa",
        "good.xa",
    ]
    assert "2/2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        ([], "no zone given"),
        (["good.xa", "--test", "NOPE01"], "unknown test case 'NOPE01'"),
        (["good.xa", "--hints", "/nonexistent/hints"], "cannot read hints file"),
        (["good.xa", "--ns", "ns1.x/not-an-ip"], "not an IP address"),
        (["--file", "/nonexistent/zones"], "cannot read zone file"),
    ],
)
def test_it_exits_2_on_usage_errors(
    args: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(args, out=io.StringIO()) == 2
    assert complaint in capsys.readouterr().err


def test_it_exits_2_on_a_bad_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["good.xa", "--level", "LOUD"], out=io.StringIO()) == 2
    assert "unknown level" in capsys.readouterr().err


def test_it_lists_the_test_cases() -> None:
    out = io.StringIO()
    assert cli.main(["--list-tests"], out=out) == 0
    assert "BASIC01" in out.getvalue() and "NAMESERVER15" in out.getvalue()


def test_it_is_the_platform_check_command() -> None:
    from dnscert import cli as platform

    assert platform.PLATFORM_COMMANDS["check"] == "dnscert.dnshealth.engine.cli"
