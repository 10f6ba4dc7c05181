"""User-written regular expressions (keyword triggers, `regex` conditions) with a time limit.

A pattern such as `(a+)+$` backtracks catastrophically on "aaaa…b": with Python's `re` one
message could hold the event loop for minutes. The `regex` module stops a match after
`TIMEOUT_S` (TimeoutError); a timed-out match counts as no match and is reported. Patterns and
inputs are bounded as well.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import regex

log = logging.getLogger(__name__)
TIMEOUT_S = 0.05
MAX_PATTERN = 500
MAX_INPUT = 4096


class PatternError(ValueError):
    """The pattern does not compile (or is too long); the message says why."""


@lru_cache(maxsize=512)
def compiled(pattern: str) -> regex.Pattern[str]:
    """Compile case-insensitively (cached); raises PatternError."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"the pattern is longer than {MAX_PATTERN} characters")
    try:
        return regex.compile(pattern, regex.IGNORECASE | regex.V0)
    except regex.error as exc:
        raise PatternError(f"not a valid regular expression: {exc}") from None


def check(pattern: str) -> str | None:
    """None when `pattern` compiles, else why not."""
    try:
        compiled(pattern)
    except PatternError as exc:
        return str(exc)
    return None


def search(pattern: str, text: str) -> bool:
    """True when `pattern` matches somewhere in `text`; False on a bad pattern or a timeout."""
    try:
        return compiled(pattern).search(text[:MAX_INPUT], timeout=TIMEOUT_S) is not None
    except PatternError:
        return False
    except TimeoutError:
        log.warning("regex %r timed out on a %d-character input", pattern[:80], len(text))
        return False
