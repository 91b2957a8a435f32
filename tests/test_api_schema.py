"""The OpenAPI schema of the whole REST API generates and validates with no warning."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_it_generates_a_valid_openapi_schema_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for expected in ("/api/directory/organisations/", "/api/dns/targets/", "/api/audit-events/"):
        assert expected in paths, sorted(paths)
