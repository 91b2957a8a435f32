"""The staff jobs console and the load-balancer health endpoint."""

from __future__ import annotations

import pytest
from django.test import Client

from dnscert.core.models import JobRun
from tests.personas import login_verified, member, responder, staff


@pytest.fixture
def runs(db) -> list[JobRun]:
    """Three runs of two jobs, one failed with an error."""
    return [
        JobRun.objects.create(name="intel.ingest_feed", status=JobRun.Status.SUCCEEDED),
        JobRun.objects.create(
            name="dnshealth.measure_zone",
            status=JobRun.Status.FAILED,
            error="Traceback: resolver timed out after 5.0 s",
            kwargs={"zone": "example."},
        ),
        JobRun.objects.create(name="dnshealth.measure_zone", status=JobRun.Status.QUEUED),
    ]


def test_it_lists_job_runs_to_staff(client: Client, runs) -> None:
    login_verified(client, staff())
    html = client.get("/jobs/").content.decode()
    assert "intel.ingest_feed" in html
    assert html.count('href="/jobs/') >= 3
    assert "3 job runs" in html


def test_it_filters_job_runs_by_name_and_status(client: Client, runs) -> None:
    login_verified(client, staff())
    html = client.get("/jobs/", {"name": "dnshealth.measure_zone", "status": "failed"}).content
    text = html.decode()
    assert "1 job run" in text
    assert f'href="/jobs/{runs[1].pk}/"' in text
    assert f'href="/jobs/{runs[2].pk}/"' not in text


def test_it_ignores_an_unknown_status_filter_and_says_so(client: Client, runs) -> None:
    login_verified(client, staff())
    response = client.get("/jobs/", {"status": "exploded"})
    assert response.status_code == 200
    assert b"Please correct the filters." in response.content
    assert b"3 job runs" in response.content


def test_it_paginates_job_runs(client: Client, db) -> None:
    JobRun.objects.bulk_create(JobRun(name=f"job.{n}") for n in range(55))
    login_verified(client, staff())
    first = client.get("/jobs/").content.decode()
    assert "Page 1 of 2" in first
    assert "page=2" in first
    second = client.get("/jobs/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_it_shows_the_error_text_of_a_failed_run(client: Client, runs) -> None:
    login_verified(client, staff())
    html = client.get(f"/jobs/{runs[1].pk}/").content.decode()
    assert "resolver timed out after 5.0 s" in html
    assert "&quot;zone&quot;: &quot;example.&quot;" in html


@pytest.mark.parametrize("persona", [member, responder])
def test_it_refuses_the_jobs_console_to_non_staff(client: Client, runs, persona) -> None:
    login_verified(client, persona())
    assert client.get("/jobs/").status_code == 403
    response = client.get(f"/jobs/{runs[0].pk}/")
    assert response.status_code == 403
    assert b"Access denied" in response.content


def test_it_sends_anonymous_visitors_of_jobs_to_login(client: Client, db) -> None:
    response = client.get("/jobs/")
    assert response.status_code == 302
    assert "next=/jobs/" in response["Location"]


def test_it_reports_health_ok_when_the_database_answers(client: Client, db) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_reports_health_error_when_the_database_refuses(client: Client) -> None:
    # No ``db`` fixture: pytest-django blocks every query, as a dead database would.
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}
