"""Pages and API: access refused per endpoint, the console at work, escaping, languages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from dnscert.advisories.choices import AdvisoryStatus, CsafCategory
from dnscert.advisories.models import Advisory
from dnscert.core.choices import TLP
from dnscert.directory.models import Product
from tests.advisories import factories
from tests.personas import login_verified, member, staff

pytestmark = pytest.mark.django_db

API = "/api/advisories/advisories/"


@pytest.fixture
def draft() -> Advisory:
    return factories.draft(category=CsafCategory.INFORMATIONAL_ADVISORY)


def _console_urls(reference: str) -> list[tuple[str, str]]:
    return [
        ("get", "/advisories/console/"),
        ("get", "/advisories/console/export.csv"),
        ("get", "/advisories/console/new/"),
        ("get", f"/advisories/console/{reference}/"),
        ("get", f"/advisories/console/{reference}/edit/"),
        ("post", f"/advisories/console/{reference}/translation/"),
        ("post", f"/advisories/console/{reference}/submit/"),
    ]


def test_console_refused_to_non_staff(draft: Advisory) -> None:
    anonymous, signed_in = Client(), login_verified(Client(), member())
    for method, url in _console_urls(draft.reference):
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        assert getattr(signed_in, method)(url).status_code == 403, url
    assert Advisory.objects.get(pk=draft.pk).status == AdvisoryStatus.DRAFT


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("post", "", {"title": "x"}),
        ("patch", "{ref}/", {"title": "x"}),
        ("delete", "{ref}/", None),
        ("post", "{ref}/submit/", {}),
        ("post", "{ref}/return/", {}),
        ("post", "{ref}/publish/", {}),
        ("post", "{ref}/revise/", {}),
        ("post", "{ref}/withdraw/", {"reason": "x"}),
        ("post", "{ref}/translation/", {"language": "fr", "title": "t", "summary": "s"}),
    ],
)
def test_api_writes_refused(method: str, suffix: str, body: Any) -> None:
    advisory = factories.published(
        factories.draft(category=CsafCategory.INFORMATIONAL_ADVISORY, tlp=TLP.CLEAR)
    )
    url = API + suffix.format(ref=advisory.reference)
    for client, expected in ((Client(), (401, 403)), (login_verified(Client(), member()), (403,))):
        response = getattr(client, method)(
            url, data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code in expected, (url, response.status_code)
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.PUBLISHED and advisory.title != "x"


def test_api_reads_follow_visibility(draft: Advisory) -> None:
    anonymous = Client()
    assert anonymous.get(API).json()["count"] == 0
    assert anonymous.get(f"{API}{draft.reference}/").status_code == 404
    assert anonymous.get(f"{API}{draft.reference}/csaf/").status_code == 404
    factories.published(draft)
    assert anonymous.get(f"{API}{draft.reference}/").json()["status"] == "published"
    document = anonymous.get(f"{API}{draft.reference}/csaf/").json()
    assert document["document"]["tracking"]["id"] == draft.reference


def test_api_staff_lifecycle() -> None:
    author, approver = login_verified(Client(), staff()), login_verified(Client(), staff())
    product = factories.vendor_product()
    created = author.post(
        API,
        data={
            "title": "Glue poisoning",
            "summary": "Summary.",
            "recommendations": "Upgrade.",
            "severity": "high",
            "tlp": "CLEAR",
            "csaf_category": "csaf_security_advisory",
            "cve_ids": ["CVE-2026-5555"],
            "affected": [{"product": product.pk, "versions": "1.0", "status": "known_affected"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    reference = created.json()["reference"]
    bad = author.patch(
        f"{API}{reference}/", data={"cve_ids": ["CVE-12-1"]}, content_type="application/json"
    )
    assert bad.status_code == 400 and "cve_ids" in bad.json()
    translated = author.post(
        f"{API}{reference}/translation/",
        data={"language": "fr", "title": "Empoisonnement", "summary": "Résumé."},
        content_type="application/json",
    )
    assert translated.status_code == 200
    assert author.post(f"{API}{reference}/submit/").status_code == 200
    own = author.post(f"{API}{reference}/publish/")
    assert own.status_code == 400 and "approver" in own.json()
    wrong = approver.post(f"{API}{reference}/withdraw/", data={"reason": "x"})
    assert wrong.status_code == 400 and "cannot go from in_review to withdrawn" in str(wrong.json())
    published = approver.post(f"{API}{reference}/publish/")
    assert published.status_code == 200 and published.json()["current_release"] == 1
    french = Client().get(f"{API}{reference}/?lang=fr").json()
    assert french["title"] == "Empoisonnement" and french["language"] == "fr"
    assert Client().get(f"{API}{reference}/?lang=de").json()["title"] == "Glue poisoning"
    filtered = author.get(API, {"cve": "cve-2026-5555", "status": "published"}).json()
    assert [row["reference"] for row in filtered["results"]] == [reference]


def test_api_unknown_product_named() -> None:
    client = login_verified(Client(), staff())
    response = client.post(
        API,
        data={
            "title": "t",
            "summary": "s",
            "severity": "low",
            "tlp": "GREEN",
            "csaf_category": "csaf_security_advisory",
            "affected": [{"product": 987654}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "no product with id 987654" in response.json()["affected[0].product"][0]


def test_xss_in_title_is_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    advisory = factories.published(
        factories.draft(
            title=hostile,
            summary=f"{hostile} summary",
            category=CsafCategory.INFORMATIONAL_ADVISORY,
        )
    )
    for url in ("/advisories/", f"/advisories/{advisory.reference}/"):
        body = Client().get(url).content.decode()
        assert hostile not in body and "&lt;script&gt;" in body
    feed = Client().get("/advisories/feed.atom").content.decode()
    assert "<script>" not in feed
    console = login_verified(Client(), staff()).get(f"/advisories/console/{advisory.reference}/")
    assert hostile not in console.content.decode()


def test_console_create_edit_and_publish() -> None:
    author, approver = staff(), staff()
    client = login_verified(Client(), author)
    product = factories.vendor_product()
    form = {
        "title": "Open resolvers in the constituency",
        "summary": "Close open resolvers.",
        "details": "",
        "recommendations": "Restrict recursion to customers.",
        "severity": "medium",
        "tlp": "CLEAR",
        "csaf_category": "csaf_security_advisory",
        "cve_ids": "CVE-2026-7777",
        "references": "https://example.org/open-resolvers | Background",
        "credits": "",
        "audience_tlds": "xa",
        "affected-TOTAL_FORMS": "2",
        "affected-INITIAL_FORMS": "0",
        "affected-MIN_NUM_FORMS": "0",
        "affected-MAX_NUM_FORMS": "100",
        "affected-0-product": str(product.pk),
        "affected-0-versions": "2.1",
        "affected-0-status": "known_affected",
        "affected-1-status": "known_affected",
    }
    bad = client.post("/advisories/console/new/", {**form, "cve_ids": "CVE-12-1"})
    assert bad.status_code == 200 and "is not a CVE id" in bad.content.decode()
    created = client.post("/advisories/console/new/", form)
    assert created.status_code == 302
    advisory = Advisory.objects.get(title=form["title"])
    assert advisory.affected.get().product == product and advisory.audience_tlds == ["xa"]
    page = client.get(f"/advisories/console/{advisory.reference}/").content.decode()
    assert 'id="csaf-valid"' in page and "csaf_security_advisory" in page
    edited = client.post(
        f"/advisories/console/{advisory.reference}/edit/", {**form, "title": "Open resolvers"}
    )
    assert edited.status_code == 302
    client.post(
        f"/advisories/console/{advisory.reference}/translation/",
        {"language": "fr", "title": "Résolveurs ouverts", "summary": "Fermez-les."},
    )
    client.post(f"/advisories/console/{advisory.reference}/submit/")
    refused = client.post(f"/advisories/console/{advisory.reference}/publish/", follow=True)
    assert "the author cannot approve" in refused.content.decode()
    other = login_verified(Client(), approver)
    other.post(f"/advisories/console/{advisory.reference}/publish/")
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.PUBLISHED and advisory.approver == approver
    french = Client().get(f"/advisories/{advisory.reference}/?lang=fr").content.decode()
    assert "Résolveurs ouverts" in french
    export = client.get("/advisories/console/export.csv", {"status": "published"})
    assert advisory.reference in export.content.decode()
    as_json = client.get("/advisories/console/export.json").json()
    assert advisory.reference in {row["reference"] for row in as_json["advisories"]}


def test_console_filters(demo_advisories: list[str]) -> None:
    client = login_verified(Client(), staff())
    drafts = client.get("/advisories/console/", {"status": "draft"}).content.decode()
    assert "AuthNS: zone transfer memory growth" in drafts
    assert "Resolvd: cache poisoning" not in drafts
    by_product = client.get("/advisories/console/", {"product": "Both-DNS"}).content.decode()
    assert "Resolvd: cache poisoning" in by_product
    by_tlp = client.get("/advisories/console/", {"tlp": "AMBER"}).content.decode()
    assert "Credential phishing" in by_tlp and "KSK rollover" not in by_tlp


def test_reader_language_from_session(demo_advisories: list[str]) -> None:
    advisory = Advisory.objects.get(translations__language="fr")
    client = Client()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    body = client.get(f"/advisories/{advisory.reference}/").content.decode()
    assert "empoisonnement de cache" in body
    assert "empoisonnement de cache" in client.get("/advisories/").content.decode()
    other = Advisory.objects.get(title__startswith="Preparing resolvers")
    assert other.title in client.get(f"/advisories/{other.reference}/").content.decode()


def test_demo_is_idempotent(demo_advisories: list[str]) -> None:
    from dnscert.advisories.demo import load_demo_advisories

    assert len(demo_advisories) == 4
    assert load_demo_advisories() == []
    assert Advisory.objects.count() == 4
    assert Product.objects.filter(name="Resolvd").exists()


def test_readers_never_get_unreleased_csaf() -> None:
    from dnscert.advisories import services

    advisory = factories.draft(title="Released", category=CsafCategory.INFORMATIONAL_ADVISORY)
    services.set_translation(advisory, by=staff(), language="fr", title="Publié", summary="R")
    factories.published(advisory)
    services.start_revision(advisory, by=staff())
    services.update_advisory(advisory, by=staff(), title="Secret draft")
    reader = Client()
    for url in (
        f"/advisories/{advisory.reference}/csaf.json",
        f"/advisories/{advisory.reference}/csaf.json?lang=fr",
        f"{API}{advisory.reference}/csaf/?lang=fr",
    ):
        body = reader.get(url).content.decode()
        assert "Secret draft" not in body and "Released" in body, url
    staff_view = login_verified(Client(), staff()).get(f"{API}{advisory.reference}/csaf/?lang=en")
    assert "Released" in staff_view.content.decode()
