"""Field-level behaviour of the line parsers: CSV, plain, abuse.ch, Spamhaus, Shadowserver."""

from __future__ import annotations

import pytest

from dnscert.core.exceptions import InvalidInput
from dnscert.intel.feeds.registry import get

from .helpers import parse_sample, parse_text

CSV_COLUMNS = {
    "first_seen": "time.source",
    "url": "source.url",
    "ip": "source.ip",
    "asn": "source.asn",
    "note": "extra.note",
}


def test_it_maps_csv_columns_by_header_name() -> None:
    outcome = parse_sample("csv", "generic.csv", columns=CSV_COLUMNS, header=True)
    event = outcome.event_with("source.ip", "198.51.100.23")
    assert event["source.url"] == "https://cdn.bad-host.xa/payload.bin"
    assert event["source.fqdn"] == "cdn.bad-host.xa"
    assert event["source.asn"] == 64501
    assert event["time.source"] == "2026-11-20T09:01:12+00:00"
    assert event["extra"] == {"note": "loader"}
    assert event["classification.type"] == "undetermined"


def test_it_reads_quoted_csv_fields_with_commas() -> None:
    outcome = parse_sample("csv", "generic.csv", columns=CSV_COLUMNS, header=True)
    event = outcome.event_with("source.ip", "192.0.2.11")
    assert event["source.url"] == "http://pay.example/a,b?x=1"
    assert event["extra"]["note"] == "quoted, with comma"


def test_it_maps_csv_columns_by_position_with_another_delimiter() -> None:
    text = "2026-11-20 08:00:00;bad.example;ignored\n2026-11-20 08:00:01;good\n"
    outcome = parse_text(
        "csv",
        text,
        columns=["time.source", "source.fqdn", None],
        delimiter=";",
        classification_type="phishing",
    )
    assert outcome.events[0]["source.fqdn"] == "bad.example"
    assert outcome.events[0]["classification.type"] == "phishing"
    assert outcome.failed[0].reason == "row: has 2 fields, expected 3 as configured"


def test_it_fails_every_row_when_the_csv_header_lacks_a_configured_column() -> None:
    outcome = parse_text(
        "csv", "when,what\n2026-11-20,bad.example\n", columns=CSV_COLUMNS, header=True
    )
    assert len(outcome.failed) == 2
    assert (
        "lacks the configured column(s) asn, first_seen, ip, note, url" in outcome.failed[0].reason
    )
    assert "header on line 1 is unusable" in outcome.failed[1].reason


def test_it_refuses_csv_columns_that_are_not_schema_fields() -> None:
    with pytest.raises(InvalidInput, match="not fields of the event schema"):
        get("csv")([], feed_name="x", options={"columns": ["source.domain"]})
    with pytest.raises(InvalidInput, match="one character"):
        get("csv")([], feed_name="x", options={"columns": ["source.fqdn"], "delimiter": ";;"})


def test_it_detects_the_kind_of_each_plain_line() -> None:
    outcome = parse_sample("plain", "plain_list.txt")
    assert outcome.event_with("source.fqdn", "mixed-case.example")["raw"] == "MIXED-case.Example."
    assert outcome.event_with("source.ip", "2001:db8::bad:1")
    assert outcome.event_with("source.network", "198.51.100.0/24")
    assert outcome.event_with("source.url", "http://dl.malware.xa/x.exe")["source.fqdn"] == (
        "dl.malware.xa"
    )
    assert outcome.event_with("source.fqdn", "hosts-style.example")
    assert outcome.event_with("source.fqdn", "tracker.example")["raw"].endswith(
        "# trailing comment"
    )


def test_it_holds_plain_lines_to_a_fixed_kind() -> None:
    outcome = parse_text("plain", "bad.example\n192.0.2.1\n", kind="fqdn")
    assert len(outcome.events) == 1
    assert "is an IP address, not a DNS name" in outcome.failed[0].reason
    with pytest.raises(InvalidInput, match="unknown kind 'hash'"):
        get("plain")([], feed_name="x", options={"kind": "hash"})


