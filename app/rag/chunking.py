"""Recursive chunking: ~N tokens with overlap, cut on paragraph, then sentence, then word.

Paragraphs are broken into sentences (an oversized sentence into words), then sentences are
packed greedily into chunks, paragraph breaks kept. The
next chunk starts with the trailing whole units of the previous one that fit in `overlap`
tokens, so overlap never cuts a sentence in half. Tokens are counted by an injected counter —
the embedding model's tokenizer — because the model's window, not characters, is the limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

TokenCounter = Callable[[str], int]
_SENTENCE = re.compile(r"(?<=[.!?\u0964\u061f\u3002\uff01\uff1f])\s+")  # incl. । ؟ 。
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


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
    section: str | None
    sep: str  # joiner placed before this unit when it follows another


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


def _units(pages: Sequence[PageText], count: TokenCounter, size: int) -> list[_Unit]:
    units: list[_Unit] = []
    section: str | None = None
    for page in pages:
        for para in re.split(r"\n\s*\n", page.text):
            para = para.strip()
            if not para:
                continue
            heading = _HEADING.match(para.splitlines()[0])
            if heading:
                section = heading.group(1)
            # sentences are the packing unit, so overlap can carry whole sentences
            for i, (piece, sep) in enumerate(_split_long(para, count, size)):
                units.append(
                    _Unit(piece, count(piece), page.page, section, "\n\n" if i == 0 else sep)
                )
    return units


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

    def emit() -> None:
        text = current[0].text + "".join(u.sep + u.text for u in current[1:])
        pages_seen = [u.page for u in current if u.page is not None]
        meta: dict[str, Any] = {"chunk_index": len(chunks)}
        if pages_seen:
            meta["page"], meta["page_end"] = pages_seen[0], pages_seen[-1]
        section = current[0].section or current[-1].section
        if section:
            meta["section"] = section
        chunks.append(Chunk(text, len(chunks), count_tokens(text), meta))

    running = 0  # tokens in `current`
    for unit in units:
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
