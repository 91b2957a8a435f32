"""Attachment files: checked against the size limits, stored by SHA-256 under the media dir."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

from dnscert.core.exceptions import InvalidInput
from dnscert.incidents.intake import conf, mime
from dnscert.incidents.intake.models import Report, ReportAttachment

MAX_CONTENT_TYPE = 150


@dataclass(frozen=True)
class Upload:
    """A file to attach: name, declared content type and bytes."""

    filename: str
    content_type: str
    data: bytes


def check_uploads(uploads: list[Upload], field: str = "attachments") -> None:
    """Refuse too many files or a file over the size limit, naming the file and the limit."""
    limit = conf.max_attachment_bytes()
    if len(uploads) > conf.max_attachments():
        raise InvalidInput(field, f"at most {conf.max_attachments()} files may be attached")
    for upload in uploads:
        if len(upload.data) > limit:
            raise InvalidInput(
                field,
                f"{upload.filename or 'a file'} is {filesizeformat(len(upload.data))}; "
                f"the limit is {filesizeformat(limit)} per file",
            )


def store(report: Report, upload: Upload) -> ReportAttachment:
    """Save ``upload`` as an attachment of ``report`` (the caller checked the limits)."""
    digest = hashlib.sha256(upload.data).hexdigest()
    filename = mime.safe_filename(upload.filename) or f"attachment-{digest[:12]}"
    attachment = ReportAttachment(
        report=report,
        filename=filename,
        content_type=_content_type(upload, filename),
        size=len(upload.data),
        sha256=digest,
    )
    attachment.file.save(digest, ContentFile(upload.data), save=False)
    attachment.save()
    return attachment


def _content_type(upload: Upload, filename: str) -> str:
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared and "/" in declared and declared.isascii():
        return declared[:MAX_CONTENT_TYPE]
    guessed, _encoding = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"
