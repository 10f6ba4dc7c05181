"""Shape chat history the way strict chat templates require: user first, roles alternating.

WhatsApp history breaks both rules (three inbound messages in a row; a conversation opened by
the bot's broadcast), and the Anthropic API and many GGUF chat templates reject such input.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.llm.base import ChatMessage

OPENING = "(conversation continues)"


def alternate(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """Merge consecutive same-role turns; open with a stub user turn if the bot spoke first."""
    merged: list[ChatMessage] = []
    for message in messages:
        if not message.content.strip():
            continue
        if merged and merged[-1].role == message.role:
            merged[-1] = ChatMessage(message.role, f"{merged[-1].content}\n{message.content}")
        else:
            merged.append(message)
    if merged and merged[0].role == "assistant":
        merged.insert(0, ChatMessage("user", OPENING))
    return merged
