"""Conversations (seed §6): status/assignment and human replies through the outbox. Reading
(list, thread, export) is `ConversationQueries`' (conversation_queries.py)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import msgspec

from app.auth import Resource, guarded
from app.db.repos import mapping, outbox
from app.db.repos.messages import workspace_settings
from app.db.tables import Contact, Conversation, WorkspaceUser
from app.domain import (
    Actor,
    Conflict,
    ConversationStatus,
    Invalid,
    SenderType,
    new_id,
)
from app.domain import conversations as c
from app.events import names
from app.services import attachments
from app.services.attachments import Attachment
from app.services.audit import AuditService
from app.services.conversation_queries import ConversationQueries
from app.services.reply_events import announce_reply

if TYPE_CHECKING:
    from app.pipeline import Pipeline


class ConversationService(ConversationQueries):
    def __init__(self, pipeline: Pipeline, audit: AuditService) -> None:
        self.pipeline = self._pipeline = pipeline
        self._audit = audit
        self._clock = pipeline.clock
        self._events = pipeline.events

    @guarded(Resource.CONVERSATIONS, write=True)
    async def update(
        self,
        actor: Actor,
        conversation_id: str,
        *,
        status: ConversationStatus | None = None,
        assigned_user_id: str | None = None,
        unassign: bool = False,
        read: bool = False,
    ) -> c.Conversation:
        row = await self.row(actor, conversation_id)
        now = self._clock.now()
        changes: dict[Any, Any] = {Conversation.updated_at: now}
        if status is not None:
            changes[Conversation.status] = status
            waiting = ConversationStatus.WAITING_HUMAN
            if status == waiting and row["status"] != waiting:  # the human_reply_needed clock
                changes[Conversation.waiting_since] = now
            changes[Conversation.resolved_at] = (
                now if status is ConversationStatus.RESOLVED else None
            )
        if assigned_user_id is not None:
            member = await WorkspaceUser.exists().where(
                (WorkspaceUser.user_id == assigned_user_id)
                & (WorkspaceUser.workspace_id == actor.workspace_id)
            )
            if not member:
                raise Invalid("assignedUserId: not a member of this workspace")
            changes[Conversation.assigned_user_id] = assigned_user_id
        elif unassign:
            changes[Conversation.assigned_user_id] = None
        if read:
            changes[Conversation.unread_count] = 0
        await Conversation.update(changes).where(Conversation.id == conversation_id)
        meta = {
            "status": status,
            "assignedUserId": assigned_user_id,
            "unassign": unassign or None,
            "read": read or None,
        }
        await self._audit.record(
            actor,
            "conversation.update",
            "conversation",
            conversation_id,
            {k: v for k, v in meta.items() if v is not None},
        )
        return await self.changed(actor, conversation_id)

    @guarded(Resource.CONVERSATIONS, write=True)
    async def changed(self, actor: Actor, conversation_id: str) -> c.Conversation:
        """Announce `conversation:updated` after a change made through another service."""
        row = await self.row(actor, conversation_id)
        conv = mapping.conversation(row)
        self._events.publish(
            names.CONVERSATION_UPDATED,
            actor.workspace_id or "",
            {"conversation": msgspec.to_builtins(conv)},
            conversation_id=conversation_id,
        )
        return conv

    @guarded(Resource.CONVERSATIONS, write=True)
    async def send(
        self,
        actor: Actor,
        conversation_id: str,
        text: str,
        attachment: Attachment | None = None,
    ) -> c.Message:
        """A human agent's reply: queued in the outbox like the bot's; per settings it also
        turns on human takeover so the bot stops answering this contact. An attachment is
        checked (type from its bytes, 16 MB), stored, and sent with `text` as its caption."""
        row = await self.row(actor, conversation_id)
        target = await self.target(row)
        text = (text or "").strip()
        if attachment is None and not text:
            raise Invalid("text: a message needs text or a file")
        kind = attachments.check(attachment) if attachment is not None else None
        message_id = media = None
        if attachment is not None and kind is not None:
            message_id = new_id()
            media = await asyncio.to_thread(
                attachments.store,
                self._pipeline.media_dir,
                row["workspace_id"],
                message_id,
                kind,
                attachment,
            )
        draft = outbox.Draft(
            text,
            sender_type=SenderType.HUMAN,
            sender_user_id=actor.user_id,
            media=media,
            message_id=message_id,
        )
        answered = (
            ConversationStatus.OPEN if row["status"] == ConversationStatus.WAITING_HUMAN else None
        )
        try:
            (message,) = await outbox.record_decision(
                target, None, [draft], self._clock.now(), status=answered
            )
        except BaseException:
            if media is not None:  # no row refers to it: do not leave it behind
                attachments.discard(media)
            raise
        await self._audit.record(actor, "conversation.send", "conversation", conversation_id)
        settings = await workspace_settings(actor.workspace_id or "")
        if settings.get("human_reply_pauses_bot", True):
            await Contact.update({Contact.human_takeover: True}).where(
                (Contact.id == row["contact_id"]) & (Contact.human_takeover == False)  # noqa: E712
            )
        await announce_reply(self._pipeline, actor.workspace_id or "", conversation_id, message)
        return message

    async def target(self, row: dict[str, Any]) -> outbox.Target:
        if row["session_id"] is None:
            raise Conflict("this conversation's WhatsApp number was removed; it cannot send")
        contact = await Contact.select(Contact.jid).where(Contact.id == row["contact_id"]).first()
        assert contact is not None
        return outbox.Target(row["workspace_id"], row["session_id"], row["id"], contact["jid"])
