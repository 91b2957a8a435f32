"""Conficker A, B and C: the generators against downatool2's output, and their invariants.

Reference data: ``shared/conformance/conficker`` (Conficker.B, 2020-01-01..07, downatool2),
and digests of downatool2's published full-year 2020 listings of A and B
(github.com/Will-Beninger/ConfickerDGA, ``conficker.a.txt`` and ``conficker.b.txt``): the
SHA-256 of one day's 250 domains joined by newlines, computed from those files. The days
chosen include ones where the x87 sine changes the output.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date

import pytest

from dnscert.intel.dga import conficker, get
from dnscert.intel.dga.conficker import c_abs32, c_int32, c_remainder, filetime_of, x87_sin

# Day -> (first two domains, SHA-256 of the day's list) in downatool2's 2020 listing of A.
CONFICKER_A_2020 = {
    date(2020, 1, 1): (
        ("fvqcih.net", "nwyoodof.com"),
        "956298cac3a7e29c27c733fd800dc0bbc8b5c5009d249cfed66e3e9dd7256110",
    ),
    date(2020, 3, 4): (
        ("ogboo.org", "gcrni.biz"),
        "1366359887e608f1f940ff5b2220efd8d01c673b9f481260d20326a96dadefe5",
    ),
    date(2020, 9, 23): (
        ("hqndxnoe.org", "qowpaoypbk.com"),
        "1fe043c762c7c5211c8d5e9d58e4fe4f077228409c22cecc5559a0821c9e552f",
    ),
    date(2020, 12, 31): (
        ("mxhhrff.biz", "aizyyzml.com"),
        "386f317a737b20e5c83bf9206c6f6f4f7db26426670c2483b40a0f52ed840adc",
    ),
}
# The same for B; every one of these days needs the x87 sine to come out right.
CONFICKER_B_2020 = {
    date(2020, 1, 19): (
        ("ayzjitvh.ws", "gqzexpizmfv.org"),
        "a5d39eeb96b65b8c868b3945e99e7f60319850f52450d0d3c4da4ef27d7c614e",
    ),
    date(2020, 9, 4): (
        ("yzkorhza.ws", "wyjroah.org"),
        "aa083f53a3afd3609a3a4140eef47d85a0f332743ed3468a0542aa189dc4158d",
    ),
    date(2020, 11, 16): (
        ("pskfwds.cc", "zwffgw.org"),
        "0d9c29d9c0781762af2967b69243c7110f01d785611f85f00fcd0b8dc7ffc947",
    ),
    date(2020, 11, 26): (
        ("czebyrocgl.biz", "fjbjrmeu.cn"),
        "837c2477a911b55ef994b4cf86c7d7a888ee8da9f0e5ace4417a4bd76704ff70",
    ),
}


def _digest(domains: list[str]) -> str:
    return hashlib.sha256("\n".join(domains).encode("ascii")).hexdigest()


@pytest.fixture(scope="module")
def conficker_c_day() -> list[str]:
    """Conficker.C's 50,000 domains of 2020-01-01 (about a second to compute)."""
    return get("conficker-c").domains_for(date(2020, 1, 1))


@pytest.mark.parametrize("offset", range(7))
def test_it_matches_the_conficker_b_reference_exactly(
    conficker_b_reference: dict[date, list[str]], offset: int
) -> None:
    day = date(2020, 1, 1 + offset)
    assert get("conficker-b").domains_for(day) == conficker_b_reference[day]


@pytest.mark.parametrize("day", sorted(CONFICKER_B_2020))
def test_it_matches_downatool2_b_on_days_where_the_x87_sine_matters(day: date) -> None:
    first_two, digest = CONFICKER_B_2020[day]
    domains = get("conficker-b").domains_for(day)
    assert tuple(domains[:2]) == first_two
    assert _digest(domains) == digest


@pytest.mark.parametrize("day", sorted(CONFICKER_A_2020))
def test_it_matches_downatool2_a(day: date) -> None:
    first_two, digest = CONFICKER_A_2020[day]
    domains = get("conficker-a").domains_for(day)
    assert tuple(domains[:2]) == first_two
    assert _digest(domains) == digest


