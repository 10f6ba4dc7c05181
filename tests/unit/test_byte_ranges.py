"""`Range:` headers (app/storage/ranges.py): one span, the tail, an open end; what cannot be
served is a 416, what is not understood is the whole file."""

from __future__ import annotations

import pytest

from app.storage.ranges import Unsatisfiable, span_of


@pytest.mark.parametrize(
    ("header", "span"),
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=5-", (5, 99)),
        ("bytes=90-500", (90, 99)),  # an end past the file is clamped
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),  # more than the file: all of it
        ("BYTES = 1 - 2", (1, 2)),
        (None, None),
        ("", None),
        ("bytes=-", None),
        ("bytes=9-2", None),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file (allowed)
        ("lines=0-1", None),
    ],
)
def test_spans(header: str | None, span: tuple[int, int] | None) -> None:
    assert span_of(header, 100) == span


@pytest.mark.parametrize(("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100),
                                              ("bytes=0-", 0), ("bytes=-5", 0)])  # fmt: skip
def test_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(Unsatisfiable):
        span_of(header, size)
