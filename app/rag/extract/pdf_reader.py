"""PDF text with page numbers (PyMuPDF). Scanned, encrypted and broken files fail with a reason
instead of producing an empty knowledge base."""

from __future__ import annotations

import re

from app.rag.chunking import PageText
from app.rag.errors import ExtractionError

MAX_PAGES = 5000
_LEADER = re.compile(r"(?:\.\s?){4,}")  # table-of-contents dot leaders: noise for search


def extract_pdf(data: bytes, *, password: str | None = None) -> list[PageText]:
    """One `PageText` per page that has text, numbered from 1."""
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
        pages: list[PageText] = []
        try:
            for number, page in enumerate(doc.pages(), start=1):
                text = _LEADER.sub(" ... ", page.get_text("text").replace("\x00", "")).strip()
                if text:
                    pages.append(PageText(text, number))
        except Exception as e:
            raise ExtractionError(f"the PDF is damaged: {e}") from e
    if sum(len(p.text) for p in pages) < 20:
        raise ExtractionError(
            "no text layer: the PDF contains only images (a scan); run OCR on it and upload again"
        )
    return pages
