"""PDF documents of the platform: Django HTML templates rendered to PDF with WeasyPrint.

Any app renders a report a board can print with :func:`render_pdf` (a template and its
context) or :func:`html_to_pdf` (ready HTML), and answers a download with
:func:`pdf_response`. Every page carries the TLP label in its header and footer, as TLP 2.0
asks of documents, and a page number.

The renderer never reaches the network: a document may only load the platform's own static
files (``/static/...``) and ``data:`` URIs; any other address is refused, so user text that
slips a link into a report cannot make the server fetch it. WeasyPrint needs Pango and
fontconfig from the system (Debian: ``libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
fonts-dejavu-core``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.text import get_valid_filename

from dnscert.core.choices import TLP
from dnscert.core.exceptions import DnscertError

#: Base of relative addresses in documents; only static files below it are ever loaded.
BASE_URL = "https://dnscert.invalid/"

PDF_MIME = "application/pdf"

#: The page layout every document gets; a template adds its own styles on top.
BASE_CSS = """
@page {
  size: A4;
  margin: 22mm 16mm 20mm 16mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #555; }
  @bottom-left { content: string(doc-title); font-size: 8pt; color: #555; }
}
html { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9.5pt;
       line-height: 1.35; color: #111; }
h1 { font-size: 18pt; margin: 0 0 4mm; string-set: doc-title content(); }
h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 0.5pt solid #888; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
th, td { border: 0.5pt solid #999; padding: 1.2mm 1.8mm; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { page-break-inside: avoid; }
td.num, th.num { text-align: right; }
pre, .pre { white-space: pre-wrap; word-wrap: break-word; font-family: "DejaVu Sans Mono",
            monospace; font-size: 8.5pt; }
.muted { color: #555; }
"""


class PdfError(DnscertError):
    """A document could not be rendered; the message says which and why."""


def tlp_css(tlp: str | None) -> str:
    """Page-margin rules that print the TLP label top and bottom (TLP 2.0 colours on black)."""
    if not tlp:
        return ""
    label = TLP.parse(tlp)
    box = (
        f'content: "{label.label_text}"; color: {label.colour}; background: #000; '
        "font-weight: bold; font-size: 8.5pt; padding: 0.6mm 1.6mm;"
    )
    return f"@page {{ @top-right {{ {box} }} @bottom-center {{ {box} }} }}"


def html_to_pdf(html: str, *, tlp: str | None = None, extra_css: str = "") -> bytes:
    """The PDF of ``html``, laid out with :data:`BASE_CSS`, labelled ``tlp`` when given."""
    from weasyprint import CSS, HTML  # imported here: it loads Pango, which is slow to start

    stylesheets = [CSS(string=BASE_CSS + tlp_css(tlp) + extra_css)]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=local_fetcher)
    try:
        pdf = document.write_pdf(stylesheets=stylesheets)
    except Exception as error:  # WeasyPrint raises many kinds; name the cause clearly
        raise PdfError(f"cannot render the PDF document: {error}") from error
    if not pdf:
        raise PdfError("cannot render the PDF document: the renderer returned nothing")
    return bytes(pdf)


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
    tlp: str | None = None,
) -> bytes:
    """Render the Django template ``template_name`` with ``context`` and return its PDF."""
    html = render_to_string(template_name, dict(context), request=request)
    return html_to_pdf(html, tlp=tlp)


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A download response for ``pdf`` named ``filename`` (made safe, ``.pdf`` added)."""
    name = get_valid_filename(filename) or "document"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    response = HttpResponse(pdf, content_type=PDF_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def local_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """WeasyPrint URL fetcher that serves the platform's static files and nothing else."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return dict(default_url_fetcher(url))
    path = static_path_of(url)
    if path is None:
        raise PdfError(f"document may not load {url!r}: only the platform's static files")
    mime, _encoding = mimetypes.guess_type(path.name)
    return {"string": path.read_bytes(), "mime_type": mime or "application/octet-stream"}


def static_path_of(url: str) -> Path | None:
    """The file behind a ``/static/...`` address of :data:`BASE_URL`, or None."""
    base = urlparse(BASE_URL)
    parsed = urlparse(url)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if (parsed.scheme, parsed.netloc) != (base.scheme, base.netloc):
        return None
    if not parsed.path.startswith(prefix):
        return None
    relative = unquote(parsed.path[len(prefix) :])
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    return Path(found) if isinstance(found, str) else None
