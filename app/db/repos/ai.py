"""Queries of the AI engine: the default knowledge base and its rows to search, conversation
history, and what the engine learned about an inbound message (sentiment, language, transcript)."""

from __future__ import annotations

from typing import Any

from app.db.repos import mapping
from app.db.tables import Conversation, KBChunk, KBFaq, KnowledgeBase, Message
from app.domain import Direction, MessageStatus, Sentiment
from app.domain import conversations as c

_UNSENT = (MessageStatus.PENDING_APPROVAL, MessageStatus.FAILED)


async def default_kb_id(workspace_id: str) -> str | None:
    """The workspace's default knowledge base, if it has one yet (made on first need)."""
    row = (
        await KnowledgeBase.select(KnowledgeBase.id)
        .where(
            (KnowledgeBase.workspace_id == workspace_id) & (KnowledgeBase.is_default == True)  # noqa: E712
        )
        .first()
    )
    return row["id"] if row else None


async def faqs(workspace_id: str, kb_id: str | None = None) -> list[dict[str, Any]]:
    """The workspace's FAQs (of one knowledge base when `kb_id` is given)."""
    where = KBFaq.knowledge_base_id.workspace_id == workspace_id
    if kb_id is not None:
        where &= KBFaq.knowledge_base_id == kb_id
    return await KBFaq.select(KBFaq.id, KBFaq.question, KBFaq.answer).where(where)


async def chunks(workspace_id: str, limit: int, kb_id: str | None = None) -> list[dict[str, Any]]:
    """The workspace's indexed chunk texts (of one knowledge base when `kb_id` is given)."""
    # piccolo types a foreign-key hop as Column | Any, so the second hop is unknown to mypy
    kb = KBChunk.document_id.knowledge_base_id
    where = kb.workspace_id == workspace_id  # type: ignore[union-attr]  # FK hop
    if kb_id is not None:
        where &= kb == kb_id
    return await KBChunk.select(KBChunk.id, KBChunk.content).where(where).limit(limit)


async def history(conversation_id: str, before_id: str, limit: int) -> list[c.Message]:
    """The last `limit` messages of the conversation other than `before_id`, oldest first;
    drafts never sent (approval pending, failed) are not part of what the customer saw."""
    rows = (
        await Message.select()
        .where(
            (Message.conversation_id == conversation_id)
            & (Message.id != before_id)
            & Message.status.not_in(list(_UNSENT))
        )
        .order_by(Message.created_at, ascending=False)
        .limit(limit)
    )
    return [mapping.message(r) for r in reversed(rows)]


async def annotate_inbound(
    message_id: str,
    conversation_id: str,
    *,
    sentiment: Sentiment | None = None,
    language: str | None = None,
    transcript: str | None = None,
) -> c.Message | None:
    """Store what the engine understood about an inbound message (and the chat's mood);
    returns the updated message (None when nothing changed)."""
    changes: dict[Any, Any] = {}
    if sentiment is not None:
        changes[Message.sentiment] = sentiment
    if language is not None:
        changes[Message.language] = language
    if transcript is not None:
        changes[Message.media_transcript] = transcript
    rows = []
    if changes:
        rows = (
            await Message.update(changes)
            .where(Message.id == message_id)
            .returning(*Message.all_columns())
        )
    if sentiment is not None:
        await Conversation.update({Conversation.sentiment: sentiment}).where(
            Conversation.id == conversation_id
        )
    return mapping.message(rows[0]) if rows else None


async def last_language(conversation_id: str) -> str | None:
    """The language most recently detected in the customer's messages of this conversation."""
    row = (
        await Message.select(Message.language)
        .where(
            (Message.conversation_id == conversation_id)
            & (Message.direction == Direction.INBOUND)
            & Message.language.is_not_null()
        )
        .order_by(Message.created_at, ascending=False)
        .first()
    )
    return row["language"] if row else None
