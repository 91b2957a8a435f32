"""Authoritative answers from one zone's data, the way CoreDNS's ``file`` plugin gives them.

Referrals at zone cuts (NS in authority, glue in additional, not authoritative), answers with
the apex NS in authority, CNAME chasing and DNAME synthesis inside the zone, wildcards, NODATA
and NXDOMAIN with the SOA, and with the DO bit the RRSIGs and the NSEC or NSEC3 records the
zone holds as proofs.
"""

from __future__ import annotations

import logging
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import dns.dnssec
import dns.exception
import dns.name
import dns.node
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

logger = logging.getLogger(__name__)
IN = dns.rdataclass.IN
T = dns.rdatatype
MAX_CHASE = 8


@dataclass
class Answer:
    """The sections and flags of one authoritative lookup."""

    rcode: int = 0
    authoritative: bool = True
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    additional: list[dns.rrset.RRset] = field(default_factory=list)


def load_zone(path: str | Path, origin: str) -> dns.zone.Zone:
    """Read a master file for ``origin`` leniently, as CoreDNS would serve it.

    ``$INCLUDE`` is relative to the zone file's folder. A DS or CDS record dnspython refuses
    (the data holds deliberately wrong digests) is kept byte for byte; other unreadable lines
    are skipped with a warning; names outside the zone are ignored.
    """
    lines = _inline_includes(Path(path)).split("\n")
    refused: list[str] = []
    for _attempt in range(MAX_BAD_LINES):
        try:
            zone = dns.zone.from_text(
                "\n".join(lines), origin=origin, relativize=False, check_origin=False
            )
            break
        except dns.exception.SyntaxError as error:
            index = _error_line(error, lines, origin)
            if index is None:
                raise
            refused.append(lines[index])
            lines[index] = ";" + lines[index]
    else:
        raise dns.exception.SyntaxError(f"{path}: more than {MAX_BAD_LINES} unreadable lines")
    for line in refused:
        _add_raw_record(zone, line, path)
    return zone


MAX_BAD_LINES = 50


def _inline_includes(path: Path, depth: int = 0) -> str:
    if depth > 5:
        raise dns.exception.SyntaxError(f"{path}: $INCLUDE nested too deeply")
    result = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        words = line.split()
        if words and words[0].upper() == "$INCLUDE" and len(words) >= 2:
            result.append(_inline_includes(path.parent / words[1], depth + 1))
        else:
            result.append(line)
    return "\n".join(result)


def _error_line(error: Exception, lines: list[str], origin: str) -> int | None:
    """The index of the line that broke the parse (dnspython may report the line after)."""
    match = re.match(r"^<string>:(\d+):", str(error))
    if match is None:
        return None
    reported = int(match.group(1)) - 1
    for index in range(min(reported, len(lines) - 1), max(reported - 4, -1), -1):
        if _line_fails_alone(lines[index], origin):
            return index
    return reported if 0 <= reported < len(lines) else None


def _line_fails_alone(line: str, origin: str) -> bool:
    content = line.split(";")[0]
    if not content.strip() or content.lstrip().startswith("$") or "(" in content or ")" in content:
        return False
    text = "$TTL 3600\n" + ("@" + content if content[0].isspace() else content) + "\n"
    try:
        dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
    except dns.exception.DNSException:
        return True
    return False


def _add_raw_record(zone: dns.zone.Zone, line: str, path: str | Path) -> None:
    """Keep a DS/CDS line dnspython refuses as raw rdata; other bad lines keep only the name."""
    words = line.split(";")[0].split()
    if not words or line[:1].isspace():
        logger.warning("%s: skipping unreadable line %r", path, line)
        return
    origin = zone.origin
    assert origin is not None
    owner = origin if words[0] == "@" else dns.name.from_text(words[0], origin)
    try:
        type_index = next(i for i, w in enumerate(words) if w.upper() in ("DS", "CDS"))
        ttl = next((int(w) for w in words[1:type_index] if w.isdigit()), 3600)
        key_tag, algorithm, digest_type = (int(w) for w in words[type_index + 1 : type_index + 4])
        digest = bytes.fromhex("".join(words[type_index + 4 :]))
        data = struct.pack("!HBB", key_tag, algorithm, digest_type) + digest
        rdtype = T.from_text(words[type_index].upper())
    except (StopIteration, ValueError, dns.exception.DNSException):
        logger.warning("%s: unreadable line %r: the name exists without data", path, line)
        if owner.is_subdomain(origin):
            zone.find_node(owner, create=True)
        return
    rdataset = zone.find_rdataset(owner, rdtype, create=True)
    rdataset.add(dns.rdata.GenericRdata(IN, rdtype, data), ttl)


