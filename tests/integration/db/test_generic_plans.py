"""The message path's statements keep their index under Postgres' generic plans (the ones
asyncpg's statement cache reuses): planned without the parameters' values, a partial index
is usable only when the query states its predicate in constants (m0035, session 10 in
tests/bench/RESULTS-scale.md). SQLite has no generic plans and keeps the full indexes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine

from app.db import fast
from app.db.repos import messages, outbox, unrouted
from app.db.tables import Message

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _literal(value: Any) -> str:
    if isinstance(value, list):  # an array: '{"a","b"}' (braces doubled: piccolo's raw SQL)
        return "'{{" + ",".join(f'"{_text(v)}"' for v in value) + "}}'"
    return "'" + _text(value).replace("'", "''") + "'"


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def _generic_plan(sql: str, args: list[Any]) -> str:
    """EXPLAIN of `sql` (with `$n` parameters) as a prepared statement's generic plan."""
    async with Message._meta.db.transaction():
        await Message.raw("SET LOCAL plan_cache_mode = force_generic_plan")
        await Message.raw(f"PREPARE aimy_plan AS {sql}")
        values = ", ".join(_literal(a) for a in args)
        rows = await Message.raw(f"EXPLAIN EXECUTE aimy_plan({values})")
        await Message.raw("DEALLOCATE aimy_plan")
    return "\n".join(r["QUERY PLAN"] for r in rows)


def _piccolo(query: Any) -> tuple[str, list[Any]]:
    sql, args = query.querystrings[0].compile_string(engine_type="postgres")
    return sql, list(args)


async def test_the_unrouted_sweep_and_the_route_update_keep_their_index(db: Engine) -> None:
    if db.engine_type == "sqlite":
        return
    count = Message.count().where(unrouted._pending({"s1", "s2"}))
    batch = (
        Message.select()
        .where(unrouted._pending(None) & (Message.created_at > NOW))
        .order_by(Message.created_at, Message.id)
        .limit(100)
    )
    for sql, args in (_piccolo(count), _piccolo(batch)):
        plan = await _generic_plan(sql, args)
        assert "ix_messages_unrouted" in plan, plan

    route = outbox._CLAIM_ROUTING.replace("{}", "$1", 1).replace("{}", "$2", 1)
    plan = await _generic_plan(route, [NOW, "m1"])
    assert "messages_pkey" in plan and "ix_messages_unrouted" not in plan, plan


async def test_a_batch_of_receipts_finds_its_messages_by_index(db: Engine) -> None:
    """`messages.apply_receipts`: every id of the batch through `(session_id,
    wa_message_id)`, both columns in the index condition — never the session's messages
    filtered by id, nor a scan of the table for the rows to update."""
    if db.engine_type == "sqlite":
        return
    for template, flag in ((messages._DELIVERED, []), (messages._READ, [True])):
        sql = fast._compile(messages._many(template % "{}", 3), "postgres")
        args = [v for wa in ("w1", "w2", "w3") for v in (NOW, *flag, "s1", wa)]
        plan = await _generic_plan(sql, args)
        assert "Seq Scan" not in plan, plan
        lines = plan.splitlines()
        scans = [i for i, line in enumerate(lines) if "session_id_wa_message_id" in line]
        assert len(scans) == 3, plan
        for i in scans:
            cond = lines[i + 1]
            assert "Index Cond" in cond and "session_id" in cond and "wa_message_id" in cond, plan
