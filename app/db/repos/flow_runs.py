"""Flow runs in the database (issue 14): read a run, its version and what templates need;
write a step — the run (guarded by its `step` count), the counters, labels and a hand-over —
inside the caller's transaction.

Rows stay dicts here (JSON columns decoded); `app/flows` turns them into its `Run`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from app.db import fast, is_foreign_key_violation, is_unique_violation
from app.db.repos import mapping
from app.db.repos.mapping import json_value
from app.db.tables import (
    Contact,
    ContactCustomField,
    ContactLabel,
    Conversation,
    Flow,
    FlowNodeStats,
    FlowRun,
    FlowRunEvent,
    FlowStats,
    FlowVersion,
    Label,
)
from app.domain import conversations as c
from app.domain import new_id


class RunTaken(Exception):
    """The contact already is in an active run (the UNIQUE `active_contact_id` said so)."""


class RunMoved(Exception):
    """The run's `step` changed since it was read: another step committed first."""


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row["vars"] = json_value(row.get("vars"), {})
    row["state"] = json_value(row.get("state"), {})
    return row


_RUNS = "SELECT r.*, f.name AS flow_name FROM flow_runs r JOIN flows f ON f.id = r.flow_id "


async def active_for_contact(contact_id: str) -> dict[str, Any] | None:
    rows = await fast.execute(FlowRun, _RUNS + "WHERE r.active_contact_id = {}", contact_id)
    return _decoded(rows[0]) if rows else None


async def get(run_id: str) -> dict[str, Any] | None:
    rows = await fast.execute(FlowRun, _RUNS + "WHERE r.id = {}", run_id)
    return _decoded(rows[0]) if rows else None


async def due(now: datetime, limit: int) -> list[dict[str, Any]]:
    """Active runs whose wake-up (a delay's end, a question's timeout) has come."""
    rows = await fast.execute(
        FlowRun,
        _RUNS + "WHERE r.wake_at <= {} AND r.status = 'ACTIVE' ORDER BY r.wake_at LIMIT {}",
        now,
        limit,
    )
    return [_decoded(r) for r in rows]


async def version(version_id: str) -> dict[str, Any] | None:
    rows = await fast.execute(
        FlowVersion, "SELECT nodes, edges, version FROM flow_versions WHERE id = {}", version_id
    )
    if not rows:
        return None
    row = rows[0]
    return {
        "nodes": json_value(row["nodes"], []),
        "edges": json_value(row["edges"], []),
        "version": row["version"],
    }


async def active_flows(workspace_id: str) -> list[dict[str, Any]]:
    """The workspace's active flows with their current version's id, oldest first."""
    rows = await fast.execute(
        Flow,
        "SELECT f.id, f.name, f.trigger_type, f.trigger_config, f.version, v.id AS version_id "
        "FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.version "
        "WHERE f.workspace_id = {} AND f.is_active = {} ORDER BY f.created_at, f.id",
        workspace_id,
        True,
    )
    for row in rows:
        row["trigger_config"] = json_value(row["trigger_config"], {})
    return rows


async def scope(workspace_id: str, contact_id: str) -> dict[str, Any] | None:
    """What templates and conditions read: the contact, its custom fields and label names,
    and the workspace's name; None when the contact is gone."""
    contacts = await fast.execute(
        Contact,
        "SELECT c.*, w.name AS workspace_name FROM contacts c "
        "JOIN workspaces w ON w.id = c.workspace_id WHERE c.id = {} AND c.workspace_id = {}",
        contact_id,
        workspace_id,
    )
    if not contacts:
        return None
    fields = await fast.execute(
        ContactCustomField,
        "SELECT key, value FROM contact_custom_fields WHERE contact_id = {}",
        contact_id,
    )
    labels = await fast.execute(
        Label,
        "SELECT l.name FROM labels l JOIN contact_labels cl ON cl.label_id = l.id "
        "WHERE cl.contact_id = {} ORDER BY l.name",
        contact_id,
    )
    return {
        "contact": contacts[0],
        "fields": {r["key"]: r["value"] for r in fields},
        "labels": [r["name"] for r in labels],
        "workspace_name": contacts[0]["workspace_name"],
    }


