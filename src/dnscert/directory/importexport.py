"""Import and export of the whole directory as JSON or CSV, all or nothing.

Formats
-------
JSON: one document ``{"format": "dnscert-directory", "version": 1, "organisations": [...]}``
where each organisation carries its ``zones``, ``nameservers``, ``prefixes``, ``asns``,
``products``, ``contacts`` and ``clients`` (short names of client organisations).

CSV: two files. The *organisations* file has one row per organisation with the columns of
:data:`ORGANISATION_COLUMNS`; list cells are separated by ``;`` (zones ``xa.; shop.xa.``,
nameservers ``a.ns.test. 192.0.2.1 2001:db8::1; b.ns.test.``, prefixes, ASNs, languages,
clients, and products written ``Name (kind)``; product CPE and purl travel in JSON only).
The *contacts* file has one row per contact with the columns of :data:`CONTACT_COLUMNS`,
``organisation`` being the organisation's short name. An import recognises the file from
its header. Rows are numbered as a spreadsheet shows them: the header is row 1. A column
left out keeps the stored value; an empty cell in a present column clears it.

Import upserts organisations by short name and contacts by (organisation, e-mail); zones,
nameservers, prefixes, ASNs and products are added or updated, never deleted. Everything is
validated before anything is written; any problem aborts the whole import with the list of
every error (``row 3, field phone: ...`` or ``organisations[2].contacts[0].email: ...``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from dnscert.core.audit import Action, record, snapshot
from dnscert.directory import services
from dnscert.directory.models import (
    AutonomousSystem,
    Contact,
    NameserverHost,
    NetworkPrefix,
    Organisation,
    Product,
    Zone,
)

FORMAT_NAME = "dnscert-directory"
FORMAT_VERSION = 1
MAX_IMPORT_BYTES = 5 * 1024 * 1024
LIST_SEPARATOR = ";"

ORGANISATION_COLUMNS = [
    "short_name",
    "name",
    "kind",
    "country",
    "languages",
    "time_zone",
    "membership",
    "iana_id",
    "website",
    "security_txt_url",
    "notes",
    "clients",
    "zones",
    "nameservers",
    "prefixes",
    "asns",
    "products",
]
REQUIRED_ORGANISATION_COLUMNS = ("short_name", "name", "kind")
CONTACT_COLUMNS = [
    "organisation",
    "name",
    "email",
    "is_role_mailbox",
    "role",
    "phone",
    "pgp_fingerprint",
    "pgp_key",
    "languages",
    "time_zone",
    "is_24x7",
    "last_verified",
]
REQUIRED_CONTACT_COLUMNS = ("organisation", "name", "email")
ORGANISATION_SCALARS = ORGANISATION_COLUMNS[:11]
NESTED_KEYS = ("zones", "nameservers", "prefixes", "asns", "products", "contacts", "clients")
TOP_LEVEL_KEYS = {"format", "version", "exported_at", "organisations"}

TEXT = (str,)
OPTIONAL_INT = (int, type(None))
OPTIONAL_TEXT = (str, type(None))
ORGANISATION_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(ORGANISATION_SCALARS, TEXT),
    "languages": (list,),
    "iana_id": OPTIONAL_INT,
    **dict.fromkeys(NESTED_KEYS, (list,)),
}
CONTACT_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(CONTACT_COLUMNS[1:], TEXT),
    "is_role_mailbox": (bool,),
    "is_24x7": (bool,),
    "languages": (list,),
    "last_verified": OPTIONAL_TEXT,
}
ZONE_TYPES: dict[str, tuple[type, ...]] = {"name": TEXT, "kind": TEXT, "monitored": (bool,)}
NAMESERVER_TYPES: dict[str, tuple[type, ...]] = {"hostname": TEXT, "addresses": (list,)}
PRODUCT_TYPES: dict[str, tuple[type, ...]] = {"name": TEXT, "kind": TEXT, "cpe": TEXT, "purl": TEXT}
TYPE_NAMES = {str: "a string", list: "a list", bool: "true or false", int: "a number"}


class DirectoryImportError(Exception):
    """An import was refused; ``errors`` lists every problem found, nothing was written."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:5]) + (" ..." if len(errors) > 5 else ""))
        self.errors = errors


