"""Post-processing a model reply for WhatsApp: its own formatting, a length cap, splitting.

WhatsApp renders `*bold*`, `_italic_`, `~strike~` and ``` blocks, not Markdown; models write
Markdown anyway. Long answers read better as a few messages cut at paragraph or sentence
boundaries than as one wall of text, and a runaway model must not send a novel.
"""

from __future__ import annotations

import re

PART_CHARS = 1200
MAX_PARTS = 3
_CODE = re.compile(r"```.*?```", re.S)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M), "\x00\\1\x00"),  # headings → bold
    (re.compile(r"\*\*(.+?)\*\*", re.S), "\x00\\1\x00"),  # **bold** (placeholder)
    (re.compile(r"__(.+?)__", re.S), "\x00\\1\x00"),
    (re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])"), r"_\1_"),  # *it* → _it_
    (re.compile(r"~~(.+?)~~", re.S), r"~\1~"),
    (re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)"), r"\1 \2"),  # images
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), r"\1 (\2)"),  # links
    (re.compile(r"^(\s*)[*+]\s+", re.M), r"\1• "),  # bullets
    (re.compile(r"^(\s*)-\s+", re.M), r"\1• "),
    (re.compile(r"`([^`\n]+)`"), r"```\1```"),
)


def to_whatsapp(text: str) -> str:
    """Markdown → WhatsApp markup; code blocks are left alone."""
    blocks: list[str] = []

    def stash(match: re.Match[str]) -> str:
        blocks.append(match.group(0))
        return f"\x01{len(blocks) - 1}\x01"

    out = _CODE.sub(stash, text.strip())
    for pattern, repl in _RULES:
        out = pattern.sub(repl, out)
    out = out.replace("\x00", "*")
    out = re.sub(r"\x01(\d+)\x01", lambda m: blocks[int(m.group(1))], out)
    return re.sub(r"\n{3,}", "\n\n", out)


def _cut(text: str, limit: int) -> tuple[str, str]:
    if len(text) <= limit:
        return text, ""
    window = text[:limit]
    for sep in ("\n\n", "\n", ". ", "! ", "? ", " "):
        at = window.rfind(sep)
        if at > limit // 3:
            return text[: at + len(sep)].rstrip(), text[at + len(sep) :].lstrip()
    return window, text[limit:]


def split(text: str, limit: int = PART_CHARS, max_parts: int = MAX_PARTS) -> list[str]:
    """At most `max_parts` messages of ≤ `limit` chars; an overflow is cut with "…"."""
    parts: list[str] = []
    rest = text.strip()
    while rest and len(parts) < max_parts:
        head, rest = _cut(rest, limit)
        parts.append(head)
    if rest and parts:
        parts[-1] = parts[-1][: limit - 1].rstrip() + "…"
    return parts


def prepare(text: str, limit: int = PART_CHARS, max_parts: int = MAX_PARTS) -> list[str]:
    return split(to_whatsapp(text), limit, max_parts)
