"""Background jobs of situational awareness: scheduled feeds, uploads, RDAP, aggregates, pruning."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from dnscert.core.jobs import daily, enqueue, every, job
from dnscert.intel import aggregation, collect, rdap
from dnscert.intel.models import Feed, IngestRun


@job("intel.run_due_feeds", schedule=every(minutes=1))
def run_due_feeds() -> dict[str, Any]:
    """Planner: queue a run of every scheduled feed that is due (each claimed once)."""
    queued = []
    now = timezone.now()
    for feed in collect.due_feeds(now):
        if collect.claim_due(feed, now):
            enqueue("intel.run_feed", feed_id=feed.pk)
            queued.append(feed.name)
    return {"queued": queued}


@job("intel.run_feed")
def run_feed(*, feed_id: int) -> dict[str, Any]:
    """Fetch or watch one feed now."""
    feed = Feed.objects.get(pk=feed_id)
    runs = collect.run_feed(feed)
    return {"runs": [run.pk for run in runs], "accepted": sum(run.accepted for run in runs)}


@job("intel.ingest_upload")
def ingest_upload(*, run_id: int, path: str) -> dict[str, Any]:
    """Ingest a kept upload into its run."""
    run = IngestRun.objects.select_related("feed").get(pk=run_id)
    run = collect.ingest_saved_upload(run, Path(path))
    return {"run": run.pk, "accepted": run.accepted, "failed": run.failed}


@job("intel.rdap_attribute", schedule=every(hours=1))
def rdap_attribute() -> dict[str, int]:
    """Look up recent unattributed domains over RDAP and attribute their events."""
    return rdap.attribute_pending()


@job("intel.aggregate", schedule=daily(hour=0, minute=30))
def aggregate(*, days: int = 2) -> dict[str, int]:
    """Rebuild the daily aggregates of the last ``days`` days from the stored events."""
    today = timezone.now().date()
    written = aggregation.rebuild_days(today - timedelta(days=max(days, 1) - 1), today)
    return {"aggregates": written}


@job("intel.prune", schedule=daily(hour=1, minute=15))
def prune() -> dict[str, int]:
    """Apply the retention settings to events, failed lines and aggregates."""
    return aggregation.prune()
