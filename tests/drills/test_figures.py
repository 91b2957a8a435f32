"""Drill figures: percentiles, median, histogram buckets, rates and the trend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dnscert.directory.drills import figures, services
from dnscert.directory.drills.choices import Outcome
from tests.drills import factories


def test_percentile_and_median_of_known_values() -> None:
    values = [float(v) for v in range(1, 11)]
    assert figures.percentile(values, 0.9) == 9
    assert figures.percentile(values, 0.5) == 5
    assert figures.percentile([42.0], 0.9) == 42
    assert figures.percentile([], 0.9) is None
    assert figures.median([3.0, 1.0, 2.0]) == 2
    assert figures.median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert figures.median([]) is None


def test_histogram_buckets() -> None:
    assert figures.bucket_labels()[0] == "≤15 min" and figures.bucket_labels()[-1] == ">24 h"
    counts = figures.histogram([0, 15 * 60, 15 * 60 + 1, 3600, 5 * 3600, 2 * 86400])
    assert counts == [2, 1, 1, 0, 0, 1, 0, 1]


@pytest.mark.django_db
def test_rates_median_and_p90_of_a_drill() -> None:
    for label in ("xa", "xb", "xc", "xd"):
        factories.registry(label)
    drill = factories.launched(ago=timedelta(hours=8))
    for label, minutes in (("xa", 10), ("xb", 30), ("xc", 300)):
        probe = factories.probe_for(drill, f"noc@nic.{label}.example")
        services.respond(probe, at=factories.minutes_after(drill, minutes))
    services.close_drill(None, drill)
    result = figures.drill_figures(drill)
    assert result.probes == 4 and result.answered == 3
    assert result.outcomes[Outcome.NO_ANSWER] == 1 and result.outcomes[Outcome.LATE] == 1
    assert result.response_rate == 75.0 and result.in_time_rate == 50.0
    assert result.median_seconds == 30 * 60 and result.p90_seconds == 300 * 60
    assert sum(result.histogram) == 3
    (row,) = figures.trend()
    assert row["reference"] == drill.reference and row["response_rate"] == 75.0


@pytest.mark.django_db
def test_a_drill_without_probes_has_no_rates() -> None:
    result = figures.drill_figures(factories.drill())
    assert result.probes == 0 and result.response_rate is None and result.median_seconds is None
    assert figures.trend() == []