_COLUMNS = (
    "conversation_id",  # a run follows its contact into their current conversation
    "status",
    "current_node",
    "waiting_for",
    "wake_at",
    "vars",
    "state",
    "end_reason",
    "updated_at",
    "ended_at",
    "active_contact_id",
)
_UPDATE = (  # column names from the constant above, never from input
    "UPDATE flow_runs SET "  # noqa: S608
    + ", ".join(f"{c} = {{}}" for c in _COLUMNS)
    + ", step = step + 1 WHERE id = {} AND step = {} AND status = 'ACTIVE' RETURNING id"
)


async def insert(row: dict[str, Any]) -> None:
    """A new run; raises RunTaken when the contact is in an active run already, RunMoved when
    its flow (or contact) was deleted meanwhile (decide again: it is gone)."""
    try:
        await fast.insert(FlowRun, row)
    except Exception as exc:
        if is_unique_violation(exc):
            raise RunTaken(row["contact_id"]) from None
        if is_foreign_key_violation(exc):
            raise RunMoved(row["id"]) from None
        raise


async def update(run_id: str, values: dict[str, Any], expected_step: int) -> None:
    """Write a step; raises RunMoved unless the run is still active at `expected_step`."""
    args = [values[c] for c in _COLUMNS]
    rows = await fast.execute(FlowRun, _UPDATE, *args, run_id, expected_step)
    if not rows:
        raise RunMoved(run_id)


async def count(
    flow_id: str,
    *,
    entered: int = 0,
    completed: int = 0,
    dropped: int = 0,
    at: datetime | None = None,
    visits: Sequence[str] = (),
) -> None:
    """Add to the flow's counters and its nodes' visit counts."""
    if entered or completed or dropped:
        await fast.execute(
            FlowStats,
            "INSERT INTO flow_stats (id, flow_id, total_entered, total_completed, "
            "total_dropped, last_run_at) VALUES ({}, {}, {}, {}, {}, {}) "
            "ON CONFLICT (flow_id) DO UPDATE SET "
            "total_entered = flow_stats.total_entered + excluded.total_entered, "
            "total_completed = flow_stats.total_completed + excluded.total_completed, "
            "total_dropped = flow_stats.total_dropped + excluded.total_dropped, "
            "last_run_at = COALESCE(excluded.last_run_at, flow_stats.last_run_at)",
            new_id(),
            flow_id,
            entered,
            completed,
            dropped,
            at if entered else None,
        )
    tally: dict[str, int] = {}
    for node_id in visits:
        tally[node_id[:64]] = tally.get(node_id[:64], 0) + 1
    for node_id, n in tally.items():
        await fast.execute(
            FlowNodeStats,
            "INSERT INTO flow_node_stats (id, flow_id, node_id, visits) VALUES ({}, {}, {}, {}) "
            "ON CONFLICT (flow_id, node_id) DO UPDATE SET "
            "visits = flow_node_stats.visits + excluded.visits",
            new_id(),
            flow_id,
            node_id,
            n,
        )


