"""The overview dashboard's KPI cards (seed §7 `/dashboard`), counted from the workspace's rows.

Definitions (they are shown to users under each card, so keep them in sync with `HELP`):
- messages today: messages in or out since 00:00 UTC today;
- open conversations: every conversation not RESOLVED (open, waiting for a human, or with a
  reply pending approval);
- waiting for a human: conversations in WAITING_HUMAN;
- bot resolution rate: of the conversations resolved in the last 30 days, the share the bot
  resolved — no human ever sent a message AND the bot never escalated (no reply with an
  escalation reason, never waiting for a human): the same definition as /analytics
  (`app/domain/analytics.py`); None while nothing was resolved in that window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.auth import Resource, guarded
from app.db.tables import Conversation, Message
from app.domain import Actor, Clock, ConversationStatus, SenderType

WINDOW = timedelta(days=30)
HELP = {
    "messages_today": "Messages in and out since midnight (UTC).",
    "open_conversations": "Conversations not resolved yet.",
    "waiting_human": "Conversations the bot handed to a person.",
    "resolution_rate": "Resolved in the last 30 days with no human message and no escalation.",
}


@dataclass(frozen=True, slots=True)
class Kpis:
    messages_today: int
    open_conversations: int
    waiting_human: int
    resolved_30d: int
    resolved_by_bot_30d: int

    @property
    def resolution_rate(self) -> float | None:
        """0..1, or None when nothing was resolved in the window (no rate, not 0 %)."""
        if not self.resolved_30d:
            return None
        return self.resolved_by_bot_30d / self.resolved_30d


class OverviewService:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    @guarded(Resource.ANALYTICS, write=False)
    async def kpis(self, actor: Actor) -> Kpis:
        ws = actor.workspace_id
        now = self._clock.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        in_ws = Conversation.workspace_id == ws
        messages_today = await Message.count().where(
            (Message.workspace_id == ws) & (Message.created_at >= midnight)
        )
        open_ = await Conversation.count().where(
            in_ws & (Conversation.status != ConversationStatus.RESOLVED)
        )
        waiting = await Conversation.count().where(
            in_ws & (Conversation.status == ConversationStatus.WAITING_HUMAN)
        )
        resolved = in_ws & (Conversation.status == ConversationStatus.RESOLVED)
        resolved &= Conversation.resolved_at >= now - WINDOW
        resolved_total = await Conversation.count().where(resolved)
        helped = Message.select(Message.conversation_id).where(
            (Message.workspace_id == ws)
            & ((Message.sender_type == SenderType.HUMAN) | Message.escalation_reason.is_not_null())
        )
        by_bot = await Conversation.count().where(
            resolved & Conversation.waiting_since.is_null() & Conversation.id.not_in(helped)
        )
        return Kpis(messages_today, open_, waiting, resolved_total, by_bot)
