"""Entry of the PDF reader's child process: `python -m app.rag.extract.pdf_child pages|plain`
(`<binary> pdf-extract …` when frozen). PDF bytes on stdin, the pages as JSON on stdout."""

from __future__ import annotations

import sys

from app.rag.extract.pdf_process import run_child

if __name__ == "__main__":
    sys.exit(run_child(sys.argv[1:]))
