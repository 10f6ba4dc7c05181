"""The PDF reader's child process (app/rag/extract/pdf_process.py starts it):
`python -m app.rag.extract.pdf_child pages|plain` from source, `<binary> pdf-extract …` when
frozen. PDF bytes on stdin, one JSON `Result` (the pages, or the reader's error) on stdout."""

from __future__ import annotations

import os
import sys

import msgspec

from app.rag.errors import ExtractionError
from app.rag.extract.pdf_process import PASSWORD_ENV, Result
from app.rag.extract.pdf_reader import read_pdf, read_plain


def run_child(argv: list[str]) -> int:
    mode = argv[0] if argv else "pages"
    data = sys.stdin.buffer.read()
    try:
        if mode == "plain":
            pages = read_plain(data)
        else:
            pages = read_pdf(data, password=os.environ.get(PASSWORD_ENV) or None)
        result = Result(pages=[(p.text, p.page) for p in pages])
    except ExtractionError as e:
        result = Result(error=str(e))
    except Exception as e:  # the plain reader's own failures: the parent decides what they mean
        result = Result(error=f"not a readable PDF (damaged or not a PDF): {e}")
    sys.stdout.buffer.write(msgspec.json.encode(result))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(run_child(sys.argv[1:]))
