"""Forms of the intake: the public and constituent report forms and the triage forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from dnscert.core.choices import TLP, Severity
from dnscert.incidents import taxonomy
from dnscert.incidents.intake import conf
from dnscert.incidents.intake.storage import Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each checked against the size limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        return [item for item in cleaned if item]


def _check_files(files: list[UploadedFile]) -> list[UploadedFile]:
    limit = conf.max_attachment_bytes()
    if len(files) > conf.max_attachments():
        raise forms.ValidationError(
            _("At most %(count)s files may be attached.") % {"count": conf.max_attachments()}
        )
    for item in files:
        if (item.size or 0) > limit:
            raise forms.ValidationError(
                _("%(name)s is %(size)s; the limit is %(limit)s per file.")
                % {
                    "name": item.name,
                    "size": filesizeformat(item.size or 0),
                    "limit": filesizeformat(limit),
                }
            )
    return files


class ReportFormBase(forms.Form):
    """Subject, description and attachments, common to both report forms."""

    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=100_000,
        help_text=_(
            "Domains, name servers, addresses, times (with time zone) and what you saw. "
            "You may paste a PGP message encrypted to our public key instead."
        ),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def clean_attachments(self) -> list[UploadedFile]:
        return _check_files(self.cleaned_data.get("attachments") or [])

    def uploads(self) -> list[Upload]:
        """The attached files, read into memory (their sizes were checked)."""
        return [
            Upload(item.name or "", item.content_type or "", item.read())
            for item in self.cleaned_data.get("attachments") or []
        ]


class PublicReportForm(ReportFormBase):
    """The report form anyone may use; ``website`` is a honeypot people never see."""

    field_order = ["reporter_name", "reporter_email", "subject", "body", "attachments"]

    reporter_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    reporter_email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        help_text=_("We send the acknowledgement with your reference here."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        """True when the honeypot field was filled in."""
        return bool(self.data.get("website", "").strip())


class MemberReportForm(ReportFormBase):
    """The report form of a signed-in constituent: name, e-mail and organisation are known."""


class CreateIncidentForm(forms.Form):
    """Open an incident from a report."""

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=())
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    tlp = forms.ChoiceField(label="TLP", choices=TLP.choices, initial=TLP.AMBER)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = taxonomy.category_choices()


class AttachForm(forms.Form):
    """Attach a report to an incident named by its reference."""

    incident = forms.CharField(
        label=_("Incident reference"), max_length=30, help_text="DNSCERT-2026-0001"
    )


class RejectForm(forms.Form):
    """Reject a report with a reason."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DuplicateForm(forms.Form):
    """Mark a report as a duplicate of another report."""

    original = forms.CharField(label=_("Original report"), max_length=20, help_text="R-2026-000001")
