"""PDF and DOCX written by PyMuPDF / python-docx in the test, plus a DOCX zip bomb."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.rag.errors import ExtractionError
from app.rag.extract import extract, sniff_type

FACTS = [
    "Our store opens at 9 am and closes at 6 pm from Monday to Saturday.",
    "Refunds are accepted within 30 days when the receipt is presented.",
    "Delivery to Lisbon takes three business days and costs 4 euros.",
]


def make_pdf(pages: list[str]) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page()
        page.insert_textbox(pymupdf.Rect(50, 50, 550, 800), text, fontsize=11)
    data = doc.tobytes()
    doc.close()
    return data


def make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Shipping policy", level=1)
    d.add_paragraph(FACTS[2])
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Plan", "Price"), ("Basic", "10 USD"), ("Pro", "25 USD")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    d.add_heading("Returns", level=2)
    d.add_paragraph(FACTS[1])
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_generated_pdf_pages_and_text() -> None:
    data = make_pdf(FACTS)
    assert sniff_type(data, "upload.bin").value == "PDF"
    pages = extract(data, "PDF")
    assert [p.page for p in pages] == [1, 2, 3]
    assert "Refunds are accepted within 30 days" in pages[1].text


def test_generated_pdf_without_text_is_refused() -> None:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.draw_rect(pymupdf.Rect(10, 10, 200, 200), color=(0, 0, 0), fill=(0.5, 0.5, 0.5))
    with pytest.raises(ExtractionError, match="no text layer"):
        extract(doc.tobytes(), "PDF")


def test_generated_encrypted_pdf_is_refused() -> None:
    import pymupdf

    doc = pymupdf.open(stream=make_pdf(FACTS[:1]), filetype="pdf")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")
    with pytest.raises(ExtractionError, match="password-protected"):
        extract(data, "PDF")


def test_truncated_pdf_fails_cleanly() -> None:
    data = make_pdf(FACTS)
    with pytest.raises(ExtractionError):
        extract(data[: len(data) // 3] + b"garbage", "PDF")


def test_generated_docx_headings_paragraphs_table() -> None:
    data = make_docx()
    assert sniff_type(data, "x.docx").value == "DOCX"
    text = extract(data, "DOCX")[0].text
    assert text.startswith("# Shipping policy")
    assert "## Returns" in text
    assert "Plan: Basic | Price: 10 USD" in text
    assert FACTS[1] in text


def test_docx_zip_bomb_is_refused_before_parsing() -> None:
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(make_docx())) as src,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("word/media/bomb.bin", b"\0" * (300 * 2**20))  # 300 MB of zeros, ~300 KB
    data = buf.getvalue()
    assert len(data) < 2 * 2**20
    assert sniff_type(data, "bomb.docx").value == "DOCX"
    with pytest.raises(ExtractionError, match="zip bomb"):
        extract(data, "DOCX")


def test_docx_high_ratio_entry_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document/>" + b" " * (20 * 2**20))
    with pytest.raises(ExtractionError, match="zip bomb"):
        extract(buf.getvalue(), "DOCX")


def test_corrupt_docx_fails_cleanly() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", b"<not-xml")
    with pytest.raises(ExtractionError, match="not a readable DOCX"):
        extract(buf.getvalue(), "DOCX")
