"""Blocking extraction helpers (run in worker threads): document text and video frames."""

from __future__ import annotations

import io
import logging

from app.rag.chunking import PageText
from app.rag.extract.pdf_process import CONFIG, read_in_child
from app.rag.extract.pdf_reader import read_plain

log = logging.getLogger(__name__)
MAX_DOC_CHARS = 6000
MAX_FRAMES = 3


def document_text(data: bytes, mime: str | None, filename: str | None) -> str:
    """Plain text of a PDF, DOCX or text file (first `MAX_DOC_CHARS`); "" when unreadable."""
    name = (filename or "").lower()
    mime = mime or ""
    try:
        if mime == "application/pdf" or name.endswith(".pdf"):
            text = "\n".join(page.text for page in _pdf_pages(data))
        elif "wordprocessingml" in mime or name.endswith(".docx"):
            import docx

            text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        elif mime.startswith("text/") or name.endswith((".txt", ".md", ".csv")):
            text = data.decode("utf-8", errors="replace")
        else:
            return ""
    except Exception as exc:  # a corrupt upload must not fail the reply
        log.warning("document not readable: %s", exc)
        return ""
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return text[:MAX_DOC_CHARS]


def _pdf_pages(data: bytes) -> list[PageText]:
    """PyMuPDF's raw page text, read in a child process unless `pdf_in_process` (issue 19)."""
    if CONFIG.in_process:
        return read_plain(data)
    return read_in_child(data, mode="plain")


def video_frames(data: bytes, count: int = MAX_FRAMES) -> list[bytes]:
    """Up to `count` JPEG frames spread over the clip (PyAV); [] when undecodable."""
    try:
        import av

        with av.open(io.BytesIO(data), mode="r") as container:
            stream = container.streams.video[0]
            total = stream.frames or 0
            step = max(1, total // count) if total else 15
            frames: list[bytes] = []
            for i, frame in enumerate(container.decode(stream)):
                if i % step == 0:
                    buffer = io.BytesIO()
                    frame.to_image().save(buffer, format="JPEG", quality=80)
                    frames.append(buffer.getvalue())
                if len(frames) >= count:
                    break
            return frames
    except Exception as exc:
        log.warning("video frames not extracted: %s", exc)
        return []
