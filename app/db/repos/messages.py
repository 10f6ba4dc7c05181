"""Message updates outside the inbound/outbox paths: receipts, media, route state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from app.db import fast
from app.db.repos import mapping, workspace_settings
from app.db.tables import Conversation, Message, WhatsappSession
from app.db.tables import WorkspaceSettings as WorkspaceSettingsRow
from app.domain import Direction, Receipt, ReceiptKind
from app.domain import conversations as c
from app.domain.workspace_settings import DEFAULTS, WorkspaceSettings

_DELIVERED = (
    "UPDATE messages SET delivered_at = {}, status = 'DELIVERED' WHERE session_id = {} "
    "AND direction = 'OUTBOUND' AND delivered_at IS NULL AND status = 'SENT' "
    "AND wa_message_id IN (%s) RETURNING *"
)
_READ = (
    "UPDATE messages SET read_at = {}, status = 'READ', is_read = {} WHERE session_id = {} "
    "AND direction = 'OUTBOUND' AND read_at IS NULL AND wa_message_id IN (%s) RETURNING *"
)


async def apply_receipt(
    session_id: str, wa_ids: tuple[str, ...], kind: ReceiptKind, at: datetime
) -> list[c.Message]:
    """Mark our sent messages delivered or read; returns the rows that changed.
    (Two per sent message: plain SQL, piccolo's builder cost more than the update.)"""
    marks = ", ".join("{}" for _ in wa_ids)
    if kind is ReceiptKind.DELIVERED:
        rows = await fast.execute(Message, _DELIVERED % marks, at, session_id, *wa_ids)
    else:
        rows = await fast.execute(Message, _READ % marks, at, True, session_id, *wa_ids)
    return [mapping.message(r) for r in rows]


# A batch of receipts on Postgres: one statement per kind, each id its own `UPDATE` (a
# data-modifying CTE) — the very lookup one receipt makes, an equality on both columns of
# (session_id, wa_message_id), so no plan can read more than the ids. A single
# `UPDATE … FROM unnest(…)` join was tried (session 11) and dropped: its generic plan, made
# while the table was young, read the session's messages by `session_id` alone and filtered
# the ids (every message the number ever sent, per batch); with the lookup moved into a
# `LATERAL` subquery the ids were found by index but the rows to update by a scan of the
# table (session 12). At most `_PER_STATEMENT` ids a statement (each size its own
# prepared statement).
_PER_STATEMENT = 16


@lru_cache(maxsize=2 * _PER_STATEMENT)
def _many(template: str, count: int) -> str:
    ctes, rows = fast.each(template, count)
    return f"WITH {', '.join(ctes)} {rows}"


async def _apply_many(
    template: str, session_id: str, times: dict[str, datetime], *flag: bool
) -> list[Any]:
    """`template` (`_DELIVERED`/`_READ` for one id) for every id, each with its time."""
    rows: list[Any] = []
    items = list(times.items())
    for start in range(0, len(items), _PER_STATEMENT):
        chunk = items[start : start + _PER_STATEMENT]
        one = template % "{}"
        sql = one if len(chunk) == 1 else _many(one, len(chunk))
        args = [v for wa_id, at in chunk for v in (at, *flag, session_id, wa_id)]
        rows += await fast.execute(Message, sql, *args)
    return rows


async def apply_receipts(session_id: str, receipts: list[Receipt]) -> list[c.Message]:
    """`apply_receipt` for a batch (`app.pipeline.batches`). On Postgres two statements
    for up to 16 ids of each kind: every delivery first, then every read — a message both
    delivered and read in the batch ends READ with both times, as it would one by one.
    SQLite (no round trips to save) applies them one by one, in order."""
    if Message._meta.db.engine_type == "sqlite":
        changed = []
        for r in receipts:
            changed += await apply_receipt(session_id, r.wa_message_ids, r.kind, r.timestamp)
        return changed
    delivered: dict[str, datetime] = {}
    read: dict[str, datetime] = {}
    for r in receipts:
        into = delivered if r.kind is ReceiptKind.DELIVERED else read
        for wa_id in r.wa_message_ids:
            into.setdefault(wa_id, r.timestamp)  # the first receipt of a kind counts
    rows = []
    if delivered:
        rows += await _apply_many(_DELIVERED, session_id, delivered)
    if read:
        rows += await _apply_many(_READ, session_id, read, True)
    return [mapping.message(r) for r in rows]


async def set_media_url(message_id: str, url: str) -> None:
    await Message.update({Message.media_url: url}).where(Message.id == message_id)


async def missing_media(since: datetime, limit: int) -> list[dict[str, Any]]:
    """Routed inbound messages since `since` whose media is not stored yet, oldest first:
    `{message, media_ref, session_id, workspace_id}`."""
    rows = (
        await Message.select()
        .where(
            Message.media_ref.is_not_null()
            & Message.media_url.is_null()
            & Message.routed_at.is_not_null()
            & Message.session_id.is_not_null()
            & (Message.direction == Direction.INBOUND)
            & (Message.created_at > since)
        )
        .order_by(Message.created_at)
        .limit(limit)
    )
    return [
        {
            "message": mapping.message(r),
            "media_ref": r["media_ref"],
            "session_id": r["session_id"],
            "workspace_id": r["workspace_id"],
        }
        for r in rows
    ]


async def previews(conversation_ids: list[str]) -> dict[str, str]:
    """The newest message of each conversation, as one line for the inbox list (one indexed
    lookup per conversation: the list shows a page of them, never thousands)."""
    out: dict[str, str] = {}
    for conv_id in conversation_ids:
        row = (
            await Message.select(Message.content, Message.media_type, Message.media_caption)
            .where(Message.conversation_id == conv_id)
            .order_by(Message.created_at, ascending=False)
            .order_by(Message.id, ascending=False)
            .first()
        )
        if row is not None:
            text = row["content"] or row["media_caption"] or ""
            kind = f"[{str(row['media_type']).lower()}] " if row["media_type"] else ""
            out[conv_id] = (kind + " ".join(text.split()))[:120]
    return out


_STATE = ("status", "is_blocked", "human_takeover", "approval_mode", "autoreply_enabled")
_WS = "route_ws_"  # the workspace settings' columns, prefixed: beside a conversation's own


@lru_cache(maxsize=4)
def route_columns(conversation: str) -> str:
    """What routing reads, as columns of a SELECT over the conversation aliased
    `conversation` joined by `route_joins` — in the route read, and returned with an inbound
    message's store (`inbound._persist_alone`). One `{}`: True (active flows)."""
    return ", ".join(
        [
            fast.columns_as(WorkspaceSettingsRow, "ws", _WS),
            f"{conversation}.status AS route_status",
            "ct.is_blocked AS route_is_blocked, ct.human_takeover AS route_human_takeover",
            "ct.approval_mode AS route_approval_mode",
            "ct.autoreply_enabled AS route_autoreply_enabled",
            "ws.workspace_id AS route_settings_row",
            "(EXISTS (SELECT 1 FROM flow_runs r WHERE r.active_contact_id = ct.id) "  # noqa: S608
            "OR EXISTS (SELECT 1 FROM flows f WHERE f.workspace_id = "
            f"{conversation}.workspace_id AND f.is_active = {{}})) AS route_flows",
        ]
    )


def route_joins(conversation: str) -> str:
    return (
        f"JOIN contacts ct ON ct.id = {conversation}.contact_id "
        f"LEFT JOIN workspace_settings ws ON ws.workspace_id = {conversation}.workspace_id"
    )


def route_of(row: dict[str, Any]) -> RouteRead:
    """The route read of a row with `route_columns`."""
    state = {k: row[f"route_{k}"] for k in _STATE}
    if row["route_settings_row"] is None:
        return RouteRead(state, DEFAULTS, bool(row["route_flows"]))
    settings = workspace_settings.from_row(fast.unprefixed(row, _WS))
    return RouteRead(state, settings, bool(row["route_flows"]))


@dataclass(frozen=True, slots=True)
class RouteRead:
    """What routing a message reads first, in one statement (it runs for every message)."""

    state: dict[str, Any]  # the conversation's status and the contact's switches, now
    settings: WorkspaceSettings
    flows: bool  # the contact is in a flow run, or the workspace has an active flow


async def route_read(conversation_id: str) -> RouteRead | None:
    """The conversation's status and the contact's switches as they are *now* (a message
    waiting in its chat's lane was persisted before the previous one's decision, which may
    have escalated, or before an agent took over), the workspace settings, and whether the
    flow step has anything to look at; None when the conversation is gone."""
    sql = (
        f"SELECT {route_columns('conversations')} FROM conversations "  # noqa: S608 (ours)
        f"{route_joins('conversations')} WHERE conversations.id = {{}}"
    )
    rows = await fast.execute(Conversation, sql, True, conversation_id)
    return route_of(rows[0]) if rows else None


async def enabled_sessions() -> list[dict[str, Any]]:
    return await WhatsappSession.select().where(WhatsappSession.enabled == True)  # noqa: E712