def _rrset(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype, rdataset.covers)
    rrset.update(rdataset)
    return rrset


def _b32hex_label(name: dns.name.Name) -> str:
    return name.labels[0].decode("ascii").upper()


class ZoneAuthority:
    """Answers queries for one zone held in memory."""

    def __init__(self, zone: dns.zone.Zone) -> None:
        self.zone = zone
        self.origin: dns.name.Name = zone.origin  # type: ignore[assignment]
        self.names: list[dns.name.Name] = sorted(zone.nodes.keys())
        self.nsec_owners = [n for n in self.names if self._rdataset(n, T.NSEC) is not None]
        self.nsec3_param = self._nsec3_param()
        self.nsec3_by_hash = self._nsec3_index()

    # ---- data access ----------------------------------------------------------------------

    def _node(self, name: dns.name.Name) -> dns.node.Node | None:
        return self.zone.nodes.get(name)

    def _rdataset(
        self, name: dns.name.Name, rdtype: int, covers: int = 0
    ) -> dns.rdataset.Rdataset | None:
        node = self._node(name)
        if node is None:
            return None
        return node.get_rdataset(IN, T.RdataType.make(rdtype), T.RdataType.make(covers))

    def _with_sigs(self, name: dns.name.Name, rdtype: int, do: bool) -> list[dns.rrset.RRset]:
        rdataset = self._rdataset(name, rdtype)
        if rdataset is None:
            return []
        result = [_rrset(name, rdataset)]
        if do and rdtype != T.RRSIG:
            sigs = self._rdataset(name, T.RRSIG, rdtype)
            if sigs is not None:
                result.append(_rrset(name, sigs))
        return result

    def _nsec3_param(self) -> tuple[int, int, bytes] | None:
        param = self._rdataset(self.origin, T.NSEC3PARAM)
        if param is None or len(param) == 0:
            return None
        first = next(iter(param))
        return first.algorithm, first.iterations, first.salt

    def _nsec3_index(self) -> list[tuple[str, dns.name.Name]]:
        index = [
            (_b32hex_label(name), name)
            for name in self.names
            if self._rdataset(name, T.NSEC3) is not None and len(name) > len(self.origin)
        ]
        return sorted(index)

    def _exists(self, name: dns.name.Name) -> bool:
        """True when ``name`` owns data or is an empty non-terminal."""
        if name in self.zone.nodes:
            return True
        return any(other.is_subdomain(name) for other in self.names)

    # ---- lookup ----------------------------------------------------------------------------

    def lookup(self, qname: dns.name.Name, qtype: int, do: bool) -> Answer:
        """The authoritative answer for ``qname``/``qtype`` (``qname`` is inside the zone)."""
        return self._lookup(qname, qtype, do, depth=0)

    def _lookup(self, qname: dns.name.Name, qtype: int, do: bool, depth: int) -> Answer:
        for name in self._path_below_apex(qname):
            cut = self._rdataset(name, T.NS)
            if cut is not None and not (name == qname and qtype == T.DS):
                return self._referral(name, do)
            dname = self._rdataset(name, T.DNAME)
            if dname is not None and name != qname:
                return self._dname(qname, name, dname, qtype, do, depth)
        if qname in self.zone.nodes:
            return self._existing(qname, qtype, do, depth)
        if self._exists(qname):
            return self._nodata(qname, do, empty_non_terminal=True)
        return self._wildcard_or_nxdomain(qname, qtype, do)

    def _path_below_apex(self, qname: dns.name.Name) -> list[dns.name.Name]:
        path = []
        name = qname
        while len(name) > len(self.origin):
            path.append(name)
            name = name.parent()
        return list(reversed(path))

    def _referral(self, cut: dns.name.Name, do: bool) -> Answer:
        ns = self._rdataset(cut, T.NS)
        assert ns is not None
        result = Answer(authoritative=False, authority=[_rrset(cut, ns)])
        if do:
            ds = self._with_sigs(cut, T.DS, do)
            result.authority.extend(ds or self._no_ds_proof(cut))
        result.additional = self._addresses_of(ns, do=False)
        return result

    def _no_ds_proof(self, cut: dns.name.Name) -> list[dns.rrset.RRset]:
        if self.nsec3_param is not None:
            return self._nsec3_matching(cut) or self._nsec3_covering(cut)
        return self._with_sigs(cut, T.NSEC, True)

    def _addresses_of(self, rdataset: dns.rdataset.Rdataset, do: bool) -> list[dns.rrset.RRset]:
        """In-zone A/AAAA records of the targets of NS, MX or SRV records (glue included)."""
        result: list[dns.rrset.RRset] = []
        for rdata in rdataset:
            target = getattr(rdata, "target", None) or getattr(rdata, "exchange", None)
            if target is None or not target.is_subdomain(self.origin):
                continue
            for rdtype in (T.A, T.AAAA):
                result.extend(self._with_sigs(target, rdtype, do))
        return result

    def _apex_ns(self, do: bool) -> list[dns.rrset.RRset]:
        return self._with_sigs(self.origin, T.NS, do)

    def _soa(self, do: bool) -> list[dns.rrset.RRset]:
        return self._with_sigs(self.origin, T.SOA, do)

    def _existing(self, qname: dns.name.Name, qtype: int, do: bool, depth: int) -> Answer:
        node = self._node(qname)
        assert node is not None
        if qtype == T.ANY:
            rrsets = [_rrset(qname, rds) for rds in node.rdatasets if do or rds.rdtype != T.RRSIG]
            return Answer(answer=rrsets)
        found = self._with_sigs(qname, qtype, do)
        if found:
            additional = self._addresses_of(found[0], do) if qtype in (T.MX, T.SRV) else []
            authority = self._apex_ns(do) if qtype != T.NS or qname != self.origin else []
            return Answer(answer=found, authority=authority, additional=additional)
        cname = self._rdataset(qname, T.CNAME)
        if cname is not None:
            return self._chase(qname, cname, qtype, do, depth)
        return self._nodata(qname, do, empty_non_terminal=False)

    def _chase(
        self,
        qname: dns.name.Name,
        cname: dns.rdataset.Rdataset,
        qtype: int,
        do: bool,
        depth: int,
    ) -> Answer:
        answer = Answer(answer=self._with_sigs(qname, T.CNAME, do))
        target = next(iter(cname)).target
        if depth >= MAX_CHASE or not target.is_subdomain(self.origin):
            return answer
        followed = self._lookup(target, qtype, do, depth + 1)
        if not followed.authoritative:
            return answer
        answer.answer.extend(followed.answer)
        answer.authority = followed.authority
        answer.additional = followed.additional
        answer.rcode = followed.rcode
        return answer

    def _dname(
        self,
        qname: dns.name.Name,
        owner: dns.name.Name,
        dname: dns.rdataset.Rdataset,
        qtype: int,
        do: bool,
        depth: int,
    ) -> Answer:
        target = next(iter(dname)).target
        synthesized_target = qname.relativize(owner).derelativize(target)
        cname = dns.rrset.from_text(qname, dname.ttl, IN, T.CNAME, synthesized_target.to_text())
        answer = Answer(answer=[*self._with_sigs(owner, T.DNAME, do), cname])
        if depth < MAX_CHASE and synthesized_target.is_subdomain(self.origin):
            followed = self._lookup(synthesized_target, qtype, do, depth + 1)
            if followed.authoritative:
                answer.answer.extend(followed.answer)
                answer.rcode = followed.rcode
        return answer

    def _nodata(self, qname: dns.name.Name, do: bool, empty_non_terminal: bool) -> Answer:
        authority = self._soa(do)
        if do:
            authority.extend(self._nodata_proof(qname, empty_non_terminal))
        return Answer(authority=authority)

    def _nodata_proof(
        self, qname: dns.name.Name, empty_non_terminal: bool
    ) -> list[dns.rrset.RRset]:
        if self.nsec3_param is not None:
            return self._nsec3_matching(qname)
        if empty_non_terminal:
            return self._nsec_covering(qname)
        return self._with_sigs(qname, T.NSEC, True)

    def _closest_encloser(self, qname: dns.name.Name) -> dns.name.Name:
        name = qname.parent()
        while len(name) > len(self.origin) and not self._exists(name):
            name = name.parent()
        return name

    def _wildcard_or_nxdomain(self, qname: dns.name.Name, qtype: int, do: bool) -> Answer:
        encloser = self._closest_encloser(qname)
        wildcard = dns.name.Name((b"*", *encloser.labels))
        if wildcard in self.zone.nodes:
            return self._synthesize(qname, wildcard, encloser, qtype, do)
        authority = self._soa(do)
        if do:
            authority.extend(self._nxdomain_proof(qname, encloser, wildcard))
        return Answer(rcode=3, authority=authority)

    def _synthesize(
        self,
        qname: dns.name.Name,
        wildcard: dns.name.Name,
        encloser: dns.name.Name,
        qtype: int,
        do: bool,
    ) -> Answer:
        found = self._with_sigs(wildcard, qtype, do) or self._with_sigs(wildcard, T.CNAME, do)
        if not found:
            nodata = self._nodata(wildcard, do, empty_non_terminal=False)
            if do:
                nodata.authority.extend(self._denial_of_exact(qname, encloser))
            return nodata
        answer = []
        for rrset in found:
            copy = dns.rrset.RRset(qname, rrset.rdclass, rrset.rdtype, rrset.covers)
            copy.update(rrset)
            answer.append(copy)
        authority = self._apex_ns(do)
        if do:
            authority.extend(self._denial_of_exact(qname, encloser))
        return Answer(answer=answer, authority=authority)

    def _denial_of_exact(
        self, qname: dns.name.Name, encloser: dns.name.Name
    ) -> list[dns.rrset.RRset]:
        if self.nsec3_param is not None:
            return self._nsec3_covering(self._next_closer(qname, encloser))
        return self._nsec_covering(qname)

    def _nxdomain_proof(
        self, qname: dns.name.Name, encloser: dns.name.Name, wildcard: dns.name.Name
    ) -> list[dns.rrset.RRset]:
        if self.nsec3_param is not None:
            proof = self._nsec3_matching(encloser)
            proof += self._nsec3_covering(self._next_closer(qname, encloser))
            proof += self._nsec3_covering(wildcard)
        else:
            proof = self._nsec_covering(qname) + self._nsec_covering(wildcard)
        return _unique(proof)

    @staticmethod
    def _next_closer(qname: dns.name.Name, encloser: dns.name.Name) -> dns.name.Name:
        return dns.name.Name(qname.labels[-(len(encloser) + 1) :])

    # ---- NSEC / NSEC3 ----------------------------------------------------------------------

    def _nsec_covering(self, name: dns.name.Name) -> list[dns.rrset.RRset]:
        if not self.nsec_owners:
            return []
        owner = self.nsec_owners[-1]
        for candidate in self.nsec_owners:
            if candidate <= name:
                owner = candidate
        return self._with_sigs(owner, T.NSEC, True)

    def _nsec3_hash(self, name: dns.name.Name) -> str:
        assert self.nsec3_param is not None
        algorithm, iterations, salt = self.nsec3_param
        return str(dns.dnssec.nsec3_hash(name, salt, iterations, algorithm)).upper()

    def _nsec3_matching(self, name: dns.name.Name) -> list[dns.rrset.RRset]:
        digest = self._nsec3_hash(name)
        for label, owner in self.nsec3_by_hash:
            if label == digest:
                return self._with_sigs(owner, T.NSEC3, True)
        return []

    def _nsec3_covering(self, name: dns.name.Name) -> list[dns.rrset.RRset]:
        if not self.nsec3_by_hash:
            return []
        digest = self._nsec3_hash(name)
        owner = self.nsec3_by_hash[-1][1]
        for label, candidate in self.nsec3_by_hash:
            if label < digest:
                owner = candidate
        return self._with_sigs(owner, T.NSEC3, True)


def _unique(rrsets: list[dns.rrset.RRset]) -> list[dns.rrset.RRset]:
    seen: list[dns.rrset.RRset] = []
    for rrset in rrsets:
        if not any(rrset == other and rrset.covers == other.covers for other in seen):
            seen.append(rrset)
    return seen
