"""`Range:` headers (app/storage/ranges.py): one span, the tail, an open end; what cannot be
served is a 416, what is not understood is the whole file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.storage.ranges import Unsatisfiable, Version, span_of


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


def test_validators_compare_as_the_rfc_says() -> None:
    when = datetime(2026, 12, 5, 20, 0, 1, 500_000, tzinfo=UTC)
    v = Version(10, '"abc"', when)
    assert v.validators() == {"ETag": '"abc"', "Last-Modified": "Sat, 05 Dec 2026 20:00:01 GMT"}
    assert v.named_by('"abc"') and not v.named_by('W/"abc"') and not v.named_by('"abd"')
    assert v.named_by("Sat, 05 Dec 2026 20:00:01 GMT")  # HTTP dates have whole seconds
    assert not v.named_by("Sat, 05 Dec 2026 20:00:00 GMT") and not v.named_by("yesterday")
    assert v.current_for('W/"abc"', None) and v.current_for("*", None)
    assert not v.current_for('"x"', "Sat, 05 Dec 2026 21:00:00 GMT")  # If-None-Match decides
    assert v.current_for(None, "Sat, 05 Dec 2026 20:00:01 GMT")
    assert not v.current_for(None, "Sat, 05 Dec 2026 20:00:00 GMT")
    assert not v.current_for(None, "not a date") and not v.current_for(None, None)
    unknown = Version(10)
    assert unknown.validators() == {} and not unknown.named_by('"abc"')
    assert not unknown.current_for("*", None)