def test_it_reads_urlhaus_rows_in_both_column_layouts() -> None:
    outcome = parse_sample("urlhaus", "urlhaus.csv")
    event = outcome.event_with("source.ip", "198.51.100.44")
    assert event["source.url"] == "http://198.51.100.44:43127/i"
    assert event["classification.type"] == "malware-distribution"
    assert event["classification.identifier"] == "malware_download"
    assert event["event_description.url"] == "https://urlhaus.abuse.ch/url/3300101/"
    assert event["extra"]["tags"] == ["32-bit", "elf", "mips", "Mozi"]
    assert event["extra"]["last_online"] == "2026-11-20T11:58:41+00:00"
    assert "tags" not in outcome.event_with("source.fqdn", "update.bad-cdn.xb")["extra"]
    legacy = outcome.event_with("source.fqdn", "legacy.example")
    assert legacy["extra"]["urlhaus_id"] == "3300097"


def test_it_refangs_and_keeps_unicode_hosts_in_openphish_urls() -> None:
    outcome = parse_sample("openphish", "openphish.txt")
    defanged = outcome.event_with("source.fqdn", "defanged.example")
    assert defanged["source.url"] == "https://defanged.example/login"
    assert defanged["raw"] == "hxxps://defanged[.]example/login"
    assert outcome.event_with("source.fqdn", "bücher-login.xa")["classification.type"] == "phishing"


def test_it_reads_feodo_rows_and_skips_the_quoted_header() -> None:
    outcome = parse_sample("feodo", "feodo.csv")
    event = outcome.event_with("source.ip", "198.51.100.150")
    assert event["source.port"] == 8080
    assert event["malware.name"] == "emotet"
    assert event["classification.type"] == "c2-server"
    assert event["extra"] == {"c2_status": "online", "last_online": "2026-11-20"}
    assert event["time.source"] == "2026-10-15T08:01:44+00:00"


def test_it_reads_the_older_feodo_layout() -> None:
    text = (
        "# Firstseen,DstIP,DstPort,LastOnline,Malware\n"
        "2026-01-02 03:04:05,192.0.2.9,447,2026-01-03,TrickBot\n"
    )
    event = parse_text("feodo", text).events[0]
    assert (event["source.ip"], event["source.port"], event["malware.name"]) == (
        "192.0.2.9",
        447,
        "trickbot",
    )


def test_it_reads_both_sslbl_shapes() -> None:
    certificates = parse_sample("sslbl", "sslblacklist.csv")
    dridex = certificates.event_with(
        "malware.hash.sha1", "5fcb8c2f0d5a1b6e7f80a9b0c1d2e3f405162738"
    )
    assert (dridex["malware.name"], dridex["classification.type"]) == ("dridex", "c2-server")
    other = certificates.event_with("event_description.text", "Malware distribution")
    assert other["classification.type"] == "malware-configuration"
    addresses = parse_sample("sslbl", "sslipblacklist.csv")
    assert addresses.event_with("source.ip", "2001:db8::c2")["source.port"] == 8443


def test_it_reads_spamhaus_drop_text_and_json_lines() -> None:
    text = parse_sample("spamhaus_drop", "spamhaus_drop.txt")
    event = text.event_with("source.network", "2001:db8:4000::/36")
    assert event["extra"] == {"sbl_id": "SBL000104"}
    assert event["classification.identifier"] == "spamhaus-drop"
    json_lines = parse_sample("spamhaus_drop", "spamhaus_drop_v4.json")
    assert json_lines.event_with("source.network", "203.0.113.0/24")["extra"] == {
        "sbl_id": "SBL000106",
        "rir": "apnic",
    }


def test_it_maps_shadowserver_open_resolver_reports() -> None:
    outcome = parse_sample("shadowserver", "shadowserver_scan_dns.csv")
    event = outcome.event_with("source.ip", "198.51.100.179")
    assert event["classification.type"] == "ddos-amplifier"
    assert event["classification.identifier"] == "dns-open-resolver"
    assert event["protocol.application"] == "dns"
    assert event["protocol.transport"] == "udp"
    assert event["source.port"] == 53
    assert event["source.asn"] == 64500
    assert event["source.geolocation.cc"] == "XA"
    assert event["source.reverse_dns"] == "198-51-100-179.isp.example"
    assert event["extra"]["dns_version"] == "dnsmasq-2.80"
    assert event["extra"]["min_amplification"] == "4.6190"
    assert outcome.event_with("source.ip", "2001:db8:53::7")


