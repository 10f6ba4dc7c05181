"""Sensitive topics, language, sentiment and WhatsApp formatting: the offline text helpers."""

from __future__ import annotations

import pytest

from app.ai import signals, topics, whatsapp
from app.domain import Sentiment


@pytest.mark.parametrize(
    "text, topic",
    [
        ("I want a refund for order 12", "refund"),
        ("Quiero un reembolso por favor", "refund"),
        ("Ich möchte eine Rückerstattung", "refund"),
        ("Je veux être remboursé", "refund"),
        ("Je demande un remboursement", "refund"),
        ("I'd like to file a complaint", "complaint"),
        ("Tengo una queja", "complaint"),
        ("My lawyer will contact you", "legal"),
        ("Ich gehe zum Anwalt", "legal"),
        ("What are your opening hours?", None),
        ("Is the discourt applied?", None),  # matches start at a word boundary only
    ],
)
def test_sensitive_topics(text: str, topic: str | None) -> None:
    assert topics.sensitive_topic(text) == topic


def test_language_detection_offline() -> None:
    assert signals.detect_language("Bonjour, quelles sont vos heures d'ouverture ?") == "fr"
    assert signals.detect_language("Hola, ¿cuánto cuesta el envío a Madrid?") == "es"
    assert signals.detect_language("ok", default="en") == "en"  # too short to tell


@pytest.mark.parametrize(
    "text, mood",
    [
        ("Thanks, that was great!", Sentiment.POSITIVE),
        ("This is terrible, my order arrived broken", Sentiment.NEGATIVE),
        ("not good at all", Sentiment.NEGATIVE),
        ("What time do you open?", Sentiment.NEUTRAL),
        ("Muchas gracias, excelente", Sentiment.POSITIVE),
    ],
)
def test_sentiment(text: str, mood: Sentiment) -> None:
    assert signals.sentiment(text) == mood


def test_markdown_becomes_whatsapp() -> None:
    md = "## Prices\n**Basic**: 10 €, *cheap*\n- one\n* two\n[site](https://x.io) `code` ~~old~~"
    out = whatsapp.to_whatsapp(md)
    assert out.splitlines()[0] == "*Prices*"
    assert "*Basic*: 10 €, _cheap_" in out
    assert "• one" in out and "• two" in out
    assert "site (https://x.io)" in out and "```code```" in out and "~old~" in out


def test_code_blocks_untouched() -> None:
    assert whatsapp.to_whatsapp("```\n**x**\n```") == "```\n**x**\n```"


def test_split_long_replies_at_boundaries() -> None:
    para = "A sentence of words. " * 40
    parts = whatsapp.split(f"{para}\n\n{para}", limit=1000)
    assert len(parts) == 2 and all(len(p) <= 1000 for p in parts)
    assert parts[0].endswith(".")
    capped = whatsapp.split("word " * 5000, limit=100, max_parts=3)
    assert len(capped) == 3 and capped[-1].endswith("…")
    assert whatsapp.split("") == []
