"""PSL expert: registered domain, public suffix and TLD of every DNS name, fully offline.

Uses the Public Suffix List shipped inside the ``publicsuffixlist`` wheel (no network, ever).
By default only the ICANN section counts (``icann_only=True``): the registrable domain is
then the one a registrar sells, which is what registrar concentration and TLD statistics
need; pass ``icann_only=False`` to honour private suffixes such as hosting platforms.

A TLD the list does not know (our test TLDs ``xa``..``xd``, or a brand-new TLD) is treated
as a one-label suffix, as the PSL's default ``*`` rule says. A name that is itself a public
suffix (``co.uk``) gets ``domain_suffix`` and ``tld`` but no ``registered_domain``.
Run the IDN expert first so names are in A-label form.

Speed: the list is parsed once per process and shared by every expert. Most names sit under
a suffix of one or two labels with no deeper rule below it; for those the registrable domain
follows from two set look-ups (is the last-two-label tail a rule, or the TLD a wildcard?)
without walking the list. Names under a tail that deeper rules (or an exception rule) start
from take the library's full walk, cached.
"""

from __future__ import annotations

from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from dnscert.intel.schema import Event

_FIELDS = tuple(
    (f"{side}.fqdn", f"{side}.registered_domain", f"{side}.domain_suffix", f"{side}.tld")
    for side in ("source", "destination")
)


@lru_cache(maxsize=2)
def _shared_list(icann_only: bool) -> tuple[PublicSuffixList, frozenset[str], frozenset[str]]:
    """The parsed list, its rules and the two-label tails below which rules go deeper."""
    psl = PublicSuffixList(only_icann=icann_only, accept_unknown=True)
    rules: frozenset[str] = psl._publicsuffix  # the library's parsed rule set
    deep = set()
    for rule in rules:
        labels = rule.lstrip("!").split(".")
        if len(labels) >= 3 or rule.startswith("!"):
            deep.add(".".join(labels[-2:]))
    return psl, rules, frozenset(deep)


class PslExpert:
    """Sets ``*.registered_domain``, ``*.domain_suffix`` and ``*.tld`` from ``*.fqdn``."""

    name = "psl"

    def __init__(self, icann_only: bool = True, cache_size: int = 131072) -> None:
        self._list, self._rules, self._deep = _shared_list(icann_only)
        self._slow_split = lru_cache(maxsize=cache_size)(self._split)

    def split(self, name: str) -> tuple[str | None, str | None, str]:
        """``(registered domain, public suffix, tld)`` of a lower-case name."""
        labels = name.split(".")
        if len(labels) < 2:
            return self._slow_split(name)
        tld = labels[-1]
        tail = f"{labels[-2]}.{tld}"
        if tail in self._deep:
            return self._slow_split(name)
        if tail in self._rules or f"*.{tld}" in self._rules:
            registered = f"{labels[-3]}.{tail}" if len(labels) > 2 else None
            return registered, tail, tld
        return tail, tld, tld

    def _split(self, name: str) -> tuple[str | None, str | None, str]:
        """``(registered domain, public suffix, tld)`` of a lower-case name."""
        registered = self._list.privatesuffix(name)
        if registered:  # one PSL walk: the suffix is the registered domain minus its first label
            suffix: str | None = registered.split(".", 1)[1]
        else:
            suffix = self._list.publicsuffix(name)
        return registered, suffix, name.rsplit(".", 1)[-1]

    def __call__(self, event: Event) -> Event:
        """The event with the PSL fields of each DNS name it carries."""
        for fqdn_field, registered_field, suffix_field, tld_field in _FIELDS:
            fqdn = event.get(fqdn_field)
            if not fqdn:
                continue
            registered, suffix, tld = self.split(fqdn.lower())
            if registered:
                event[registered_field] = registered
            if suffix:
                event[suffix_field] = suffix
            event[tld_field] = tld
        return event