def test_it_keeps_junk_in_secondary_shadowserver_columns_in_extra() -> None:
    outcome = parse_sample("shadowserver", "shadowserver_event4_sinkhole.csv")
    first = outcome.event_with("source.ip", "192.0.2.61")
    assert first["destination.fqdn"] == "sinkhole.example"
    assert first["malware.name"] == "andromeda"
    assert first["classification.identifier"] == "andromeda"
    assert first["classification.type"] == "infected-system"
    junk_name = outcome.event_with("source.ip", "192.0.2.62")
    assert "destination.fqdn" not in junk_name
    assert junk_name["extra"]["dst_hostname"] == "default"
    junk_address = outcome.event_with("source.ip", "192.0.2.63")
    assert junk_address["extra"]["dst_ip"] == "203.0.113.1.2"


def test_it_reads_shadowserver_blocklist_prefixes() -> None:
    outcome = parse_sample("shadowserver", "shadowserver_blocklist.csv")
    prefix = outcome.event_with("source.network", "203.0.113.0/24")
    assert prefix["event_description.text"] == "Hijacked prefix"
    assert prefix["classification.type"] == "blocklist"


def test_it_reads_a_shadowserver_report_named_by_option() -> None:
    text = '"timestamp","ip","port"\n"2026-11-19 00:00:00","192.0.2.7",123\n'
    event = parse_text("shadowserver", text, report="scan_ntpmonitor").events[0]
    assert event["classification.identifier"] == "ntp-monitor"
    with pytest.raises(InvalidInput, match="unknown report 'scan_x'"):
        get("shadowserver")([], feed_name="x", options={"report": "scan_x"})


def test_it_reports_undecodable_bytes_and_honours_the_encoding_option() -> None:
    latin = "b\u00fccher.example\n".encode("latin-1")
    failed = parse_text("plain", latin).failed[0]
    assert failed.reason.startswith("line is not valid utf-8: byte 0xfc at position 1")
    assert "'encoding' option" in failed.reason
    assert failed.raw == "b\\xfccher.example"
    event = parse_text("plain", latin, encoding="latin-1").events[0]
    assert event["source.fqdn"] == "bücher.example"


def test_it_fails_overlong_lines_and_binary_lines_with_reasons() -> None:
    outcome = parse_text("plain", b"x" * 70_000 + b".example\nbad\x00.example\nok.example\n")
    assert outcome.failed[0].reason == "line is 70008 characters long, over the limit of 65536"
    assert "control character 0x00 at position 3" in outcome.failed[1].reason
    assert outcome.events[0]["source.fqdn"] == "ok.example"


def test_it_strips_a_byte_order_mark() -> None:
    event = parse_text("plain", "\ufeffbom.example\n".encode()).events[0]
    assert event["source.fqdn"] == "bom.example"


NTP_VERSION_HEADER = (
    '"timestamp","ip","protocol","port","hostname","asn","geo","region","city","version",'
    '"clk_wander","clock","error","frequency","jitter","leap","mintc","noise","offset","peer",'
    '"phase","poll","precision","processor","refid","reftime","rootdelay","rootdispersion",'
    '"stability","state","stratum","system","tai","tc","naics","sic","sector"'
)
NTP_MONITOR_HEADER = (
    '"timestamp","ip","protocol","port","hostname","packets","size","asn","geo","region","city",'
    '"naics","sic","sector","amplification"'
)


@pytest.mark.parametrize(
    ("header", "row", "rsit_type", "identifier"),
    [
        (
            NTP_VERSION_HEADER,
            '"2026-11-19 01:16:27","192.0.2.123","udp",123,"ntp1.isp.example",64500,"XA",'
            '"CAPITAL","METRO",4,"0.000","0xE1198EEB.21E18AD4",,"0.000","0.000",0,3,,"0.000",,,,'
            '"-22","unknown","192.0.2.4","0xE1198C78.D013546A","0.000","0.000",,,2,"UNIX",,7,0,0,',
            "vulnerable-system",
            "ntp-version",
        ),
        (
            NTP_MONITOR_HEADER,
            '"2026-11-19 00:00:01",192.0.2.124,udp,123,ntp2.isp.example,100,44000,64500,XA,'
            "CAPITAL,METRO,0,0,,3666.67",
            "ddos-amplifier",
            "ntp-monitor",
        ),
    ],
)
def test_it_detects_shadowserver_ntp_reports_from_their_header(
    header: str, row: str, rsit_type: str, identifier: str
) -> None:
    outcome = parse_text("shadowserver", f"{header}\n{row}\n")
    assert not outcome.failed, outcome.failed
    event = outcome.events[0]
    assert (event["classification.type"], event["classification.identifier"]) == (
        rsit_type,
        identifier,
    )
    assert (event["protocol.application"], event["source.port"]) == ("ntp", 123)
