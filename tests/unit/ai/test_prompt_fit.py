"""Reply budget and prompt sizing per model size."""

from __future__ import annotations

from app.ai import prompt_fit
from app.domain.workspace_settings import DEFAULTS, WorkspaceSettings
from app.llm import Passage
from app.llm.base import ModelProfile

LONG = "The FAA must receive comments on this AD by October 26, 2020. " * 30


def test_reply_budget_is_short_and_the_workspace_can_lower_it() -> None:
    assert prompt_fit.reply_budget(DEFAULTS) == prompt_fit.REPLY_TOKENS == 150
    assert prompt_fit.reply_budget(WorkspaceSettings(ai_max_tokens=1024)) == 150
    assert prompt_fit.reply_budget(WorkspaceSettings(ai_max_tokens=80)) == 80
    assert (
        prompt_fit.reply_budget(WorkspaceSettings(ai_max_tokens=1)) == prompt_fit.MIN_REPLY_TOKENS
    )


def test_smaller_models_read_fewer_shorter_passages() -> None:
    assert prompt_fit.fit_for(None, 200) is None  # cloud: unchanged
    tiny = prompt_fit.fit_for(ModelProfile(32768, 0.27), 200)
    mid = prompt_fit.fit_for(ModelProfile(32768, 1.5), 200)
    big = prompt_fit.fit_for(ModelProfile(32768, 8.0), 200)
    assert tiny and mid and big
    assert tiny.passages < mid.passages < big.passages
    assert tiny.passage_chars < mid.passage_chars < big.passage_chars
    assert tiny.history < mid.history < big.history


def test_a_small_context_window_shrinks_the_prompt_to_fit() -> None:
    fit = prompt_fit.fit_for(ModelProfile(1024, 3.0), 200)
    assert fit is not None
    room = 1024 - 200 - prompt_fit.PROMPT_OVERHEAD_TOKENS - fit.history * 40
    assert fit.passages * fit.passage_chars <= room * prompt_fit.CHARS_PER_TOKEN


def test_passages_are_cut_at_a_sentence_and_faq_answers_keep_their_question() -> None:
    fit = prompt_fit.Fit(passages=2, passage_chars=200, history=4)
    hits = [
        Passage("f", "Q/A", 0.9, "faq", question="Deadline?", answer=LONG),
        Passage("c1", LONG, 0.8),
        Passage("c2", "never shown", 0.7),
    ]
    faq, chunk = prompt_fit.passages(hits, fit)
    assert faq.question == "Deadline?" and faq.answer and len(faq.answer) <= 200
    assert faq.answer.endswith("2020.") and chunk.text.endswith("2020.")
    assert prompt_fit.shorten("one two three four five six", 12) == "one two …"
