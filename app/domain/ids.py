"""Identifiers: short, url-safe and roughly time-ordered, like the seed's cuid()."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def new_id() -> str:
    """A 25-char id: 'c' + 9 chars of milliseconds + 15 random chars (≈77 bits)."""
    millis = int(time.time() * 1000)
    return "c" + _base36(millis, 9) + _base36(secrets.randbits(78), 15)
