"""Approval mode (seed §3 step 3): a human approves (sends, optionally edited) or rejects
(discards, kept on record as REJECTED) the bot's PENDING_APPROVAL drafts. When the last draft
is settled the conversation is OPEN again (`conversation.updated` for webhooks, in the same
transaction)."""

from __future__ import annotations

from typing import Any

from app.auth import Resource, guarded
from app.db.repos import mapping
from app.db.repos.outbox import enqueue_row
from app.db.tables import Conversation, Message
from app.domain import Actor, Clock, Conflict, ConversationStatus, MessageStatus, NotFound
from app.domain import conversations as c
from app.events import EventBus, catalog
from app.pipeline.outbox import Outbox
from app.records import AuditTrail, WebhookOutbox
from app.services.conversation_queries import ConversationQueries
from app.services.conversations import ConversationService


class ApprovalService:
    def __init__(
        self,
        queries: ConversationQueries,
        conversations: ConversationService,
        outbox: Outbox,
        events: EventBus,
        audit: AuditTrail,
        clock: Clock,
        webhooks: WebhookOutbox,
    ) -> None:
        self._queries = queries
        self._webhooks = webhooks
        self._conversations = conversations  # where a reply goes; `conversation:updated`
        self._outbox = outbox
        self._events = events
        self._audit = audit
        self._clock = clock

    async def _draft(self, conversation_id: str, message_id: str) -> dict[str, Any]:
        draft = (
            await Message.select()
            .where((Message.id == message_id) & (Message.conversation_id == conversation_id))
            .first()
        )
        if draft is None:
            raise NotFound("message not found")
        if draft["status"] != MessageStatus.PENDING_APPROVAL:
            raise Conflict(f"this message is {draft['status']}, not waiting for approval")
        return draft

    @guarded(Resource.CONVERSATIONS, write=True)
    async def approve(
        self, actor: Actor, conversation_id: str, message_id: str, text: str | None
    ) -> c.Message:
        """Send a pending bot reply (optionally edited first)."""
        row = await self._queries.row(actor, conversation_id)
        draft = await self._draft(conversation_id, message_id)
        target = await self._conversations.target(row)
        content = text if text is not None else draft["content"]
        now = self._clock.now()
        async with Message._meta.db.transaction():
            rows = (
                await Message.update(
                    {
                        Message.content: content,
                        Message.is_approved: True,
                        Message.status: MessageStatus.QUEUED,
                    }
                )
                .where(
                    (Message.id == message_id) & (Message.status == MessageStatus.PENDING_APPROVAL)
                )
                .returning(*Message.all_columns())
            )
            if not rows:
                raise Conflict("this message was approved or rejected meanwhile")
            await enqueue_row(target, message_id, content, now)
            await self._settle_status(conversation_id, now)
        await self._audit.record(
            actor, "message.approve", "message", message_id, {"edited": text is not None}
        )
        message = mapping.message(rows[0])
        self._outbox.wake()
        self._events.publish(catalog.message_updated(actor.workspace_id or "", message))
        await self._conversations.changed(actor, conversation_id)
        return message

    @guarded(Resource.CONVERSATIONS, write=True)
    async def reject(self, actor: Actor, conversation_id: str, message_id: str) -> None:
        """Discard a pending bot reply; it stays in the thread as REJECTED (the record)."""
        await self._queries.row(actor, conversation_id)
        await self._draft(conversation_id, message_id)
        now = self._clock.now()
        async with Message._meta.db.transaction():
            rows = (
                await Message.update(
                    {Message.is_approved: False, Message.status: MessageStatus.REJECTED}
                )
                .where(Message.id == message_id)
                .returning(*Message.all_columns())
            )
            await self._settle_status(conversation_id, now)
        await self._audit.record(actor, "message.reject", "message", message_id)
        # like approve: open inboxes redraw the draft (now REJECTED) without a reload
        rejected = mapping.message(rows[0])
        self._events.publish(catalog.message_updated(actor.workspace_id or "", rejected))
        await self._conversations.changed(actor, conversation_id)

    async def _settle_status(self, conversation_id: str, now: Any) -> None:
        """PENDING_APPROVAL → OPEN once no draft is left."""
        left = await Message.exists().where(
            (Message.conversation_id == conversation_id)
            & (Message.status == MessageStatus.PENDING_APPROVAL)
        )
        if not left:
            rows = (
                await Conversation.update(
                    {Conversation.status: ConversationStatus.OPEN, Conversation.updated_at: now}
                )
                .where(
                    (Conversation.id == conversation_id)
                    & (Conversation.status == ConversationStatus.PENDING_APPROVAL)
                )
                .returning(*Conversation.all_columns())
            )
            for row in rows:
                event = catalog.conversation_updated(row["workspace_id"], mapping.conversation(row))
                await self._webhooks.record(event)
