from __future__ import annotations

import pytest

from app.answers import smalltalk
from app.answers.matching import contains
from app.answers.text import repair, units


def test_units_keep_abbreviations_and_table_rows_whole() -> None:
    text = (
        "[Fees › Costs · p. 6]\n\n"  # a context line is not in a chunk's own text, but harmless
        "The FAA estimates that this AD affects 73 airplanes of U.S. registry. Docket No. "
        "FAA–2020–0686 applies. See e.g. Section 4.\n"
        "Action: AOA sensor system test | Labor cost: 40 work-hours × $85 per hour = $3,400. | "
        "Cost per product: $3,400\n\n# Heading\n\nDr. Smith wrote it. It is short."
    )
    got = units(text)
    assert "The FAA estimates that this AD affects 73 airplanes of U.S. registry." in got
    assert "Docket No. FAA–2020–0686 applies." in got
    assert any(u.startswith("Action: AOA") and u.endswith("$3,400") for u in got)
    assert "Heading" not in " ".join(got) and "Dr. Smith wrote it." in got


def test_layout_lines_are_rejoined_but_lists_are_not() -> None:
    raw = "The FAA must receive comments\non this proposed AD by September 21,\n2020.\n• Fax: 202."
    assert repair(raw) == (
        "The FAA must receive comments on this proposed AD by September 21, 2020.\n• Fax: 202."
    )


@pytest.mark.parametrize(
    "text, kind, language",
    [
        ("hi", "greeting", "en"),
        ("Hello there!", "greeting", "en"),
        ("hola buenos días", "greeting", "es"),
        ("नमस्ते", "greeting", "hi"),
        ("السلام عليكم", "greeting", "ar"),
        ("thanks a lot", "thanks", "en"),
        ("ok 👍", "ack", "en"),
        ("👍", "ack", None),
        ("muchas gracias", "thanks", "es"),
    ],
)
def test_small_talk_is_recognised(text: str, kind: str, language: str | None) -> None:
    talk = smalltalk.classify(text)
    assert talk is not None and talk.kind == kind and talk.language == language


@pytest.mark.parametrize(
    "text",
    ["hi, do you deliver?", "Hello, what are your opening hours", "ok but it was late", "hi?"],
)
def test_questions_are_not_small_talk(text: str) -> None:
    assert smalltalk.classify(text) is None


def test_small_talk_replies_in_the_customers_language() -> None:
    hi = smalltalk.classify("hola")
    assert hi is not None
    assert smalltalk.reply(hi, "en", None).startswith("¡Hola!")
    assert smalltalk.reply(hi, "en", "Welcome to Acme!") == "Welcome to Acme!"
    thanks = smalltalk.classify("thanks")
    assert thanks is not None and smalltalk.reply(thanks, None, "Welcome!") == "You're welcome! 😊"


def test_expected_answers_match_normalised() -> None:
    assert contains("Comments by September 21, 2020.", ["september 21 2020"])
    assert contains("Docket FAA-2020-0746", ["FAA–2020–0746"])
    assert not contains("We open at 8 am.", ["9 pm"])
