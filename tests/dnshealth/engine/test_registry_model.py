"""Contracts of the result model and of every registered check module."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dnscert.dnshealth.engine import registry
from dnscert.dnshealth.engine.model import Level, Message, TestCaseResult, ZoneReport


def test_it_parses_levels_by_name() -> None:
    assert Level.parse("warning") is Level.WARNING
    assert Level.ERROR > Level.WARNING
    with pytest.raises(ValueError, match="unknown level 'LOUD'"):
        Level.parse("LOUD")


def test_it_writes_a_stable_json_report() -> None:
    report = ZoneReport("example.xa", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), 12)
    message = Message("BASIC02", "B02_NS_BROKEN", Level.ERROR, {"ns": "ns1.x/192.0.2.1"})
    report.results.append(TestCaseResult("BASIC02", "Basic", [message], 3))
    data = report.to_dict()
    assert data == json.loads(json.dumps(data))
    assert data == {
        "format": 1,
        "zone": "example.xa",
        "profile": "default",
        "started": "2026-01-02T03:04:05+00:00",
        "duration_ms": 12,
        "query_count": 0,
        "worst_level": "ERROR",
        "results": [
            {
                "test_case": "BASIC02",
                "module": "Basic",
                "duration_ms": 3,
                "worst_level": "ERROR",
                "messages": [
                    {
                        "test_case": "BASIC02",
                        "tag": "B02_NS_BROKEN",
                        "level": "ERROR",
                        "args": {"ns": "ns1.x/192.0.2.1"},
                    }
                ],
            }
        ],
    }
    assert report.tags() == {"B02_NS_BROKEN"}
    assert report.messages_at_or_above(Level.CRITICAL) == []


def test_it_refuses_a_tag_the_check_did_not_declare() -> None:
    check = registry.get("BASIC02")()
    assert check.msg("B02_NS_BROKEN", ns="x").level is Level.ERROR
    with pytest.raises(registry.UnknownTag, match="B02_MADE_UP"):
        check.msg("B02_MADE_UP")


def test_it_refuses_a_test_case_without_id() -> None:
    class Nameless(registry.TestCase):
        module = "Basic"

    with pytest.raises(ValueError, match="non-empty id"):
        registry.register(Nameless)


@pytest.mark.parametrize("case", registry.all_test_cases(), ids=lambda case: case.id)
def test_it_keeps_every_check_module_to_the_contract(case: type[registry.TestCase]) -> None:
    assert case.__module__.rsplit(".", 1)[-1] == case.id.lower()
    assert case.module in registry.MODULE_ORDER
    assert case.tags and all(isinstance(level, Level) for level in case.tags.values())
    assert case.description
    assert registry.get(case.id) is case


def test_the_run_order_follows_the_registry_as_it_changes() -> None:
    class Extra(registry.TestCase):
        id = "BASIC98"
        module = "Basic"
        tags = {"B98_SEEN": Level.INFO}

    before = registry.all_test_cases()
    before.append(Extra)  # callers get a copy: changing it changes nothing
    assert Extra not in registry.all_test_cases()
    registry.register(Extra)
    try:
        cases = registry.all_test_cases()
        assert Extra in cases
        assert cases.index(Extra) < cases.index(registry.get("ADDRESS01"))  # Basic first
    finally:
        registry._REGISTRY.pop(Extra.id)
    assert Extra not in registry.all_test_cases()


def test_a_report_crosses_processes_whole() -> None:
    import pickle
    from datetime import UTC, datetime

    from dnscert.dnshealth.engine.model import Level, Message, TestCaseResult, ZoneReport

    message = Message("DNSSEC01", "DS01_DS_ALGO_OK", Level.INFO, {"algo_num": 8, "ns": "a"})
    result = TestCaseResult("DNSSEC01", "DNSSEC", [message], duration_ms=3)
    report = ZoneReport("good.xa", datetime(2026, 1, 2, tzinfo=UTC), 5, [result], 7, "full")
    back = pickle.loads(pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == report
    assert back.results[0].messages[0].level is Level.INFO
    assert back.to_dict() == report.to_dict()
