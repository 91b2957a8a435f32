"""``dnscert intel dga``: output, options and usage errors."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dnscert import cli as dnscert_cli
from dnscert.intel.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main

WEEK = ("--from", "2020-01-01", "--to", "2020-01-07")


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def _all_reference_lines(reference: dict[date, list[str]]) -> list[str]:
    return [domain for day in sorted(reference) for domain in reference[day]]


def test_it_prints_the_conficker_b_reference_for_the_first_week_of_2020(
    conficker_b_reference: dict[date, list[str]],
) -> None:
    status, output = _run("dga", "conficker-b", *WEEK)
    assert status == EXIT_OK
    assert output.splitlines() == _all_reference_lines(conficker_b_reference)


def test_it_runs_as_a_dnscert_sub_command(
    conficker_b_reference: dict[date, list[str]],
) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "dnscert.cli", "intel", "dga", "conficker-b", *WEEK],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == _all_reference_lines(conficker_b_reference)


def test_it_is_registered_with_the_platform_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert dnscert_cli.PLATFORM_COMMANDS["intel"] == "dnscert.intel.cli"
    assert dnscert_cli.main(["intel", "dga", "--list"]) == EXIT_OK
    assert "conficker-b" in capsys.readouterr().out


def test_it_prints_one_day_when_to_is_omitted(
    conficker_b_reference: dict[date, list[str]],
) -> None:
    status, output = _run("dga", "conficker-b", "--from", "2020-01-03")
    assert status == EXIT_OK
    assert output.splitlines() == conficker_b_reference[date(2020, 1, 3)]


def test_it_lists_the_families() -> None:
    status, output = _run("dga", "--list")
    assert status == EXIT_OK
    names = [line.split("\t")[0] for line in output.splitlines()]
    assert names == ["conficker-a", "conficker-b", "conficker-c"]
    assert "250/day" in output and "50000/day" in output


def test_it_groups_the_output_per_tld(conficker_b_reference: dict[date, list[str]]) -> None:
    status, output = _run("dga", "conficker-b", "--from", "2020-01-01", "--by-tld")
    assert status == EXIT_OK
    headings = [line for line in output.splitlines() if line.startswith("# ")]
    assert [heading.split()[1] for heading in headings] == sorted(
        ["cc", "cn", "ws", "com", "net", "org", "info", "biz"]
    )
    domains = [line for line in output.splitlines() if line and not line.startswith("# ")]
    assert sorted(domains) == sorted(set(conficker_b_reference[date(2020, 1, 1)]))
    counts = sum(int(heading.split("(")[1].rstrip(")")) for heading in headings)
    assert counts == len(domains)


def test_it_keeps_only_the_requested_tlds(conficker_b_reference: dict[date, list[str]]) -> None:
    status, output = _run(
        "dga", "conficker-b", "--from", "2020-01-01", "--tld", "ws", "--tld", "CN"
    )
    assert status == EXIT_OK
    expected = [d for d in conficker_b_reference[date(2020, 1, 1)] if d.endswith((".ws", ".cn"))]
    assert output.splitlines() == expected


def test_it_writes_the_csv_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "conficker-b.csv"
    status, output = _run(
        "dga", "conficker-b", "--from", "2020-01-01", "--to", "2020-01-02", "--csv", str(target)
    )
    assert (status, output) == (EXIT_OK, "")
    with target.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == 500
    assert records[0] == {
        "date": "2020-01-01",
        "domain": "jqfgtmjl.ws",
        "tld": "ws",
        "family": "conficker-b",
    }
    assert "wrote 500 domains of conficker-b" in capsys.readouterr().err


def test_it_writes_the_csv_to_standard_output_with_a_dash() -> None:
    status, output = _run("dga", "conficker-a", "--from", "2020-01-01", "--csv", "-")
    assert status == EXIT_OK
    lines = output.splitlines()
    assert lines[:2] == ["date,domain,tld,family", "2020-01-01,fvqcih.net,net,conficker-a"]
    assert len(lines) == 251


def test_it_reports_a_csv_file_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-directory" / "list.csv"
    status, _output = _run("dga", "conficker-b", "--from", "2020-01-01", "--csv", str(target))
    assert status == EXIT_FAILURE
    assert f"cannot write {target}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dga", "kraken", "--from", "2020-01-01"], "unknown DGA family 'kraken'; known families:"),
        (["dga", "conficker-b", "--from", "2020-13-01"], "'2020-13-01' is not a date"),
        (["dga", "conficker-b", "--from", "01/01/2020"], "in the form YYYY-MM-DD"),
        (
            ["dga", "conficker-b", "--from", "2020-01-07", "--to", "2020-01-01"],
            "the end date 2020-01-01 is before the start date 2020-01-07",
        ),
        (
            ["dga", "conficker-b", "--from", "2020-01-01", "--to", "2021-06-01"],
            "covers 518 days; at most 366 are allowed",
        ),
        (["dga", "conficker-b"], "--from YYYY-MM-DD is required"),
        (["dga", "--from", "2020-01-01"], "give a FAMILY"),
        (["dga", "conficker-b", "--from", "2020-01-01", "--tld", "de"], "never uses TLD de"),
        (["dga", "conficker-b", "--from", "2020-01-01", "--bogus"], "unrecognized arguments"),
        ([], "required: COMMAND"),
        (
            ["dga", "conficker-b", "--from", "2020-01-01", "--by-tld", "--csv", "x.csv"],
            "--by-tld and --csv exclude each other",
        ),
    ],
)
def test_it_explains_usage_errors_with_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, output = _run(*argv)
    assert (status, output) == (EXIT_USAGE, "")
    assert message in capsys.readouterr().err


def test_it_lists_the_known_families_for_an_unknown_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _run("dga", "kraken", "--from", "2020-01-01")
    assert "conficker-a, conficker-b, conficker-c" in capsys.readouterr().err


def test_it_shows_help_with_status_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dga", "--help"]) == EXIT_OK
    assert "--by-tld" in capsys.readouterr().out


def test_it_prints_one_registrys_share_of_conficker_c() -> None:
    status, output = _run("dga", "conficker-c", "--from", "2009-04-01", "--tld", "uk")
    domains = output.splitlines()
    assert status == EXIT_OK
    assert domains and all(domain.endswith(".co.uk") for domain in domains)


def test_it_runs_without_django() -> None:
    code = (
        "import sys, io\n"
        "from dnscert.intel.cli import main\n"
        "status = main(['dga', 'conficker-a', '--from', '2020-01-01'], out=io.StringIO())\n"
        "assert status == 0, status\n"
        "assert not [name for name in sys.modules if name.split('.')[0] == 'django']\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
