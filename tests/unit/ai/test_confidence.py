from __future__ import annotations

import pytest

from app.ai import confidence


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"confidence": 0.85, "reason": "in the FAQ"}', 0.85),
        ('Sure! ```json\n{"confidence": "0.4", "reason": "partly"}\n```', 0.4),
        ('{"other": 1} then {"confidence": 1, "reason": "x"}', 1.0),
        ('{"confidence": "70%"}', 0.7),
        ("confidence: 0.3 because reasons", 0.3),
        ('{"confidence": 1.7}', None),  # out of range: unknown, not certain
        ('{"confidence": -0.2}', None),
        ('{"confidence": "high"}', None),
        ("I think it's fine", None),
        ("", None),
    ],
)
def test_parse(text: str, expected: float | None) -> None:
    assert confidence.parse(text)[0] == expected


def test_reason_and_prompt() -> None:
    assert confidence.parse('{"confidence": 0.9, "reason": "cited"}') == (0.9, "cited")
    p = confidence.prompt('what is "x"?', "x is y")
    assert "Given this question: \"what is 'x'?\"" in p and "no knowledge base passages" in p
    assert '{"confidence": 0.85, "reason": "..."}' in p
    # the judge sees the passages it judges, numbered, before the seed's question
    p = confidence.prompt("when?", "Monday", ["We open on\nMonday.", "Shipping is free."])
    assert p.startswith("Context:\n[1] We open on Monday.\n[2] Shipping is free.\n\nGiven")