def test_it_needs_the_x87_sine_for_b_to_match(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conficker, "x87_sin", lambda value: math.sin(float(value)))
    day = date(2020, 1, 19)
    assert _digest(get("conficker-b").domains_for(day)) != CONFICKER_B_2020[day][1]


@pytest.mark.parametrize(("name", "count"), [("conficker-a", 250), ("conficker-b", 250)])
def test_it_generates_250_domains_a_day_for_a_and_b(name: str, count: int) -> None:
    for day in (date(2008, 11, 21), date(2009, 4, 1), date(2024, 2, 29)):
        assert len(get(name).domains_for(day)) == count


def test_it_generates_50000_domains_a_day_for_c(conficker_c_day: list[str]) -> None:
    assert len(conficker_c_day) == 50_000


@pytest.mark.parametrize("name", ["conficker-a", "conficker-b"])
def test_it_is_deterministic_and_changes_from_day_to_day(name: str) -> None:
    family = get(name)
    first = family.domains_for(date(2021, 6, 1))
    assert family.domains_for(date(2021, 6, 1)) == first
    assert family.domains_for(date(2021, 6, 2)) != first


@pytest.mark.parametrize(
    ("name", "tlds"),
    [
        ("conficker-a", {"com", "net", "org", "info", "biz"}),
        ("conficker-b", {"cc", "cn", "ws", "com", "net", "org", "info", "biz"}),
    ],
)
def test_it_uses_exactly_the_published_tlds(name: str, tlds: set[str]) -> None:
    family = get(name)
    seen = {
        domain.split(".", 1)[1]
        for day in range(1, 8)
        for domain in family.domains_for(date(2020, 1, day))
    }
    assert seen == tlds == set(family.tlds)


def test_it_spreads_c_over_116_suffixes_of_110_tlds(conficker_c_day: list[str]) -> None:
    family = get("conficker-c")
    suffixes = {domain.split(".", 1)[1] for domain in conficker_c_day}
    assert len(family.tlds) == 116
    assert len({suffix.rsplit(".", 1)[-1] for suffix in family.tlds}) == 110
    assert suffixes == set(family.tlds)
    assert {"co.uk", "com.br", "lu", "ru"} <= suffixes


@pytest.mark.parametrize(
    ("name", "shortest", "longest"), [("conficker-a", 5, 11), ("conficker-b", 5, 11)]
)
def test_it_makes_labels_of_the_published_lengths(name: str, shortest: int, longest: int) -> None:
    labels = [domain.split(".", 1)[0] for domain in get(name).domains_for(date(2020, 1, 1))]
    assert {len(label) for label in labels} == set(range(shortest, longest + 1))


def test_it_makes_c_labels_of_4_to_9_letters(conficker_c_day: list[str]) -> None:
    lengths = {len(domain.split(".", 1)[0]) for domain in conficker_c_day}
    assert lengths == set(range(4, 10))


def test_it_converts_dates_to_windows_filetime() -> None:
    assert filetime_of(date(1601, 1, 1)) == 0
    assert filetime_of(date(1970, 1, 1)) == 116_444_736_000_000_000


def test_it_follows_c_integer_semantics() -> None:
    assert c_int32(0x80000000) == -(2**31)
    assert c_int32(0x1_FFFF_FFFF) == -1
    assert c_remainder(-7, 4) == -3
    assert c_remainder(7, -4) == 3
    assert c_abs32(-(2**31)) == -(2**31)
    assert c_abs32(-5) == 5


def test_it_emulates_the_x87_sine_reduction() -> None:
    assert x87_sin(1) == pytest.approx(math.sin(1.0), abs=1e-15)
    huge = 5_000_000_000_000_000_000
    # FSIN reduces with a 66-bit pi: for arguments this large the result is far from sin().
    assert abs(x87_sin(huge) - math.sin(float(huge))) > 1e-3
