"""PDF tables as rows that keep their header labels: "Action: AOA sensor system test | Labor
cost: 40 work-hours × $85 per hour = $3,400 | …".

A number without its label answers nothing ("$3,400" — for what?), and a page's plain text
interleaves cells column by column. PyMuPDF's table finder gives the table's place and columns;
its own cell text drops spaces and merges rows that have no ruling between them (the Federal
Register cost tables), so the text is read here from the words inside each column, and rows are
split where most columns start a line at the same height.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_LEADER = re.compile(r"\s*(?:\.\s?){3,}\s*")  # dot leaders between a label and its value
ROW_TOLERANCE = 2.5  # points: lines starting this close belong to the same row
MIN_LINE_ITEMS = 6  # ruling lines/boxes a page needs before the (slow) table finder runs


@dataclass(frozen=True, slots=True)
class TableRows:
    bbox: tuple[float, float, float, float]
    header: list[str]
    rows: list[list[str]]

    def lines(self, caption: str | None = None) -> list[str]:
        """One line per row: `Header: value | Header: value`, the caption in front."""
        out = []
        for row in self.rows:
            cells = [f"{h}: {v}" if h else v for h, v in zip(self.header, row, strict=False) if v]
            if cells:
                out.append((f"{caption} — " if caption else "") + " | ".join(cells))
        return out


def _clean(text: str) -> str:
    return " ".join(_LEADER.sub(" ", text).split()).strip(" ,")


def worth_looking(page: Any) -> bool:
    """The finder costs 0.1-1 s a page; pages without ruling lines have no table it can find."""
    items = 0
    for drawing in page.get_drawings():
        items += sum(1 for item in drawing.get("items", ()) if item[0] in ("l", "re"))
        if items >= MIN_LINE_ITEMS:
            return True
    return False


def find_tables(page: Any) -> list[TableRows]:
    """The page's tables with two or more columns, as labelled rows."""
    if not worth_looking(page):
        return []
    try:
        found = page.find_tables().tables
    except Exception:  # the finder is a nicety: a page it chokes on is read as plain text
        return []
    out = []
    for table in found:
        rows = _rows(page, table)
        if rows is not None:
            out.append(rows)
    return out


def _columns(table: Any) -> list[tuple[float, float]]:
    header = table.header
    cells = header.cells if header is not None and header.cells else table.rows[0].cells
    return [(c[0], c[2]) for c in cells if c is not None]


def _rows(page: Any, table: Any) -> TableRows | None:
    cols = _columns(table)
    if len(cols) < 2:
        return None
    header = table.header
    top = header.bbox[3] if header is not None and not header.external else table.bbox[1]

    def column(word: tuple[Any, ...]) -> int | None:
        middle = (word[0] + word[2]) / 2
        for i, (left, right) in enumerate(cols):
            if left - 1 <= middle <= right + 1:
                return i
        return None

    head: list[list[tuple[Any, ...]]] = [[] for _ in cols]
    body: list[dict[tuple[int, int], list[tuple[Any, ...]]]] = [{} for _ in cols]
    for word in page.get_text("words", clip=table.bbox):
        i = column(word)
        if i is None:
            continue
        if word[3] <= top + 0.5:
            head[i].append(word)
        else:
            body[i].setdefault((word[5], word[6]), []).append(word)
    names = [
        _clean(" ".join(w[4] for w in sorted(h, key=lambda w: (round(w[1]), w[0])))) for h in head
    ]
    lines = [
        sorted(
            (min(w[1] for w in ws), " ".join(w[4] for w in sorted(ws, key=lambda w: w[0])))
            for ws in b.values()
        )
        for b in body
    ]
    rows = [_cells(lines, start, end) for start, end in _row_spans(lines, len(cols))]
    rows = [r for r in rows if any(r)]
    if not any(names) and rows:  # no header the finder could see: the first row labels
        names, rows = rows[0], rows[1:]
    if not rows:
        return None
    x0, y0, x1, y1 = table.bbox
    return TableRows((x0, y0, x1, y1), names, rows)


def _row_spans(lines: list[list[tuple[float, str]]], ncols: int) -> list[tuple[float, float]]:
    """Row boundaries: heights where at least half the columns (and two) start a line."""
    starts = sorted(y for col in lines for y, _ in col)
    clusters: list[list[float]] = []
    for y in starts:
        if clusters and y - clusters[-1][-1] <= ROW_TOLERANCE:
            clusters[-1].append(y)
        else:
            clusters.append([y])
    need = max(2, (ncols + 1) // 2)
    bounds = [
        c[0] - ROW_TOLERANCE
        for c in clusters
        if sum(any(abs(y - c[0]) <= ROW_TOLERANCE for y, _ in col) for col in lines) >= need
    ]
    if not bounds and starts:
        bounds = [starts[0] - ROW_TOLERANCE]
    return [
        (b, bounds[i + 1] if i + 1 < len(bounds) else float("inf")) for i, b in enumerate(bounds)
    ]


def _cells(lines: list[list[tuple[float, str]]], start: float, end: float) -> list[str]:
    return [_clean(" ".join(t for y, t in col if start <= y < end)) for col in lines]
