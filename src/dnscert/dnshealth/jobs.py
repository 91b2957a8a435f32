"""Background jobs of DNS health: planning, batch runs, history roll-up, notifications."""

from __future__ import annotations

from typing import Any

from dnscert.core.jobs import daily, every, job
from dnscert.dnshealth import history, notifications, services, targets


@job("dnshealth.sync_targets", schedule=every(hours=1))
def sync_targets() -> dict[str, int]:
    """Bring the monitoring targets in line with the directory."""
    return targets.sync_targets().as_dict()


@job("dnshealth.plan_runs", schedule=every(minutes=1))
def plan_runs() -> dict[str, Any]:
    """Claim the due targets and enqueue one ``dnshealth.run_batch`` per batch of them."""
    runs = services.plan_runs()
    return {"runs": [run.pk for run in runs], "targets": sum(run.target_count for run in runs)}


@job("dnshealth.run_batch", max_attempts=2)
def run_batch(*, run_id: int) -> dict[str, Any]:
    """Measure one batch of targets and store the results."""
    run = services.run_batch(run_id)
    return {"run": run.pk, "status": run.status, "results": run.result_count}


@job("dnshealth.rollup_history", schedule=daily(hour=2, minute=30))
def rollup_history() -> dict[str, Any]:
    """Roll detail older than the retention up into daily rows, then delete it."""
    record = history.rollup_history()
    return {
        "record": record.pk,
        "results_rolled_up": record.results_rolled_up,
        "results_deleted": record.results_deleted,
        "rollups_written": record.rollups_written,
    }


@job("dnshealth.deliver_notifications")
def deliver_notifications(*, notification_ids: list[int]) -> dict[str, int]:
    """Send the e-mails about a new signal."""
    return notifications.deliver_many(notification_ids)


@job("dnshealth.retry_notifications", schedule=every(minutes=10))
def retry_notifications() -> dict[str, int]:
    """Send again the notifications that failed (until their attempts run out)."""
    return notifications.retry_failed()
