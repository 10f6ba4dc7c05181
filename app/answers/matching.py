"""Does a reply contain the expected answer? Compared normalised: case, accents, punctuation,
dash and quote variants don't count ("September 21, 2020" ≈ "september 21 2020")."""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    """Lower case, no accents/punctuation/extra spaces; dashes and quotes unified."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[‐‑‒–—―−]", "-", text).replace("’", "'").replace("‘", "'")
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    text = re.sub(r"[^\w$%'-]+", " ", text)
    return " ".join(text.split())


def contains(reply: str, expected: tuple[str, ...] | list[str]) -> bool:
    """True when any expected text occurs in the reply (normalised)."""
    body = normalise(reply)
    return any(normalise(e) in body for e in expected if e.strip())
