"""DOCX (python-docx): paragraphs and tables in document order, headings kept as `#` lines.

A .docx is a ZIP; a crafted one can inflate to gigabytes. The archive's declared sizes and
compression ratios are checked before python-docx touches it.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from app.rag.errors import ExtractionError

MAX_UNCOMPRESSED = 200 * 2**20
MAX_RATIO = 100
MAX_ENTRIES = 10_000


def check_zip_bomb(data: bytes) -> None:
    """Refuse archives whose entries would inflate beyond the caps."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as e:
        raise ExtractionError("not a readable DOCX (corrupt ZIP container)") from e
    if len(infos) > MAX_ENTRIES:
        raise ExtractionError(f"DOCX refused: {len(infos)} archive entries (zip bomb?)")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise ExtractionError(f"DOCX refused: inflates to {total // 2**20} MB (zip bomb?)")
    for i in infos:
        if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ExtractionError(
                f"DOCX refused: {i.filename} compresses over {MAX_RATIO}x (zip bomb?)"
            )


def _table(table: Any) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:  # merged cells repeat: keep one
            text = " ".join(cell.text.split())
            if not cells or cells[-1] != text:
                cells.append(text)
        rows.append(cells)
    if not rows:
        return ""
    header, lines = rows[0], []
    for cells in rows[1:] or [rows[0]]:
        if len(header) == len(cells) and len(rows) > 1:
            pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True) if c]
        else:
            pairs = [c for c in cells if c]
        if pairs:
            lines.append(" | ".join(pairs))
    return "\n".join(lines)


def extract_docx(data: bytes) -> str:
    check_zip_bomb(data)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:
        raise ExtractionError(f"not a readable DOCX: {e}") from e
    # python-docx resolves `paragraph.style` by scanning styles.xml each time: map ids once
    names = {s.style_id: s.name or "" for s in document.styles}
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            style = names.get(item._p.style or "", "") if text else ""
            if text and style.startswith("Heading"):
                level = style.removeprefix("Heading").strip()
                text = "#" * (int(level) if level.isdigit() else 1) + " " + text
            elif text and style == "Title":
                text = "# " + text
        elif isinstance(item, Table):
            text = _table(item)
        else:
            continue
        if text:
            blocks.append(text)
    if not blocks:
        raise ExtractionError("the DOCX contains no text")
    return "\n\n".join(blocks)
