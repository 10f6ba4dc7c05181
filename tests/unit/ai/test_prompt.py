from __future__ import annotations

from datetime import UTC, datetime

from app.ai import prompt
from app.domain import Direction, MessageStatus, SenderType
from app.domain import conversations as c
from app.llm import Passage

FAQ = Passage("f1", "Q/A", 0.9, kind="faq", question="Opening hours?", answer="9 to 5.")


def msg(direction: Direction, content: str) -> c.Message:
    sender = SenderType.CONTACT if direction == Direction.INBOUND else SenderType.BOT
    return c.Message(
        id=content, conversation_id="c", direction=direction, sender_type=sender,
        content=content, status=MessageStatus.SENT, created_at=datetime.now(UTC),
    )  # fmt: skip


def test_full_template() -> None:
    text = prompt.system_prompt(
        prompt.PromptInput(
            bot_name="Aimy",
            persona="the helpful assistant of Acme Bikes",
            contact_name="Priya",
            language="fr",
            passages=[FAQ, Passage("k1", "Bikes ship in 2 days.", 0.5)],
            now=datetime(2026, 11, 24, 20, 0, tzinfo=UTC),
            business_hours="mon 09:00-17:00 (UTC)",
            outside_hours=True,
            contact_facts=["- Labels: VIP"],
            media_context="Document invoice.pdf:\nTotal 20 €",
        )
    )
    assert text.startswith("You are Aimy, the helpful assistant of Acme Bikes.")
    assert "Knowledge Base Context:\n[f1] Q: Opening hours?\nA: 9 to 5.\n\n[k1] Bikes ship" in text
    assert "Current time: Tuesday 2026-11-24 20:00." in text
    assert "Business hours: mon 09:00-17:00 (UTC)." in text
    assert "You are outside business hours." in text
    assert "What you know about this contact:\n- Labels: VIP" in text
    assert "Total 20 €" in text
    assert "(detected: French)" in text
    assert "For sensitive topics (refunds, complaints, legal), always escalate" in text
    assert text.endswith("Contact name: Priya")


def test_optional_sections_disappear() -> None:
    text = prompt.system_prompt(prompt.PromptInput("Bot", None, None, None))
    assert "Knowledge Base" not in text and "Business hours" not in text
    assert "What you know" not in text
    assert prompt.DEFAULT_PERSONA in text and "(detected: unknown)" in text


def test_turns_merge_and_start_with_the_user() -> None:
    history = [
        msg(Direction.OUTBOUND, "Welcome!"),
        msg(Direction.INBOUND, "hi"),
        msg(Direction.INBOUND, "are you there?"),
        msg(Direction.OUTBOUND, "Yes"),
    ]
    turns = prompt.turns(history, "price?")
    assert [(t.role, t.content) for t in turns] == [
        ("user", "hi\nare you there?"),
        ("assistant", "Yes"),
        ("user", "price?"),
    ]