async def change_labels(
    workspace_id: str, contact_id: str, ops: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Add/remove labels of the workspace on the contact; the (action, label id) pairs that
    changed something (webhooks hear of each: `contact.labeled`)."""
    changed: list[tuple[str, str]] = []
    for action, label_id in ops:
        owned = await fast.execute(
            Label,
            "SELECT id FROM labels WHERE id = {} AND workspace_id = {}",
            label_id,
            workspace_id,
        )
        if not owned:
            continue
        if action == "remove":
            gone = await fast.execute(
                ContactLabel,
                "DELETE FROM contact_labels WHERE contact_id = {} AND label_id = {} RETURNING id",
                contact_id,
                label_id,
            )
            if gone:
                changed.append((action, label_id))
            continue
        linked = await fast.execute(
            ContactLabel,
            "SELECT id FROM contact_labels WHERE contact_id = {} AND label_id = {}",
            contact_id,
            label_id,
        )
        if not linked:
            await fast.insert(
                ContactLabel, {"id": new_id(), "contact_id": contact_id, "label_id": label_id}
            )
            changed.append((action, label_id))
    return changed


async def hand_over(
    contact_id: str, conversation_id: str, user_id: str | None, now: datetime
) -> None:
    """Human takeover for the contact, and the conversation assigned to `user_id` if given
    (and a member: the id came from the flow document)."""
    await Contact.update({Contact.human_takeover: True, Contact.updated_at: now}).where(
        Contact.id == contact_id
    )
    if user_id is not None:
        await fast.execute(
            Conversation,
            "UPDATE conversations SET assigned_user_id = {}, updated_at = {} WHERE id = {} "
            "AND EXISTS (SELECT 1 FROM workspace_users m WHERE m.user_id = {} "
            "AND m.workspace_id = conversations.workspace_id)",
            user_id,
            now,
            conversation_id,
            user_id,
        )


async def target(conversation_id: str) -> dict[str, Any] | None:
    """Where a conversation's messages go and whether the bot may talk there: session, jid,
    the contact's switches and the conversation's status."""
    rows = await fast.execute(
        Conversation,
        "SELECT conv.id, conv.workspace_id, conv.session_id, conv.status, conv.contact_id, "
        "c.jid, c.is_blocked, c.human_takeover FROM conversations conv "
        "JOIN contacts c ON c.id = conv.contact_id WHERE conv.id = {}",
        conversation_id,
    )
    return rows[0] if rows else None


_LATEST = (
    "SELECT * FROM conversations WHERE contact_id = {} AND status != 'RESOLVED' "
    "ORDER BY created_at DESC LIMIT 1"
)
_FIRST_SESSION = (
    "SELECT id FROM whatsapp_sessions WHERE workspace_id = {} AND enabled = {} "
    "ORDER BY created_at LIMIT 1"
)


async def conversation_for(workspace_id: str, contact_id: str, now: datetime) -> str | None:
    """The contact's open conversation, else a new one on their number (or the workspace's
    first); None when there is no number to write from."""
    rows = await fast.execute(Conversation, _LATEST, contact_id)
    if rows and rows[0]["session_id"]:
        return str(rows[0]["id"])
    contacts = await fast.execute(
        Contact,
        "SELECT session_id FROM contacts WHERE id = {} AND workspace_id = {}",
        contact_id,
        workspace_id,
    )
    if not contacts:
        return None
    session_id = contacts[0]["session_id"]
    if session_id is None:
        sessions = await fast.execute(Contact, _FIRST_SESSION, workspace_id, True)
        session_id = sessions[0]["id"] if sessions else None
    if session_id is None:
        return None
    conversation_id = new_id()
    await fast.insert(
        Conversation,
        {
            "id": conversation_id,
            "workspace_id": workspace_id,
            "session_id": session_id,
            "contact_id": contact_id,
            "status": "OPEN",
            "assigned_user_id": None,
            "resolved_at": None,
            "last_message_at": None,
            "unread_count": 0,
            "sentiment": None,
            "created_at": now,
            "updated_at": now,
        },
    )
    return conversation_id


async def contact_by_phone(workspace_id: str, phone: str, now: datetime) -> str | None:
    """The contact with this phone number (E.164), created on the workspace's first number
    when unknown; None when the workspace has no number."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    jid = f"{digits}@s.whatsapp.net"
    rows = await fast.execute(
        Contact, "SELECT id FROM contacts WHERE workspace_id = {} AND jid = {}", workspace_id, jid
    )
    if rows:
        return str(rows[0]["id"])
    sessions = await fast.execute(Contact, _FIRST_SESSION, workspace_id, True)
    if not sessions:
        return None
    contact_id = new_id()
    await fast.insert(
        Contact,
        {
            "id": contact_id,
            "workspace_id": workspace_id,
            "session_id": sessions[0]["id"],
            "jid": jid,
            "lid": None,
            "phone_number": f"+{digits}",
            "name": None,
            "display_name": None,
            "profile_pic_url": None,
            "about": None,
            "autoreply_enabled": True,
            "human_takeover": False,
            "approval_mode": False,
            "is_blocked": False,
            "is_vip": False,
            "language": None,
            "notes": None,
            "first_seen_at": now,
            "last_message_at": None,
            "created_at": now,
            "updated_at": now,
        },
    )
    return contact_id


