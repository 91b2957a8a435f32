"""The advisory workflow, references, revisions, translations and hostile input."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection, connections

from dnscert.advisories import csaf, queries, services
from dnscert.advisories.choices import AdvisoryStatus, CsafCategory
from dnscert.advisories.models import Advisory
from dnscert.advisories.signals import advisory_published
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.core.models import AuditEvent
from tests.advisories import factories
from tests.personas import member, staff

pytestmark = pytest.mark.django_db


def test_reference_counter_per_year() -> None:
    first, second = factories.draft(), factories.draft()
    year = first.created_at.year
    assert first.reference == f"DNSCERT-SA-{year}-0001"
    assert second.reference == f"DNSCERT-SA-{year}-0002"


@pytest.mark.django_db(transaction=True)
def test_reference_allocation_under_concurrency() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises writers")
    references: list[str] = []
    errors: list[BaseException] = []

    def allocate() -> None:
        try:
            for _ in range(10):
                references.append(services.allocate_reference())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(references) == 40 and len(set(references)) == 40


def test_workflow_author_cannot_approve_own() -> None:
    author, approver = staff(), staff()
    advisory = factories.draft(by=author)
    services.submit_for_review(advisory, by=author)
    with pytest.raises(InvalidInput) as refused:
        services.publish(advisory, by=author)
    assert refused.value.field == "approver"
    assert Advisory.objects.get(pk=advisory.pk).status == AdvisoryStatus.IN_REVIEW
    assert advisory.status == AdvisoryStatus.IN_REVIEW
    services.publish(advisory, by=approver)
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.PUBLISHED
    assert advisory.approver == approver and advisory.current_release == 1
    assert AuditEvent.objects.filter(object_id=str(advisory.pk), action="state").count() == 2


def test_self_approval_setting(settings: Any) -> None:
    settings.DNSCERT_ADVISORY_SELF_APPROVAL = True
    author = staff()
    advisory = factories.draft(by=author)
    services.submit_for_review(advisory, by=author)
    services.publish(advisory, by=author)
    assert advisory.status == AdvisoryStatus.PUBLISHED


def test_members_cannot_approve() -> None:
    advisory = factories.draft()
    services.submit_for_review(advisory, by=advisory.author)
    with pytest.raises(InvalidInput, match="only core staff"):
        services.publish(advisory, by=member())


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("publish", "cannot go from draft to published"),
        ("withdraw", "cannot go from draft to withdrawn"),
        ("revise", "cannot go from draft to draft"),
    ],
)
def test_invalid_transitions_are_named(action: str, message: str) -> None:
    advisory = factories.draft()
    by = staff()
    run = {
        "publish": lambda: services.publish(advisory, by=by),
        "withdraw": lambda: services.withdraw(advisory, by=by, reason="x"),
        "revise": lambda: services.start_revision(advisory, by=by),
    }[action]
    with pytest.raises(InvalidInput, match=message) as refused:
        run()
    assert refused.value.field == "status"


def test_published_signal_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    received: list[tuple[str, int]] = []

    def listener(sender: Any, advisory: Advisory, revision: int, **kwargs: Any) -> None:
        received.append((advisory.reference, revision))

    advisory_published.connect(listener)
    try:
        advisory = factories.draft()
        services.submit_for_review(advisory, by=advisory.author)
        with django_capture_on_commit_callbacks(execute=True):
            services.publish(advisory, by=staff())
        services.start_revision(advisory, by=staff())
        services.submit_for_review(advisory, by=staff())
        with django_capture_on_commit_callbacks(execute=True):
            services.publish(advisory, by=staff())  # unchanged: nothing new to announce
        services.start_revision(advisory, by=staff())
        services.update_advisory(advisory, by=staff(), summary="Changed summary.")
        services.submit_for_review(advisory, by=staff())
        with django_capture_on_commit_callbacks(execute=True):
            services.publish(advisory, by=staff())
    finally:
        advisory_published.disconnect(listener)
    assert received == [(advisory.reference, 1), (advisory.reference, 2)]


def test_revision_bumps_only_when_changed() -> None:
    advisory = factories.published(factories.draft())
    approver = staff()
    services.start_revision(advisory, by=approver)
    services.submit_for_review(advisory, by=approver)
    services.publish(advisory, by=approver)
    assert advisory.current_release == 1 and advisory.revisions.count() == 1

    services.start_revision(advisory, by=approver)
    services.update_advisory(advisory, by=approver, recommendations="Upgrade to 9.4.4.")
    services.submit_for_review(advisory, by=approver)
    services.publish(advisory, by=approver, revision_summary="New fixed version.")
    revisions = list(advisory.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].summary == "New fixed version."
    assert advisory.csaf_file.release == 2


def test_readers_keep_released_text_while_revising() -> None:
    advisory = factories.published(factories.draft(title="Released title"))
    services.start_revision(advisory, by=staff())
    services.update_advisory(advisory, by=staff(), title="Unapproved title")
    view = queries.present(advisory, "en")
    assert view.title == "Released title"
    assert queries.present(advisory, "en", live=True).title == "Unapproved title"


def test_tlp_fixed_after_publication() -> None:
    advisory = factories.published(factories.draft(tlp=TLP.AMBER))
    services.start_revision(advisory, by=staff())
    with pytest.raises(InvalidInput, match="cannot change after publication") as refused:
        services.update_advisory(advisory, by=staff(), tlp=TLP.CLEAR)
    assert refused.value.field == "tlp"


def test_withdraw_adds_revision() -> None:
    advisory = factories.published(factories.draft())
    services.withdraw(advisory, by=staff(), reason="Duplicate of another advisory.")
    assert advisory.status == AdvisoryStatus.WITHDRAWN and advisory.current_release == 2
    assert "withdrawn" in advisory.csaf_file.content
    stored = json.loads(advisory.csaf_file.content)
    assert stored["document"]["tracking"]["version"] == "2"
    assert csaf.validation_problems(stored) == []


def test_translation_fallback() -> None:
    advisory = factories.draft(title="English title", summary="English summary")
    services.set_translation(
        advisory, by=staff(), language="fr", title="Titre français", summary="Résumé"
    )
    factories.published(advisory)
    french = queries.present(advisory, "fr")
    assert (french.title, french.summary, french.language) == ("Titre français", "Résumé", "fr")
    assert french.details == advisory.details  # empty translated fields fall back
    english = queries.present(advisory, "de")
    assert (english.title, english.language) == ("English title", "en")


def test_translation_refuses_original_language() -> None:
    advisory = factories.draft()
    with pytest.raises(InvalidInput, match="original language"):
        services.set_translation(advisory, by=staff(), language="en", title="t", summary="s")
    with pytest.raises(InvalidInput, match="unknown language"):
        services.set_translation(advisory, by=staff(), language="xx", title="t", summary="s")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"cve_ids": ["CVE-12-1"]}, "cve_ids", "is not a CVE id"),
        ({"cve_ids": ["<script>"]}, "cve_ids", "is not a CVE id"),
        ({"title": "   "}, "title", "must not be empty"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"severity": "apocalyptic"}, "severity", "unknown value"),
        ({"tlp": "PURPLE"}, "tlp", "unknown TLP label"),
        ({"affected": [{"product": 999999}]}, "affected[0].product", "no product with id"),
        (
            {"affected": [{"product_name": "X", "status": "broken"}]},
            "affected[0].status",
            "unknown",
        ),
        ({"affected": [{"versions": "1.0"}]}, "affected[0].product_name", "must not be empty"),
        ({"references": [{"url": "javascript:alert(1)"}]}, "references[0].url", "not an http"),
        ({"audience_kinds": ["pirates"]}, "audience_kinds", "unknown value"),
        ({"audience_tlds": ["not a tld"]}, "audience_tlds", "not a top-level domain"),
        ({"audience_products": [424242]}, "audience_products", "no product with id"),
    ],
)
def test_hostile_input_named(fields: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        factories.draft(category=CsafCategory.INFORMATIONAL_ADVISORY, **fields)
    assert refused.value.field == field
    assert not Advisory.objects.exists()


def test_cve_ids_normalised() -> None:
    advisory = factories.draft(cve_ids=["cve-2026-0001", "CVE-2026-0001", " CVE-2025-123456 "])
    assert advisory.cve_ids == ["CVE-2026-0001", "CVE-2025-123456"]


def test_delete_only_unreleased() -> None:
    kept = factories.published(factories.draft())
    with pytest.raises(InvalidInput, match="withdraw it instead"):
        services.delete_draft(kept, by=staff())
    gone = factories.draft()
    services.delete_draft(gone, by=staff())
    assert not Advisory.objects.filter(pk=gone.pk).exists()
