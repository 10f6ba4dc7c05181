"""The outbox (DESIGN §4.3, §8), writing side: replies are written with the routing decision,
in one transaction; messages nobody is replying to (flows waking up, send-first, broadcasts)
are written by `enqueue`, inside the caller's transaction when it has one. The dispatcher's
side (claim against the send budget, send, mark) is `send_budget` and `outbox_jobs`.

Order within a chat is the rows' (priority, `created_at`) order; `created_at` is distinct and
increasing within one write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.table import Table

from app.db import fast
from app.db.repos import mapping
from app.db.repos.inbound import message_row, open_conversation
from app.db.repos.leases import Fence
from app.db.repos.outbox_jobs import Job, job_of
from app.db.repos.send_budget import fence_cte
from app.db.tables import Conversation, Message, Outbox
from app.domain import (
    ConversationStatus,
    Direction,
    MediaType,
    MessageStatus,
    ModelUsage,
    OutboxStatus,
    SenderType,
    new_id,
)
from app.domain import conversations as c
from app.domain.sending import SendKind

_CLAIM_ROUTING = (
    "UPDATE messages SET routed_at = {} WHERE id = {} AND routed_at IS NULL RETURNING id"
)


class AlreadyRouted(Exception):
    """The inbound message already has its decision (recovery and the live path met)."""


@dataclass(frozen=True, slots=True)
class Media:
    """A file already stored in the media folder, sent with the draft's text as its caption."""

    type: MediaType
    url: str  # as on inbound rows: `media/<workspace>/<id><ext>` (see app.domain.media_file)
    # where the store keeps it (a local file's absolute path, or s3://…), for people reading
    # rows; the dispatcher finds the file by `url` through the store (rows without one: here)
    path: str
    mime: str
    filename: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "type": self.type.value,
            "url": self.url,
            "path": self.path,
            "mime": self.mime,
            "filename": self.filename,
        }


@dataclass(frozen=True, slots=True)
class Draft:
    """An outbound message to record: queued for sending, or held for approval."""

    text: str
    sender_type: SenderType = SenderType.BOT
    sender_user_id: str | None = None
    flow_id: str | None = None
    confidence: float | None = None
    kb_chunks_used: tuple[str, ...] = ()
    hold: bool = False  # approval mode: PENDING_APPROVAL, no outbox row
    usage: ModelUsage | None = None
    media: Media | None = None
    message_id: str | None = None  # chosen up front when a file was named after it
    # the notice to a customer waiting for a human: written only if not yet told in this wait
    once_per_wait: bool = False
    # the reply that hands the conversation to a person: why (analytics counts escalations)
    escalation_reason: str | None = None
    # why it was written, when that differs from how it is sent: a CSAT thanks goes out with
    # a reply's priority but is not a bot reply (analytics); None: the sending kind
    kind: SendKind | None = None


@dataclass(frozen=True, slots=True)
class Target:
    workspace_id: str
    session_id: str
    conversation_id: str
    jid: str
    opened: bool = False  # `target_for` opened the conversation just now


@dataclass(frozen=True, slots=True)
class Written:
    """What a decision wrote: its messages, in order, and the conversation after it (None when
    nothing about the conversation changed)."""

    messages: list[c.Message]
    conversation: c.Conversation | None = None
    taken: Job | None = None  # the reply the decision took for sending itself (`Take`)


@dataclass(frozen=True, slots=True)
class Take:
    """The dispatcher's offer to a decision (Postgres): take its first queued reply for
    sending in the decision's own statement — marked SENDING there, the lane started at once
    — instead of writing it PENDING and waking the dispatcher to claim it (a pass, and a
    claim's one to three round trips, on every reply's way out).

    The row is taken only if, in that statement: the lease still holds under `fence`; the
    chat has no other row open (SENDING, or PENDING) — a chat has one row in flight and sends
    in order; the conversation row is the version the statement's snapshot saw (every write of
    an outbox row updates it in its transaction, so a row of the chat committed after the
    snapshot — invisible to the check above — makes the decision fall back rather than put a
    second row of the chat in flight); and, with a send budget, the `ledger` (its slot granted
    by the caller from the budget row it read) is written — only if that row is still
    `version`: a claim or another take since then makes the decision fall back (every take
    writes the ledger, so they serialize there). Falling back is the old way: the row PENDING,
    the dispatcher woken. (Whether rows held back by the budget should go first is the
    caller's to judge: `Dispatcher.offer`.)"""

    slot_at: datetime  # stored on the row: the budget's slot (without a budget, the moment)
    due: datetime  # when the lane sends it: the slot, or the moment plus the typing lead
    fence: Fence | None = None
    ledger: fast.Write | None = None  # with a budget: the ledger after the slot's grant …
    version: str | None = None  # … written only if the budget row is still this (its xmin)


