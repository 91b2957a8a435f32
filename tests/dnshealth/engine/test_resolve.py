"""Iterative resolution and discovery (MethodsV2) against a fake DNS tree on loopback."""

from __future__ import annotations

import dns.name

from dnscert.dnshealth.engine.context import NsIp, ZoneContext
from dnscert.dnshealth.engine.query import QueryClient
from dnscert.dnshealth.engine.resolve import LookupError_, LookupResult, Resolver, ZoneCutCache
from dnscert.dnshealth.engine.runner import check_zone, check_zones
from tests.dnshealth.engine.conftest import (
    GOOD_IPS,
    ROOT_IP,
    XA_IPS,
    build_tree,
    good_servers,
    lab_config,
    make_zone,
    run,
)
from tests.dnshealth.engine.fakeserver import Behaviour, FakeNetwork

LOOPS = """
loop1.good.xa. CNAME loop2.good.xa.
loop2.good.xa. CNAME loop1.good.xa.
alias.good.xa. CNAME www.good.xa.
"""


def _tree(port: int, **delegations: list[tuple[str, str | None]]) -> FakeNetwork:
    net = FakeNetwork(port)
    build_tree(net, {f"{name}.xa.": servers for name, servers in delegations.items()})
    good = make_zone("good.xa.", good_servers(), extra="www.good.xa. A 192.0.2.1\n" + LOOPS)
    for ip in GOOD_IPS:
        net.servers[ip].zones = [good]
    return net


async def _lookup(port: int, net: FakeNetwork, name: str, rdtype: str) -> LookupResult:
    client = QueryClient(lab_config(port))
    async with net:
        result = await Resolver(client, client.config).lookup(name, rdtype)
    await client.close()
    return result


def test_it_resolves_from_the_root_hints(port: int) -> None:
    result = run(lambda: _lookup(port, _tree(port), "www.good.xa.", "A"))
    assert result.ok
    assert result.records() == ["192.0.2.1"]


def test_it_follows_a_cname_chain(port: int) -> None:
    result = run(lambda: _lookup(port, _tree(port), "alias.good.xa.", "A"))
    assert result.records() == ["192.0.2.1"]
    assert result.cname_chain == [dns.name.from_text("www.good.xa.")]


def test_it_stops_a_cname_loop_with_an_error(port: int) -> None:
    result = run(lambda: _lookup(port, _tree(port), "loop1.good.xa.", "A"))
    assert result.error is LookupError_.CNAME_LOOP
    assert result.records() == []


def test_it_stops_a_referral_loop_with_an_error(port: int) -> None:
    net = _tree(port, loop=[("ns.loop.xa.", "127.201.5.1")])
    # The server for loop.xa wrongly serves xa. itself, referring loop.xa back to itself.
    wrong_xa = make_zone(
        "xa.", [("ns1.xa.", XA_IPS[0])], delegations={"loop.xa.": [("ns.loop.xa.", "127.201.5.1")]}
    )
    net.add("127.201.5.1", [wrong_xa])
    result = run(lambda: _lookup(port, net, "www.loop.xa.", "A"))
    assert result.error is LookupError_.REFERRAL_LOOP


def test_it_reports_a_lookup_that_nobody_answers(port: int) -> None:
    net = _tree(port, dead=[("ns.dead.xa.", "127.201.5.9")])  # nothing listens there
    result = run(lambda: _lookup(port, net, "www.dead.xa.", "A"))
    assert result.error is LookupError_.NO_RESPONSE


def test_it_discovers_parent_delegation_glue_and_zone_ns(port: int) -> None:
    async def body() -> dict[str, object]:
        client = QueryClient(lab_config(port))
        async with _tree(port):
            ctx = ZoneContext("good.xa", client.config, client)
            await ctx.discover()
            found = {
                "parent": await ctx.get_parent_ns_ips(),
                "delegation": await ctx.get_del_ns_names_and_ips(),
                "zone_names": await ctx.get_zone_ns_names(),
                "zone_ips": await ctx.get_zone_ns_ips(),
                "ds": ctx.delegation.ds,
                "all": ctx.ns_addresses,
            }
        await client.close()
        return found

    found = run(body)
    expected = [NsIp(dns.name.from_text(n), ip) for n, ip in good_servers()]
    assert sorted(found["parent"]) == XA_IPS  # type: ignore[type-var]
    assert found["delegation"] == expected
    assert found["zone_names"] == [ns.name for ns in expected]
    assert found["zone_ips"] == GOOD_IPS
    assert found["ds"] == []
    assert found["all"] == expected


