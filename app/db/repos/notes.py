"""Reading private notes (issue 17) as domain records: the notes service and the thread
(`ConversationQueries.get`) both list them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.db.tables import ConversationNote
from app.domain import agent_tools as t

MAX_NOTES = 500  # in one listing: far more than a thread holds


async def notes_of(
    conversation_id: str, since: datetime | None = None, until: datetime | None = None
) -> list[t.Note]:
    """A conversation's notes, oldest first, with `since <= created_at < until` when given."""
    where: Any = ConversationNote.conversation_id == conversation_id
    if since is not None:
        where &= ConversationNote.created_at >= since
    if until is not None:
        where &= ConversationNote.created_at < until
    rows = (
        await ConversationNote.select(
            *ConversationNote.all_columns(), ConversationNote.author_user_id.name.as_alias("author")
        )
        .where(where)
        .order_by(ConversationNote.created_at)
        .order_by(ConversationNote.id)
        .limit(MAX_NOTES)
    )
    return [_note(r) for r in rows]


async def by_id(note_id: str) -> list[t.Note]:
    rows = await ConversationNote.select(
        *ConversationNote.all_columns(), ConversationNote.author_user_id.name.as_alias("author")
    ).where(ConversationNote.id == note_id)
    return [_note(r) for r in rows]


def _note(row: dict[str, Any]) -> t.Note:
    return t.Note(
        id=row["id"],
        conversation_id=row["conversation_id"],
        author_user_id=row["author_user_id"],
        author_name=row.get("author"),
        text=row["text"],
        created_at=row["created_at"],
        edited_at=row.get("edited_at"),
    )
