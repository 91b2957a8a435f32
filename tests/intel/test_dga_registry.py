"""The DGA registry and the contract every registered family must keep."""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar

import pytest

from dnscert.intel.dga import DgaFamily, UnknownFamilyError, base, families, get, register

DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z]{2,63})+$")
CONTRACT_DAY = date(2020, 1, 1)


@pytest.fixture
def registry_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a test register families without leaving them in the process-wide registry."""
    families()  # discover the real families first
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))


def test_it_discovers_the_conficker_families() -> None:
    assert {"conficker-a", "conficker-b", "conficker-c"} <= {f.name for f in families()}
    names = [family.name for family in families()]
    assert names == sorted(names)


@pytest.mark.parametrize("family", families(), ids=lambda family: family.name)
def test_it_keeps_the_family_contract(family: DgaFamily) -> None:
    domains = family.domains_for(CONTRACT_DAY)
    assert family.description and family.tlds
    assert len(domains) == family.domains_per_day > 0
    invalid = [domain for domain in domains if not DOMAIN.match(domain)]
    assert invalid == []
    assert all(domain == domain.lower() for domain in domains)
    assert {domain.split(".", 1)[1] for domain in domains} <= set(family.tlds)
    assert family.domains_for(CONTRACT_DAY) == domains


def test_it_finds_a_family_by_name_whatever_the_case() -> None:
    assert get(" Conficker-B ") is get("conficker-b")


def test_it_names_the_known_families_for_an_unknown_one() -> None:
    with pytest.raises(UnknownFamilyError) as caught:
        get("kraken")
    assert caught.value.name == "kraken"
    assert "conficker-a" in caught.value.known
    assert "known families: conficker-a, conficker-b, conficker-c" in str(caught.value)


def test_it_registers_a_new_family(registry_snapshot: None) -> None:
    @register
    class Fixed(DgaFamily):
        name: ClassVar[str] = "fixed-test"
        description: ClassVar[str] = "two fixed domains"
        tlds: ClassVar[tuple[str, ...]] = ("example",)
        domains_per_day: ClassVar[int] = 2

        def domains_for(self, day: date) -> list[str]:
            return [f"a{day:%Y%m%d}.example", f"b{day:%Y%m%d}.example"]

    assert get("fixed-test").domains_for(date(2020, 1, 2)) == [
        "a20200102.example",
        "b20200102.example",
    ]
    assert "fixed-test" in [family.name for family in families()]


def test_it_refuses_a_second_family_with_a_taken_name(registry_snapshot: None) -> None:
    with pytest.raises(ValueError, match="already registered"):

        @register
        class Impostor(DgaFamily):
            name: ClassVar[str] = "conficker-b"
            description: ClassVar[str] = "not Conficker"
            tlds: ClassVar[tuple[str, ...]] = ("com",)
            domains_per_day: ClassVar[int] = 1

            def domains_for(self, day: date) -> list[str]:
                return ["x.com"]


@pytest.mark.parametrize(
    ("name", "tlds", "per_day", "error"),
    [
        ("", ("com",), 1, "lowercase name"),
        ("Upper", ("com",), 1, "lowercase name"),
        ("no-tlds", (), 1, "tlds"),
        ("no-domains", ("com",), 0, "domains_per_day"),
    ],
)
def test_it_refuses_an_incomplete_family(
    registry_snapshot: None, name: str, tlds: tuple[str, ...], per_day: int, error: str
) -> None:
    family = type(
        "Incomplete",
        (DgaFamily,),
        {
            "name": name,
            "description": "incomplete",
            "tlds": tlds,
            "domains_per_day": per_day,
            "domains_for": lambda self, day: [],
        },
    )
    with pytest.raises(ValueError, match=error):
        register(family)
