"""The embedded platform end to end: ``dnscert serve`` answers HTTP and runs queued jobs.

Runs the real commands in subprocesses against their own SQLite file, as ``make run`` does.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from dnscert.core.management.commands.serve import server_options

DNSCERT = str(Path(sys.executable).with_name("dnscert"))


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    """An environment for a fresh embedded platform in ``tmp_path``, migrated."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DNSCERT_BROKER_URL"}}
    env.update(
        DNSCERT_VAR_DIR=str(tmp_path),
        DNSCERT_SCHEDULER_TICK_SECONDS="1",
        DNSCERT_JOBS_INLINE="false",
    )
    subprocess.run([DNSCERT, "migrate", "-v0"], env=env, check=True, timeout=120)
    return env


@pytest.fixture
def server(embedded_env: dict[str, str], free_port: Callable[[], int]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [DNSCERT, "serve", "--port", str(port), "--threads", "2"],
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _get(f"{url}/health") == 200, what=f"{url}/health")
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        assert process.returncode == 0, output


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except OSError:
        return None


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _status(database: Path, run_id: int) -> str:
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT status FROM core_jobrun WHERE id = ?", (run_id,))
        return str(row.fetchone()[0])


def test_it_serves_and_runs_jobs_queued_by_another_process(
    server: str, embedded_env: dict[str, str]
) -> None:
    assert _get(f"{server}/api/schema/") == 200

    queued = subprocess.run(
        [DNSCERT, "enqueue", "core.prune_job_runs"],
        env=embedded_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert ": queued (inprocess)" in queued.stdout  # DNSCERT_JOBS_INLINE=false: left queued
    run_id = int(queued.stdout.split("#")[1].split(":")[0])

    database = Path(embedded_env["DNSCERT_VAR_DIR"]) / "dnscert.sqlite3"
    _wait_until(lambda: _status(database, run_id) == "succeeded", what="the server's job thread")


def test_it_refuses_several_server_processes_without_a_broker(settings: object) -> None:
    with pytest.raises(CommandError, match="--workers 1"):
        server_options("127.0.0.1", 8000, workers=4, threads=8)


def test_it_hooks_in_process_jobs_into_the_server_only_without_a_broker(settings: object) -> None:
    embedded = server_options("127.0.0.1", 8000, workers=1, threads=8)
    assert "post_worker_init" in embedded and "worker_exit" in embedded

    settings.DNSCERT_BROKER_URL = "redis://127.0.0.1:1/0"  # type: ignore[attr-defined]
    distributed = server_options("0.0.0.0", 8000, workers=4, threads=8)
    assert "post_worker_init" not in distributed
    assert distributed["workers"] == 4
