"""Which reader reads an upload or a fetched URL, by its (sniffed) type."""

from __future__ import annotations

from app.domain.enums import KBDocType
from app.rag.chunking import PageText
from app.rag.errors import ExtractionError
from app.rag.extract.docx_reader import extract_docx
from app.rag.extract.pdf_reader import extract_pdf
from app.rag.extract.text_reader import extract_csv, extract_text
from app.rag.extract.url import Fetched, extract_html, fetch_url


def extract(data: bytes, doc_type: KBDocType | str) -> list[PageText]:
    """Text of an uploaded file of the given (sniffed) type. Blocking: run in a thread."""
    match KBDocType(doc_type):
        case KBDocType.PDF:
            return extract_pdf(data)
        case KBDocType.DOCX:
            return [PageText(extract_docx(data))]
        case KBDocType.CSV:
            return [PageText(extract_csv(data))]
        case KBDocType.TXT | KBDocType.MANUAL:
            return [PageText(extract_text(data))]
        case _:
            raise ExtractionError(f"{doc_type} documents are fetched, not uploaded")


def extract_fetched(page: Fetched) -> list[PageText]:
    """Text of a fetched URL: HTML main content, a PDF, or plain text."""
    if page.content_type == "application/pdf" or page.body[:5] == b"%PDF-":
        return extract_pdf(page.body)
    if page.content_type in ("text/plain", "text/markdown", "text/csv"):
        return [PageText(extract_text(page.body))]
    return [PageText(extract_html(page.body, page.url))]


async def ingest_url(
    url: str,
    *,
    allow: tuple[str, ...] = (),
    request_timeout: float = 15.0,
    max_bytes: int = 10 * 2**20,
) -> list[PageText]:
    """Fetch (SSRF-guarded) and extract; the HTML parsing part is CPU-bound but short."""
    return extract_fetched(
        await fetch_url(url, allow=allow, request_timeout=request_timeout, max_bytes=max_bytes)
    )