def test_it_looks_up_out_of_bailiwick_name_servers(port: int) -> None:
    async def body() -> list[NsIp] | None:
        client = QueryClient(lab_config(port))
        net = _tree(port, oob=[("ns1.good.xa.", None)])
        net.servers[GOOD_IPS[0]].zones.append(make_zone("oob.xa.", [("ns1.good.xa.", None)]))
        async with net:
            servers = await ZoneContext("oob.xa", client.config, client).get_del_ns_names_and_ips()
        await client.close()
        return servers

    assert run(body) == [NsIp(dns.name.from_text("ns1.good.xa."), GOOD_IPS[0])]


def test_it_uses_the_undelegated_data_instead_of_the_parent(port: int) -> None:
    async def body() -> tuple[object, object]:
        config = lab_config(port, undelegated_ns={"ns1.good.xa.": [GOOD_IPS[0]]})
        client = QueryClient(config)
        async with _tree(port):
            ctx = ZoneContext("good.xa", config, client)
            found = (await ctx.get_parent_ns_ips(), await ctx.get_del_ns_names_and_ips())
        await client.close()
        return found

    parents, delegation = run(body)
    assert parents == []
    assert delegation == [NsIp(dns.name.from_text("ns1.good.xa."), GOOD_IPS[0])]


def test_it_returns_undefined_delegation_for_a_zone_the_parent_denies(port: int) -> None:
    async def body() -> object:
        client = QueryClient(lab_config(port))
        async with _tree(port):
            servers = await ZoneContext("absent.xa", client.config, client).get_del_ns_ips()
        await client.close()
        return servers

    # MethodsV2: an NXDOMAIN from the parent leaves the parent name servers undefined.
    assert run(body) is None


def test_it_returns_undefined_delegation_when_the_parent_is_unreachable(port: int) -> None:
    async def body() -> object:
        client = QueryClient(lab_config(port))
        async with _tree(port, dead=[("ns.dead.xa.", "127.201.5.9")]):
            servers = await ZoneContext("sub.dead.xa", client.config, client).get_del_ns_ips()
        await client.close()
        return servers

    assert run(body) is None


def test_it_asks_a_shared_parent_once_for_a_batch(port: int) -> None:
    extra = {"other": [("ns1.good.xa.", None)], "third": [("ns1.good.xa.", None)]}

    async def body() -> int:
        net = _tree(port, **extra)
        for name in ("other.xa.", "third.xa."):
            net.servers[GOOD_IPS[0]].zones.append(make_zone(name, [("ns1.good.xa.", None)]))
        async with net:
            reports = [
                r
                async for r in check_zones(
                    ["good.xa", "other.xa", "third.xa"], lab_config(port), concurrency=3
                )
            ]
            assert len(reports) == 3
            return net.servers[ROOT_IP].count("xa.", "SOA")

    assert run(body) == 1


def test_it_turns_a_cname_loop_in_a_name_server_name_into_a_message(port: int) -> None:
    async def body() -> set[str]:
        async with _tree(port, looped=[("loop1.good.xa.", None)]):
            report = await check_zone("looped.xa", lab_config(port), tests=["BASIC02"])
        return report.tags()

    tags = run(body)
    assert "ENGINE_LOOKUP_ERROR" in tags
    assert "B02_NS_NO_IP_ADDR" in tags


