"""Private notes in a thread (issue 17): what the team tells itself about a conversation.

A note is a `conversation_notes` row, never a message: the outbox and the dispatcher only send
`messages`, and analytics, unread counts, previews and the AI's history only read them — so a
note cannot reach the customer, or be counted or quoted as something they were told.
Anyone who may write conversations may add one; whoever may read them, reads them.
"""

from __future__ import annotations

from app.auth import Resource, guarded
from app.db.repos.notes import by_id, notes_of
from app.db.tables import ConversationNote
from app.domain import Actor, Clock, Invalid
from app.domain import agent_tools as t
from app.events import EventBus, catalog
from app.records import AuditTrail
from app.services.conversation_queries import ConversationQueries


class NoteService:
    def __init__(
        self, queries: ConversationQueries, events: EventBus, audit: AuditTrail, clock: Clock
    ) -> None:
        self._queries = queries
        self._events = events  # `note:new`: other open inboxes show it at once
        self._audit = audit
        self._clock = clock

    @guarded(Resource.CONVERSATIONS, write=True)
    async def add(self, actor: Actor, conversation_id: str, text: str) -> t.Note:
        await self._queries.row(actor, conversation_id)
        text = text.strip()
        if not text:
            raise Invalid("text: a note needs text")
        row = ConversationNote(
            workspace_id=actor.workspace_id,
            conversation_id=conversation_id,
            author_user_id=actor.user_id,
            text=text,
            created_at=self._clock.now(),
        )
        await ConversationNote.insert(row)
        await self._audit.record(actor, "conversation.note", "conversation", conversation_id)
        (note,) = await by_id(row.id)
        self._events.publish(catalog.note_new(actor.workspace_id or "", note))
        return note

    @guarded(Resource.CONVERSATIONS, write=False)
    async def list(self, actor: Actor, conversation_id: str) -> list[t.Note]:
        await self._queries.row(actor, conversation_id)
        return await notes_of(conversation_id)
