"""PDFs read in a short-lived child process (issue 19): the same pages and the same errors as
the in-process reader, a crash or a time-out fails the document instead of hanging it, and the
server never imports PyMuPDF. The test profile reads in-process; these tests switch."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from app.rag.errors import ExtractionError
from app.rag.extract import extract_pdf, pdf_process
from app.rag.extract.pdf_reader import read_pdf

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def child() -> Iterator[None]:
    pdf_process.configure(in_process=False, timeout_s=60.0)
    yield
    pdf_process.configure(in_process=True, timeout_s=120.0)


def small_pdf() -> bytes:
    doc = pymupdf.open()
    for n in range(2):
        page = doc.new_page()
        page.insert_text((72, 72), f"Opening hours, part {n + 1}", fontsize=18)
        page.insert_text((72, 110), "We open at nine and close at six, Monday to Friday.")
    return bytes(doc.tobytes())


def test_child_reads_the_pages_and_errors_of_the_in_process_reader(
    child: None, eval_documents: Path
) -> None:
    data = small_pdf()
    assert extract_pdf(data) == read_pdf(data)
    for name in ("malformed_invalid.pdf", "encrypted_libreoffice-writer-password.pdf"):
        broken = next(eval_documents.rglob(name)).read_bytes()
        with pytest.raises(ExtractionError) as in_child:
            extract_pdf(broken)
        with pytest.raises(ExtractionError) as in_process:
            read_pdf(broken)
        assert str(in_child.value) == str(in_process.value), name


def test_a_child_past_its_time_limit_is_killed_and_the_pdf_fails(child: None) -> None:
    with pytest.raises(ExtractionError, match=r"longer than 0\.05 s"):
        pdf_process.read_in_child(small_pdf(), timeout_s=0.05)


def test_a_crashing_child_fails_the_pdf_with_a_reason(
    child: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash = [sys.executable, "-c", "import os, sys; sys.stdin.buffer.read(); os._exit(7)"]
    monkeypatch.setattr(pdf_process, "child_command", lambda mode: crash)
    with pytest.raises(ExtractionError, match=r"crashed .*exit code 7"):
        extract_pdf(small_pdf())


def test_the_child_gets_no_secrets_of_the_server(
    child: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the interpreter's and the libraries' variables reach the child (a MuPDF exploit
    finds no master key there), plus its password and memory cap; the real child still reads
    with that environment (the tests above)."""
    monkeypatch.setenv("AIMY_MASTER_KEY", "server-secret")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-server-secret")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    names = (  # the child's environment, as its "pages"
        "import json, os, sys; sys.stdin.buffer.read(); "
        "print(json.dumps({'pages': [[json.dumps(dict(os.environ)), 1]]}))"
    )
    monkeypatch.setattr(pdf_process, "child_command", lambda mode: [sys.executable, "-c", names])
    env = json.loads(pdf_process.read_in_child(small_pdf(), password="pdf-pass")[0].text)
    assert not any("secret" in v for v in env.values()), sorted(env)
    own = {"AIMY_PDF_PASSWORD", "AIMY_PDF_MEMORY_MB"}
    assert not {k for k in env if k.startswith("AIMY_")} - own
    assert env["AIMY_PDF_PASSWORD"] == "pdf-pass" and env["AIMY_PDF_MEMORY_MB"] == "1024"
    assert env["PATH"] and env["LC_ALL"] == "C.UTF-8" and str(ROOT) in env["PYTHONPATH"]


def test_a_child_past_its_memory_cap_fails_the_pdf_with_a_reason(child: None) -> None:
    """The child caps its own memory before it reads: 96 MB of input under a 64 MB cap cannot
    even be read, and the document fails naming the cap — the server's RAM is not touched."""
    pdf_process.configure(in_process=False, timeout_s=60.0, memory_mb=64)
    with pytest.raises(ExtractionError, match=r"more than 64 MB of memory \(pdf_child_memory_mb\)"):
        pdf_process.read_in_child(b"%PDF-1.7\n" + bytes(96 << 20))


SERVER = """
import sys
import app.ai.media, app.services.knowledge.document_indexer  # who read PDFs for the server
from app.ai.extract import document_text
from app.rag.extract import extract
pdf = open(sys.argv[1], "rb").read()
pages = extract(pdf, "PDF")
assert [p.page for p in pages] == [1, 2], pages
assert "nine" in document_text(pdf, "application/pdf", "a.pdf")
loaded = [m for m in ("pymupdf", "fitz", "pymupdf4llm") if m in sys.modules]
assert not loaded, f"the server imported {loaded}"
print("ok")
"""


def test_the_server_reads_a_pdf_without_importing_pymupdf(tmp_path: Path) -> None:
    """The knowledge base's extractor and the AI path's document text, as the server runs
    them (default settings: the child). What start-up imports is tests/unit/test_lean_imports.py's
    (s9-rss: the conversation export no longer imports PyMuPDF at start)."""
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(small_pdf())
    done = subprocess.run(
        [sys.executable, "-c", SERVER, str(pdf)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
