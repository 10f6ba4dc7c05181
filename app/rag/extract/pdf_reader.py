"""PDF text with page numbers (PyMuPDF). Scanned, encrypted and broken files fail with a reason
instead of producing an empty knowledge base.

The text is repaired for reading (paragraphs, headings, tables as labelled rows, no running
headers): see app/rag/extract/pdf_layout.py.

`extract_pdf` runs the reader in a short-lived child process unless `pdf_in_process` is set
(app/rag/extract/pdf_process.py): the server itself never imports PyMuPDF.
"""

from __future__ import annotations

from app.rag.chunking import PageText
from app.rag.errors import ExtractionError
from app.rag.extract.pdf_layout import (
    assign_heading_levels,
    page_blocks,
    page_text,
    running_text,
    vocabulary,
)
from app.rag.extract.pdf_process import CONFIG, read_in_child

MAX_PAGES = 5000


def extract_pdf(data: bytes, *, password: str | None = None) -> list[PageText]:
    """One `PageText` per page that has text, numbered from 1. Blocking: run in a thread."""
    if CONFIG.in_process:
        return read_pdf(data, password=password)
    return read_in_child(data, password=password)


def read_pdf(data: bytes, *, password: str | None = None) -> list[PageText]:
    """`extract_pdf` in this process (the child's work, or `pdf_in_process`)."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)  # MuPDF's own stderr noise; we raise instead
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as e:  # FileDataError, RuntimeError, ValueError across versions
        raise ExtractionError(f"not a readable PDF (damaged or not a PDF): {e}") from e
    with doc:
        if doc.needs_pass and not (password and doc.authenticate(password)):
            raise ExtractionError("the PDF is password-protected (encrypted); upload it unlocked")
        if doc.page_count == 0:
            raise ExtractionError("the PDF has no pages")
        if doc.page_count > MAX_PAGES:
            raise ExtractionError(f"the PDF has {doc.page_count} pages (limit {MAX_PAGES})")
        try:
            blocks = [page_blocks(page) for page in doc.pages()]
        except Exception as e:
            raise ExtractionError(f"the PDF is damaged: {e}") from e
    running = running_text(blocks)
    assign_heading_levels(blocks)
    words = vocabulary(blocks)
    pages: list[PageText] = []
    for number, page in enumerate(blocks, start=1):
        text = page_text(page, running, words).strip()
        if text:
            pages.append(PageText(text, number))
    if sum(len(p.text) for p in pages) < 20:
        raise ExtractionError(
            "no text layer: the PDF contains only images (a scan); run OCR on it and upload again"
        )
    return pages


def read_plain(data: bytes) -> list[PageText]:
    """PyMuPDF's raw text per page, no repair (the AI path's `document_text` reads these)."""
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return [PageText(page.get_text(), n) for n, page in enumerate(doc, start=1)]
