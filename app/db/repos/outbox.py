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
    await fast.insert(
        Outbox, outbox_row(target, message_id, text, now, media=media, sending=sending)
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


def _conversation_update(changes: dict[str, Any], *, claimed: bool = False) -> str:
    """`UPDATE conversations SET <changes> WHERE id = {} RETURNING *` (names from our code);
    `claimed`: only if the routing claim took the inbound (no row otherwise)."""
    if unknown := set(changes) - _DECIDED_COLUMNS:
        raise ValueError(f"not a decision's column: {sorted(unknown)}")
    sets = ", ".join(f"{column} = {{}}" for column in changes)
    only_if = f" AND {_CLAIMED}" if claimed else ""
    return f"UPDATE conversations SET {sets} WHERE id = {{}}{only_if} RETURNING *"  # noqa: S608


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
) -> Written:
    """The whole decision in one statement (`fast.run_with`): the routing claim first, then
    the rows and the conversation's update, each only if the claim took the inbound — so
    a second decision writes nothing and needs no rollback, and the statement is atomic on
    its own: outside a transaction it needs no BEGIN/COMMIT round trips (inside one, it
    joins it)."""
    out: list[c.Message] = []
    writes: list[fast.Write] = [(_CLAIM_ROUTING, (now, inbound_id))]
    for i, d in enumerate(drafts):
        message, written = _write(target, d, now + timedelta(microseconds=i), sending)
        out.append(message)
        writes += [fast.insert_statement(t, row, only_if=_CLAIMED) for t, row in written]
    changes: dict[str, Any] = {"last_message_at": now}
    if status is not None:
        changes["status"] = status
    changes["updated_at"] = now
    sql = _conversation_update(changes, claimed=True)
    rows = await fast.run_with(writes, Conversation, sql, *changes.values(), target.conversation_id)
    if not rows:
        raise AlreadyRouted(inbound_id)  # another decision committed first: nothing written
    return Written(out, mapping.conversation(rows[0]))


async def record_decision(
    target: Target,
    inbound_id: str | None,
    drafts: list[Draft],
    now: datetime,
    *,
    status: ConversationStatus | None = None,
    before: Callable[[], Awaitable[None]] | None = None,
    sending: Sending = REPLY,
) -> Written:
    """In one transaction: the inbound's routing mark, `before` (a responder's own state, e.g. a
    flow run's step), the replies (+ outbox rows), and the conversation's new
    status/lastMessageAt. A `once_per_wait` draft is left out when the customer was already
    told in this waiting period. A crash before this commits re-routes the inbound on start;
    after it, the outbox holds the replies. An inbound is decided once: `AlreadyRouted` (and
    nothing written) when another decision for it committed first."""
    if _at_once(inbound_id, drafts, status, before):
        return await _decide_at_once(target, inbound_id or "", drafts, now, status, sending)
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
