"""The output check on degenerate replies seen from real small models, and on good ones."""

from __future__ import annotations

import pytest

from app.ai.output_check import check

# The review: gemma-3-270m answered the comment-deadline question with one sentence, 881
# tokens long (here a few repetitions of it).
REVIEW_LOOP = " ".join(
    ["By the end of the 2020 year, the FAA will have received comments on the proposed AD."] * 6
)
# Gemma 3 270M (packaged) with its chat template, asked "Do you deliver?" about a bakery:
# it re-wrote its prompt, twice, with a stray token in between.
PROMPT_ECHO_LOOP = (
    "You are a model of the bakery.\n\nThe story:\n[f2] Q: When do you open?\nA: We will be "
    "closed on Mondays and Fridays from 7:00 to 19:00.\n\nRules:\n- Always reply in English.\n"
    "- Be concise.\n\nDo you deliver? mendatanguser\nYou are a model of the bakery.\n\nThe "
    "story:\n[f3] Q: When do you open?\nA: We will be clos"
)
WORD_LOOP = "Sure sure sure sure sure sure sure sure sure sure sure sure sure sure sure"
CHAR_LOOP = "ありがとうございますありがとうございますありがとうございますありがとうございます"
NGRAM_LOOP = (
    "we can deliver the cake to you and we can deliver the cake to you and we can deliver the "
    "cake to you and we can deliver the cake to you"
)


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (REVIEW_LOOP, "loop"),  # also a repeated sentence; the loop is seen first
        (PROMPT_ECHO_LOOP, "repeated_sentence"),
        (WORD_LOOP, "loop"),
        (CHAR_LOOP, "loop"),
        (NGRAM_LOOP, "loop"),
        ("", "empty"),
        ("   \n ", "empty"),
        ("When are you open on Sunday?", "echo"),
        ("when are you OPEN on sunday", "echo"),
        ("When are you open on Sunday? When are you open on Sunday?", "repeated_sentence"),
    ],
)
def test_degenerate_replies_are_caught(reply: str, problem: str) -> None:
    assert check(reply, "When are you open on Sunday?").problem == problem


def test_a_reply_cut_at_the_token_budget_is_caught() -> None:
    verdict = check("We are open Monday to Saturday from 7:00 and on Sun", "Hours?", truncated=True)
    assert verdict.problem == "cut_off" and not verdict.ok


@pytest.mark.parametrize(
    "reply",
    [
        "We are open Monday to Saturday from 7:00 to 19:00.",
        "Yes. Yes. We deliver within 5 km for orders above 20 €.",  # short repeats are fine
        "Sunday we are closed. On Saturday we open at 8:00. See you soon!",
        "हम रविवार को बंद रहते हैं। शनिवार को हम सुबह 8 बजे खुलते हैं।",
        "Open on Sunday? Yes, from 10:00 to 14:00.",  # quotes the question, then answers
        "echo: When are you open on Sunday?",  # the test fake's default is not an echo
        "👍",
    ],
)
def test_good_replies_pass(reply: str) -> None:
    assert check(reply, "When are you open on Sunday?").ok
