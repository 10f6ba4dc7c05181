"""What a crash leaves behind, made with the app's own code: inbound messages stored (their
202 went out) but never routed. Runs on whatever engine the tables are bound to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.db import bind_tables, close_engine, create_engine, open_engine
from app.db.repos import inbound
from app.domain import NormalizedMessage


async def persist_unrouted(
    workspace_id: str,
    session_id: str,
    n: int,
    contacts: int = 30,
    text: str = "question {i}",
) -> None:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for i in range(n):
        jid = f"49176{i % contacts:08d}@s.whatsapp.net"
        msg = NormalizedMessage(
            wa_message_id=f"CRASH{i}",
            jid=jid,
            chat_jid=jid,
            timestamp=start,
            text=text.format(i=i),
            sender_phone_jid=jid,
        )
        await inbound.persist_inbound(
            workspace_id, session_id, msg, start + timedelta(milliseconds=i)
        )


async def persist_unrouted_in(data_dir: Path, *args: object, **kwargs: object) -> None:
    """The same, on a stopped app's SQLite database."""
    engine = create_engine(f"sqlite:///{data_dir / 'aimywhatsapp.db'}")
    bind_tables(engine)
    await open_engine(engine)
    try:
        await persist_unrouted(*args, **kwargs)  # type: ignore[arg-type]
    finally:
        await close_engine(engine)
