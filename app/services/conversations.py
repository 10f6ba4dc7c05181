"""Conversations (seed §6): status/assignment and human replies through the outbox. Reading
(list, thread, export) is `ConversationQueries`' (conversation_queries.py).

A human reply is announced like the bot's — `message:new` with the message and the
conversation after it — and then `conversation:updated` (status, lastMessageAt), so clients
that keep a conversation list from events (the API's websocket, the inbox) stay current.
Webhooks hear of a status or assignee change (`conversation.updated`) in its transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.auth import Resource, guarded
from app.db.repos import csat as csat_repo
from app.db.repos import mapping, workspace_settings
from app.db.repos import outbox as outbox_repo
from app.db.repos.outbox import Draft, Target, Written
from app.db.tables import Contact, Conversation, WorkspaceUser
from app.db.tx import transaction
from app.domain import (
    Actor,
    Clock,
    Conflict,
    ConversationStatus,
    Invalid,
    SenderType,
    csat,
    new_id,
)
from app.domain import conversations as c
from app.domain.sending import SendKind
from app.events import Event, EventBus, catalog
from app.pipeline.outbox import Outbox
from app.records import AuditTrail, WebhookOutbox
from app.services import attachments
from app.services.attachments import Attachment
from app.services.conversation_queries import ConversationQueries
from app.storage import Storage


class ConversationService:
    def __init__(
        self,
        queries: ConversationQueries,
        outbox: Outbox,
        events: EventBus,
        audit: AuditTrail,
        clock: Clock,
        storage: Storage,
        webhooks: WebhookOutbox,
    ) -> None:
        self._queries = queries
        self._outbox = outbox
        self._events = events
        self._webhooks = webhooks
        self._audit = audit
        self._clock = clock
        self._storage = storage  # where a reply's attachment is stored

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
        keep_takeover: bool = False,
    ) -> c.Conversation:
        """Change status, assignee or read mark. Resolving hands the contact back to the bot
        (the next conversation is answered) unless `keep_takeover`."""
        row = await self._queries.row(actor, conversation_id)
        now = self._clock.now()
        changes: dict[Any, Any] = {Conversation.updated_at: now}
        resolving = status is ConversationStatus.RESOLVED and row["status"] != status
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
        reassigned = (assigned_user_id or None) != row["assigned_user_id"] and (
            assigned_user_id is not None or unassign
        )
        asked = None
        async with transaction():
            await Conversation.update(changes).where(Conversation.id == conversation_id)
            handed_back = []
            if resolving and not keep_takeover:
                handed_back = await self._hand_back(actor, row["contact_id"], now)
            if resolving:
                asked = await self._ask_csat(row, now)
            meta = {
                "status": status,
                "assignedUserId": assigned_user_id,
                "unassign": unassign or None,
                "read": read or None,
                "keepTakeover": (keep_takeover or None) if resolving else None,
                "handedBackToBot": bool(handed_back) or None,
            }
            await self._audit.record(
                actor,
                "conversation.update",
                "conversation",
                conversation_id,
                {k: v for k, v in meta.items() if v is not None},
            )
            told = list(handed_back)
            if status not in (None, row["status"]) or reassigned:  # webhooks: not a read mark
                conv = mapping.conversation(await self._queries.row(actor, conversation_id))
                told.append(catalog.conversation_updated(actor.workspace_id or "", conv))
            await self._webhooks.record(*told)  # in the change's transaction
        for event in handed_back:
            self._events.publish(event)
        if asked is not None:
            self._outbox.announce(row["workspace_id"], asked)
        return await self.changed(actor, conversation_id)

    async def _ask_csat(self, row: dict[str, Any], now: datetime) -> Written | None:
        """After resolve, when the workspace asks for ratings: queue the question once per
        conversation (in the resolve's transaction), to a customer who wrote to us."""
        settings = await workspace_settings.load(row["workspace_id"])
        if not settings.csat_enabled or row["session_id"] is None:
            return None
        if not await outbox_repo.ever_wrote(row["id"]):
            return None  # never ask someone who never wrote: that would be a cold message
        if not await csat_repo.ask(
            row["workspace_id"], row["id"], row["contact_id"], row["session_id"], now
        ):
            return None  # asked before (resolved, reopened, resolved again)
        target = await self.target(row)
        contact = await Contact.select(Contact.language).where(Contact.id == row["contact_id"])
        text = csat.question(settings.csat_question, contact[0]["language"] if contact else None)
        return await self._outbox.enqueue(target, [Draft(text)], kind=SendKind.CSAT, cold=False)

    async def _hand_back(self, actor: Actor, contact_id: str, now: datetime) -> list[Event]:
        """Turn the contact's human takeover off; `contact:updated` when it was on."""
        rows = (
            await Contact.update({Contact.human_takeover: False, Contact.updated_at: now})
            .where((Contact.id == contact_id) & (Contact.human_takeover == True))  # noqa: E712
            .returning(*Contact.all_columns())
        )
        ws = actor.workspace_id or ""
        return [catalog.contact_updated(ws, mapping.contact(row)) for row in rows]

    @guarded(Resource.CONVERSATIONS, write=True)
    async def changed(self, actor: Actor, conversation_id: str) -> c.Conversation:
        """Announce `conversation:updated` after a change made through another service."""
        row = await self._queries.row(actor, conversation_id)
        conv = mapping.conversation(row)
        self._events.publish(catalog.conversation_updated(actor.workspace_id or "", conv))
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
        row = await self._queries.row(actor, conversation_id)
        target = await self.target(row)
        text = (text or "").strip()
        if attachment is None and not text:
            raise Invalid("text: a message needs text or a file")
        kind = attachments.check(attachment) if attachment is not None else None
        message_id = media = None
        if attachment is not None and kind is not None:
            message_id = new_id()
            media = await attachments.store(
                self._storage, row["workspace_id"], message_id, kind, attachment
            )
        draft = Draft(
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
            wrote = await outbox_repo.ever_wrote(row["id"])
            async with transaction():
                written = await self._outbox.record(
                    target,
                    [draft],
                    status=answered,
                    # to someone who never wrote, an agent's message is sending first: cold,
                    # held by the daily budget and the first-message cap, like the API's
                    kind=SendKind.HUMAN if wrote else SendKind.SEND_FIRST,
                    cold=not wrote,
                )
                if answered is not None and written.conversation is not None:
                    event = catalog.conversation_updated(row["workspace_id"], written.conversation)
                    await self._webhooks.record(event)
        except BaseException:
            if media is not None:  # no row refers to it: do not leave it behind
                await attachments.discard(self._storage, media)
            raise
        await self._audit.record(actor, "conversation.send", "conversation", conversation_id)
        settings = await workspace_settings.load(actor.workspace_id or "")
        if settings.human_reply_pauses_bot:
            await Contact.update({Contact.human_takeover: True}).where(
                (Contact.id == row["contact_id"]) & (Contact.human_takeover == False)  # noqa: E712
            )
        (message,) = written.messages
        ws, conversation = actor.workspace_id or "", written.conversation
        self._events.publish(catalog.message_new(ws, message, conversation))
        if conversation is not None:
            self._events.publish(catalog.conversation_updated(ws, conversation))
        self._outbox.wake()
        return message

    async def target(self, row: dict[str, Any]) -> Target:
        """Where a reply in this conversation goes: its session and the contact's JID."""
        if row["session_id"] is None:
            raise Conflict("this conversation's WhatsApp number was removed; it cannot send")
        contact = await Contact.select(Contact.jid).where(Contact.id == row["contact_id"]).first()
        assert contact is not None
        return Target(row["workspace_id"], row["session_id"], row["id"], contact["jid"])
