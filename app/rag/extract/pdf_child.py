"""The PDF reader's child process (app/rag/extract/pdf_process.py starts it):
`python -m app.rag.extract.pdf_child pages|plain` from source, `<binary> pdf-extract …` when
frozen. PDF bytes on stdin, one JSON `Result` (the pages, or the reader's error) on stdout.

Before it reads anything the child caps its own memory at `AIMY_PDF_MEMORY_MB` (the server's
`pdf_child_memory_mb`): `RLIMIT_DATA`, the memory it allocates (heap, anonymous maps), not
`RLIMIT_AS`, whose address space also counts what is only reserved — thread stacks and
malloc's per-thread arenas, which grow with the core count (the child reserves ~560 MB of
address space to use ~230 MB of data on two cores). Past the cap an allocation fails: MuPDF
skips what it cannot allocate (an image too large is left out, the text still comes), Python
raises `MemoryError`, which fails the document with `memory_error`'s reason.
"""

from __future__ import annotations

import contextlib
import os
import sys

import msgspec

from app.rag.errors import ExtractionError
from app.rag.extract.pdf_process import MEMORY_ENV, PASSWORD_ENV, Result, memory_error
from app.rag.extract.pdf_reader import read_pdf, read_plain


def limit_memory(limit_mb: int) -> None:
    """Cap this process's data at `limit_mb` (POSIX; elsewhere the time limit still holds)."""
    try:
        import resource
    except ImportError:  # Windows
        return
    cap = limit_mb << 20
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    with contextlib.suppress(ValueError, OSError):  # a platform that will not: the time limit
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))


def out_of_memory(exc: BaseException) -> bool:
    """The exception, or one it was raised from, is an allocation that failed."""
    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen).lower()
        if isinstance(seen, MemoryError) or "out of memory" in text or "malloc" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def run_child(argv: list[str]) -> int:
    mode = argv[0] if argv else "pages"
    limit_mb = int(os.environ.get(MEMORY_ENV) or 0)
    if limit_mb:
        limit_memory(limit_mb)
    try:
        data = sys.stdin.buffer.read()
        if mode == "plain":
            pages = read_plain(data)
        else:
            pages = read_pdf(data, password=os.environ.get(PASSWORD_ENV) or None)
        result = Result(pages=[(p.text, p.page) for p in pages])
    except Exception as e:  # MemoryError included
        if limit_mb and out_of_memory(e):
            result = Result(error=memory_error(limit_mb))
        elif isinstance(e, ExtractionError):
            result = Result(error=str(e))
        else:  # the plain reader's own failures: the parent decides what they mean
            result = Result(error=f"not a readable PDF (damaged or not a PDF): {e}")
    sys.stdout.buffer.write(msgspec.json.encode(result))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(run_child(sys.argv[1:]))