@dataclass(frozen=True)
class Where:
    """Where a value sits in the input, to name it in an error."""

    row: int | None = None
    column: str | None = None
    path: str = ""
    scalar: bool = False

    def at(self, name: str = "") -> str:
        if self.row is not None:
            column = self.column or name
            return f"row {self.row}, field {column}" if column else f"row {self.row}"
        if self.scalar or not name:
            return self.path
        return f"{self.path}.{name}"


@dataclass
class Item:
    """One thing to import, its raw fields and, once validated, its clean fields."""

    where: Where
    fields: dict[str, Any]
    clean: dict[str, Any] = field(default_factory=dict)


@dataclass
class OrganisationItem(Item):
    zones: list[Item] = field(default_factory=list)
    nameservers: list[Item] = field(default_factory=list)
    prefixes: list[Item] = field(default_factory=list)
    asns: list[Item] = field(default_factory=list)
    products: list[Item] = field(default_factory=list)
    clients: list[str] | None = None


@dataclass
class ContactItem(Item):
    organisation: str = ""


@dataclass
class Document:
    """A parsed import file, whatever its format."""

    organisations: list[OrganisationItem] = field(default_factory=list)
    contacts: list[ContactItem] = field(default_factory=list)


@dataclass
class ImportSummary:
    """What an import created, updated and left unchanged, per kind of object."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "dry_run": self.dry_run,
        }

    def __str__(self) -> str:
        def part(label: str, counts: Counter[str]) -> str:
            body = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
            return f"{label}: {body or 'nothing'}"

        prefix = "dry run, nothing written; " if self.dry_run else ""
        return prefix + "; ".join(
            part(label, counts)
            for label, counts in (
                ("created", self.created),
                ("updated", self.updated),
                ("unchanged", self.unchanged),
            )
        )


class Errors:
    """Collects every problem as ``<where>: <message>``."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: Where, name: str, message: str) -> None:
        label = where.column or name
        self.messages.append(f"{where.at(name)}: {_without_field_prefix(message, label)}")

    def add_validation(self, where: Where, error: ValidationError, rename: str = "") -> None:
        if hasattr(error, "error_dict"):
            for name, problems in error.error_dict.items():
                label = rename or ("" if name == NON_FIELD_ERRORS else name)
                for problem in problems:
                    self.add(where, label, " ".join(problem.messages))
        else:
            for message in error.messages:
                self.add(where, rename, message)


def _without_field_prefix(message: str, name: str) -> str:
    """Drop a leading ``phone: `` from a validator message already placed under ``phone``."""
    match = re.match(r"^([A-Za-z_ -]+): ", message)
    squash = re.compile(r"[^a-z]")
    prefix = squash.sub("", match.group(1).lower()) if match else ""
    if match and name and prefix and squash.sub("", name.lower()).startswith(prefix):
        return message[match.end() :]
    return message


# Reading files


def decode(data: bytes) -> str:
    """Decode an uploaded file as UTF-8 text, refusing binary and oversized input."""
    if len(data) > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES // (1024 * 1024)
        raise DirectoryImportError([f"file: larger than the {limit} MiB import limit."])
    if b"\x00" in data:
        raise DirectoryImportError(["file: this is a binary file, not CSV or JSON text."])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DirectoryImportError(
            [f"file: not UTF-8 text (invalid byte at position {error.start}); save it as UTF-8."]
        ) from None


def guess_format(filename: str, text: str) -> str:
    """``json`` or ``csv`` from the file name, else from the first character."""
    lowered = filename.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".csv"):
        return "csv"
    return "json" if text.lstrip().startswith(("{", "[")) else "csv"


