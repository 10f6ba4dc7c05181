"""Tables as labelled rows, from the real Federal Register issue (two cost tables that PyMuPDF's
own cell text garbles and merges) and a real DOCX."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from app.rag.extract import extract_docx
from app.rag.extract.pdf_layout import page_blocks, page_text
from app.rag.extract.pdf_tables import find_tables
from tests.bench.datasets import eval_dir

DOCS = eval_dir() / "documents"


def test_cost_table_rows_keep_their_header_labels() -> None:
    doc = pymupdf.open(str(DOCS / "pdf" / "federal-register-2020-17221.pdf"))
    (table,) = find_tables(doc[5])  # page 6: "ESTIMATED COSTS—Continued"
    assert table.header == [
        "Action", "Labor cost", "Parts cost", "Cost per product", "Cost on U.S. operators",
    ]  # fmt: skip
    assert len(table.rows) == 2  # no ruling between them: split where the columns line up
    row = dict(zip(table.header, table.rows[1], strict=True))
    assert row["Action"] == "AOA sensor system test"
    assert row["Cost per product"] == "$3,400" and row["Cost on U.S. operators"] == "$248,200."
    assert row["Labor cost"] == "40 work-hours × $85 per hour = $3,400."


def test_page_text_has_caption_rows_and_no_cell_soup() -> None:
    doc = pymupdf.open(str(DOCS / "pdf" / "federal-register-2020-17221.pdf"))
    text = page_text(page_blocks(doc[5]), set(), set())
    lines = text.splitlines()
    row = next(line for line in lines if "AOA sensor system test" in line)
    assert row.startswith("ESTIMATED COSTS—Continued — Action: AOA sensor system test |")
    assert "Cost per product: $3,400" in row
    assert "Labor cost" not in [line.strip() for line in lines]  # no header cell on its own
    assert not find_tables(doc[1])  # a page of prose: the finder is not even run


def test_docx_table_rows_keep_header_labels() -> None:
    text = extract_docx(Path(DOCS / "docx" / "word_sample.docx").read_bytes())
    assert "Berries | Food: Blueberry, Strawberry, Cranberry | Calories per portion: 150" in text
