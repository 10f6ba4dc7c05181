"""PDF text extraction in a short-lived child process (issue 19).

PyMuPDF (with pymupdf4llm and the ONNX Runtime it pulls in) costs the server ~80 MB that it
never gives back once imported; a child process reads the PDF, prints the pages as JSON and
exits, so the server never imports it and the child's memory is returned with its exit. The
child is `python -m app.rag.extract.pdf_child` from source and `<binary> pdf-extract` when
frozen (as the channel worker). A damaged or encrypted PDF fails with the same message the
in-process reader gives; a child that crashes or runs past its time limit is killed and the
document fails with a reason — ingestion never hangs on it.

`pdf_in_process` (settings) keeps the reader in the server for whoever prefers that.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import msgspec

from app.rag.chunking import PageText
from app.rag.errors import ExtractionError

log = logging.getLogger(__name__)

Mode = Literal["pages", "plain"]  # the knowledge base's repaired pages / the AI path's raw text
PASSWORD_ENV = "AIMY_PDF_PASSWORD"


@dataclass(slots=True)
class PdfReaderConfig:
    """Set once at start from the settings (`configure`); the default is the child process."""

    in_process: bool = False
    timeout_s: float = 120.0


CONFIG = PdfReaderConfig()


def configure(*, in_process: bool, timeout_s: float) -> None:
    CONFIG.in_process = in_process
    CONFIG.timeout_s = timeout_s


class Result(msgspec.Struct, omit_defaults=True):
    """What the child (app/rag/extract/pdf_child.py) prints: the pages (text, page number)
    or the reader's error."""

    pages: list[tuple[str, int | None]] = []
    error: str | None = None


def child_command(mode: Mode) -> list[str]:
    """`python -m …` from source, `<binary> pdf-extract` when frozen."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "pdf-extract", mode]
    return [sys.executable, "-m", "app.rag.extract.pdf_child", mode]


def _child_env(password: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop(PASSWORD_ENV, None)
    if password:
        env[PASSWORD_ENV] = password  # not on the command line, where `ps` would show it
    if not getattr(sys, "frozen", False):  # the child imports `app` whatever its cwd
        root = str(Path(__file__).resolve().parents[3])
        paths = [root, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def read_in_child(
    data: bytes,
    *,
    mode: Mode = "pages",
    password: str | None = None,
    timeout_s: float | None = None,
) -> list[PageText]:
    """The child's pages; `ExtractionError` with the reader's reason, or on a crash/time-out.
    Blocking: run in a thread."""
    limit = CONFIG.timeout_s if timeout_s is None else timeout_s
    try:
        done = subprocess.run(  # noqa: S603 - our own module, fixed argv, no shell
            child_command(mode),
            input=data,
            capture_output=True,
            timeout=limit,
            env=_child_env(password),
            check=False,
        )
    except subprocess.TimeoutExpired as e:  # subprocess.run has killed and reaped the child
        raise ExtractionError(
            f"reading the PDF took longer than {limit:g} s; it was stopped (damaged or too complex)"
        ) from e
    try:
        result = msgspec.json.decode(done.stdout, type=Result)
    except msgspec.DecodeError:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        log.warning("PDF reader process exited with %s: %s", done.returncode, tail[0])
        raise ExtractionError(
            f"the PDF reader crashed on this file (exit code {done.returncode}); the PDF is "
            "probably damaged"
        ) from None
    if result.error is not None:
        raise ExtractionError(result.error)
    return [PageText(text, page) for text, page in result.pages]
