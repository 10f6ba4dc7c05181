"""The message path's statements keep their index under Postgres' generic plans (the ones
asyncpg's statement cache reuses): planned without the parameters' values, a partial index
is usable only when the query states its predicate in constants (m0035, session 10 in
tests/bench/RESULTS-scale.md). SQLite has no generic plans and keeps the full indexes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine

from app.db import fast
from app.db.repos import inbound, leases, messages, outbox, send_budget, unrouted
from app.db.tables import Contact, Conversation, Message, Outbox, WhatsappSession, Workspace
from app.domain import MessageKind, NormalizedMessage

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
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
    """`messages.apply_receipts`: every id of the batch through the unique index led by
    `(session_id, wa_message_id)` (m0036), both columns in the index condition — never the
    session's messages filtered by id, nor a scan of the table for the rows to update."""
    if db.engine_type == "sqlite":
        return
    for template, flag in ((messages._DELIVERED, []), (messages._READ, [True])):
        sql = fast._compile(messages._many(template % "{}", 3), "postgres")
        args = [v for wa in ("w1", "w2", "w3") for v in (NOW, *flag, "s1", wa)]
        plan = await _generic_plan(sql, args)
        assert "Seq Scan" not in plan, plan
        lines = plan.splitlines()
        scans = [i for i, line in enumerate(lines) if "ux_messages_session_wa" in line]
        assert len(scans) == 3, plan
        for i in scans:
            cond = lines[i + 1]
            assert "Index Cond" in cond and "session_id" in cond and "wa_message_id" in cond, plan


async def test_the_inbound_store_finds_contact_and_conversation_by_index(db: Engine) -> None:
    """`inbound.store_statement` (a known contact's message, one statement): the contact by
    its unique `(workspace_id, jid)` or its LID, the open conversation by contact — no scan
    of contacts, conversations or messages under a generic plan. With 300 contacts analysed,
    `jid IN (…) OR lid = …` (the lookup until session 13) was a scan of the table."""
    if db.engine_type == "sqlite":
        return
    ws = Workspace(name="W", slug="w")
    await Workspace.insert(ws)
    await Contact.raw(
        "INSERT INTO contacts (id, workspace_id, jid, phone_number, autoreply_enabled, "
        "human_takeover, approval_mode, is_blocked, is_vip, first_seen_at, last_message_at, "
        "created_at, updated_at) SELECT 'c' || g, {}, g || '@s.whatsapp.net', '', true, "
        "false, false, false, false, now(), now(), now(), now() FROM generate_series(1, 300) g",
        ws.id,
    )
    await Contact.raw("ANALYZE contacts")  # what autovacuum does once a table has rows
    msg = NormalizedMessage(
        wa_message_id="w1",
        jid="4917600000001@s.whatsapp.net",
        chat_jid="4917600000001@s.whatsapp.net",
        timestamp=NOW,
        kind=MessageKind.TEXT,
        text="hi",
        sender_lid="123@lid",
        push_name="Ann",
    )
    row = inbound.message_row(workspace_id=ws.id, session_id="s1", created_at=NOW)
    row["direction"], row["sender_type"] = "INBOUND", "CONTACT"
    sql, args = inbound.store_statement(ws.id, msg, NOW, row)
    plan = await _generic_plan(fast._compile(sql, "postgres"), [_arg(a) for a in args])
    assert "Seq Scan" not in plan, plan
    assert "contacts_workspace_id_jid_key" in plan and "ix_contacts_lid" in plan, plan
    assert "ix_conversations_contact_id" in plan, plan


def _arg(value: Any) -> Any:
    """A statement argument as `_literal` writes it (JSON lists as their text)."""
    return fast._value(value) if isinstance(value, list | dict) else value


async def test_the_partial_indexes_serve_lookups_by_a_parameter(db: Engine) -> None:
    """m0036's partial indexes keep only rows with a value; an equality or a range on the
    column implies it is not NULL, so the generic plans of parameterised lookups (a flow's
    messages, an agent's chats, the resolved-in-a-window counts, a retried send's key) still
    use them."""
    if db.engine_type == "sqlite":
        return
    lookups = {
        "ix_messages_flow_id": Message.select(Message.id).where(Message.flow_id == "f1"),
        "ix_conversations_assigned_user_id": Conversation.select(Conversation.id).where(
            Conversation.assigned_user_id == "u1"
        ),
        "ix_conversations_workspace_id_resolved_at": Conversation.count().where(
            (Conversation.workspace_id == "w1") & (Conversation.resolved_at >= NOW)
        ),
        "ux_outbox_idempotency": Outbox.select(Outbox.id).where(
            (Outbox.workspace_id == "w1") & (Outbox.idempotency_key == "k1")
        ),
    }
    for index, query in lookups.items():
        plan = await _generic_plan(*_piccolo(query))
        assert index in plan, plan