def test_zones_of_one_run_share_a_lookup_and_each_reports_its_errors(port: int) -> None:
    net = _tree(port)
    cuts = ZoneCutCache([ROOT_IP])

    async def body() -> tuple[list[LookupResult], list[list[object]], int]:
        client = QueryClient(lab_config(port))
        async with net:
            resolvers = [Resolver(client, client.config, cuts) for _zone in range(3)]
            results = [await r.lookup("loop1.good.xa.", "A") for r in resolvers]
            results.append(await resolvers[0].lookup("www.good.xa.", "A"))
        await client.close()
        return results, [list(r.errors) for r in resolvers], client.stats.sent

    results, errors, sent = run(body)
    assert all(result.error is LookupError_.CNAME_LOOP for result in results[:3])
    assert results[0] is results[1] is results[2]  # computed once for the whole run
    loop = (dns.name.from_text("loop1.good.xa."), 1, LookupError_.CNAME_LOOP)
    assert errors == [[loop], [loop], [loop]]  # yet reported for every zone
    assert results[3].records() == ["192.0.2.1"]
    assert net.servers[GOOD_IPS[0]].count("loop1.good.xa.", "A") == 1
    assert sent <= 6


def test_lookups_under_a_user_imposed_cut_are_not_shared(port: int) -> None:
    net = _tree(port)
    cuts = ZoneCutCache([ROOT_IP])

    async def body() -> list[LookupResult]:
        client = QueryClient(lab_config(port))
        async with net:
            found = [
                await Resolver(
                    client, client.config, cuts, {dns.name.from_text(zone): [ip]}
                ).lookup("www.good.xa.", "A")
                for zone, ip in (("good.xa.", GOOD_IPS[0]), ("good.xa.", "127.201.5.9"))
            ]
        await client.close()
        return found

    first, second = run(body)
    assert first.records() == ["192.0.2.1"]
    assert second.error is LookupError_.NO_RESPONSE  # its own cut, its own answer
    assert not cuts.lookups


def _walk_text(walk: object) -> dict[str, list[str]]:
    """The lists of a ParentWalk as text (comparable between runs)."""
    return {
        name: [str(item) for item in value]
        for name, value in vars(walk).items()
        if isinstance(value, list)
    }


def test_sibling_zones_share_the_walk_to_their_parent_and_keep_their_own_lookup_errors(
    port: int,
) -> None:
    # The xa. servers: one with glue, one whose name (under xb., served by a silent server)
    # has no glue and cannot be looked up: every zone below xa. must report that lookup.
    net = FakeNetwork(port)
    xa_ns = [("ns1.xa.", XA_IPS[0]), ("ns.xb.", None)]
    root = make_zone(
        ".",
        [("ns.root.", ROOT_IP)],
        delegations={"xa.": xa_ns},
        extra="xb. NS ns.silent.xb.\nns.silent.xb. A 127.201.9.9\n",
    )
    net.add(ROOT_IP, [root])
    children = {"good.xa.": good_servers(), "other.xa.": good_servers()}
    net.add(XA_IPS[0], [make_zone("xa.", xa_ns, delegations=children)])
    net.add("127.201.9.9", [], Behaviour(silent=True))
    for ip in GOOD_IPS:
        net.add(ip, [make_zone(zone, good_servers()) for zone in children])

    async def body() -> tuple[list[object], list[list[object]], list[int], object]:
        config = lab_config(port)
        client = QueryClient(config)
        cuts = ZoneCutCache([ROOT_IP])
        async with net:
            shared = [ZoneContext(zone, config, client, cuts) for zone in ("good.xa", "other.xa")]
            walks = [await ctx.get_parent_walk() for ctx in shared]
            alone = ZoneContext("other.xa", config, QueryClient(config))
            walk_alone = await alone.get_parent_walk()
            await alone.client.client.close()
        await client.close()
        errors = [list(dict.fromkeys(ctx.resolver.errors)) for ctx in shared]
        return walks, errors, [ctx.query_count for ctx in shared], walk_alone

    walks, errors, counts, walk_alone = run(body)
    assert _walk_text(walks[1]) == _walk_text(walk_alone)  # shared or not: the same walk
    found = [(s.address, s.zone.to_text()) for s in walks[1].delegation_found]
    assert found == [(XA_IPS[0], "xa.")]
    assert walks[0].child_found and walks[1].child_found
    assert errors[0] and errors[0] == errors[1]  # the lookup error, reported by both zones
    assert counts[1] < counts[0]  # the second zone did not walk the root again
