"""`fast.run_with`: writes nobody reads back go with the next statement — one statement of
data-modifying CTEs on Postgres, one by one on SQLite — with the same outcome on both: the
rows are there, the statement's rows come back, and a failing write takes all back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from piccolo.engine.base import Engine

from app.db import fast
from app.db.repos.inbound import message_row
from app.db.tables import Conversation, Message
from app.db.tx import transaction
from app.domain import Direction, SenderType
from tests.integration.db.graph import build

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BUMP = "UPDATE conversations SET unread_count = unread_count + {} WHERE id = {} RETURNING *"


def _row(g, **values):  # type: ignore[no-untyped-def]
    return message_row(
        workspace_id=g.workspace.id,
        conversation_id=g.conversation.id,
        direction=Direction.INBOUND,
        sender_type=SenderType.CONTACT,
        created_at=NOW,
        **values,
    )


async def test_the_writes_and_the_statement_land_together(db: Engine) -> None:
    g = await build()
    before = await Message.count()
    first, second = _row(g, content="one"), _row(g, content="two")
    rows = await fast.insert_with(
        [(Message, first), (Message, second)], Conversation, BUMP, 2, g.conversation.id
    )
    assert rows[0]["id"] == g.conversation.id
    assert rows[0]["unread_count"] == g.conversation.unread_count + 2
    assert await Message.count() == before + 2
    stored = await Message.select(Message.content).where(Message.id == second["id"]).first()
    assert stored == {"content": "two"}


async def test_a_failing_write_takes_everything_back(db: Engine) -> None:
    g = await build()
    before = await Message.count()
    taken = _row(g, content="first")
    await fast.insert(Message, taken)
    with pytest.raises(Exception):  # noqa: B017 — the engines raise different types
        async with transaction():
            await fast.insert_with(
                [(Message, _row(g, content="new")), (Message, dict(taken))],
                Conversation,
                BUMP,
                1,
                g.conversation.id,
            )
    assert await Message.count() == before + 1
    unread = (
        await Conversation.select(Conversation.unread_count)
        .where(Conversation.id == g.conversation.id)
        .first()
    )
    assert unread == {"unread_count": g.conversation.unread_count}
