"""Upload type detection from magic bytes (never trusting the filename alone) + the size cap."""

from __future__ import annotations

import io
import zipfile

from app.domain.enums import KBDocType
from app.domain.knowledge import MAX_UPLOAD_BYTES
from app.rag.errors import ExtractionError

_TEXT_EXT = {
    ".txt": KBDocType.TXT,
    ".md": KBDocType.TXT,
    ".markdown": KBDocType.TXT,
    ".csv": KBDocType.CSV,
    ".tsv": KBDocType.CSV,
}


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # a multibyte char cut at the end of the sample is fine
            return False
    return True


def sniff_type(
    data: bytes, filename: str | None = None, *, max_bytes: int = MAX_UPLOAD_BYTES
) -> KBDocType:
    """PDF, DOCX, CSV or TXT from the content; the extension only tells CSV from TXT."""
    if len(data) > max_bytes:
        raise ExtractionError(f"file too large: {len(data)} bytes (limit {max_bytes // 2**20} MB)")
    if not data:
        raise ExtractionError("empty file")
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return KBDocType.PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return KBDocType.DOCX
        except zipfile.BadZipFile as e:
            raise ExtractionError("corrupt ZIP container") from e
        raise ExtractionError("unsupported ZIP file (only .docx Word documents are accepted)")
    if _looks_like_text(data[:8192]):
        ext = "." + filename.rsplit(".", 1)[-1].lower() if filename and "." in filename else ""
        return _TEXT_EXT.get(ext, KBDocType.TXT)
    raise ExtractionError("unsupported file type (accepted: PDF, DOCX, TXT, MD, CSV)")
