"""The text inside attached PDF, DOCX and PPTX files: extracted once, bounded, searched."""

import io
import logging

import pytest
from django.contrib.auth.models import AnonymousUser

from resources.models import Licence
from search import document_text, service
from search.models import DocumentText
from search.retry import extract_missing
from tests.resources.helpers import document, package
from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db


def pdf(text):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("STSong-Light", 14)
    page.drawString(72, 760, text)
    page.showPage()
    page.save()
    return out.getvalue()


def docx(*paragraphs):
    import docx as python_docx

    out = io.BytesIO()
    file = python_docx.Document()
    for paragraph in paragraphs:
        file.add_paragraph(paragraph)
    file.save(out)
    return out.getvalue()


def pptx(title):
    from pptx import Presentation

    out = io.BytesIO()
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[1]).shapes.title.text = title
    deck.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("design.pdf", lambda: pdf("教学目标：理解勾股定理的证明过程"), "勾股定理的证明"),
        ("design.docx", lambda: docx("教学重点：勾股定理", "教学难点：面积法证明"), "面积法证明"),
        ("slides.pptx", lambda: pptx("勾股定理的应用"), "勾股定理的应用"),
    ],
)
def test_text_of_pdf_docx_and_pptx_is_extracted(name, content, expected):
    row = document_text.extract(document(name, content()))
    assert row.status == DocumentText.Status.OK
    assert expected in row.text
    assert "勾股" in row.terms.split() or "勾股定理" in row.terms.split()


def test_a_broken_file_is_logged_not_raised(caplog):
    with caplog.at_level(logging.WARNING, logger="search.document_text"):
        row = document_text.extract(document("broken.pdf", b"%PDF-1.4 this is not really a PDF"))
    assert row.status == DocumentText.Status.FAILED and row.text == ""
    assert "could not extract" in caplog.text


def test_unsupported_kinds_are_remembered_without_reading():
    row = document_text.extract(document("lesson.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40))
    assert row.status == DocumentText.Status.UNSUPPORTED


def test_extraction_is_bounded():
    row = document_text.extract(document("long.docx", docx(*["一段很长的教学反思文字。" * 20] * 400)))
    assert row.status == DocumentText.Status.OK
    assert len(row.text) <= document_text.MAX_CHARS


def test_text_is_cached_by_file_hash_and_read_again_when_the_file_changes():
    file = document("design.docx", docx("第一版：勾股定理"))
    document_text.extract(file)
    file.file.storage.delete(file.file.name)  # reading it again would now fail
    assert document_text.extract(file).status == DocumentText.Status.OK, "served from the cache"

    file.file.save("design-v2.docx", io.BytesIO(docx("第二版：相似三角形")), save=False)
    file._set_document_file_metadata()
    file.save()
    row = document_text.extract(file)
    assert "相似三角形" in row.text and "勾股定理" not in row.text


def test_a_lesson_is_found_by_words_only_in_its_documents(library, backend):
    page = package("直角三角形", licence=Licence.PUBLIC)
    design = page.parts.get(kind="teaching_design").document
    design.file.save("design.docx", io.BytesIO(docx("本课通过拼图证明勾股定理。")), save=False)
    design._set_document_file_metadata()
    design.save()
    assert document_text.terms_for_page(page) == "", "indexing reads no file: nothing before extraction"

    # What the beat job does for documents the upload task missed: extract, then re-index the page.
    assert extract_missing() >= 1
    refresh(backend)
    answer = service.search(service.SearchRequest.from_params({"q": "勾股定理"}), AnonymousUser())
    found = {result["title"]: result for result in answer["results"]}
    assert "直角三角形" in found
    assert found["直角三角形"]["highlight"].startswith("《直角三角形-design.pdf》")
    assert "<mark>勾股定理</mark>" in found["直角三角形"]["highlight"]
