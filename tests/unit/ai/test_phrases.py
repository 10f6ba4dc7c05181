"""Built-in fixed replies follow the customer's language, English when we don't have it."""

from __future__ import annotations

import pytest

from app.ai.phrases import _PHRASES, fixed


@pytest.mark.parametrize(
    "language, word",
    [("es", "equipo"), ("pt-BR", "equipe"), ("de", "Team"), ("ar", "فريقنا"), ("fr", "équipe")],
)
def test_known_languages(language: str, word: str) -> None:
    for kind in ("escalation", "holding", "waiting"):
        assert word in fixed(kind, language), (kind, language)


def test_unknown_or_missing_language_is_english() -> None:
    assert fixed("holding", "sw").startswith("Sorry, I can't answer right now.")
    assert fixed("escalation", None).startswith("Thanks for your patience")


def test_every_language_has_three_distinct_sentences() -> None:
    for language, phrases in _PHRASES.items():
        assert all(phrases) and len(set(phrases)) == 3, language
