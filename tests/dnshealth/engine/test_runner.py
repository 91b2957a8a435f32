"""The runner: batches, crash and timeout containment, profiles and gating."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import dns.message
import pytest

from dnscert.dnshealth.engine import profiles, registry
from dnscert.dnshealth.engine.context import ZoneContext
from dnscert.dnshealth.engine.model import Level, Message, ZoneReport
from dnscert.dnshealth.engine.query import FailureReason, QueryFailure
from dnscert.dnshealth.engine.runner import check_zone, check_zones, select_test_cases
from tests.dnshealth.engine.conftest import build_tree, lab_config, run
from tests.dnshealth.engine.fakeserver import FakeNetwork


class Crashing(registry.TestCase):
    id = "TESTCRASH01"
    module = "Zone"
    tags = {"NEVER": Level.INFO}

    async def run(self, ctx: ZoneContext) -> list[Message]:
        raise RuntimeError(f"boom on {ctx.zone}")


class Hanging(registry.TestCase):
    id = "TESTHANG01"
    module = "Zone"
    tags = {"NEVER": Level.INFO}

    async def run(self, ctx: ZoneContext) -> list[Message]:
        await asyncio.Event().wait()
        return []


class HangingUntilCancelled(registry.TestCase):
    """Waits forever; records what ended it."""

    id = "TESTHANG02"
    module = "Zone"
    tags = {"NEVER": Level.INFO}
    endings: list[str] = []

    async def run(self, ctx: ZoneContext) -> list[Message]:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.endings.append("cancelled")
            raise
        except BaseException as exc:
            self.endings.append(type(exc).__name__)
            raise
        return []


HOLDING_IP = "127.201.9.1"


class SendsOverTcp(registry.TestCase):
    """Sends its own query over TCP to a server that takes the connection and never answers."""

    id = "TESTSEND01"
    module = "Zone"
    tags = {"TEST_DONE": Level.INFO}

    async def run(self, ctx: ZoneContext) -> list[Message]:
        query = dns.message.make_query(ctx.zone, "SOA")
        result = await ctx.send(HOLDING_IP, query, tcp=True)
        reason = result.reason.value if isinstance(result, QueryFailure) else "answered"
        return [self.msg("TEST_DONE", reason=reason)]


TEST_CASES = (
    Crashing,
    Hanging,
    HangingUntilCancelled,
    SendsOverTcp,
)


@pytest.fixture
def misbehaving_checks() -> Iterator[None]:
    """Register the test cases above for one test only."""
    for case in TEST_CASES:
        registry.register(case)
    yield
    for case in TEST_CASES:
        registry._REGISTRY.pop(case.id, None)


def _batch(port: int, zones: list[str], tests: list[str] | None, **config: object) -> list:
    done: list[ZoneReport] = []

    async def body() -> list[ZoneReport]:
        net = FakeNetwork(port)
        build_tree(net)
        async with net:
            iterator = check_zones(
                zones, lab_config(port, **config), concurrency=2, tests=tests, on_done=done.append
            )
            reports = [report async for report in iterator]
        assert reports == done
        return reports

    return run(body)


def test_it_turns_a_crashing_check_into_a_critical_message(port: int, misbehaving_checks) -> None:
    reports = _batch(port, ["good.xa", "absent.xa"], ["BASIC02", "TESTCRASH01"])
    assert len(reports) == 2
    for report in reports:
        crash = [m for m in report.messages if m.tag == "ENGINE_CHECK_CRASHED"]
        assert crash and crash[0].level is Level.CRITICAL
        assert "boom on" in crash[0].args["error"]
        assert report.results[0].test_case == "BASIC02"


def test_it_stops_a_hanging_check_at_the_zone_timeout(port: int, misbehaving_checks) -> None:
    reports = _batch(port, ["good.xa"], ["BASIC02", "TESTHANG01"], zone_timeout=1.0)
    tags = reports[0].tags()
    assert {"B02_AUTH_RESPONSE_SOA", "ENGINE_ZONE_TIMEOUT"} <= tags


def test_a_test_case_stopped_at_the_zone_timeout_is_cancelled(
    port: int, misbehaving_checks
) -> None:
    HangingUntilCancelled.endings.clear()
    reports = _batch(port, ["good.xa"], ["BASIC02", "TESTHANG02"], zone_timeout=1.0)
    assert "ENGINE_ZONE_TIMEOUT" in reports[0].tags()
    assert HangingUntilCancelled.endings == ["cancelled"]


def test_a_tcp_timeout_in_a_test_case_ends_its_query_not_the_zone(
    port: int, misbehaving_checks
) -> None:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up and closes
        writer.close()

    async def body() -> list[ZoneReport]:
        net = FakeNetwork(port)
        build_tree(net)
        holding = await asyncio.start_server(hold, HOLDING_IP, port)
        async with net, holding:
            config = lab_config(port, timeout=0.2)
            tests = ["BASIC02", "TESTSEND01"]
            return [r async for r in check_zones(["good.xa", "absent.xa"], config, tests=tests)]

    reports = run(body)
    assert len(reports) == 2
    for report in reports:
        sent = [m for m in report.messages if m.test_case == "TESTSEND01"]
        assert [m.args for m in sent] == [{"reason": FailureReason.TIMEOUT.value}]
        assert not {"ENGINE_CHECK_CRASHED", "ENGINE_ZONE_TIMEOUT"} & report.tags()


def test_it_reports_a_bad_zone_name_and_goes_on(port: int) -> None:
    reports = _batch(port, ["good.xa", "bad..name"], ["BASIC02"])
    by_zone = {report.zone: report.tags() for report in reports}
    assert by_zone["bad..name"] == {"ENGINE_BAD_ZONE_NAME"}
    assert by_zone["good.xa"] == {"B02_AUTH_RESPONSE_SOA"}


def test_it_skips_other_modules_when_the_zone_does_not_exist(port: int) -> None:
    reports = _batch(port, ["absent.xa"], None)
    results = {result.test_case for result in reports[0].results}
    assert "ENGINE_TESTS_SKIPPED" in reports[0].tags()
    assert "DELEGATION01" not in results
    assert {"BASIC01", "BASIC02"} <= results


def test_it_runs_every_registered_check_on_a_healthy_zone_without_crashing(port: int) -> None:
    async def body() -> ZoneReport:
        net = FakeNetwork(port)
        build_tree(net)
        async with net:
            return await check_zone("good.xa", lab_config(port, profile="full"))

    report = run(body)
    ran = {result.test_case for result in report.results}
    assert {case.id for case in registry.all_test_cases()} <= ran
    assert "ENGINE_CHECK_CRASHED" not in report.tags()
    assert report.query_count > 0


def test_it_selects_test_cases_by_profile_and_id() -> None:
    quick = [case.id for case in select_test_cases(None, "quick")]
    assert quick and set(quick) <= set(profiles.QUICK)
    assert quick.index("BASIC01") < quick.index("DELEGATION01")
    assert [case.id for case in select_test_cases(["basic02"], "default")] == ["BASIC02"]
    with pytest.raises(registry.UnknownTestCase):
        select_test_cases(["NOPE99"], "default")
    with pytest.raises(profiles.UnknownProfile):
        select_test_cases(None, "fancy")


def test_it_refuses_a_concurrency_below_one() -> None:
    async def body() -> None:
        async for _report in check_zones(["good.xa"], lab_config(53), concurrency=0):
            pass

    with pytest.raises(ValueError, match="concurrency"):
        run(body)


def test_it_contains_an_engine_failure_to_its_zone(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dnscert.dnshealth.engine import runner

    real = runner._add_lookup_errors

    def failing(report: ZoneReport, ctx: ZoneContext) -> None:
        if report.zone == "absent.xa":
            raise RuntimeError("engine bug")
        real(report, ctx)

    monkeypatch.setattr(runner, "_add_lookup_errors", failing)
    reports = {r.zone: r for r in _batch(port, ["good.xa", "absent.xa"], ["BASIC02"])}
    assert reports["good.xa"].tags() == {"B02_AUTH_RESPONSE_SOA"}
    crash = reports["absent.xa"].messages[0]
    assert crash.tag == "ENGINE_CHECK_CRASHED" and "engine bug" in crash.args["error"]


def test_it_refuses_an_unknown_test_case_before_querying() -> None:
    async def body() -> None:
        async for _report in check_zones(["good.xa"], lab_config(53), tests=["NOPE01"]):
            pass

    with pytest.raises(registry.UnknownTestCase):
        run(body)