async def audience(workspace_id: str, label_id: str | None, limit: int) -> list[str]:
    """Contacts a scheduled flow goes to: not blocked, not under takeover, not in a run, with
    the label if one is given."""
    sql = (
        "SELECT c.id FROM contacts c WHERE c.workspace_id = {} AND c.is_blocked = {} "
        "AND c.human_takeover = {} AND NOT EXISTS (SELECT 1 FROM flow_runs r "
        "WHERE r.active_contact_id = c.id)"
    )
    args: list[Any] = [workspace_id, False, False]
    if label_id is not None:
        sql += " AND EXISTS (SELECT 1 FROM contact_labels cl WHERE cl.contact_id = c.id "
        sql += "AND cl.label_id = {})"
        args.append(label_id)
    rows = await fast.execute(Contact, sql + " ORDER BY c.created_at LIMIT {}", *args, limit)
    return [str(r["id"]) for r in rows]


async def claim_slot(flow_id: str, slot: datetime) -> bool:
    """Mark a SCHEDULED flow's slot fired, unless another run (or node) already did."""
    rows = await fast.execute(
        Flow,
        "UPDATE flows SET last_fired_at = {} WHERE id = {} "
        "AND (last_fired_at IS NULL OR last_fired_at < {}) RETURNING id",
        slot,
        flow_id,
        slot,
    )
    return bool(rows)


async def scheduled_flows() -> list[dict[str, Any]]:
    """Every active SCHEDULED flow with its current version, across workspaces."""
    rows = await fast.execute(
        Flow,
        "SELECT f.id, f.workspace_id, f.name, f.trigger_type, f.trigger_config, f.version, "
        "f.last_fired_at, f.updated_at, v.id AS version_id FROM flows f "
        "JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.version "
        "WHERE f.is_active = {} AND f.trigger_type = 'SCHEDULED'",
        True,
    )
    for row in rows:
        row["trigger_config"] = json_value(row["trigger_config"], {})
    return rows


async def label_record(label_id: str) -> c.Label | None:
    """A label as the API shows it."""
    row = await Label.select().where(Label.id == label_id).first()
    return mapping.label(row) if row is not None else None


async def contact_record(contact_id: str) -> c.Contact | None:
    """The contact as `contact:updated` carries it (labels and custom fields included)."""
    row = await Contact.select().where(Contact.id == contact_id).first()
    if row is None:
        return None
    links = await ContactLabel.select(*ContactLabel.label_id.all_columns()).where(
        ContactLabel.contact_id == contact_id
    )
    labels = [
        c.Label(
            id=link["label_id.id"],
            name=link["label_id.name"],
            color=link["label_id.color"],
            created_at=link["label_id.created_at"],
        )
        for link in links
    ]
    fields = await ContactCustomField.select().where(ContactCustomField.contact_id == contact_id)
    return mapping.contact(row, labels, {f["key"]: f["value"] for f in fields})


async def add_events(run_id: str, notes: list[dict[str, Any]]) -> None:
    """Append a step's history lines to the run's (a microsecond apart: they keep order)."""
    for i, note in enumerate(notes):
        at = note["at"] + timedelta(microseconds=i)
        await fast.insert(FlowRunEvent, {"id": new_id(), "run_id": run_id, **note, "at": at})


async def events(run_id: str, limit: int = 500) -> list[dict[str, Any]]:
    """The run's history, oldest first (its newest `limit` lines)."""
    rows = await fast.execute(
        FlowRunEvent,
        "SELECT at, node_id, event, detail FROM flow_run_events WHERE run_id = {} "
        "ORDER BY at DESC, id DESC LIMIT {}",
        run_id,
        limit,
    )
    return rows[::-1]
