"""CSAF 2.0 rendering of advisories and its validation with the ``csaf`` validator.

:func:`to_csaf` renders one advisory as ``csaf_security_advisory``,
``csaf_informational_advisory`` or ``csaf_security_incident_response`` (its
``csaf_category``). TLP 2.0 labels map to the CSAF 2.0 (TLP 1.0) labels by :data:`CSAF_TLP`;
TLP:AMBER+STRICT has no CSAF 2.0 label and is rendered as ``AMBER`` with
``distribution.text`` stating the stricter restriction (the policy is in ``docs/csaf.md``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dnscert.advisories import conf
from dnscert.advisories.choices import AdvisoryStatus, CsafCategory, ProductStatus
from dnscert.core.choices import TLP

if TYPE_CHECKING:
    from dnscert.advisories.models import Advisory, AdvisoryRevision, AffectedProduct

CSAF_VERSION = "2.0"
CSAF_SCHEMA_URL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
TLP_URL = "https://www.first.org/tlp/"
ENGINE_NAME = "dnscert"

#: TLP 2.0 label of the platform -> CSAF 2.0 ``distribution.tlp.label``.
CSAF_TLP: dict[str, str] = {
    TLP.CLEAR: "WHITE",
    TLP.GREEN: "GREEN",
    TLP.AMBER: "AMBER",
    TLP.AMBER_STRICT: "AMBER",
    TLP.RED: "RED",
}

AMBER_STRICT_TEXT = (
    "TLP:AMBER+STRICT. CSAF 2.0 has no label for TLP:AMBER+STRICT, so this document is "
    "labelled AMBER; the source restricts it further: recipients may share it only with "
    "members of their own organisation on a need-to-know basis, not with its clients."
)

#: Words and signs that make a version text a range (CSAF test 6.1.31).
RANGE_PATTERN = re.compile(
    r"(<|>|\ball\b|\bafter\b|\bbefore\b|\bearlier\b|\blater\b|\bprior\b|\bversions\b|\s-\s|\bto\b)",
    re.IGNORECASE,
)

#: Rules whose failure refuses publication: the schema and the mandatory tests (preset basic).
VALIDATION_PRESET = "basic"


SIMPLE_RANGE = re.compile(r"^\s*([0-9][\w.+~]*)\s+(?:-|to)\s+([0-9][\w.+~]*)\s*$", re.IGNORECASE)


def vers_range(text: str) -> str:
    """``9.0.0 - 9.4.2`` as ``vers:generic/>=9.0.0|<=9.4.2``; other ranges as written."""
    match = SIMPLE_RANGE.match(text)
    if match is None:
        return text
    return f"vers:generic/>={match.group(1)}|<={match.group(2)}"


def csaf_tlp_label(tlp: str) -> str:
    """The CSAF 2.0 label of a platform TLP label (``CLEAR`` becomes ``WHITE``)."""
    return CSAF_TLP[TLP.parse(tlp)]


def filename_for(tracking_id: str) -> str:
    """The CSAF file name of ``tracking_id`` (spec section 5.1)."""
    return re.sub(r"[^+\-a-z0-9]+", "_", tracking_id.lower()) + ".json"


def csaf_date(value: datetime) -> str:
    """An RFC 3339 UTC timestamp with milliseconds, as CSAF writes dates."""
    utc = value.astimezone(UTC) if timezone.is_aware(value) else value
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def localized_texts(advisory: Advisory, language: str) -> dict[str, str]:
    """Title, summary, details and recommendations in ``language``, else the original."""
    texts = {
        "title": advisory.title,
        "summary": advisory.summary,
        "details": advisory.details,
        "recommendations": advisory.recommendations,
        "lang": advisory.language,
    }
    if language != advisory.language:
        translation = advisory.translations.filter(language=language).first()
        if translation is not None:
            texts.update(
                {
                    "title": translation.title,
                    "summary": translation.summary,
                    "details": translation.details or advisory.details,
                    "recommendations": translation.recommendations or advisory.recommendations,
                    "lang": language,
                }
            )
    return texts


def _revisions(advisory: Advisory, extra: AdvisoryRevision | None) -> list[dict[str, str]]:
    rows = list(advisory.revisions.order_by("number")) if advisory.pk else []
    if extra is not None:
        rows.append(extra)
    return [
        {"date": csaf_date(row.date), "number": str(row.number), "summary": row.summary}
        for row in rows
    ]


def _tracking(advisory: Advisory, extra: AdvisoryRevision | None) -> dict[str, Any]:
    history = _revisions(advisory, extra)
    if history:
        status = "final"
        version = history[-1]["number"]
    else:
        now = csaf_date(timezone.now())
        history = [{"date": now, "number": "0", "summary": "Draft, not yet released."}]
        status = "draft"
        version = "0"
    return {
        "current_release_date": history[-1]["date"],
        "generator": {
            "date": history[-1]["date"],
            "engine": {"name": ENGINE_NAME, "version": _engine_version()},
        },
        "id": advisory.reference,
        "initial_release_date": history[0]["date"],
        "revision_history": history,
        "status": status,
        "version": version,
    }


def _engine_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dnscert")
    except PackageNotFoundError:  # pragma: no cover - the project is installed in every setup
        return "0"


def _distribution(advisory: Advisory) -> dict[str, Any]:
    distribution: dict[str, Any] = {"tlp": {"label": csaf_tlp_label(advisory.tlp), "url": TLP_URL}}
    if advisory.tlp == TLP.AMBER_STRICT:
        distribution["text"] = AMBER_STRICT_TEXT
    else:
        distribution["text"] = f"{TLP.parse(advisory.tlp).label_text} (FIRST TLP 2.0)."
    return distribution


def _notes(advisory: Advisory, texts: dict[str, str]) -> list[dict[str, str]]:
    notes = [{"category": "summary", "title": "Summary", "text": texts["summary"]}]
    if texts["details"]:
        notes.append({"category": "details", "title": "Details", "text": texts["details"]})
    if texts["recommendations"]:
        notes.append(
            {"category": "general", "title": "Recommendations", "text": texts["recommendations"]}
        )
    if advisory.status == AdvisoryStatus.WITHDRAWN or advisory.withdrawal_reason:
        notes.append(
            {
                "category": "general",
                "title": "Withdrawal",
                "text": f"This advisory has been withdrawn: {advisory.withdrawal_reason}",
            }
        )
    notes.append(
        {
            "category": "legal_disclaimer",
            "title": "Terms of use",
            "text": f"{TLP.parse(advisory.tlp).label_text}: share according to FIRST TLP 2.0.",
        }
    )
    return notes


def _references(advisory: Advisory, initial_year: str) -> list[dict[str, str]]:
    refs = [
        {
            "category": "self",
            "summary": f"Canonical URL of {advisory.reference}",
            "url": canonical_url(advisory, initial_year),
        },
        {
            "category": "self",
            "summary": f"Advisory {advisory.reference}",
            "url": conf.site_url() + f"/advisories/{advisory.reference}/",
        },
    ]
    refs += [
        {"category": "external", "summary": ref["summary"], "url": ref["url"]}
        for ref in advisory.references
    ]
    return refs


class _ProductTree:
    """Builds ``product_tree`` branches (vendor / product name / version) and product ids."""

    def __init__(self) -> None:
        self.vendors: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
        self.orphans: dict[str, list[dict[str, Any]]] = {}
        self.ids_by_row: dict[int, list[str]] = {}
        self.count = 0

    def _next_id(self) -> str:
        self.count += 1
        return f"CSAFPID-{self.count:04d}"

    def add(self, index: int, row: AffectedProduct) -> None:
        vendor = row.vendor_name
        products = self.vendors[vendor] if vendor else self.orphans
        leaves = products.setdefault(row.product_name, [])
        ids: list[str] = []
        versions = [v.strip() for v in row.versions.split(",") if v.strip()]
        label = f"{vendor} {row.product_name}".strip()
        for text in versions or [""]:
            product_id = self._next_id()
            ids.append(product_id)
            product: dict[str, Any] = {
                "name": f"{label} {text}".strip(),
                "product_id": product_id,
            }
            helper = _identification_helper(row)
            if helper:
                product["product_identification_helper"] = helper
            if text:
                if RANGE_PATTERN.search(text):
                    leaves.append(
                        {
                            "category": "product_version_range",
                            "name": vers_range(text),
                            "product": product,
                        }
                    )
                else:
                    leaves.append({"category": "product_version", "name": text, "product": product})
            else:
                leaves.append({"product": product})
        self.ids_by_row[index] = ids

    def _product_branch(self, name: str, leaves: list[dict[str, Any]]) -> dict[str, Any]:
        versioned = [leaf for leaf in leaves if "category" in leaf]
        bare = [leaf for leaf in leaves if "category" not in leaf]
        branch: dict[str, Any] = {"category": "product_name", "name": name}
        if versioned:
            branch["branches"] = versioned
            if bare:  # a row without versions next to versioned ones: "all versions"
                branch["branches"] = versioned + [
                    {"category": "product_version_range", "name": "vers:all/*", **leaf}
                    for leaf in bare
                ]
        else:
            branch["product"] = bare[0]["product"]
            for extra in bare[1:]:
                branch.setdefault("branches", []).append(
                    {"category": "product_version_range", "name": "vers:all/*", **extra}
                )
            if "branches" in branch:
                first = branch.pop("product")
                branch["branches"].insert(
                    0, {"category": "product_version_range", "name": "vers:all/*", "product": first}
                )
        return branch

    def render(self) -> dict[str, Any]:
        branches = [
            {
                "category": "vendor",
                "name": vendor,
                "branches": [self._product_branch(n, leaves) for n, leaves in products.items()],
            }
            for vendor, products in self.vendors.items()
        ]
        branches += [self._product_branch(n, leaves) for n, leaves in self.orphans.items()]
        return {"branches": branches}


def _identification_helper(row: AffectedProduct) -> dict[str, str]:
    helper: dict[str, str] = {}
    if row.product is not None and row.product.cpe:
        helper["cpe"] = row.product.cpe
    if row.product is not None and row.product.purl:
        helper["purl"] = row.product.purl
    return helper


def _vulnerabilities(
    advisory: Advisory, texts: dict[str, str], rows: list[AffectedProduct], tree: _ProductTree
) -> list[dict[str, Any]]:
    status: dict[str, list[str]] = defaultdict(list)
    not_affected_statements: list[tuple[str, list[str]]] = []
    for index, row in enumerate(rows):
        ids = tree.ids_by_row[index]
        status[row.status].extend(ids)
        if row.status == ProductStatus.KNOWN_NOT_AFFECTED and row.statement:
            not_affected_statements.append((row.statement, ids))
    base: dict[str, Any] = {
        "notes": [
            {
                "category": "description",
                "title": "Description",
                "text": texts["details"] or texts["summary"],
            }
        ],
    }
    if status:
        base["product_status"] = {key: ids for key, ids in status.items() if ids}
    remediations = []
    needing = status.get(ProductStatus.KNOWN_AFFECTED, []) + status.get(
        ProductStatus.UNDER_INVESTIGATION, []
    )
    if needing and texts["recommendations"]:
        remediations.append(
            {"category": "mitigation", "details": texts["recommendations"], "product_ids": needing}
        )
    fixed_rows = [
        (row, tree.ids_by_row[i]) for i, row in enumerate(rows) if row.status == ProductStatus.FIXED
    ]
    for row, ids in fixed_rows:
        remediations.append(
            {
                "category": "vendor_fix",
                "details": row.statement or "Fixed in this version.",
                "product_ids": ids,
            }
        )
    if remediations:
        base["remediations"] = remediations
    threats = [
        {"category": "impact", "details": statement, "product_ids": ids}
        for statement, ids in not_affected_statements
    ]
    if threats:
        base["threats"] = threats
    if not advisory.cve_ids:
        return [{"title": texts["title"], **base}]
    return [{"cve": cve, "title": texts["title"], **base} for cve in advisory.cve_ids]


def to_csaf(
    advisory: Advisory,
    language: str = "en",
    *,
    extra_revision: AdvisoryRevision | None = None,
) -> dict[str, Any]:
    """The advisory as a CSAF 2.0 document (a dict ready for ``json.dumps``).

    ``language`` picks the translation (falling back to the original language);
    ``extra_revision`` is a revision about to be published, rendered as the current one.
    """
    texts = localized_texts(advisory, language)
    document: dict[str, Any] = {
        "category": advisory.csaf_category,
        "csaf_version": CSAF_VERSION,
        "distribution": _distribution(advisory),
        "lang": texts["lang"],
        "notes": _notes(advisory, texts),
        "publisher": {
            "category": "coordinator",
            "name": conf.publisher_name(),
            "namespace": conf.publisher_namespace(),
        },
        "title": texts["title"],
        "tracking": _tracking(advisory, extra_revision),
    }
    document["references"] = _references(advisory, document["tracking"]["initial_release_date"][:4])
    if texts["lang"] != advisory.language:
        document["source_lang"] = advisory.language
    document["aggregate_severity"] = {"text": advisory.severity}
    if advisory.credits:
        document["acknowledgments"] = [
            {
                "names": [credit["name"]],
                **({"summary": credit["summary"]} if credit.get("summary") else {}),
            }
            for credit in advisory.credits
        ]
    result: dict[str, Any] = {"document": document}
    if advisory.csaf_category == CsafCategory.INFORMATIONAL_ADVISORY:
        return _sorted_keys(result)
    rows = (
        list(advisory.affected.select_related("vendor", "product__vendor")) if advisory.pk else []
    )
    tree = _ProductTree()
    for index, row in enumerate(rows):
        tree.add(index, row)
    if rows:
        result["product_tree"] = tree.render()
    if advisory.csaf_category == CsafCategory.SECURITY_ADVISORY or (advisory.cve_ids and rows):
        result["vulnerabilities"] = _vulnerabilities(advisory, texts, rows, tree)
    return _sorted_keys(result)


def _sorted_keys(value: Any) -> Any:
    """``value`` with every object's keys in alphabetical order (CSAF test 6.2.13)."""
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def canonical_url(advisory: Advisory, initial_year: str) -> str:
    """Where the CSAF file of ``advisory`` lives: the public directory for TLP:CLEAR ones."""
    name = filename_for(advisory.reference)
    if advisory.tlp == TLP.CLEAR:
        return f"{conf.site_url()}/.well-known/csaf/white/{initial_year}/{name}"
    return f"{conf.site_url()}/advisories/{advisory.reference}/csaf/{name}"


def validate_document(document: dict[str, Any], preset: str = VALIDATION_PRESET) -> Any:
    """The ``csaf`` validator's report on ``document`` (CSAF 2.0, offline)."""
    from csaf.csaf.v20 import validate

    return validate(document, preset=preset)


def validation_problems(document: dict[str, Any], preset: str = VALIDATION_PRESET) -> list[str]:
    """One line per failed rule, naming it (``6.1.27.4 ...: message at /path``); empty if valid."""
    report = validate_document(document, preset)
    problems: list[str] = []
    for result in report.results:
        if result.passed or result.skipped:
            continue
        for error in result.errors or ():
            where = f" at {error.instance_path}" if error.instance_path else ""
            problems.append(f"{result.id} {result.title}: {error.message}{where}")
        if not result.errors:
            problems.append(f"{result.id} {result.title}: failed")
    return problems
