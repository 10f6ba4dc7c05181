"""Why an outbound message was written, on the message (`messages.send_kind`).

Analytics counted every BOT message as a bot reply — including the CSAT ask and thanks and
every broadcast message — so a broadcast to 5,000 contacts cut the escalation rate (whose
denominator is bot replies) by orders of magnitude. The sending kind lived only on the outbox
row; it is now kept with the message. Existing messages get it from their outbox row (only
the non-reply kinds need writing: the reads treat a missing kind as a reply); a CSAT thanks
written before this went out as a reply and stays counted as one.
"""

from __future__ import annotations

from app.db.migrations._sql import render


def statements(dialect: str) -> list[str]:
    """The DDL of this migration for "sqlite" or "postgres"."""
    return [
        render(dialect, "ALTER TABLE messages ADD COLUMN send_kind VARCHAR(16)"),
        # UPDATE … FROM (SQLite ≥ 3.33, Postgres): walks the few non-reply outbox rows and
        # finds each message by its primary key, instead of a subquery per message
        "UPDATE messages SET send_kind = o.kind FROM outbox o "
        "WHERE o.message_id = messages.id AND o.kind <> 'reply'",
    ]
