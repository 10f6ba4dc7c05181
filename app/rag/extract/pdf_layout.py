"""A PDF page's text as a reader would have it: paragraphs, headings, tables as labelled rows.

`page.get_text()` gives layout lines: every line break of a three-column page, words hyphenated
across lines, the running header ("Federal Register / Vol. 85 …") and the printer's footer in
the middle of the text, and a table as one cell per line. Quoted to a customer, or embedded,
that is noise — and a sentence cut by a column break can't be found as a sentence. Here:

- lines of a block are joined into paragraphs (a line indented after a full stop, or a bullet,
  starts a new one); "air-" + "craft" becomes "aircraft" when the document spells it so
  elsewhere, else keeps its hyphen; a paragraph cut by a column or page break is rejoined;
- text repeated on many pages (running headers, footers, page numbers) is dropped;
- blocks set entirely in bold are headings, written as markdown `#` lines whose level comes
  from their style (larger first, then order of first use), so chunks can carry a heading path;
- tables become one line per row with their header labels (app/rag/extract/pdf_tables.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from app.rag.extract.pdf_tables import TableRows, find_tables

_LEADER = re.compile(r"(?:\.\s?){4,}")  # table-of-contents dot leaders: noise for search
_DIGITS = re.compile(r"\d+")
_BULLET = re.compile(r"^(?:[•▪◦●■\-–*]\s|\(?[a-z0-9]{1,3}[.)]\s)")
_END = (".", "!", "?", ":", ";", "。", "।", "؟")
MAX_HEADING_CHARS = 150
CAPTION_GAP = 24.0  # points between a short line and a table for it to be the table's caption


@dataclass(slots=True)
class Block:
    lines: list[tuple[float, str]]  # (left edge, text) per layout line
    bbox: tuple[float, float, float, float]
    bold: bool  # every visible span is bold
    style: tuple[float, str]  # (size, font family) of its first span
    heading_level: int = 0
    table: TableRows | None = None
    caption: str | None = field(default=None)

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.lines).strip()


def _is_bold(span: dict[str, Any]) -> bool:
    font = str(span.get("font", ""))
    return bool(int(span.get("flags", 0)) & 16) or any(
        w in font for w in ("Bold", "Black", "Heavy", "Semibold")
    )


def page_blocks(page: Any) -> list[Block]:
    """The page's text blocks in reading order, tables in place of the blocks they cover."""
    tables = find_tables(page)
    blocks: list[Block] = []
    for raw in page.get_text("dict")["blocks"]:
        if raw.get("type") != 0:
            continue
        lines: list[tuple[float, str]] = []
        spans: list[dict[str, Any]] = []
        for line in raw["lines"]:
            text = "".join(s["text"] for s in line["spans"]).replace("\x00", "")
            text = _LEADER.sub(" ... ", text).strip()
            if text:
                lines.append((float(line["bbox"][0]), text))
                spans.extend(s for s in line["spans"] if s["text"].strip())
        if not lines or not spans:
            continue
        family = str(spans[0].get("font", "")).split("-")[0].split(",")[0]
        blocks.append(
            Block(
                lines,
                tuple(raw["bbox"]),
                all(_is_bold(s) for s in spans),
                (round(float(spans[0]["size"]) * 2) / 2, family),
            )
        )
    return _place_tables(blocks, tables)


def _inside(bbox: tuple[float, ...], box: tuple[float, ...]) -> bool:
    cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    return box[0] - 1 <= cx <= box[2] + 1 and box[1] - 1 <= cy <= box[3] + 1


def _place_tables(blocks: list[Block], tables: list[TableRows]) -> list[Block]:
    """Replace the blocks a table covers with one table block; a short line just above it
    (e.g. "ESTIMATED COSTS") becomes the table's caption."""
    out = list(blocks)
    for table in tables:
        covered = [i for i, b in enumerate(out) if b.table is None and _inside(b.bbox, table.bbox)]
        at = covered[0] if covered else len(out)
        caption = None
        above = [
            b
            for b in out
            if b.table is None
            and 0 <= table.bbox[1] - b.bbox[3] <= CAPTION_GAP
            and b.bbox[0] < table.bbox[2]
            and b.bbox[2] > table.bbox[0]
            and len(b.text) <= 80
        ]
        if above:
            caption_block = max(above, key=lambda b: b.bbox[3])
            caption = caption_block.text
        # the table's lines as one block (style of nothing: never a heading)
        placeholder = Block([(table.bbox[0], "")], table.bbox, False, (0.0, ""), table=table)
        placeholder.caption = caption
        out = [b for i, b in enumerate(out) if i not in covered]
        out.insert(min(at, len(out)), placeholder)
        if caption is not None:
            out = [b for b in out if not (b.table is None and b.text == caption)]
    return out


