"""`human_reply_needed` (seed §12): a conversation waits for a human (WAITING_HUMAN: the bot
escalated, or an agent set it) and nobody has answered within the workspace's
`human_reply_timeout_min` → notify the workspace, once per waiting period.

A human reply moves the conversation back to OPEN (app/services/conversations.py), which ends
the period; becoming WAITING_HUMAN again starts a new one (`waiting_since`). The "once" is
durable (`human_nudged_at`, set with a guarded UPDATE), so a restart or two overlapping runs
never notify twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.db.repos import workspace_settings
from app.db.tables import Conversation
from app.domain import Clock, ConversationStatus
from app.domain.workspace_settings import DEFAULTS
from app.events import catalog
from app.records import Notifier

log = logging.getLogger(__name__)


async def nudge_waiting(clock: Clock, notifier: Notifier) -> int:
    """Notify for every conversation waiting too long; returns how many were notified."""
    now = clock.now()
    waiting = await Conversation.select(
        Conversation.id,
        Conversation.workspace_id,
        Conversation.contact_id,
        Conversation.waiting_since,
        Conversation.human_nudged_at,
    ).where(
        (Conversation.status == ConversationStatus.WAITING_HUMAN)
        & Conversation.waiting_since.is_not_null()
    )
    due = [c for c in waiting if not _nudged(c["waiting_since"], c["human_nudged_at"])]
    if not due:
        return 0
    settings = await workspace_settings.load_many(list({c["workspace_id"] for c in due}))
    sent = 0
    for conv in due:
        minutes = settings.get(conv["workspace_id"], DEFAULTS).human_reply_timeout_min
        if minutes <= 0 or now - conv["waiting_since"] < timedelta(minutes=minutes):
            continue
        if not await _claim(conv["id"], now):
            continue  # another run got it first
        notice = catalog.human_reply_needed(
            conv["id"], conv["contact_id"], conv["waiting_since"], minutes
        )
        await notifier.notify(conv["workspace_id"], notice)
        sent += 1
    if sent:
        log.info("human_reply_needed sent for %d conversations", sent)
    return sent


def _nudged(since: datetime, nudged: datetime | None) -> bool:
    return nudged is not None and nudged >= since


async def _claim(conversation_id: str, now: datetime) -> bool:
    """Mark this waiting period notified, unless someone already did (or it ended)."""
    rows = (
        await Conversation.update({Conversation.human_nudged_at: now})
        .where(
            (Conversation.id == conversation_id)
            & (Conversation.status == ConversationStatus.WAITING_HUMAN)
            & (
                Conversation.human_nudged_at.is_null()
                | (Conversation.human_nudged_at < Conversation.waiting_since)
            )
        )
        .returning(Conversation.id)
    )
    return bool(rows)
