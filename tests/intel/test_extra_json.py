"""The ``extra`` column's JSON: what PostgreSQL's jsonb accepts, whatever a feed carried."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dnscert.intel.rows import extra_json


def test_it_is_compact_json_with_unicode_kept() -> None:
    extra = {"tags": ["exe", "Emotet"], "feed.line": 4, "name": "bücher.example"}
    text = extra_json(extra)
    assert text == '{"tags":["exe","Emotet"],"feed.line":4,"name":"bücher.example"}'
    assert json.loads(text) == extra


def test_nul_characters_are_replaced() -> None:
    assert json.loads(extra_json({"note": "a\x00b"})) == {"note": "a\ufffdb"}


def test_values_json_cannot_hold_are_made_valid() -> None:
    moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    parsed = json.loads(extra_json({"nan": float("nan"), 7: "key", "at": moment}))
    assert parsed["nan"] is None  # jsonb refuses NaN
    assert parsed["7"] == "key"
    assert parsed["at"].startswith("2026-11-20")


def test_an_integer_over_64_bits_is_kept_exactly() -> None:
    assert json.loads(extra_json({"big": 2**70})) == {"big": 2**70}
