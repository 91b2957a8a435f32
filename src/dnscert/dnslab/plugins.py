"""The CoreDNS plugins the lab implements, each turning a query into an outcome.

A plugin's ``serve`` returns a :class:`Reply` (the response to send), :data:`DROP` (send
nothing), an ``int`` rcode for the server to answer with an empty error response, or ``None``
to hand the query to the next plugin. Plugins run in CoreDNS's fixed order, not file order.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from dnscert.dnslab.authority import ZoneAuthority, load_zone
from dnscert.dnslab.corefile import CorefileError, Directive

logger = logging.getLogger(__name__)

T = dns.rdatatype
IN = dns.rdataclass.IN


class _Drop:
    """Marker: send no response at all."""

    def __repr__(self) -> str:
        return "DROP"


DROP: Final = _Drop()


@dataclass
class Query:
    """A query as the plugins see it."""

    message: dns.message.Message
    qname: dns.name.Name
    qtype: int
    qclass: int
    do: bool
    client: str = ""
    transport: str = "udp"


@dataclass
class Reply:
    """A response built by a plugin."""

    rcode: int = 0
    authoritative: bool = True
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    additional: list[dns.rrset.RRset] = field(default_factory=list)
    flags_set: int = 0
    flags_cleared: int = 0
    recursion_available: bool = False


Outcome = Reply | _Drop | int | None


class Plugin:
    """Base class: a plugin that passes every query on."""

    name = "plugin"

    async def serve(self, query: Query) -> Outcome:
        """Decide what to do with ``query``; ``None`` passes it to the next plugin."""
        return None

    def rewrite(self, reply: Reply) -> None:
        """Change a reply written by a later plugin (the ``header`` plugin does)."""


def _matches(zones: list[dns.name.Name], qname: dns.name.Name) -> dns.name.Name | None:
    """The longest of ``zones`` that contains ``qname``."""
    best: dns.name.Name | None = None
    for zone in zones:
        if qname.is_subdomain(zone) and (best is None or len(zone) > len(best)):
            best = zone
    return best


def _names(texts: list[str]) -> list[dns.name.Name]:
    """Zone names; an unreadable one (the data has ``mixed-1..basic02.xb``) is skipped."""
    names = []
    for text in texts:
        try:
            names.append(dns.name.from_text(text))
        except dns.exception.DNSException as error:
            logger.warning("skipping bad zone name %r: %s", text, error)
    return names


def _rdtype(text: str, directive: Directive) -> int:
    if text == "*":
        return T.ANY
    try:
        return T.from_text(text)
    except dns.rdatatype.UnknownRdatatype as error:
        raise CorefileError(f"{directive.source}: unknown record type {text!r}") from error


# ---- acl ----------------------------------------------------------------------------------


@dataclass
class AclRule:
    """One ``allow|block|filter|drop [type T...]`` rule (source networks are not used)."""

    action: str
    types: set[int]


class AclPlugin(Plugin):
    """``acl [ZONES] { drop|block|filter|allow [type ...] }``."""

    name = "acl"

    def __init__(self, zones: list[dns.name.Name], rules: list[AclRule]) -> None:
        self.zones = zones
        self.rules = rules

    @classmethod
    def from_directive(cls, directive: Directive, block_zones: list[str]) -> AclPlugin:
        rules = []
        for rule in directive.block:
            if rule.name not in ("allow", "block", "filter", "drop"):
                raise CorefileError(f"{directive.source}: unknown acl action {rule.name!r}")
            types = {_rdtype(t, directive) for t in _args_after(rule.args, "type")}
            rules.append(AclRule(rule.name, types))
        return cls(_names(directive.args or block_zones), rules)

    async def serve(self, query: Query) -> Outcome:
        if _matches(self.zones, query.qname) is None:
            return None
        for rule in self.rules:
            if rule.types and T.ANY not in rule.types and query.qtype not in rule.types:
                continue
            if rule.action == "allow":
                return None
            if rule.action == "drop":
                return DROP
            if rule.action == "block":
                return Reply(rcode=dns.rcode.REFUSED, authoritative=False)
            return Reply(authoritative=False)
        return None


def _args_after(args: list[str], keyword: str) -> list[str]:
    """The words after ``keyword`` up to the next keyword (``type A AAAA net ...``)."""
    if keyword not in args:
        return []
    rest = args[args.index(keyword) + 1 :]
    for index, word in enumerate(rest):
        if word in ("type", "net"):
            return rest[:index]
    return rest


# ---- chaos --------------------------------------------------------------------------------

CHAOS_VERSION_NAMES = ("version.bind.", "version.server.")
CHAOS_ID_NAMES = ("hostname.bind.", "id.server.")


class ChaosPlugin(Plugin):
    """``chaos [VERSION] [AUTHORS...]``: answers CH TXT version.bind and friends."""

    name = "chaos"

    def __init__(self, version: str, authors: list[str]) -> None:
        self.version = version
        self.authors = authors

    @classmethod
    def from_directive(cls, directive: Directive) -> ChaosPlugin:
        version = directive.args[0] if directive.args else "CoreDNS-lab"
        return cls(version, directive.args[1:])

    async def serve(self, query: Query) -> Outcome:
        if query.qclass != dns.rdataclass.CH or query.qtype not in (T.TXT, T.ANY):
            return None
        name = query.qname.to_text().lower()
        if name in CHAOS_VERSION_NAMES:
            texts = [self.version]
        elif name == "authors.bind." and self.authors:
            texts = self.authors
        elif name in CHAOS_ID_NAMES:
            texts = ["lab"]
        else:
            return None
        rrset = dns.rrset.RRset(query.qname, dns.rdataclass.CH, T.TXT)
        for text in texts:
            rrset.add(_txt_rdata(text), 0)
        return Reply(answer=[rrset])


def _txt_rdata(text: str) -> dns.rdata.Rdata:
    import dns.rdtypes.ANY.TXT

    return dns.rdtypes.ANY.TXT.TXT(dns.rdataclass.CH, T.TXT, [text.encode()])


# ---- header -------------------------------------------------------------------------------

FLAG_BITS = {
    "aa": dns.flags.AA,
    "ra": dns.flags.RA,
    "rd": dns.flags.RD,
    "ad": dns.flags.AD,
    "cd": dns.flags.CD,
    "tc": dns.flags.TC,
}


class HeaderPlugin(Plugin):
    """``header { response set|clear FLAG... }``: changes flags of responses."""

    name = "header"

    def __init__(self, set_bits: int, clear_bits: int) -> None:
        self.set_bits = set_bits
        self.clear_bits = clear_bits

    @classmethod
    def from_directive(cls, directive: Directive) -> HeaderPlugin:
        set_bits = clear_bits = 0
        for rule in directive.block:
            if (
                rule.name != "response"
                or len(rule.args) < 2
                or rule.args[0] not in ("set", "clear")
            ):
                raise CorefileError(f"{directive.source}: header rules are 'response set|clear F'")
            bits = 0
            for flag in rule.args[1:]:
                if flag.lower() not in FLAG_BITS:
                    raise CorefileError(f"{directive.source}: unknown header flag {flag!r}")
                bits |= FLAG_BITS[flag.lower()]
            if rule.args[0] == "set":
                set_bits |= bits
            else:
                clear_bits |= bits
        return cls(set_bits, clear_bits)

    def rewrite(self, reply: Reply) -> None:
        reply.flags_set |= self.set_bits
        reply.flags_cleared |= self.clear_bits


# ---- template -----------------------------------------------------------------------------


@dataclass
class Template:
    """One ``template CLASS TYPE [ZONES]`` with its fixed records and rcode."""

    qclass: int
    qtype: int
    zones: list[dns.name.Name]
    regexes: list[re.Pattern[str]]
    rcode: int
    answer: list[dns.rrset.RRset]
    authority: list[dns.rrset.RRset]
    additional: list[dns.rrset.RRset]
    fallthrough: bool

    def applies(self, query: Query) -> bool:
        """Whether the zone, class and type match (ANY on either side matches all)."""
        if _matches(self.zones, query.qname) is None:
            return False
        if T.ANY not in (self.qclass, query.qclass) and query.qclass != self.qclass:
            return False
        return T.ANY in (self.qtype, query.qtype) or query.qtype == self.qtype


class TemplatePlugin(Plugin):
    """All ``template`` directives of a server block; the first that matches answers."""

    name = "template"

    def __init__(self, templates: list[Template]) -> None:
        self.templates = templates
        self.zones = [zone for t in templates for zone in t.zones]

    @classmethod
    def from_directives(cls, directives: list[Directive], block_zones: list[str]) -> TemplatePlugin:
        return cls([_template(d, block_zones) for d in directives])

    async def serve(self, query: Query) -> Outcome:
        if _matches(self.zones, query.qname) is None:
            return None
        name_text = query.qname.to_text()
        for template in self.templates:
            if not template.applies(query):
                continue
            if not any(regex.search(name_text) for regex in template.regexes):
                if template.fallthrough:
                    continue
                return Reply(rcode=dns.rcode.NXDOMAIN)
            if template.rcode == dns.rcode.SERVFAIL:
                return dns.rcode.SERVFAIL
            return Reply(
                rcode=template.rcode,
                answer=list(template.answer),
                authority=list(template.authority),
                additional=list(template.additional),
            )
        return None


def _template(directive: Directive, block_zones: list[str]) -> Template:
    if len(directive.args) < 2:
        raise CorefileError(f"{directive.source}: template needs CLASS and TYPE")
    qclass = T.ANY if directive.args[0] == "ANY" else dns.rdataclass.from_text(directive.args[0])
    qtype = _rdtype(directive.args[1], directive)
    zones = _names(directive.args[2:] or block_zones)
    sections: dict[str, list[dns.rrset.RRset]] = {"answer": [], "authority": [], "additional": []}
    regexes: list[re.Pattern[str]] = []
    rcode = dns.rcode.NOERROR
    fallthrough = False
    for item in directive.block:
        if item.name in sections:
            sections[item.name].extend(_records(item))
        elif item.name == "rcode":
            rcode = dns.rcode.from_text(item.args[0].strip('"'))
        elif item.name == "match":
            regexes.extend(re.compile(arg) for arg in item.args)
        elif item.name == "fallthrough":
            fallthrough = True
        else:
            raise CorefileError(f"{directive.source}: unknown template option {item.name!r}")
    return Template(
        qclass,
        qtype,
        zones,
        regexes or [re.compile(".*")],
        rcode,
        sections["answer"],
        sections["authority"],
        sections["additional"],
        fallthrough,
    )


def _records(item: Directive) -> list[dns.rrset.RRset]:
    """Parse the resource records of an answer/authority/additional line."""
    records: list[dns.rrset.RRset] = []
    for text in item.args:
        if not text.strip():
            continue
        if "{{" in text:
            raise CorefileError(f"{item.source}: Go template expansions are not supported: {text}")
        try:
            records.append(parse_record(text))
        except (dns.exception.DNSException, ValueError) as error:
            logger.warning("%s: skipping unreadable record %r: %s", item.source, text, error)
    return records


def parse_record(text: str, default_ttl: int = 3600) -> dns.rrset.RRset:
    """Parse ``OWNER [TTL] [CLASS] TYPE RDATA`` (TTL and class in either order)."""
    words = text.split()
    if len(words) < 3:
        raise ValueError("a record needs at least an owner, a type and data")
    owner = dns.name.from_text(words[0])
    ttl, rdclass, index = default_ttl, IN, 1
    while index < len(words) - 1:
        word = words[index]
        if word.isdigit():
            ttl = int(word)
        elif word.upper() in ("IN", "CH", "HS"):
            rdclass = dns.rdataclass.from_text(word)
        else:
            break
        index += 1
    rdtype = T.from_text(words[index])
    rdata = dns.rdata.from_text(
        rdclass, rdtype, " ".join(words[index + 1 :]), origin=dns.name.root, relativize=False
    )
    rrset = dns.rrset.RRset(owner, rdclass, rdtype, rdata.covers())
    rrset.add(rdata, ttl)
    return rrset


# ---- file ---------------------------------------------------------------------------------


class FilePlugin(Plugin):
    """All ``file DBFILE [ZONES]`` directives of a server block."""

    name = "file"

    def __init__(self, authorities: dict[dns.name.Name, ZoneAuthority | None]) -> None:
        self.authorities = authorities

    @classmethod
    def from_directives(
        cls, directives: list[Directive], block_zones: list[str], root: Path
    ) -> FilePlugin:
        authorities: dict[dns.name.Name, ZoneAuthority | None] = {}
        for directive in directives:
            if not directive.args:
                raise CorefileError(f"{directive.source}: file needs a zone file path")
            path = root / directive.args[0]
            for zone in directive.args[1:] or block_zones:
                authorities[dns.name.from_text(zone)] = _load_authority(path, zone)
        return cls(authorities)

    async def serve(self, query: Query) -> Outcome:
        zone = _matches(list(self.authorities), query.qname)
        if zone is None:
            return None
        authority = self.authorities[zone]
        if authority is None:
            return dns.rcode.SERVFAIL
        if query.qtype in (T.AXFR, T.IXFR):
            return dns.rcode.REFUSED
        if query.qclass != IN:
            return dns.rcode.SERVFAIL
        found = authority.lookup(query.qname, query.qtype, query.do)
        return Reply(
            rcode=found.rcode,
            authoritative=found.authoritative,
            answer=found.answer,
            authority=found.authority,
            additional=found.additional,
        )


def _load_authority(path: Path, zone: str) -> ZoneAuthority | None:
    try:
        return ZoneAuthority(load_zone(path, zone))
    except (OSError, dns.exception.DNSException) as error:
        logger.error("cannot load zone %s from %s: %s", zone, path, error)
        return None