def parse(text: str, file_format: str) -> Document:
    """Parse ``text`` as ``csv`` or ``json`` into a :class:`Document`."""
    if file_format == "json":
        return parse_json(text)
    if file_format == "csv":
        return parse_csv(text)
    raise DirectoryImportError([f"file: unknown format {file_format!r}; use csv or json."])


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def _read_csv_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise DirectoryImportError([f"file: not valid CSV ({error})."]) from None
    rows = [(number, row) for number, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise DirectoryImportError(["file: the CSV file is empty; a header row is required."])
    header = [cell.strip().lower() for cell in rows[0][1]]
    return header, rows[1:]


def _check_header(header: list[str], known: list[str], required: Iterable[str]) -> None:
    errors = [f"header: unknown column {name!r}." for name in header if name not in known]
    errors += [
        f"header: required column {name!r} is missing." for name in required if name not in header
    ]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    errors += [f"header: column {name!r} appears more than once." for name in duplicated]
    if errors:
        raise DirectoryImportError(errors)


def parse_csv(text: str) -> Document:
    """Parse an organisations or a contacts CSV file, recognised from its header."""
    header, rows = _read_csv_rows(text)
    if "short_name" in header:
        _check_header(header, ORGANISATION_COLUMNS, REQUIRED_ORGANISATION_COLUMNS)
        build = _csv_organisation
    elif "email" in header:
        _check_header(header, CONTACT_COLUMNS, REQUIRED_CONTACT_COLUMNS)
        build = _csv_contact
    else:
        raise DirectoryImportError(
            [
                "header: not a directory CSV file; an organisations file needs the columns "
                "short_name, name, kind and a contacts file organisation, name, email."
            ]
        )
    document, errors = Document(), Errors()
    for number, cells in rows:
        if len(cells) != len(header):
            errors.add(Where(row=number), "", f"has {len(cells)} cells, the header {len(header)}.")
            continue
        build(
            document,
            number,
            dict(zip(header, (cell.strip() for cell in cells), strict=True)),
            errors,
        )
    if errors.messages:
        raise DirectoryImportError(errors.messages)
    return document


def _csv_nameserver(entry: str) -> dict[str, Any]:
    hostname, *addresses = entry.split()
    return {"hostname": hostname, "addresses": addresses}


def _csv_product(entry: str) -> dict[str, Any]:
    match = re.fullmatch(r"(.+?)\s*\(([a-z_]+)\)", entry)
    if not match:
        raise ValueError(f"{entry!r} should be written 'Name (kind)'.")
    return {"name": match.group(1), "kind": match.group(2)}


def _csv_organisation(document: Document, number: int, row: dict[str, str], errors: Errors) -> None:
    where = Where(row=number)
    fields = {name: row[name] for name in ORGANISATION_SCALARS if name in row}
    item = OrganisationItem(where=where, fields=fields)
    nested: dict[str, tuple[list[Item], Callable[[str], dict[str, Any]]]] = {
        "zones": (item.zones, lambda entry: {"name": entry}),
        "nameservers": (item.nameservers, _csv_nameserver),
        "prefixes": (item.prefixes, lambda entry: {"prefix": entry}),
        "asns": (item.asns, lambda entry: {"asn": entry}),
        "products": (item.products, _csv_product),
    }
    for column, (target, convert) in nested.items():
        for entry in _split(row.get(column, "")):
            try:
                target.append(Item(Where(row=number, column=column), convert(entry)))
            except ValueError as error:
                errors.add(where, column, str(error))
    if "clients" in row:
        item.clients = _split(row["clients"])
    document.organisations.append(item)


def _csv_contact(document: Document, number: int, row: dict[str, str], errors: Errors) -> None:
    fields: dict[str, Any] = {name: row[name] for name in CONTACT_COLUMNS[1:] if name in row}
    document.contacts.append(
        ContactItem(
            where=Where(row=number), fields=fields, organisation=row["organisation"].lower()
        )
    )


def _check_types(
    data: Any,
    types: dict[str, tuple[type, ...]],
    required: Iterable[str],
    path: str,
    errors: Errors,
) -> bool:
    """Check a JSON object's keys and value types; False when it cannot be used at all."""
    where = Where(path=path)
    if not isinstance(data, dict):
        errors.add(where, "", "expected an object.")
        return False
    for name in required:
        if name not in data:
            errors.add(where, name, "this field is required.")
    for name, value in data.items():
        allowed = types.get(name)
        if allowed is None:
            errors.add(where, name, "unknown field.")
        elif (isinstance(value, bool) and bool not in allowed) or not isinstance(value, allowed):
            expected = " or ".join(TYPE_NAMES.get(kind, "null") for kind in allowed)
            errors.add(where, name, f"expected {expected}, got {type(value).__name__}.")
    return True


def parse_json(text: str) -> Document:
    """Parse a JSON directory document."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DirectoryImportError(
            [f"file: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})."]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("organisations"), list):
        raise DirectoryImportError(["file: expected an object with an 'organisations' list."])
    errors = Errors()
    for key in sorted(set(data) - TOP_LEVEL_KEYS):
        errors.add(Where(path=key), "", "unknown top-level field.")
    document = Document()
    for index, raw in enumerate(data["organisations"]):
        _json_organisation(document, raw, f"organisations[{index}]", errors)
    if errors.messages:
        raise DirectoryImportError(errors.messages)
    return document


def _json_list(
    raw: dict[str, Any],
    key: str,
    path: str,
    errors: Errors,
    types: dict[str, tuple[type, ...]] | None = None,
    required: Iterable[str] = (),
) -> list[tuple[Where, Any]]:
    entries = raw.get(key) or []
    if not isinstance(entries, list):
        return []
    found = []
    for index, entry in enumerate(entries):
        entry_path = f"{path}.{key}[{index}]"
        if types is not None and not _check_types(entry, types, required, entry_path, errors):
            continue
        found.append((Where(path=entry_path, scalar=types is None), entry))
    return found


def _json_organisation(document: Document, raw: Any, path: str, errors: Errors) -> None:
    if not _check_types(raw, ORGANISATION_TYPES, REQUIRED_ORGANISATION_COLUMNS, path, errors):
        return
    item = OrganisationItem(
        where=Where(path=path),
        fields={name: raw[name] for name in ORGANISATION_SCALARS if name in raw},
    )
    item.zones = [
        Item(w, e) for w, e in _json_list(raw, "zones", path, errors, ZONE_TYPES, ["name"])
    ]
    item.nameservers = [
        Item(w, e)
        for w, e in _json_list(raw, "nameservers", path, errors, NAMESERVER_TYPES, ["hostname"])
    ]
    item.products = [
        Item(w, e)
        for w, e in _json_list(raw, "products", path, errors, PRODUCT_TYPES, ["name", "kind"])
    ]
    item.prefixes = [Item(w, {"prefix": e}) for w, e in _json_list(raw, "prefixes", path, errors)]
    item.asns = [Item(w, {"asn": e}) for w, e in _json_list(raw, "asns", path, errors)]
    if "clients" in raw and isinstance(raw["clients"], list):
        item.clients = [str(client).lower() for client in raw["clients"]]
    short_name = str(raw.get("short_name", "")).lower()
    for where, contact in _json_list(
        raw, "contacts", path, errors, CONTACT_TYPES, REQUIRED_CONTACT_COLUMNS[1:]
    ):
        document.contacts.append(ContactItem(where, dict(contact), organisation=short_name))
    document.organisations.append(item)


# Validating everything before writing anything


@dataclass(frozen=True)
class NestedKind:
    """How one kind of thing an organisation runs is keyed, normalised and stored."""

    label: str
    service: str  # the noun of the service functions, as in ``create_zone``
    model: type[models.Model]
    key: str
    normalisers: services.Normalisers
    owner: str = "organisation"


NESTED_KINDS = {
    "zones": NestedKind("zones", "zone", Zone, "name", services.ZONE_FIELDS),
    "nameservers": NestedKind(
        "nameservers", "nameserver", NameserverHost, "hostname", services.NAMESERVER_FIELDS
    ),
    "prefixes": NestedKind("prefixes", "prefix", NetworkPrefix, "prefix", services.PREFIX_FIELDS),
    "asns": NestedKind("asns", "asn", AutonomousSystem, "asn", services.ASN_FIELDS),
    "products": NestedKind(
        "products", "product", Product, "name", services.PRODUCT_FIELDS, owner="vendor"
    ),
}


class Validator:
    """Validates a whole :class:`Document` against itself and the database."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.errors = Errors()
        self.seen: dict[tuple[Any, ...], Where] = {}
        self.short_names = {
            str(item.fields.get("short_name", "")).strip().lower()
            for item in document.organisations
        }

    def run(self) -> list[str]:
        for item in self.document.organisations:
            self.organisation(item)
        for item in self.document.organisations:
            self.clients(item)
        for contact in self.document.contacts:
            self.contact(contact)
        return self.errors.messages

    def first_seen(self, marker: tuple[Any, ...], where: Where, name: str) -> bool:
        """Record ``marker``; report a duplicate and return False when seen before."""
        if marker in self.seen:
            self.errors.add(where, name, f"{marker[-1]} also appears at {self.seen[marker].at()}.")
            return False
        self.seen[marker] = where
        return True

    def normalise(self, item: Item, normalisers: services.Normalisers) -> list[str]:
        """Set ``item.clean``; report and return the names of the fields that failed."""
        item.clean, problems = services.normalise_each(item.fields, normalisers)
        if problems:
            self.errors.add_validation(item.where, ValidationError(problems))
        return list(problems)

    def full_clean(self, item: Item, obj: models.Model, exclude: list[str]) -> None:
        services.assign(obj, item.clean)
        try:
            obj.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as error:
            self.errors.add_validation(item.where, error)

    def organisation(self, item: OrganisationItem) -> None:
        failed = self.normalise(item, services.ORGANISATION_FIELDS)
        short_name = item.clean.get("short_name", "")
        for name in ("short_name", "name", "iana_id"):
            value = item.clean.get(name)
            if value not in (None, ""):
                self.first_seen(("organisation", name, value), item.where, name)
        existing = Organisation.objects.filter(short_name=short_name).first()
        self.full_clean(item, existing or Organisation(), exclude=failed)
        self.unique_in_database(item, existing)
        for kind in NESTED_KINDS.values():
            for nested in getattr(item, kind.label):
                self.nested(kind, short_name, nested)

    def unique_in_database(self, item: Item, existing: Organisation | None) -> None:
        others = Organisation.objects.exclude(pk=existing.pk) if existing else Organisation.objects
        for name in ("name", "iana_id"):
            value = item.clean.get(name)
            owner = others.filter(**{name: value}).first() if value not in (None, "") else None
            if owner is not None:
                self.errors.add(item.where, name, f"{value} is already used by {owner.short_name}.")

    def nested(self, kind: NestedKind, short_name: str, item: Item) -> None:
        failed = self.normalise(item, kind.normalisers)
        value = item.clean.get(kind.key)
        if kind.key in failed:
            return
        scope = (short_name,) if kind.owner == "vendor" else ()
        if not self.first_seen((kind.label, *scope, value), item.where, kind.key):
            return
        query = kind.model._default_manager.filter(**{kind.key: value})
        if kind.owner == "vendor":
            query = query.filter(vendor__short_name=short_name)
        existing = query.select_related(kind.owner).first()
        owner = getattr(existing, kind.owner, None)
        if owner is not None and owner.short_name != short_name:
            self.errors.add(item.where, kind.key, f"{value} is registered to {owner.short_name}.")
            return
        candidate = existing or kind.model()
        if isinstance(candidate, Zone) and "kind" not in item.clean and existing is None:
            candidate.kind = services.infer_zone_kind(str(value))
        self.full_clean(item, candidate, exclude=[kind.owner, *failed])

    def clients(self, item: OrganisationItem) -> None:
        own = item.clean.get("short_name")
        for client in item.clients or []:
            if client == own:
                self.errors.add(item.where, "clients", "an organisation cannot be its own client.")
            elif not self.organisation_exists(client):
                self.errors.add(item.where, "clients", f"no organisation {client!r}.")

    def organisation_exists(self, short_name: str) -> bool:
        return (
            short_name in self.short_names
            or Organisation.objects.filter(short_name=short_name).exists()
        )

    def contact(self, item: ContactItem) -> None:
        if not self.organisation_exists(item.organisation):
            self.errors.add(item.where, "organisation", f"no organisation {item.organisation!r}.")
        email = str(item.fields.get("email", "")).strip().lower()
        if not self.first_seen(("contact", item.organisation, email), item.where, "email"):
            return
        existing = Contact.objects.filter(
            organisation__short_name=item.organisation, email=email
        ).first()
        failed = self.normalise(item, services.CONTACT_FIELDS)
        if not {"pgp_key", "pgp_fingerprint"} & set(failed):
            try:
                item.clean = services.normalise_contact_fields(item.clean, existing)
            except ValidationError as error:
                self.errors.add_validation(item.where, error)
                failed += ["pgp_key", "pgp_fingerprint"]
        self.full_clean(item, existing or Contact(), exclude=["organisation", *failed])


def validate(document: Document) -> list[str]:
    """Every problem in ``document``, each as ``<where>: <message>``; empty when it is fine."""
    return Validator(document).run()


# Writing


def _comparable(obj: models.Model) -> dict[str, Any]:
    values = snapshot(obj)
    values.pop("updated", None)
    return values


class Writer:
    """Applies a validated document through the service functions, counting what changed."""

    def __init__(self, actor: Any, summary: ImportSummary) -> None:
        self.actor = actor
        self.summary = summary
        self.errors = Errors()
        self.organisations: dict[str, Organisation] = {}

    def attempt(self, where: Where, action: Callable[..., Any], *args: Any) -> Any:
        """Run ``action(*args)``, turning a refusal into an error located at ``where``."""
        try:
            return action(*args)
        except ValidationError as error:
            self.errors.add_validation(where, error)
        except (PermissionDenied, IntegrityError) as error:
            self.errors.add(where, "", str(error))
        return None

    def upsert(
        self,
        label: str,
        existing: models.Model | None,
        create: Callable[[], models.Model],
        update: Callable[[Any], models.Model],
    ) -> models.Model:
        if existing is None:
            self.summary.created[label] += 1
            return create()
        before = _comparable(existing)
        obj = update(existing)
        counter = self.summary.updated if _comparable(obj) != before else self.summary.unchanged
        counter[label] += 1
        return obj

    def run(self, document: Document) -> None:
        for item in document.organisations:
            self.attempt(item.where, self.organisation, item)
        for item in document.organisations:
            if item.clients is not None and item.clean["short_name"] in self.organisations:
                self.attempt(item.where, self.clients, item)
        for contact in document.contacts:
            self.attempt(contact.where, self.contact, contact)
        if self.errors.messages:
            raise DirectoryImportError(self.errors.messages)

    def organisation(self, item: OrganisationItem) -> None:
        fields = item.clean
        organisation = self.upsert(
            "organisations",
            Organisation.objects.filter(short_name=fields["short_name"]).first(),
            lambda: services.create_organisation(self.actor, **fields),
            lambda org: services.update_organisation(self.actor, org, **fields),
        )
        assert isinstance(organisation, Organisation)
        self.organisations[organisation.short_name] = organisation
        for kind in NESTED_KINDS.values():
            for nested in getattr(item, kind.label):
                self.attempt(nested.where, self.nested, kind, organisation, nested)

    def nested(self, kind: NestedKind, organisation: Organisation, item: Item) -> None:
        create = getattr(services, f"create_{kind.service}")
        update = getattr(services, f"update_{kind.service}")
        existing = kind.model._default_manager.filter(
            **{kind.key: item.clean[kind.key], kind.owner: organisation}
        ).first()
        changes = {key: value for key, value in item.clean.items() if key != kind.key}
        self.upsert(
            kind.label,
            existing,
            lambda: create(self.actor, organisation, **item.clean),
            lambda obj: update(self.actor, obj, **changes),
        )

    def clients(self, item: OrganisationItem) -> None:
        organisation = self.organisations[item.clean["short_name"]]
        clients = Organisation.objects.filter(short_name__in=item.clients or [])
        services.set_organisation_clients(self.actor, organisation, clients)

    def contact(self, item: ContactItem) -> None:
        organisation = self.organisations.get(item.organisation) or Organisation.objects.get(
            short_name=item.organisation
        )
        existing = organisation.contacts.filter(email=item.clean.get("email", "")).first()
        self.upsert(
            "contacts",
            existing,
            lambda: services.create_contact(self.actor, organisation, **item.clean),
            lambda contact: services.update_contact(self.actor, contact, **item.clean),
        )


def import_document(
    actor: Any, document: Document, *, dry_run: bool = False, source: str = ""
) -> ImportSummary:
    """Validate then write ``document`` in one transaction; raise with every error found."""
    errors = validate(document)
    if errors:
        raise DirectoryImportError(errors)
    summary = ImportSummary(dry_run=dry_run)
    with transaction.atomic():
        Writer(actor, summary).run(document)
        record(
            actor,
            Action.IMPORT,
            None,
            changes=summary.as_dict(),
            object_repr=f"directory import {source}".strip(),
        )
        if dry_run:
            transaction.set_rollback(True)
    return summary


def import_directory(
    actor: Any,
    data: bytes,
    *,
    file_format: str | None = None,
    filename: str = "",
    dry_run: bool = False,
) -> ImportSummary:
    """Import a CSV or JSON file (bytes as uploaded); all or nothing.

    ``actor`` must be staff (``None`` for the command line). Raises
    :class:`DirectoryImportError` with every problem found; nothing is written then.
    """
    from dnscert.directory.access import can_import, require

    if actor is not None:
        require(can_import(actor))
    text = decode(data)
    document = parse(text, file_format or guess_format(filename, text))
    return import_document(actor, document, dry_run=dry_run, source=filename)


# Export


def _with_everything(organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return organisations.prefetch_related(
        "zones", "nameservers", "prefixes", "asns", "products", "contacts", "clients"
    ).order_by("short_name")


def contact_document(contact: Contact) -> dict[str, Any]:
    """A contact as exported (JSON types)."""
    return {
        "name": contact.name,
        "email": contact.email,
        "is_role_mailbox": contact.is_role_mailbox,
        "role": contact.role,
        "phone": contact.phone,
        "pgp_fingerprint": contact.pgp_fingerprint,
        "pgp_key": contact.pgp_key,
        "languages": list(contact.languages),
        "time_zone": contact.time_zone,
        "is_24x7": contact.is_24x7,
        "last_verified": contact.last_verified.isoformat() if contact.last_verified else None,
    }


def organisation_document(organisation: Organisation) -> dict[str, Any]:
    """An organisation with everything it runs and its contacts (JSON types)."""
    data: dict[str, Any] = {name: getattr(organisation, name) for name in ORGANISATION_SCALARS}
    data["languages"] = list(organisation.languages)
    data["clients"] = sorted(client.short_name for client in organisation.clients.all())
    data["zones"] = [
        {"name": zone.name, "kind": zone.kind, "monitored": zone.monitored}
        for zone in organisation.zones.all()
    ]
    data["nameservers"] = [
        {"hostname": host.hostname, "addresses": list(host.addresses)}
        for host in organisation.nameservers.all()
    ]
    data["prefixes"] = [prefix.prefix for prefix in organisation.prefixes.all()]
    data["asns"] = [system.asn for system in organisation.asns.all()]
    data["products"] = [
        {"name": p.name, "kind": p.kind, "cpe": p.cpe, "purl": p.purl}
        for p in organisation.products.all()
    ]
    data["contacts"] = [contact_document(contact) for contact in organisation.contacts.all()]
    return data


def export_json(actor: Any, organisations: QuerySet[Organisation]) -> dict[str, Any]:
    """The JSON export document of ``organisations`` (already narrowed to what may be seen)."""
    items = [organisation_document(org) for org in _with_everything(organisations)]
    _record_export(actor, "json", len(items))
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "organisations": items,
    }


def _join(values: Iterable[Any]) -> str:
    return f"{LIST_SEPARATOR} ".join(str(value) for value in values)


def _organisation_row(organisation: Organisation) -> list[Any]:
    data = organisation_document(organisation)
    row = {name: data[name] for name in ORGANISATION_SCALARS}
    row["languages"] = _join(data["languages"])
    row["iana_id"] = "" if data["iana_id"] is None else data["iana_id"]
    row["clients"] = _join(data["clients"])
    row["zones"] = _join(zone["name"] for zone in data["zones"])
    row["nameservers"] = _join(
        " ".join([host["hostname"], *host["addresses"]]) for host in data["nameservers"]
    )
    row["prefixes"] = _join(data["prefixes"])
    row["asns"] = _join(data["asns"])
    row["products"] = _join(f"{p['name']} ({p['kind']})" for p in data["products"])
    return [row[name] for name in ORGANISATION_COLUMNS]


def _contact_row(contact: Contact) -> list[Any]:
    data = contact_document(contact)
    row = {**data, "organisation": contact.organisation.short_name}
    row["languages"] = _join(data["languages"])
    row["last_verified"] = data["last_verified"] or ""
    for flag in ("is_role_mailbox", "is_24x7"):
        row[flag] = "yes" if data[flag] else "no"
    return [row[name] for name in CONTACT_COLUMNS]


def export_csv(actor: Any, organisations: QuerySet[Organisation], entity: str) -> str:
    """CSV text of ``organisations`` or of their contacts (``entity`` is the file kind)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if entity == "organisations":
        writer.writerow(ORGANISATION_COLUMNS)
        rows = [_organisation_row(org) for org in _with_everything(organisations)]
    elif entity == "contacts":
        writer.writerow(CONTACT_COLUMNS)
        contacts = Contact.objects.filter(organisation__in=organisations).select_related(
            "organisation"
        )
        rows = [
            _contact_row(contact)
            for contact in contacts.order_by("organisation__short_name", "email")
        ]
    else:
        raise ValueError(f"unknown CSV file kind {entity!r}; use organisations or contacts.")
    writer.writerows(rows)
    _record_export(actor, f"csv {entity}", len(rows))
    return buffer.getvalue()


def _record_export(actor: Any, what: str, count: int) -> None:
    record(
        actor,
        Action.EXPORT,
        None,
        changes={"format": what, "count": count},
        object_repr=f"directory export ({what}, {count} rows)",
    )


def today_stamp() -> str:
    """A date for export file names."""
    return timezone.localdate().isoformat()
