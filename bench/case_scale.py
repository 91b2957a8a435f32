"""Server time of a large vulnerability case (prints figures, asserts nothing).

Builds, in SQLite under a temporary var dir (migrations run), one case with ``--vendors``
vendors (each with a product and a contact) and ``--messages`` messages (a tenth of them
private to one vendor), then times with Django's test Client, signed in as MFA-verified
staff, ``--requests`` GETs of the case page and of the vendor list. The last line is
machine-readable:

    RESULT case_scale case_page_p95_ms=.. vendor_list_p95_ms=..

Run: ``.venv/bin/python bench/case_scale.py [--vendors 150] [--messages 2000] [--requests 100]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=150)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=100)
    return parser.parse_args()


def staff_client() -> Any:
    """A test client signed in as an MFA-verified staff analyst."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dnscert.core.choices import Role

    user = get_user_model().objects.create_user(
        username="bench-staff", password="bench-only-password", role=Role.STAFF
    )
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def build_case(vendors: int, messages: int) -> Any:
    """One case with ``vendors`` notified vendors and ``messages`` messages (bulk inserted)."""
    from datetime import timedelta

    from django.utils import timezone

    from dnscert.directory.choices import OrganisationKind, ProductKind
    from dnscert.directory.models import Contact, Organisation, Product
    from dnscert.vulns import services
    from dnscert.vulns.choices import Audience, VendorStatus
    from dnscert.vulns.models import CaseMessage, CaseVendor

    case = services.create_case(
        by=None, title="Cache poisoning at scale", affected_software="Resolvd"
    )
    item, _ = services.add_product(case, by=None, name="Resolvd")
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"Vendor {n:03d}", short_name=f"vendor-{n:03d}", kind=OrganisationKind.VENDOR
        )
        for n in range(vendors)
    )
    Product.objects.bulk_create(
        Product(name="Resolvd", kind=ProductKind.RESOLVER, vendor=o) for o in orgs
    )
    Contact.objects.bulk_create(
        Contact(organisation=o, name="Security", email=f"sec@{o.short_name}.example", is_24x7=True)
        for o in orgs
    )
    now = timezone.now()
    rows = CaseVendor.objects.bulk_create(
        CaseVendor(
            case=case,
            organisation=o,
            status=VendorStatus.NOTIFIED,
            notified_at=now,
            deadline=now + timedelta(days=14 if n % 3 else -1),
        )
        for n, o in enumerate(orgs)
    )
    CaseVendor.products.through.objects.bulk_create(
        CaseVendor.products.through(casevendor_id=row.pk, caseproduct_id=item.pk) for row in rows
    )
    CaseMessage.objects.bulk_create(
        CaseMessage(
            case=case,
            author_label="bench",
            body=f"message {n} " + "text " * 40,
            audience=Audience.VENDOR if n % 10 == 0 else Audience.ALL,
            audience_vendor=rows[n % len(rows)] if n % 10 == 0 else None,
            via="web",
            created_at=now - timedelta(minutes=messages - n),
        )
        for n in range(messages)
    )
    return case


def time_page(client: Any, url: str, requests: int) -> list[float]:
    """Server times (ms) of ``requests`` GETs of ``url``; every answer must be 200."""
    client.get(url)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    case = build_case(args.vendors, args.messages)
    print(
        f"built {case.reference}: {args.vendors} vendors, {args.messages} messages "
        f"in {time.perf_counter() - started:.1f} s"
    )
    client = staff_client()
    results = {}
    for name, url in (
        ("case_page", case.get_absolute_url()),
        ("vendor_list", f"/vulns/{case.reference}/vendors/"),
    ):
        times = time_page(client, url, args.requests)
        results[name] = p95(times)
        print(
            f"{name}: median {statistics.median(times):.1f} ms, p95 {results[name]:.1f} ms "
            f"over {args.requests} requests"
        )
    print(
        f"RESULT case_scale case_page_p95_ms={results['case_page']:.1f} "
        f"vendor_list_p95_ms={results['vendor_list']:.1f}"
    )
    return 0


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="dnscert-bench-case-") as folder:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("DNSCERT_BROKER_URL", None)
        os.environ["DNSCERT_VAR_DIR"] = str(Path(folder) / "var")
        os.environ["DJANGO_SETTINGS_MODULE"] = "dnscert.settings"
        os.environ.setdefault("DNSCERT_LOG_LEVEL", "WARNING")
        import django

        django.setup()
        return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
