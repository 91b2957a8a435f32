"""DGA services: date ranges, grouping per TLD and the per-registry CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from dnscert.intel.dga import get
from dnscert.intel.dga.service import (
    MAX_RANGE_DAYS,
    DateRangeError,
    GeneratedDomain,
    days_in_range,
    generate,
    generate_rows,
    group_by_tld,
    tld_of,
    write_registry_csv,
)


def test_it_generates_day_by_day_in_generation_order(
    conficker_b_reference: dict[date, list[str]],
) -> None:
    pairs = list(generate("conficker-b", date(2020, 1, 1), date(2020, 1, 3)))
    days = [date(2020, 1, 1), date(2020, 1, 2), date(2020, 1, 3)]
    assert [domain for _day, domain in pairs] == [
        domain for day in days for domain in conficker_b_reference[day]
    ]
    assert [day for day, _domain in pairs] == [day for day in days for _ in range(250)]


def test_it_accepts_a_family_object_or_its_name() -> None:
    family = get("conficker-a")
    start = date(2020, 2, 29)
    assert list(generate(family, start, start)) == list(generate("conficker-a", start, start))


def test_it_covers_one_day_when_start_equals_end() -> None:
    assert days_in_range(date(2020, 1, 1), date(2020, 1, 1)) == [date(2020, 1, 1)]


def test_it_refuses_a_reversed_range() -> None:
    with pytest.raises(DateRangeError, match="2020-01-01 is before the start date 2020-01-02"):
        list(generate("conficker-b", date(2020, 1, 2), date(2020, 1, 1)))


def test_it_caps_the_range_before_generating_anything() -> None:
    assert len(days_in_range(date(2020, 1, 1), date(2020, 12, 31))) == MAX_RANGE_DAYS
    with pytest.raises(DateRangeError, match="covers 367 days; at most 366"):
        days_in_range(date(2020, 1, 1), date(2021, 1, 1))
    with pytest.raises(DateRangeError):
        next(generate("conficker-c", date(2020, 1, 1), date(2030, 1, 1)))


def test_it_takes_the_last_label_as_the_tld() -> None:
    assert tld_of("abcd.co.uk") == "uk"
    assert tld_of("abcd.com.br.") == "br"
    assert tld_of("ABCD.WS") == "ws"


def test_it_groups_domains_per_tld_in_order_without_repeats() -> None:
    day = date(2020, 1, 1)
    pairs = [(day, "b.cn"), (day, "a.co.uk"), (day, "c.cn"), (day, "b.cn"), (day, "d.uk")]
    assert group_by_tld(pairs) == {"cn": ["b.cn", "c.cn"], "uk": ["a.co.uk", "d.uk"]}


def test_it_groups_a_real_day_without_losing_a_domain(
    conficker_b_reference: dict[date, list[str]],
) -> None:
    day = date(2020, 1, 5)
    groups = group_by_tld(generate("conficker-b", day, day))
    assert list(groups) == sorted(get("conficker-b").tlds)
    assert sorted(d for domains in groups.values() for d in domains) == sorted(
        set(conficker_b_reference[day])
    )
    assert all(domain.endswith(f".{tld}") for tld, domains in groups.items() for domain in domains)


def _read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_it_writes_the_per_registry_csv() -> None:
    out = io.StringIO()
    rows = generate_rows("conficker-b", date(2020, 1, 1), date(2020, 1, 2))
    assert write_registry_csv(out, rows) == 500
    records = _read_csv(out.getvalue())
    assert out.getvalue().splitlines()[0] == "date,domain,tld,family"
    assert records[0] == {
        "date": "2020-01-01",
        "domain": "jqfgtmjl.ws",
        "tld": "ws",
        "family": "conficker-b",
    }
    assert records[250]["date"] == "2020-01-02"


def test_it_writes_one_registrys_list_when_asked() -> None:
    out = io.StringIO()
    rows = generate_rows("conficker-b", date(2020, 1, 1), date(2020, 1, 1))
    written = write_registry_csv(out, rows, tlds=[".CN"])
    records = _read_csv(out.getvalue())
    assert written == len(records) > 0
    assert {record["tld"] for record in records} == {"cn"}


def test_it_writes_a_row_per_generated_domain() -> None:
    out = io.StringIO()
    row = GeneratedDomain(date(2009, 4, 1), "abcd.co.uk", "conficker-c")
    write_registry_csv(out, [row])
    assert out.getvalue() == "date,domain,tld,family\n2009-04-01,abcd.co.uk,uk,conficker-c\n"
