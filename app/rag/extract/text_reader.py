"""Plain text, Markdown and CSV. CSV rows become paragraphs that repeat their headers, so a
chunk holding a row still says what each value means."""

from __future__ import annotations

import csv
import io
import re

from app.rag.errors import ExtractionError

_TAG = re.compile(r"<[A-Za-z/!][^>]*>")
MAX_CSV_ROWS = 100_000


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def extract_text(data: bytes) -> str:
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ExtractionError("the file contains no text")
    return text


def _cell(value: str) -> str:
    value = _TAG.sub(" ", value) if "<" in value else value
    return " ".join(value.split())


def extract_csv(data: bytes) -> str:
    """One paragraph per row: `header: value` pairs, empty cells skipped."""
    text = decode_text(data)
    try:  # only the delimiter: the sniffer misjudges quoting on multi-line cells
        delimiter = csv.Sniffer().sniff(text[:4096], ",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    csv.field_size_limit(10 * 2**20)
    try:
        rows = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
        headers = [_cell(h) or f"column {i + 1}" for i, h in enumerate(next(rows, []))]
        out = []
        for n, row in enumerate(rows):
            if n >= MAX_CSV_ROWS:
                break
            pairs = [
                f"{headers[i] if i < len(headers) else f'column {i + 1}'}: {_cell(v)}"
                for i, v in enumerate(row)
                if _cell(v)
            ]
            if pairs:
                out.append("\n".join(pairs))
    except csv.Error as e:
        raise ExtractionError(f"malformed CSV: {e}") from e
    if not out:
        raise ExtractionError("the CSV has no data rows")
    return "\n\n".join(out)