def _usage_columns(usage: ModelUsage | None) -> dict[str, Any]:
    if usage is None:
        return {}
    return {
        "ai_provider": usage.provider,
        "ai_model": usage.model,
        "tokens_in": usage.tokens_in,
        "tokens_out": usage.tokens_out,
        "latency_ms": usage.latency_ms,
        "cost_usd": usage.cost_usd,
    }


@dataclass(frozen=True, slots=True)
class Sending:
    """How a write's rows go out: their kind (priority and limits), whether the contact never
    wrote (`cold`), and the caller's idempotency key (on the first row)."""

    kind: SendKind = SendKind.REPLY
    cold: bool = False
    idempotency_key: str | None = None


REPLY = Sending()


Insert = tuple[type[Table], dict[str, Any]]


def _write(
    target: Target, draft: Draft, now: datetime, sending: Sending = REPLY
) -> tuple[c.Message, list[Insert]]:
    """A draft's message and the rows to insert for it (message, outbox unless held): the
    caller inserts them with its conversation update (`fast.insert_with`)."""
    media = draft.media
    extra: dict[str, Any] = {"id": draft.message_id} if draft.message_id else {}
    if media is not None:  # as inbound media rows: the text is the caption
        extra |= {"media_type": media.type, "media_url": media.url}
        extra |= {"media_filename": media.filename, "media_mime": media.mime}
        extra |= {"media_caption": draft.text or None, "content": ""}
    row = message_row(
        workspace_id=target.workspace_id,
        conversation_id=target.conversation_id,
        session_id=target.session_id,
        direction=Direction.OUTBOUND,
        sender_type=draft.sender_type,
        sender_user_id=draft.sender_user_id,
        content=draft.text,
        flow_id=draft.flow_id,
        confidence=draft.confidence,
        kb_chunks_used=list(draft.kb_chunks_used),
        escalation_reason=draft.escalation_reason,
        send_kind=draft.kind or sending.kind,
        **_usage_columns(draft.usage),
        created_at=now,
        routed_at=now,
        status=MessageStatus.PENDING_APPROVAL if draft.hold else MessageStatus.QUEUED,
    )
    row.update(extra)
    inserts: list[Insert] = [(Message, row)]
    if not draft.hold:
        queued = outbox_row(target, row["id"], draft.text, now, media=media, sending=sending)
        inserts.append((Outbox, queued))
    return mapping.message(row), inserts


async def enqueue_row(
    target: Target,
    message_id: str,
    text: str,
    now: datetime,
    *,
    media: Media | None = None,
    sending: Sending = REPLY,
) -> None:
    """The outbox row of an existing message (an approved draft), with its conversation's
    `updated_at`: every outbox write updates its conversation in its transaction — a
    decision that takes its reply checks that nothing of the chat was written since its
    snapshot by that row's version (`Take`). Call it inside the caller's transaction."""
    await fast.insert(
        Outbox, outbox_row(target, message_id, text, now, media=media, sending=sending)
    )
    await Conversation.update({Conversation.updated_at: now}).where(
        Conversation.id == target.conversation_id
    )