def _signature(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.casefold().split()))


def running_text(pages: list[list[Block]]) -> set[str]:
    """Signatures of blocks repeated on many pages: headers, footers, page numbers."""
    if len(pages) < 3:
        return set()
    seen = Counter(sig for blocks in pages for sig in {_signature(b.text) for b in blocks})
    need = max(3, int(0.3 * len(pages)))
    return {sig for sig, n in seen.items() if n >= need and sig}


def _heading_candidate(b: Block) -> bool:
    text = b.text
    return (
        b.bold
        and b.table is None
        and len(b.lines) <= 3
        and len(text) <= MAX_HEADING_CHARS
        and any(ch.isalpha() for ch in text)
    )


def assign_heading_levels(pages: list[list[Block]]) -> None:
    """Level 1..6 per heading style: larger type first, then the style used first."""
    order: dict[tuple[float, str], int] = {}
    for blocks in pages:
        for b in blocks:
            if _heading_candidate(b):
                order.setdefault(b.style, len(order))
    ranked = sorted(order, key=lambda s: (-s[0], order[s]))
    level = {s: min(6, i + 1) for i, s in enumerate(ranked)}
    for blocks in pages:
        for b in blocks:
            if _heading_candidate(b):
                b.heading_level = level[b.style]


def vocabulary(pages: list[list[Block]]) -> set[str]:
    """Every word of the document, to tell a line-break hyphen from a compound's."""
    words: set[str] = set()
    for blocks in pages:
        for b in blocks:
            for _, text in b.lines:
                words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", text))
    return words


def _join(left: str, right: str, words: set[str]) -> str:
    """Two layout lines of one paragraph, repairing the break between them."""
    if re.search(r"[^\W\d_]-$", left) and right[:1].isalpha():
        head = re.search(r"([^\W\d_]+)-$", left)
        tail = re.match(r"[^\W\d_]+", right)
        if head and tail and (head.group(1) + tail.group(0)).casefold() in words:
            return left[:-1] + right  # a word hyphenated at the line end
        return left + right  # a compound: keep its hyphen (FAA-approved, work-hour)
    if left.endswith(("–", "—", "-", "/")) and right[:1].isdigit():
        return left + right  # 737–\n9, 2018–\n23–51
    if left.endswith(("://", "/", "@")) and right[:1].isalnum():
        return left + right  # a URL or an address broken at the line end
    return f"{left} {right}"


def paragraph(b: Block, words: set[str]) -> str:
    """A block's lines as text: lines joined, a new line for bullets and indented restarts."""
    left = min(x for x, _ in b.lines)
    out = ""
    for x, text in b.lines:
        if not out:
            out = text
        elif _BULLET.match(text) or (x > left + 4 and out.rstrip().endswith(_END)):
            out += "\n" + text
        else:
            out = _join(out.rstrip(), text, words)
    return out.strip()


def page_text(blocks: list[Block], running: set[str], words: set[str]) -> str:
    """The page as markdown-ish text: `#` headings, paragraphs, table rows one per line."""
    parts: list[str] = []
    kinds: list[str] = []
    for b in blocks:
        if b.table is not None:
            lines = b.table.lines(b.caption)
            if lines:
                parts.append("\n".join(lines))
                kinds.append("table")
            continue
        if _signature(b.text) in running:
            continue
        if b.heading_level:
            parts.append("#" * b.heading_level + " " + b.text)
            kinds.append("heading")
            continue
        text = paragraph(b, words)
        if not text:
            continue
        # a paragraph cut by a column or page break continues in lower case
        if kinds and kinds[-1] == "text" and text[:1].islower() and not parts[-1].endswith(_END):
            parts[-1] = _join(parts[-1], text, words)
            continue
        parts.append(text)
        kinds.append("text")
    return "\n\n".join(parts)
