"""PDF text extraction in a short-lived child process (issue 19).

PyMuPDF (with pymupdf4llm and the ONNX Runtime it pulls in) costs the server ~80 MB that it
never gives back once imported; a child process reads the PDF, prints the pages as JSON and
exits, so the server never imports it and the child's memory is returned with its exit. The
child is `python -m app.rag.extract.pdf_child` from source and `<binary> pdf-extract` when
frozen (as the channel worker). A damaged or encrypted PDF fails with the same message the
in-process reader gives; a child that crashes or runs past its time limit is killed and the
document fails with a reason — ingestion never hangs on it.

The child gets only what reading a PDF needs: an environment without the server's secrets
(`child_env`: no `AIMY_*` master key, database URL or provider keys — a PDF exploit in MuPDF
would find nothing to steal there) and a memory cap (`pdf_child_memory_mb`, set by the child on
itself: app/rag/extract/pdf_child.py), so a hostile PDF cannot take the server's RAM with it.

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
MEMORY_ENV = "AIMY_PDF_MEMORY_MB"  # the child's cap, read by the child before it reads the PDF
# what the child may see of the server's environment: the interpreter's and the C libraries'
# own settings (paths, locale, temp dir, Windows' system variables), PyInstaller's when frozen
# (the onefile bootloader finds its unpacked copy through `_PYI_*` / `_MEIPASS2`, and sets the
# library path), nothing of the app's
ENV_NAMES = frozenset(
    {
        "PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TMP", "TEMP", "LANG", "LANGUAGE",
        "TZ", "LD_LIBRARY_PATH", "LD_LIBRARY_PATH_ORIG", "DYLD_LIBRARY_PATH",
        "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "PATHEXT", "USERPROFILE",
        "LOCALAPPDATA", "APPDATA", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE",
    }
)  # fmt: skip
ENV_PREFIXES = ("LC_", "PYTHON", "_PYI_", "_MEIPASS")


@dataclass(slots=True)
class PdfReaderConfig:
    """Set once at start from the settings (`configure`); the default is the child process."""

    in_process: bool = False
    timeout_s: float = 120.0
    memory_mb: int = 1024  # the child's data limit; 0: none


CONFIG = PdfReaderConfig()


def configure(*, in_process: bool, timeout_s: float, memory_mb: int = 1024) -> None:
    CONFIG.in_process = in_process
    CONFIG.timeout_s = timeout_s
    CONFIG.memory_mb = max(0, memory_mb)


def memory_error(limit_mb: int) -> str:
    """The failed document's reason when the child ran into its memory cap."""
    return (
        f"reading the PDF needed more than {limit_mb} MB of memory (pdf_child_memory_mb); it "
        "was stopped (damaged, hostile or far too complex)"
    )


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


def child_env(password: str | None, memory_mb: int) -> dict[str, str]:
    """The child's whole environment: `ENV_NAMES`/`ENV_PREFIXES` of ours, and its own two."""
    env = {k: v for k, v in os.environ.items() if k in ENV_NAMES or k.startswith(ENV_PREFIXES)}
    if password:
        env[PASSWORD_ENV] = password  # not on the command line, where `ps` would show it
    if memory_mb:
        env[MEMORY_ENV] = str(memory_mb)
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
            env=child_env(password, CONFIG.memory_mb),
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
        capped = f" or needed more than {CONFIG.memory_mb} MB" if CONFIG.memory_mb else ""
        raise ExtractionError(
            f"the PDF reader crashed on this file (exit code {done.returncode}); the PDF is "
            f"probably damaged{capped}"
        ) from None
    if result.error is not None:
        raise ExtractionError(result.error)
    return [PageText(text, page) for text, page in result.pages]