def outbox_row(
    target: Target,
    message_id: str,
    text: str,
    now: datetime,
    *,
    media: Media | None = None,
    sending: Sending = REPLY,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": text}
    if media is not None:
        payload["media"] = media.payload()
    return {
        "id": new_id(),
        "workspace_id": target.workspace_id,
        "session_id": target.session_id,
        "conversation_id": target.conversation_id,
        "message_id": message_id,
        "jid": target.jid,
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "kind": sending.kind,
        "priority": sending.kind.priority,
        "cold": sending.cold,
        "slot_at": None,
        "idempotency_key": sending.idempotency_key,
    }


_DECIDED_COLUMNS = frozenset({"last_message_at", "status", "updated_at"})


# the routing claim is the statement's first CTE (`w0`): what else it writes depends on it
_CLAIMED = "EXISTS (SELECT 1 FROM w0)"


def _conversation_update(
    changes: dict[str, Any], *, claimed: bool = False, only_if: str = ""
) -> str:
    """`UPDATE conversations SET <changes> WHERE id = {} RETURNING *` (names from our code);
    `claimed`: only if the routing claim took the inbound (no row otherwise); `only_if`: a
    further condition (SQL from our code)."""
    if unknown := set(changes) - _DECIDED_COLUMNS:
        raise ValueError(f"not a decision's column: {sorted(unknown)}")
    sets = ", ".join(f"{column} = {{}}" for column in changes)
    only_if = (f" AND {_CLAIMED}" if claimed else "") + only_if
    return f"UPDATE conversations SET {sets} WHERE id = {{}}{only_if} RETURNING *"  # noqa: S608


def takes(
    inbound_id: str | None,
    drafts: list[Draft],
    status: ConversationStatus | None,
    before: Callable[[], Awaitable[None]] | None,
) -> bool:
    """Whether `record_decision` can take a reply in its statement (`Take`): the decision is
    one statement and queues something (a held draft has no outbox row)."""
    return _at_once(inbound_id, drafts, status, before) and any(not d.hold for d in drafts)


def _at_once(
    inbound_id: str | None,
    drafts: list[Draft],
    status: ConversationStatus | None,
    before: Callable[[], Awaitable[None]] | None,
) -> bool:
    """Postgres, and nothing to run between the routing claim and the writes (`before`, a
    waiting notice's claim, the wait's start): the decision is one statement."""
    return (
        Message._meta.db.engine_type != "sqlite"
        and inbound_id is not None
        and before is None
        and status != ConversationStatus.WAITING_HUMAN
        and bool(drafts)
        and not any(d.once_per_wait for d in drafts)
    )


async def _decide_at_once(
    target: Target,
    inbound_id: str,
    drafts: list[Draft],
    now: datetime,
    status: ConversationStatus | None,
    sending: Sending,
    take: Take | None = None,
) -> Written:
    """The whole decision in one statement: the routing claim first, then the rows and the
    conversation's update, each only if the claim took the inbound — so a second decision
    writes nothing and needs no rollback, and the statement is atomic on its own: outside a
    transaction it needs no BEGIN/COMMIT round trips (inside one, it joins it). With `take`
    its first queued reply may go out SENDING (`Take`)."""
    out: list[c.Message] = []
    ctes: list[fast.Write] = [(f"w0 AS ({_CLAIM_ROUTING})", (now, inbound_id))]
    changes: dict[str, Any] = {"last_message_at": now}
    if status is not None:
        changes["status"] = status
    changes["updated_at"] = now
    conversation = (*changes.values(), target.conversation_id)
    if take is not None:
        ctes += _take_gate(target, take, now, changes)
    taken: dict[str, Any] | None = None
    for i, d in enumerate(drafts):
        message, written = _write(target, d, now + timedelta(microseconds=i), sending)
        out.append(message)
        for table, row in written:
            if take is not None and table is Outbox and taken is None:
                taken = row
                sql, values = _taking(row, take)
            else:
                sql, values = fast.insert_statement(table, row, only_if=_CLAIMED)
            ctes.append((f"w{len(ctes)} AS ({sql})", values))
    if take is None:
        final = _conversation_update(changes, claimed=True)
        args = conversation
    else:  # the fresh update (`conv`) or, when the row changed since the snapshot, this one
        again = _conversation_update(changes, claimed=True, only_if=_NOT_FRESH)
        ctes.append((f"conv2 AS ({again})", conversation))
        final = (
            f"SELECT *, {_gate(take)} AS taken FROM conv "  # noqa: S608
            "UNION ALL SELECT *, false AS taken FROM conv2"
        )
        args = ()
    sql = "WITH " + ", ".join(part for part, _ in ctes) + " " + final
    rows = await fast.execute(Conversation, sql, *[v for _, vs in ctes for v in vs], *args)
    if not rows:
        raise AlreadyRouted(inbound_id)  # another decision committed first: nothing written
    job = None
    if take is not None and taken is not None and rows[0].get("taken"):
        job = job_of(taken | {"status": OutboxStatus.SENDING}, take.due)
    return Written(out, mapping.conversation(rows[0]), job)


# `took`: one row when the decision may take its reply — the conversation updated as the
# snapshot saw it (`conv`), the lease still ours, and no other row of the chat open (read
# through the open-rows index, session_id and jid: `test_generic_plans.py`).
_CHAT_OPEN = (
    "NOT EXISTS (SELECT 1 FROM outbox WHERE session_id = {} AND jid = {} "
    "AND status IN ('SENDING', 'PENDING'))"
)
_TOOK = "EXISTS (SELECT 1 FROM took)"
_NOT_FRESH = " AND NOT EXISTS (SELECT 1 FROM conv)"  # `conv2`: `conv` updated nothing


def _take_gate(
    target: Target, take: Take, now: datetime, changes: dict[str, Any]
) -> list[fast.Write]:
    """The CTEs that decide whether the decision takes its reply (`Take`): `fence`, `conv`
    (the conversation's update, only on the version the snapshot saw: `xmin` unchanged —
    a write committed since is seen by the update's recheck), `took`, and `ledger` with a
    budget. The statement's last CTE `conv2` updates the conversation when `conv` did not."""
    parts: list[fast.Write] = []
    conditions = [_CHAT_OPEN]
    args: list[Any] = [target.session_id, target.jid]
    if take.fence is not None:
        parts.append(fence_cte(target.session_id, take.fence, now))
        conditions.insert(0, "EXISTS (SELECT 1 FROM fence)")
    fresh = " AND xmin = (SELECT xmin FROM conversations WHERE id = {})"
    update = _conversation_update(changes, claimed=True, only_if=fresh)
    parts.append(
        (f"conv AS ({update})", (*changes.values(), target.conversation_id, target.conversation_id))
    )
    took = f"took AS MATERIALIZED (SELECT 1 AS ok FROM conv WHERE {' AND '.join(conditions)})"  # noqa: S608
    parts.append((took, tuple(args)))
    if take.ledger is not None:
        save, values = take.ledger
        ledger = f"ledger AS ({save} AND xmin::text = {{}} AND {_TOOK} RETURNING 1 AS ok)"
        parts.append((ledger, (*values, take.version)))
    return parts


def _gate(take: Take) -> str:
    """Whether the decision took its reply: `took` held and, with a budget, `ledger` wrote."""
    return "EXISTS (SELECT 1 FROM ledger)" if take.ledger is not None else _TOOK


def _taking(row: dict[str, Any], take: Take) -> fast.Write:
    """The outbox row's INSERT, SENDING with its slot when the gate (`took`, or `ledger`
    with a budget) let the decision take it, PENDING otherwise."""
    taken = _gate(take)
    computed = (
        ("status", f"CASE WHEN {taken} THEN 'SENDING' ELSE 'PENDING' END"),
        ("slot_at", f"CASE WHEN {taken} THEN {{}}::timestamptz END"),
    )
    rest = {k: v for k, v in row.items() if k not in ("status", "slot_at")}
    sql, values = fast.insert_statement(Outbox, rest, only_if=_CLAIMED, computed=computed)
    return sql, (*values, take.slot_at)


async def record_decision(
    target: Target,
    inbound_id: str | None,
    drafts: list[Draft],
    now: datetime,
    *,
    status: ConversationStatus | None = None,
    before: Callable[[], Awaitable[None]] | None = None,
    sending: Sending = REPLY,
    take: Take | None = None,
) -> Written:
    """In one transaction: the inbound's routing mark, `before` (a responder's own state, e.g. a
    flow run's step), the replies (+ outbox rows), and the conversation's new
    status/lastMessageAt. A `once_per_wait` draft is left out when the customer was already
    told in this waiting period. A crash before this commits re-routes the inbound on start;
    after it, the outbox holds the replies. An inbound is decided once: `AlreadyRouted` (and
    nothing written) when another decision for it committed first. `take`: the dispatcher's
    offer to take the first queued reply in the decision's statement (Postgres, a decision
    that is one statement: `takes`); `Written.taken` is that row when it was taken."""
    if _at_once(inbound_id, drafts, status, before):
        return await _decide_at_once(target, inbound_id or "", drafts, now, status, sending, take)
    async with Message._meta.db.transaction():
        if inbound_id is not None:  # claimed first: a second writes nothing
            claimed = await fast.execute(Message, _CLAIM_ROUTING, now, inbound_id)
            if not claimed:
                raise AlreadyRouted(inbound_id)
        if before is not None:
            await before()
        out: list[c.Message] = []
        inserts: list[Insert] = []
        for i, d in enumerate(drafts):
            if d.once_per_wait and not await _claim_waiting_notice(target.conversation_id, now):
                continue
            # distinct, increasing created_at: the dispatcher sends a chat's rows in that order
            message, written = _write(target, d, now + timedelta(microseconds=i), sending)
            out.append(message)
            inserts += written
        changes: dict[str, Any] = {}
        conversation = None
        if out:
            changes["last_message_at"] = now
        if status == ConversationStatus.WAITING_HUMAN:  # the wait starts now, not again
            await Conversation.update({Conversation.waiting_since: now}).where(
                (Conversation.id == target.conversation_id)
                & (Conversation.status != ConversationStatus.WAITING_HUMAN)
            )
        if status is not None:
            changes["status"] = status
        if changes:
            changes["updated_at"] = now
            sql = _conversation_update(changes)
            args = (*changes.values(), target.conversation_id)
            rows = await fast.insert_with(inserts, Conversation, sql, *args)
            conversation = mapping.conversation(rows[0]) if rows else None
        else:
            for table, row in inserts:  # none: there are rows only when `out` has messages
                await fast.insert(table, row)
    return Written(out, conversation)


async def enqueue(target: Target, drafts: list[Draft], now: datetime, sending: Sending) -> Written:
    """Messages nobody is replying to: message rows + outbox rows + the conversation's
    lastMessageAt, in one transaction — the caller's, when one is open (it joins it)."""
    async with Message._meta.db.transaction():
        out = []
        inserts: list[Insert] = []
        for i, draft in enumerate(drafts):
            first = sending if i == 0 else Sending(sending.kind, sending.cold)
            message, written = _write(target, draft, now + timedelta(microseconds=i), first)
            out.append(message)
            inserts += written
        changes = {"last_message_at": now, "updated_at": now}
        sql = _conversation_update(changes)
        rows = await fast.insert_with(
            inserts, Conversation, sql, *changes.values(), target.conversation_id
        )
    return Written(out, mapping.conversation(rows[0]) if rows else None)


_EVER_WROTE = (
    "SELECT 1 AS wrote FROM messages m JOIN conversations v ON v.id = m.conversation_id "
    "WHERE v.contact_id = (SELECT contact_id FROM conversations WHERE id = {}) "
    "AND m.direction = 'INBOUND' LIMIT 1"
)


async def ever_wrote(conversation_id: str) -> bool:
    """Whether the conversation's contact ever wrote to us (else a message to them is cold)."""
    return bool(await fast.execute(Message, _EVER_WROTE, conversation_id))


async def target_for(
    workspace_id: str, session_id: str, contact_id: str, jid: str, now: datetime
) -> Target:
    """Where a message to this contact goes: its open conversation, or a new one
    (`opened`: tell webhooks `conversation.created` in the same transaction)."""
    conversation, opened = await open_conversation(workspace_id, session_id, contact_id, now)
    return Target(workspace_id, session_id, conversation["id"], jid, opened)


async def _claim_waiting_notice(conversation_id: str, now: datetime) -> bool:
    """Mark the customer told for this waiting period, unless they were already (or the wait
    ended): a guarded UPDATE, so two messages routed at once never both send the notice."""
    rows = (
        await Conversation.update({Conversation.waiting_told_at: now})
        .where(
            (Conversation.id == conversation_id)
            & (Conversation.status == ConversationStatus.WAITING_HUMAN)
            & (
                Conversation.waiting_told_at.is_null()
                | (Conversation.waiting_told_at < Conversation.waiting_since)
            )
        )
        .returning(Conversation.id)
    )
    return bool(rows)
