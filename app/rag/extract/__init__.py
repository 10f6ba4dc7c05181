"""Document extraction: bytes of an upload (or a fetched URL) → page texts for chunking.

The names load on first use (app/lazy.py): the PDF reader's child process imports
`app.rag.extract.pdf_child` without the URL fetcher (httpx) and the other readers.
"""

from typing import TYPE_CHECKING

from app.lazy import lazy_exports

if TYPE_CHECKING:
    from app.rag.errors import ExtractionError
    from app.rag.extract.by_type import extract, extract_fetched, ingest_url
    from app.rag.extract.docx_reader import check_zip_bomb, extract_docx
    from app.rag.extract.pdf_reader import extract_pdf
    from app.rag.extract.sniff import MAX_UPLOAD_BYTES, sniff_type
    from app.rag.extract.text_reader import decode_text, extract_csv, extract_text
    from app.rag.extract.url import Fetched, extract_html, fetch_url

__all__ = [
    "MAX_UPLOAD_BYTES",
    "ExtractionError",
    "Fetched",
    "check_zip_bomb",
    "decode_text",
    "extract",
    "extract_csv",
    "extract_docx",
    "extract_fetched",
    "extract_html",
    "extract_pdf",
    "extract_text",
    "fetch_url",
    "ingest_url",
    "sniff_type",
]
__getattr__ = lazy_exports(
    __name__,
    {
        "ExtractionError": "app.rag.errors",
        **dict.fromkeys(["extract", "extract_fetched", "ingest_url"], "app.rag.extract.by_type"),
        **dict.fromkeys(["check_zip_bomb", "extract_docx"], "app.rag.extract.docx_reader"),
        "extract_pdf": "app.rag.extract.pdf_reader",
        **dict.fromkeys(["MAX_UPLOAD_BYTES", "sniff_type"], "app.rag.extract.sniff"),
        **dict.fromkeys(
            ["decode_text", "extract_csv", "extract_text"], "app.rag.extract.text_reader"
        ),
        **dict.fromkeys(["Fetched", "extract_html", "fetch_url"], "app.rag.extract.url"),
    },
)
