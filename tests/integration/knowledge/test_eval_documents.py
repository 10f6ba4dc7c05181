"""Every real document in shared/eval/documents extracts, or fails with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.rag.errors import ExtractionError
from app.rag.extract import extract, extract_html, sniff_type

# file → (expected min characters) or the error text a user would see
CASES: dict[str, int | str] = {
    "pdf/redp5110_sampled.pdf": 25_000,
    "pdf/federal-register-2020-17221.pdf": 55_000,
    "pdf/nics-background-checks-2015-11.pdf": 5_000,
    "pdf/encrypted_owner-only_copy-protected.pdf": 5_000,
    "pdf/malformed_gao-invalid-structure.pdf": 10_000,
    "pdf/malformed_overlay.pdf": 30,
    "pdf/scanned_c02-22.pdf": "no text layer",
    "pdf/scanned_linn.pdf": "no text layer",
    "pdf/encrypted_libreoffice-writer-password.pdf": "password-protected",
    "pdf/malformed_invalid.pdf": "not a readable PDF",
    "docx/handbook-872p.docx": 800_000,
    "docx/word_sample.docx": 500,
    "docx/word_tables.docx": 1_000,
    "csv/customers_csv-comma.csv": 1_000,
    "csv/faq_covidbert.csv": 300_000,
}


@pytest.mark.parametrize(("name", "expected"), CASES.items(), ids=list(CASES))
def test_document(eval_documents: Path, name: str, expected: int | str) -> None:
    data = (eval_documents / name).read_bytes()
    kind = sniff_type(data, name)
    assert kind.value == name.split("/")[0].upper()
    if isinstance(expected, str):
        with pytest.raises(ExtractionError, match=expected):
            extract(data, kind)
    else:
        pages = extract(data, kind)
        assert sum(len(p.text) for p in pages) >= expected


def test_pdf_keeps_page_numbers(eval_documents: Path) -> None:
    pages = extract((eval_documents / "pdf/redp5110_sampled.pdf").read_bytes(), "PDF")
    assert [p.page for p in pages][:3] == [1, 2, 3]
    assert "Identity Theft Resource Center" in next(p.text for p in pages if p.page == 5)


def test_docx_tables_and_headings(eval_documents: Path) -> None:
    text = extract((eval_documents / "docx/word_sample.docx").read_bytes(), "DOCX")[0].text
    assert text.startswith("#") or "\n#" in text
    tables = extract((eval_documents / "docx/word_tables.docx").read_bytes(), "DOCX")[0].text
    assert "Header 0.0: Cell 1.0 | Header 0.1: Cell 1.1" in tables


def test_csv_rows_carry_their_headers(eval_documents: Path) -> None:
    text = extract((eval_documents / "csv/customers_csv-comma.csv").read_bytes(), "CSV")[0].text
    rows = text.split("\n\n")
    assert len(rows) == 5
    assert all("Customer Id: " in r and "Email: " in r for r in rows)
    faq = extract((eval_documents / "csv/faq_covidbert.csv").read_bytes(), "CSV")[0].text
    assert sum(r.startswith("question: ") for r in faq.split("\n\n")) == 213
    assert "<p>" not in faq


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        ("html/wikipedia_duck.html", "Duck", "Jump to navigation"),
        ("html/creativecommons.org_what-we-do.html", "Creative Commons", "Privacy Policy"),
    ],
)
def test_html_main_content_without_boilerplate(
    eval_documents: Path, name: str, present: str, absent: str
) -> None:
    text = extract_html((eval_documents / name).read_bytes())
    assert present in text
    assert absent not in text
