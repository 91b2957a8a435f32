"""The platform's PDF rendering: valid PDF out, the text in it, the TLP label, no network."""

from __future__ import annotations

import io
import socket

import pytest
from pypdf import PdfReader

from dnscert.core import pdf


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_it_renders_html_to_a_valid_pdf_with_its_text() -> None:
    data = pdf.html_to_pdf("<h1>Quarterly report</h1><p>Délégation détournée: 3</p>")
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    text = _text(data)
    assert "Quarterly report" in text
    assert "Délégation détournée: 3" in text


def test_it_prints_the_tlp_label_on_every_page() -> None:
    rows = "".join(f"<p>line {n}</p>" for n in range(200))
    data = pdf.html_to_pdf(f"<h1>Long</h1>{rows}", tlp="AMBER+STRICT")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert "TLP:AMBER+STRICT" in page.extract_text()


def test_it_refuses_an_unknown_tlp_label() -> None:
    with pytest.raises(ValueError, match="unknown TLP label"):
        pdf.html_to_pdf("<p>x</p>", tlp="PURPLE")


def test_it_renders_a_django_template(tmp_path, settings) -> None:
    (tmp_path / "doc.html").write_text("<h1>{{ title }}</h1><p>{{ body }}</p>")
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}
    ]
    data = pdf.render_pdf("doc.html", {"title": "Board", "body": "<script>x</script>"}, tlp="GREEN")
    text = _text(data)
    assert "Board" in text
    assert "<script>x</script>" in text  # escaped by the template, printed as text
    assert "TLP:GREEN" in text


def test_it_never_fetches_outside_addresses() -> None:
    # an image on a loopback listener: the renderer must not even connect to it
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.3)
        port = listener.getsockname()[1]
        data = pdf.html_to_pdf(
            f'<p>before</p><img src="http://127.0.0.1:{port}/x.png"><p>after</p>'
        )
        with pytest.raises(TimeoutError):
            listener.accept()
    assert "after" in _text(data)
    with pytest.raises(pdf.PdfError, match="only the platform's static files"):
        pdf.local_fetcher("http://127.0.0.1:1/secret")
    with pytest.raises(pdf.PdfError):
        pdf.local_fetcher("file:///etc/passwd")
    with pytest.raises(pdf.PdfError):
        pdf.local_fetcher(pdf.BASE_URL + "static/../../etc/passwd")


def test_it_serves_static_files_to_the_renderer() -> None:
    fetched = pdf.local_fetcher(pdf.BASE_URL + "static/web/favicon.svg")
    assert fetched["mime_type"] == "image/svg+xml"
    assert b"<svg" in fetched["string"]


def test_it_answers_a_download_with_a_safe_filename() -> None:
    response = pdf.pdf_response(b"%PDF-1.7 x", 'report "q1"/../2026')
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith('.pdf"')
    assert "/" not in disposition.split("filename=")[1]