async def _number(slug: str) -> tuple[str, str]:
    """A workspace and a WhatsApp number in it: their ids."""
    ws = Workspace(name="W", slug=slug)
    await ws.save()
    session = WhatsappSession(workspace_id=ws.id, account_id="default")
    await session.save()
    return ws.id, session.id


async def _sent_history(ws: str, session: str) -> None:
    """2,000 SENT outbox rows of the number, then ANALYZE: statistics that saw nothing
    PENDING (a quiet number before a broadcast queues its thousands)."""
    await fast.execute(
        Outbox,
        "INSERT INTO outbox (id, workspace_id, session_id, jid, payload, status, attempts, "
        "next_attempt_at, created_at, kind, priority, cold) SELECT 'sent-' || g, {}, {}, "
        "'1@s.whatsapp.net', {}, 'SENT', 1, {}, {}, 'reply', 0, false "
        "FROM generate_series(1, 2000) AS g",
        ws,
        session,
        "{}",
        NOW,
        NOW,
    )
    await Outbox.raw("ANALYZE outbox")


async def test_the_unbudgeted_claim_takes_its_heads_by_primary_key(db: Engine) -> None:
    """`send_budget.claim_unbudgeted`'s one statement: each of its UPDATEs finds its head by
    the outbox's primary key, and the fence is share-locked. A plan made while the outbox is
    empty (a new install, each new connection of the pool) and one made from statistics
    taken while nothing was PENDING (a quiet number before a broadcast queues its thousands)
    must not read the table, nor every open row by an index on status: a backlog's worth per
    claim, kept for as long as the connection keeps the plan."""
    if db.engine_type == "sqlite":
        return  # SQLite claims in a transaction: the heads, then a take per row
    ws, session = await _number("plans")
    sql, args = send_budget.take_heads_statement(session, NOW, 200, leases.Fence("n", 1))

    async def takes() -> list[str]:
        plan = await _generic_plan(fast._compile(sql, "postgres"), args)
        assert "LockRows" in plan, plan  # the fence
        updates = plan.split("Update on outbox")[1:]
        assert len(updates) == send_budget._TAKEN_AT_ONCE, plan
        return [u.split("\n  CTE ")[0] for u in updates]

    for update in await takes():  # the outbox empty, never analysed
        assert "Index Scan using outbox_pkey" in update, update
        assert "Seq Scan" not in update and "ix_outbox" not in update, update
    await _sent_history(ws, session)
    for update in await takes():  # nothing PENDING in the statistics
        assert "Index Scan using outbox_pkey" in update, update
        assert "Seq Scan" not in update and "ix_outbox" not in update, update


async def test_a_budgeted_take_finds_its_row_by_primary_key(db: Engine) -> None:
    """`send_budget._TAKE` (every claim through the send budget, alone or fenced): by the
    primary key, on an empty outbox and after statistics that saw nothing PENDING — never
    through an index on status, which reads every PENDING row (a broadcast's backlog)."""
    if db.engine_type == "sqlite":
        return
    fenced = " AND EXISTS (SELECT 1 FROM session_leases WHERE session_id = {})"
    forms = [(send_budget._TAKE % "", [NOW, "x"]), (send_budget._TAKE % fenced, [NOW, "x", "s"])]
    for analysed in (False, True):
        if analysed:
            await _sent_history(*await _number("takes"))
        for template, args in forms:
            plan = await _generic_plan(fast._compile(template, "postgres"), args)
            update = plan.split("Update on outbox")[1]
            assert "Index Scan using outbox_pkey" in update, plan
            assert "ix_outbox" not in update and "Seq Scan on outbox" not in update, plan


async def test_a_decision_s_take_checks_its_chat_by_index(db: Engine) -> None:
    """`outbox.Take`'s chat check in the decision's statement: the chat's open rows through
    the open-rows index, session and chat in its condition — on an empty outbox and after
    statistics that saw nothing PENDING, never the number's whole history."""
    if db.engine_type == "sqlite":
        return
    sql = fast._compile(f"SELECT 1 AS ok WHERE {outbox._CHAT_OPEN}", "postgres")
    for analysed in (False, True):
        if analysed:
            await _sent_history(*await _number("decision"))
        plan = await _generic_plan(sql, ["s", "1@s.whatsapp.net"])
        assert "ix_outbox_chat_open" in plan and "Seq Scan" not in plan, plan
        cond = next(line for line in plan.splitlines() if "Index Cond" in line)
        assert "session_id" in cond and "jid" in cond, plan
