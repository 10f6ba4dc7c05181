"""CSAT rows (issue 17): one ask per resolved conversation, answered at most once.

Both writes are single statements the database decides: `ask` inserts or does nothing (a
conversation resolved twice is asked once), `answer` sets the rating only on the contact's
newest unanswered ask still inside the window — so of two ratings racing in, one wins, and
only the winner is thanked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.db import fast
from app.db.repos.mapping import to_model
from app.db.tables import Conversation, CsatRating
from app.domain import ConversationStatus, new_id
from app.domain import agent_tools as t
from app.domain.csat import WINDOW_H

_ASK = (
    "INSERT INTO csat_ratings (id, workspace_id, conversation_id, contact_id, session_id, "
    "asked_at) VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (conversation_id) DO NOTHING "
    "RETURNING id"
)
# the newest unanswered ask of the contact, still in the window, whose conversation is still
# resolved (reopened: the customer is talking again, a number there is just a message)
_ANSWER = (
    "UPDATE csat_ratings SET rating = {}, answered_at = {} WHERE id = ("
    "SELECT r.id FROM csat_ratings r JOIN conversations c ON c.id = r.conversation_id "
    "WHERE r.contact_id = {} AND r.rating IS NULL AND r.asked_at >= {} AND c.status = {} "
    "ORDER BY r.asked_at DESC LIMIT 1) AND rating IS NULL "
    "RETURNING conversation_id"
)


async def csat_of(conversation_id: str) -> t.Csat | None:
    """The conversation's satisfaction ask and its rating, if it was asked."""
    row = await CsatRating.select().where(CsatRating.conversation_id == conversation_id).first()
    return to_model(t.Csat, row) if row is not None else None


async def ask(
    workspace_id: str, conversation_id: str, contact_id: str, session_id: str, now: datetime
) -> bool:
    """Record the ask; False when this conversation was asked before (send nothing then)."""
    rows = await fast.execute(
        CsatRating, _ASK, new_id(), workspace_id, conversation_id, contact_id, session_id, now
    )
    return bool(rows)


async def answer(contact_id: str, rating: int, now: datetime) -> str | None:
    """Store `rating` on the contact's open ask; the conversation it rates, or None when
    there is no ask to answer (none, answered already, too old, or reopened since)."""
    since = now - timedelta(hours=WINDOW_H)
    rows = await fast.execute(
        Conversation, _ANSWER, rating, now, contact_id, since, ConversationStatus.RESOLVED.value
    )
    return rows[0]["conversation_id"] if rows else None


async def histogram(
    workspace_id: str, start: datetime, end: datetime, session_id: str | None = None
) -> dict[int, int]:
    """Ratings answered in [start, end), by rating 1-5 (analytics; a small table, read raw)."""
    where = (
        (CsatRating.workspace_id == workspace_id)
        & (CsatRating.answered_at >= start)
        & (CsatRating.answered_at < end)
        & CsatRating.rating.is_not_null()
    )
    if session_id:
        where &= CsatRating.session_id == session_id
    rows = await CsatRating.select(CsatRating.rating).where(where)
    counts = dict.fromkeys(range(1, 6), 0)
    for row in rows:
        counts[row["rating"]] += 1
    return counts
