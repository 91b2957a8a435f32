"""Registration data: import the table of domain -> registrar, IANA id and creation date.

The table comes from zone files, registry data sharing or earlier RDAP answers, as CSV with a
header (``domain,registrar,iana_id,created``; ``registrar_name``, ``created_at`` and
``creation_date`` are accepted too) or as JSON (a list of objects with the same keys).
Valid rows are imported (an existing domain is updated); each invalid row is reported with
its line or position and the field at fault, and does not stop the others.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from dnscert.core.audit import Action, record
from dnscert.core.choices import TLP
from dnscert.core.exceptions import InvalidInput
from dnscert.intel.choices import RegistrationSource
from dnscert.intel.experts.idn import to_ascii
from dnscert.intel.models import Registration
from dnscert.intel.schema import InvalidValue, normalise_fqdn, normalise_time, parse_time

_ALIASES = {
    "registrar_name": "registrar",
    "created_at": "created",
    "creation_date": "created",
    "iana": "iana_id",
    "registrar_iana_id": "iana_id",
}
_BATCH = 2000
MAX_ERRORS_KEPT = 1000


@dataclass
class ImportResult:
    """How an import went: rows imported and the problems of the others."""

    imported: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, where: int, problem: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(f"row {where}: {problem}")


def import_file(path: str | Path, *, by: Any = None, source: str = "import") -> ImportResult:
    """Import a CSV or JSON registration table from ``path``."""
    file_path = Path(path)
    try:
        text = file_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("file", f"cannot read {file_path}: {exc}") from None
    return import_text(text, by=by, source=source)


def import_text(text: str, *, by: Any = None, source: str = "import") -> ImportResult:
    """Import a CSV or JSON registration table given as text."""
    if source not in RegistrationSource.values:
        raise InvalidInput("source", f"unknown source {source!r}")
    records = _json_records(text) if text.lstrip().startswith("[") else _csv_records(text)
    result = ImportResult()
    batch: list[Registration] = []
    for where, raw in records:
        try:
            batch.append(registration_of(raw, source))
        except InvalidInput as exc:
            result.add_error(where, str(exc))
            continue
        if len(batch) >= _BATCH:
            result.imported += _save(batch)
            batch = []
    result.imported += _save(batch)
    record(
        by,
        Action.IMPORT,
        None,
        changes=_summary(result),
        tlp=TLP.AMBER,
        object_repr="registrations",
    )
    return result


def _summary(result: ImportResult) -> dict[str, int]:
    return {"imported": result.imported, "errors": result.error_count}


def _json_records(text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("file", f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(document, list):
        raise InvalidInput("file", "JSON registrations must be a list of objects")
    for position, item in enumerate(document, 1):
        yield position, item if isinstance(item, dict) else {"domain": None}


def _csv_records(text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [
        _ALIASES.get(name.strip().lower(), name.strip().lower()) for name in reader.fieldnames or []
    ]
    if "domain" not in columns:
        raise InvalidInput("file", "the CSV header must name a 'domain' column")
    reader.fieldnames = columns
    for row in reader:
        yield reader.line_num, row


def registration_of(raw: Mapping[str, Any], source: str) -> Registration:
    """The :class:`Registration` of one row; :class:`InvalidInput` names the bad field."""
    values = {_ALIASES.get(str(key).lower(), str(key).lower()): value for key, value in raw.items()}
    domain = _domain(values.get("domain"))
    return Registration(
        domain=domain,
        tld=domain.rsplit(".", 1)[-1],
        registrar_name=str(values.get("registrar") or "").strip()[:200],
        iana_id=_iana_id(values.get("iana_id")),
        created_at=_created(values.get("created")),
        source=source,
        updated_at=timezone.now(),
    )


def _domain(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("domain", "missing")
    try:
        return to_ascii(normalise_fqdn(value, "domain"))
    except InvalidValue as exc:
        raise InvalidInput("domain", exc.problem) from None


def _iana_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput("iana_id", f"{str(value)[:40]!r} is not a number") from None
    if not 0 < number < 2**31:
        raise InvalidInput("iana_id", f"{number} is out of range")
    return number


def _created(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_time(normalise_time(str(value), "created"))
    except InvalidValue as exc:
        raise InvalidInput("created", exc.problem) from None


def _save(batch: Iterable[Registration]) -> int:
    rows = list(batch)
    if not rows:
        return 0
    unique = list({row.domain: row for row in rows}.values())
    Registration.objects.bulk_create(
        unique,
        update_conflicts=True,
        unique_fields=["domain"],
        update_fields=["tld", "registrar_name", "iana_id", "created_at", "source", "updated_at"],
    )
    return len(rows)
