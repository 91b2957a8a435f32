"""Field-level behaviour of the JSON-document parsers (PhishTank JSON, X-ARF, MISP, STIX)."""

from __future__ import annotations

import json

from .helpers import parse_sample, parse_text


def test_it_reads_phishtank_csv_and_json_details() -> None:
    csv_outcome = parse_sample("phishtank", "phishtank.csv")
    quoted = csv_outcome.event_with("source.fqdn", "bank.test")
    assert quoted["source.url"] == "http://bank.test/login?a=1,b=2"
    assert quoted["event_description.text"] == "target: Example Bank"
    assert quoted["extra"]["phish_id"] == "8812302"
    json_outcome = parse_sample("phishtank", "phishtank.json")
    event = json_outcome.event_with("source.fqdn", "mail-quota.example")
    assert event["source.ip"] == "192.0.2.91"
    assert event["source.geolocation.cc"] == "XA"
    assert event["time.source"] == "2026-11-20T10:00:00+00:00"
    assert json.loads(event["raw"])["phish_id"] == 8812401
    assert json_outcome.failed[0].line == 3


def test_it_fails_a_broken_json_document_as_one_record_with_its_position() -> None:
    outcome = parse_text("phishtank", '[{"url": "http://a.example/"},\n  {"url": ]\n')
    assert len(outcome.failed) == 1
    assert outcome.failed[0].reason.startswith(
        "document is not valid JSON: Expecting value at line 2"
    )
    assert outcome.failed[0].line == 2


def test_it_maps_xarf_reports_to_rsit() -> None:
    outcome = parse_sample("xarf", "xarf_reports.json")
    phishing = outcome.event_with("source.ip", "192.0.2.140")
    assert phishing["classification.type"] == "phishing"
    assert phishing["classification.identifier"] == "content/phishing"
    assert phishing["source.url"] == "https://secure-bank-login.xa/verify"
    assert phishing["source.fqdn"] == "secure-bank-login.xa"
    assert phishing["extra"]["reporter"]["org"] == "Example Anti-Phishing Group"
    spam = outcome.event_with("source.ip", "198.51.100.25")
    assert spam["time.source"] == "2026-11-20T07:31:00+00:00"
    assert (spam["source.port"], spam["protocol.application"]) == (25, "smtp")
    botnet = outcome.event_with("source.ip", "203.0.113.45")
    assert botnet["malware.name"] == "conficker"
    assert botnet["destination.fqdn"] == "c2.bad-dga.xb"
    assert botnet["classification.type"] == "infected-system"
    resolver = outcome.event_with("source.ip", "2001:db8::53")
    assert resolver["classification.type"] == "ddos-amplifier"
    assert resolver["protocol.application"] == "dns"


def test_it_reads_xarf_json_lines() -> None:
    report = {
        "xarf_version": "4.0.0",
        "report_id": "r1",
        "timestamp": "2026-11-20T08:00:00Z",
        "reporter": {"org": "o", "contact": "c@o.example", "domain": "o.example"},
        "sender": {"org": "o", "contact": "c@o.example", "domain": "o.example"},
        "source_identifier": "scanner.example",
        "category": "connection",
        "type": "port_scan",
    }
    text = json.dumps(report) + "\n\n{broken\n" + json.dumps({**report, "type": "nope"}) + "\n"
    outcome = parse_text("xarf", text)
    assert outcome.events[0]["source.fqdn"] == "scanner.example"
    assert outcome.events[0]["classification.type"] == "scanner"
    assert outcome.events[0]["feed.line"] == 1
    assert [(record.line, record.reason[:30]) for record in outcome.failed] == [
        (3, "line is not a JSON report: Exp"),
        (4, "category/type: 'connection/nop"),
    ]


def test_it_turns_misp_attributes_into_events() -> None:
    outcome = parse_sample("misp_feed", "misp_event.json")
    domain = outcome.event_with("misp.attribute_uuid", "a1a1a1a1-0000-4000-8000-000000000001")
    assert domain["source.fqdn"] == "registrar-renewal.xa"
    assert domain["classification.type"] == "phishing"
    assert domain["misp.event_uuid"] == "5f1e6a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
    assert domain["time.source"] == "2026-11-19T09:21:40+00:00"
    assert domain["extra"] == {
        "misp_type": "domain",
        "misp_category": "Network activity",
        "to_ids": True,
        "comment": "landing page",
    }
    assert json.loads(domain["raw"])["uuid"] == "a1a1a1a1-0000-4000-8000-000000000001"
    pair = outcome.event_with("source.fqdn", "mail.registrar-renewal.xa")
    assert pair["source.ip"] == "198.51.100.98"
    assert outcome.event_with("source.ip", "203.0.113.77")["source.port"] == 8443
    assert outcome.event_with(
        "malware.hash.sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert outcome.event_with("source.fqdn", "cdn.registrar-renewal.xa")["feed.line"] == 9


def test_it_refuses_a_json_document_that_is_not_a_misp_event() -> None:
    outcome = parse_text("misp_feed", '{"objects": []}')
    assert outcome.failed[0].reason == "document: document: is not a MISP event ({'Event': {...}})"


def test_it_reads_stix_indicators_with_their_malware() -> None:
    outcome = parse_sample("stix", "stix_bundle.json")
    c2 = outcome.event_with("source.fqdn", "c2.qak-panel.xc")
    assert c2["malware.name"] == "qakbot"
    assert c2["event_description.text"] == "QakBot C2 domain"
    assert c2["time.source"] == "2026-11-19T10:00:00+00:00"
    assert c2["extra"]["stix_id"] == "indicator--2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
    assert outcome.event_with("source.fqdn", "dl.payload.example")["source.url"] == (
        "http://dl.payload.example/it's.exe"
    )
    assert outcome.event_with("source.network", "2001:db8:bad::/48")
    assert outcome.event_with("source.ip", "198.51.100.61")
    assert outcome.event_with(
        "malware.hash.sha256", "aeebad4a796fcc2e15dc4c6061b45ed9b373f26adfc798ca7d2d8cc58182718e"
    )


def test_it_reads_a_single_stix_indicator_object() -> None:
    indicator = {
        "type": "indicator",
        "id": "indicator--x",
        "pattern": "[url:value = 'https://one.example/']",
        "pattern_type": "stix",
        "created": "2026-11-19T10:00:00Z",
    }
    outcome = parse_text("stix", json.dumps(indicator), classification_type="phishing")
    assert outcome.events[0]["source.fqdn"] == "one.example"
    assert outcome.events[0]["classification.type"] == "phishing"
