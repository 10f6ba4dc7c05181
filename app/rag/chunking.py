"""Recursive chunking: ~N tokens with overlap, cut on paragraph, then sentence, then word.

Paragraphs are broken into sentences (an oversized sentence into words), then sentences are
packed greedily into chunks, paragraph breaks kept. A table row ("Label: value | Label: value",
one per line) is a unit of its own and never split at a full stop inside a cell. The
next chunk starts with the trailing whole units of the previous one that fit in `overlap`
tokens, so overlap never cuts a sentence in half. Tokens are counted by an injected counter —
the embedding model's tokenizer — because the model's window, not characters, is the limit.
Markdown `#` headings are tracked as a path (`metadata["headings"]`, outermost first), so a
chunk can say where in the document it sits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

TokenCounter = Callable[[str], int]
_SENTENCE = re.compile(r"(?<=[.!?\u0964\u061f\u3002\uff01\uff1f])\s+")  # incl. । ؟ 。
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
TABLE_CELL = " | "  # how extracted tables separate a row's labelled cells


@dataclass(frozen=True, slots=True)
class PageText:
    """Extracted text of one page (PDF) or of the whole source (`page=None`)."""

    text: str
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    content: str
    index: int
    token_count: int
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Unit:
    text: str
    tokens: int
    page: int | None
    headings: tuple[str, ...]
    sep: str  # joiner placed before this unit when it follows another
    opens: int = 0  # the heading level this unit opens (its paragraph is a heading), else 0


def _split_long(text: str, count: TokenCounter, size: int) -> list[tuple[str, str]]:
    """(piece, joiner) pieces of `text`, each ≤ size tokens: sentences, then words, then chars."""
    out: list[tuple[str, str]] = []
    for sentence in (s for s in _SENTENCE.split(text) if s and s.strip()):
        if count(sentence) <= size:
            out.append((sentence.strip(), " "))
            continue
        for word in sentence.split():
            if count(word) <= size:
                out.append((word, " "))
            else:  # a token-dense blob (base64, a URL): cut by characters
                step = max(1, len(word) * size // max(count(word), 1))
                out.extend((word[i : i + step], "") for i in range(0, len(word), step))
    return out


def _pieces(para: str, count: TokenCounter, size: int) -> list[tuple[str, str]]:
    """Table rows line by line (whole unless oversized); prose by sentences."""
    lines = para.splitlines()
    if any(TABLE_CELL in line for line in lines):
        out: list[tuple[str, str]] = []
        for line in (x.strip() for x in lines if x.strip()):
            if count(line) <= size:
                out.append((line, "\n"))
            else:
                out.extend(_split_long(line, count, size))
        return out
    return _split_long(para, count, size)


def _units(pages: Sequence[PageText], count: TokenCounter, size: int) -> list[_Unit]:
    units: list[_Unit] = []
    path: list[tuple[int, str]] = []  # (level, heading) from the outermost in
    for page in pages:
        for para in re.split(r"\n\s*\n", page.text):
            para = para.strip()
            if not para:
                continue
            heading = _HEADING.match(para.splitlines()[0])
            if heading:
                level = len(para) - len(para.lstrip("#"))
                path = [(lv, h) for lv, h in path if lv < level] + [(level, heading.group(1))]
            headings = tuple(h for _, h in path)
            opens = path[-1][0] if heading else 0
            # sentences are the packing unit, so overlap can carry whole sentences
            for i, (piece, sep) in enumerate(_pieces(para, count, size)):
                units.append(
                    _Unit(
                        piece,
                        count(piece),
                        page.page,
                        headings,
                        "\n\n" if i == 0 else sep,
                        opens if i == 0 else 0,
                    )
                )
    return units


def _cuts_at(units: Sequence[_Unit]) -> int:
    """Heading levels that always start a new chunk: the document's top two. A chunk that
    straddles two major sections (two notices in one Federal Register issue) would carry one
    section's heading path over the other's text."""
    levels = sorted({u.opens for u in units if u.opens})
    return levels[min(1, len(levels) - 1)] if levels else 0


def chunk_pages(
    pages: Sequence[PageText] | str,
    count_tokens: TokenCounter,
    *,
    chunk_tokens: int = 500,
    overlap_tokens: int = 50,
) -> list[Chunk]:
    """Chunks of at most ~`chunk_tokens` tokens with ~`overlap_tokens` of whole-unit overlap."""
    if isinstance(pages, str):
        pages = [PageText(pages)]
    if chunk_tokens <= 0 or not 0 <= overlap_tokens < chunk_tokens:
        raise ValueError("need chunk_tokens > overlap_tokens >= 0")
    units = _units(pages, count_tokens, chunk_tokens)
    chunks: list[Chunk] = []
    current: list[_Unit] = []
    fresh = 0  # units in `current` not carried over from the previous chunk
    major = _cuts_at(units)

    def emit() -> None:
        text = current[0].text + "".join(u.sep + u.text for u in current[1:])
        pages_seen = [u.page for u in current if u.page is not None]
        meta: dict[str, Any] = {"chunk_index": len(chunks)}
        if pages_seen:
            meta["page"], meta["page_end"] = pages_seen[0], pages_seen[-1]
        body = [u for u in current[len(current) - fresh :] if not u.opens] or current
        headings = body[0].headings or current[-1].headings
        if headings:
            meta["section"] = headings[-1]
            meta["headings"] = list(headings)
        chunks.append(Chunk(text, len(chunks), count_tokens(text), meta))

    running = 0  # tokens in `current`
    for unit in units:
        prose = any(not u.opens for u in current[len(current) - fresh :]) if fresh else False
        if (
            prose and unit.opens and (unit.opens <= major or 4 * running >= chunk_tokens)
        ):  # a section starts: close the chunk, carry nothing across the heading
            emit()
            current, fresh, running = [], 0, 0
        if current and running + unit.tokens > chunk_tokens and fresh:
            emit()
            carry: list[_Unit] = []
            kept = 0
            for u in reversed(current):
                if kept + u.tokens > overlap_tokens or kept + u.tokens + unit.tokens > chunk_tokens:
                    break
                carry.insert(0, u)
                kept += u.tokens
            current, fresh, running = carry, 0, kept
        current.append(unit)
        running += unit.tokens
        fresh += 1
    if current and fresh:
        emit()
    return chunks
