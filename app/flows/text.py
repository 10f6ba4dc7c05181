"""Text as customers type it: case, accents and stray punctuation must not decide a match.

`fold("Ça VA ")` → "ca va": keywords, stop words, option picks and the condition operators
compare folded text, so "CANCEL", "cancel!" and "Cancél" are the same word.
"""

from __future__ import annotations

import unicodedata

import regex

_SPACES = regex.compile(r"\s+")
_EDGE_PUNCT = regex.compile(r"^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$")


def fold(text: str | None) -> str:
    """Lower-case (casefold), accents removed (NFKD minus combining marks), spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", bare.casefold()).strip()


def word(text: str | None) -> str:
    """`fold` without punctuation or symbols around it: "Stop!" and "« stop »" → "stop"."""
    return _EDGE_PUNCT.sub("", fold(text))
