"""The CSAF provider as served: metadata and ROLIE feed against their schemas, the directory
layout, hashes, OpenPGP signatures verified with gpg, and that only TLP:CLEAR is listed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from dnscert.advisories.models import Advisory
from dnscert.core.choices import TLP

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "schemas"
WELL_KNOWN = "/.well-known/csaf"


def _validator(name: str) -> Draft202012Validator:
    import csaf as csaf_package

    csaf_schema = json.loads(
        (Path(csaf_package.__file__).parent / "csaf/v20/schema/csaf.json").read_text()
    )
    registry: Registry[Any] = Registry().with_resource(
        csaf_schema["$id"], Resource.from_contents(csaf_schema)
    )
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def _errors(validator: Draft202012Validator, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def test_provider_metadata_valid(client: Client, demo_advisories: list[str]) -> None:
    response = client.get(f"{WELL_KNOWN}/provider-metadata.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    metadata = response.json()
    assert _errors(_validator("provider_json_schema.json"), metadata) == []
    assert metadata["role"] == "csaf_trusted_provider"
    assert (
        metadata["canonical_url"]
        == "https://dnscert.example/.well-known/csaf/provider-metadata.json"
    )
    (key,) = metadata["public_openpgp_keys"]
    assert key["url"] == "https://dnscert.example/pgp-key.asc"
    assert client.get("/pgp-key.asc").status_code == 200
    broken = dict(metadata, role="csaf_superstar")
    assert _errors(_validator("provider_json_schema.json"), broken)


def test_rolie_feed_valid_and_clear_only(client: Client, demo_advisories: list[str]) -> None:
    feed = client.get(f"{WELL_KNOWN}/white/feed-tlp-white.json").json()
    assert _errors(_validator("ROLIE_feed_json_schema.json"), feed) == []
    ids = {entry["id"] for entry in feed["feed"]["entry"]}
    clear = set(
        Advisory.objects.filter(tlp=TLP.CLEAR, current_release__gte=1).values_list(
            "reference", flat=True
        )
    )
    assert ids == clear and len(ids) == 2
    for entry in feed["feed"]["entry"]:
        rels = {link["rel"] for link in entry["link"]}
        assert {"self", "hash", "signature"} <= rels


def test_directory_layout_hashes_and_signatures(
    client: Client, demo_advisories: list[str], platform_home: Path
) -> None:
    listing = client.get(f"{WELL_KNOWN}/white/").content.decode()
    assert "index.txt" in listing and "changes.csv" in listing
    index = client.get(f"{WELL_KNOWN}/white/index.txt").content.decode().splitlines()
    assert index == sorted(index) and len(index) == 2
    changes = client.get(f"{WELL_KNOWN}/white/changes.csv").content.decode().splitlines()
    assert len(changes) == 2
    paths = [line.split(",")[0].strip('"') for line in changes]
    stamps = [line.split(",")[1].strip('"') for line in changes]
    assert sorted(paths) == index and stamps == sorted(stamps, reverse=True)
    public_key = client.get("/pgp-key.asc").content
    with tempfile.TemporaryDirectory(prefix="verify-", dir="/tmp") as home:
        subprocess.run(
            ["gpg", "--homedir", home, "--batch", "--import"],
            input=public_key,
            check=True,
            capture_output=True,
        )
        for path in index:
            year, name = path.split("/")
            assert (
                path.startswith(year)
                and client.get(f"{WELL_KNOWN}/white/{year}/").status_code == 200
            )
            body = client.get(f"{WELL_KNOWN}/white/{path}").content
            document = json.loads(body)
            assert document["document"]["distribution"]["tlp"]["label"] == "WHITE"
            assert name == document["document"]["tracking"]["id"].lower() + ".json"
            sha512 = client.get(f"{WELL_KNOWN}/white/{path}.sha512").content.decode()
            assert sha512 == f"{hashlib.sha512(body).hexdigest()}  {name}\n"
            sha256 = client.get(f"{WELL_KNOWN}/white/{path}.sha256").content.decode()
            assert sha256.split()[0] == hashlib.sha256(body).hexdigest()
            signature = client.get(f"{WELL_KNOWN}/white/{path}.asc").content
            Path(home, "doc.json").write_bytes(body)
            Path(home, "doc.json.asc").write_bytes(signature)
            verified = subprocess.run(
                ["gpg", "--homedir", home, "--batch", "--verify", "doc.json.asc", "doc.json"],
                cwd=home,
                capture_output=True,
                check=False,
            )
            assert verified.returncode == 0, verified.stderr
            Path(home, "doc.json").write_bytes(body + b" ")
            tampered = subprocess.run(
                ["gpg", "--homedir", home, "--batch", "--verify", "doc.json.asc", "doc.json"],
                cwd=home,
                capture_output=True,
                check=False,
            )
            assert tampered.returncode != 0
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], check=False)


def test_amber_never_in_public_directory(client: Client, demo_advisories: list[str]) -> None:
    amber = Advisory.objects.get(tlp=TLP.AMBER)
    assert amber.current_release == 1 and amber.csaf_file is not None
    name = amber.csaf_file.path
    assert client.get(f"{WELL_KNOWN}/white/{name}").status_code == 404
    assert client.get(f"{WELL_KNOWN}/white/{name}.asc").status_code == 404
    for path in ("index.txt", "changes.csv", "feed-tlp-white.json", "", "2026/"):
        body = client.get(f"{WELL_KNOWN}/white/{path}").content.decode()
        assert amber.reference.lower() not in body.lower(), path
    assert client.get(f"{WELL_KNOWN}/white/../amber/{name}").status_code == 404


def test_unknown_paths_404(client: Client, demo_advisories: list[str]) -> None:
    for path in ("2026/nothing.json", "1999/", "2026/dnscert-sa-2026-0001.json.md5"):
        assert client.get(f"{WELL_KNOWN}/white/{path}").status_code == 404
