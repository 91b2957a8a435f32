"""Web forms of the directory. They clean input with the directory's validators; saving is
done by the service functions, never by the forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from dnscert.directory import validators
from dnscert.directory.choices import ProductKind, ZoneKind
from dnscert.directory.models import Contact, Organisation


class LanguagesField(forms.CharField):
    """ISO 639-1 codes typed as ``fr, en``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("ISO 639-1 codes, most preferred first, e.g. fr, en"))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return validators.normalise_languages(super().to_python(value))


class OrganisationForm(forms.ModelForm):
    """An organisation's details (staff)."""

    languages = LanguagesField(label=_("Languages"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    security_txt_url = forms.URLField(
        label=_("security.txt URL"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
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
        ]
        widgets = {"clients": forms.SelectMultiple(attrs={"size": 8})}

    def clean_country(self) -> str:
        return validators.normalise_country(self.cleaned_data.get("country", ""))

    def clean_short_name(self) -> str:
        return str(self.cleaned_data.get("short_name", "")).lower()


class ContactForm(forms.ModelForm):
    """A contact at an organisation (staff, or a member of that organisation)."""

    languages = LanguagesField(label=_("Languages"))

    class Meta:
        model = Contact
        fields = [
            "name",
            "is_role_mailbox",
            "role",
            "email",
            "phone",
            "languages",
            "time_zone",
            "is_24x7",
            "pgp_key",
            "pgp_fingerprint",
            "last_verified",
        ]
        widgets = {
            "pgp_key": forms.Textarea(attrs={"rows": 6, "class": "monospace"}),
            "last_verified": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def clean_phone(self) -> str:
        return validators.normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_email(self) -> str:
        return str(self.cleaned_data.get("email", "")).strip().lower()

    def clean_pgp_fingerprint(self) -> str:
        return validators.normalise_fingerprint(self.cleaned_data.get("pgp_fingerprint", ""))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        key = data.get("pgp_key", "")
        if key:
            try:
                found = validators.inspect_public_key(key, data.get("pgp_fingerprint", ""))
            except ValidationError as error:
                self.add_error("pgp_key", error)
            else:
                data["pgp_fingerprint"] = found.fingerprint
                self.instance.pgp_fingerprint = found.fingerprint
        return data


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("Zone"), max_length=253, help_text=_("e.g. shop.xa."))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("from the name")), *ZoneKind.choices],
        required=False,
    )

    def clean_name(self) -> str:
        return validators.normalise_zone_name(self.cleaned_data["name"])

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("kind"):
            data.pop("kind", None)
        return data


class NameserverForm(forms.Form):
    hostname = forms.CharField(label=_("Host name"), max_length=253)
    addresses = forms.CharField(
        label=_("Addresses"), required=False, help_text=_("IPv4 and IPv6, separated by spaces")
    )

    def clean_hostname(self) -> str:
        return validators.normalise_hostname(self.cleaned_data["hostname"])

    def clean_addresses(self) -> list[str]:
        return validators.normalise_addresses(self.cleaned_data.get("addresses", ""))

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PrefixForm(forms.Form):
    # Named "network" because a form's ``prefix`` attribute is taken by Django.
    network = forms.CharField(label=_("IP prefix"), max_length=43, help_text=_("e.g. 192.0.2.0/24"))

    def clean_network(self) -> str:
        return validators.normalise_prefix(self.cleaned_data["network"])

    def service_fields(self) -> dict[str, Any]:
        return {"prefix": self.cleaned_data["network"]}


class AsnForm(forms.Form):
    asn = forms.CharField(label=_("AS number"), max_length=12, help_text=_("e.g. 64496"))

    def clean_asn(self) -> int:
        return validators.normalise_asn(self.cleaned_data["asn"])

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Product"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)
    cpe = forms.CharField(label="CPE", max_length=255, required=False)
    purl = forms.CharField(label="purl", max_length=255, required=False)

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (organisations or contacts) or JSON"))
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("from the file name")), ("csv", "CSV"), ("json", "JSON")],
        required=False,
    )
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form, by field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.error_dict.items():
        target = name if name in form.fields else None
        for problem in problems:
            if target is None and name != NON_FIELD_ERRORS:
                problem = ValidationError(f"{name}: {' '.join(problem.messages)}")
            form.add_error(target, problem)
