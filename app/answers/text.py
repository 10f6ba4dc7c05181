"""A passage as the units a reader quotes: sentences, list items and whole table rows.

Chunks indexed before the PDF reader repaired layout text (app/rag/extract/pdf_layout.py)
still hold a line break at every layout line, so lines are rejoined here too: a line that does
not end a sentence and a next line that starts in lower case are one sentence. Sentences are
cut at . ! ? । ؟ 。 followed by a space and a capital, digit or quote — not after "No.", "U.S."
or "e.g." — and a table row ("Label: value | Label: value") is never cut at all: its number
means nothing without its label.
"""

from __future__ import annotations

import re

from app.rag.chunking import TABLE_CELL

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
BULLET = re.compile(r"^(?:[•▪◦●■\-–*]\s|\(?[a-z0-9ivx]{1,4}[.)]\s)")
_BOUNDARY = re.compile(r"(?<=[.!?।؟。！？])[\"'”’)\]]?\s+(?=[\"'“‘(\[¿¡]?[^\W_a-z])")
_END = (".", "!", "?", ":", ";", "।", "؟", "。")
# fmt: off
_ABBREVIATIONS = frozenset({
    "no", "nos", "vol", "dr", "mr", "mrs", "ms", "st", "inc", "ltd", "co", "corp", "vs", "etc",
    "e.g", "i.e", "fig", "figs", "sec", "u.s", "u.k", "approx", "dept", "est", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "p", "pp", "para",
    "art", "ch", "min", "max", "ca", "cf", "al", "op", "rev", "ed", "sr", "jr", "prof", "gen",
    "sra", "dña", "núm", "pág", "av", "avda", "nr", "bzw", "ggf", "z.b", "s",
})
# fmt: on
MAX_UNIT_CHARS = 1200  # a "sentence" longer than this is layout noise, cut at clause marks


def repair(text: str) -> str:
    """Rejoin layout lines inside a paragraph (legacy PDF chunks), keeping list items and
    table rows on lines of their own."""
    out: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not out or not stripped:
            out.append(stripped)
            continue
        prev = out[-1]
        joinable = (
            prev
            and not prev.endswith(_END)
            and TABLE_CELL not in prev
            and TABLE_CELL not in stripped
            and not BULLET.match(stripped)
            and not _HEADING.match(stripped)
            and not _HEADING.match(prev)
            and (stripped[:1].islower() or stripped[:1].isdigit() or prev.endswith((",", "-")))
        )
        if joinable:
            if re.search(r"[^\W\d_]-$", prev) and stripped[:1].islower():
                out[-1] = prev + stripped  # keep the hyphen: compounds are the common case
            else:
                out[-1] = f"{prev} {stripped}"
        else:
            out.append(stripped)
    return "\n".join(out)


def _protected(text: str, cut: int) -> bool:
    """True when the full stop before `cut` ends an abbreviation or an initial, not a sentence."""
    head = text[:cut].rstrip()
    word = re.search(r"([^\s(]+)\.$", head)
    if not word:
        return False
    token = word.group(1).casefold()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def sentences(text: str) -> list[str]:
    """The sentences of one paragraph or line."""
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _protected(text, match.start()):
            continue
        piece = text[start : match.start()].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return [s for piece in out for s in _cut_long(piece)]


def _cut_long(sentence: str) -> list[str]:
    if len(sentence) <= MAX_UNIT_CHARS:
        return [sentence]
    parts, current = [], ""
    for clause in re.split(r"(?<=[;:])\s+", sentence):
        if current and len(current) + len(clause) > MAX_UNIT_CHARS:
            parts.append(current)
            current = clause
        else:
            current = f"{current} {clause}".strip()
    return [*parts, current] if current else parts


def units(text: str) -> list[str]:
    """Quotable units of a passage in order: sentences, list items, table rows (whole)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", repair(text)):
        for line in para.split("\n"):
            line = line.strip()
            if not line or _HEADING.match(line):
                continue
            if TABLE_CELL in line:
                out.append(line)
            else:
                out.extend(sentences(line))
    return out


def is_table_row(unit: str) -> bool:
    return TABLE_CELL in unit
