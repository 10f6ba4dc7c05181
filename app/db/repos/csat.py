"""CSAT rows (issue 17): one ask per resolved conversation, answered at most once."""

from __future__ import annotations

from app.db.repos.mapping import to_model
from app.db.tables import CsatRating
from app.domain import agent_tools as t


async def csat_of(conversation_id: str) -> t.Csat | None:
    """The conversation's satisfaction ask and its rating, if it was asked."""
    row = await CsatRating.select().where(CsatRating.conversation_id == conversation_id).first()
    return to_model(t.Csat, row) if row is not None else None
