"""Who wrote an inbound message: find the contact by phone JID or LID, learn the other
identity, and merge the two rows when WhatsApp reveals they are one person (LID ↔ phone).
Runs inside the persist transaction of `inbound.persist_inbound`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.db import fast
from app.db.tables import Contact, Conversation
from app.domain import NormalizedMessage, new_id

_FIND_CONTACT = "SELECT * FROM contacts WHERE workspace_id = {} AND (jid IN (%s)"


def _marks(values: list[str]) -> str:
    return ", ".join("{}" for _ in values)


def phone_of(jid: str | None) -> str:
    """E.164 from a phone JID (`4917…@s.whatsapp.net` → `+4917…`); "" for LIDs/groups."""
    if not jid or not jid.endswith("@s.whatsapp.net"):
        return ""
    return "+" + jid.split("@", 1)[0].split(":", 1)[0]


async def resolve_contact(
    workspace_id: str, session_id: str, msg: NormalizedMessage, now: datetime
) -> tuple[dict[str, Any], bool, fast.Write | None]:
    """Find the sender by phone JID or LID; learn the other identity; merge duplicates.
    Returns the contact's row as it will be, whether it was created, and the update of a
    known contact (last message, learnt identity), which the caller must run."""
    phone_jid: str | None
    if msg.is_group:
        phone_jid, lid, name = msg.chat_jid, None, None
    else:
        phone_jid = msg.sender_phone_jid or (msg.jid if "@s.whatsapp.net" in msg.jid else None)
        lid = msg.sender_lid or (msg.jid if msg.jid.endswith("@lid") else None)
        name = None if msg.is_from_me else msg.push_name
    keys = [k for k in (phone_jid, lid) if k]
    sql = _FIND_CONTACT.replace("%s", _marks(keys)) + (" OR lid = {})" if lid else ")")
    rows = await fast.execute(Contact, sql, workspace_id, *keys, *([lid] if lid else []))
    by_phone = next((r for r in rows if phone_jid and r["jid"] == phone_jid), None)
    keep = by_phone or (rows[0] if rows else None)
    if keep is None:
        row = _new_contact(workspace_id, session_id, phone_jid or lid or msg.jid, lid, name, now)
        await fast.insert(Contact, row)
        return row, True, None
    changes: dict[Any, Any] = {Contact.last_message_at: now, Contact.updated_at: now}
    if lid and keep["lid"] != lid:
        changes[Contact.lid] = keep["lid"] = lid
    if phone_jid and keep["jid"] != phone_jid:  # known by LID so far; now we see the phone
        await _merge_others(keep, rows, changes)
        changes[Contact.jid] = keep["jid"] = phone_jid
        changes[Contact.phone_number] = keep["phone_number"] = phone_of(phone_jid)
    elif by_phone:
        await _merge_others(keep, rows, changes)
    if name and keep["name"] != name:
        changes[Contact.name] = keep["name"] = name
    keep.update(last_message_at=now, updated_at=now)
    return keep, False, _update(changes, keep["id"])


def _update(changes: dict[Any, Any], contact_id: str) -> fast.Write:
    """`UPDATE contacts SET <changes> WHERE id = …` as plain SQL (piccolo's builder cost more
    CPU than the statement); the caller runs it with its next read (`fast.run_with`)."""
    names = [column._meta.db_column_name for column in changes]
    sets = ", ".join(f'"{name}" = {{}}' for name in names)
    sql = f"UPDATE contacts SET {sets} WHERE id = {{}}"  # noqa: S608 — names from Contact
    return sql, (*changes.values(), contact_id)


def _new_contact(
    workspace_id: str,
    session_id: str | None,
    jid: str,
    lid: str | None,
    name: str | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "workspace_id": workspace_id,
        "session_id": session_id,
        "jid": jid,
        "lid": lid,
        "phone_number": phone_of(jid),
        "name": name,
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
        "last_message_at": now,
        "created_at": now,
        "updated_at": now,
    }


_CARRIED = ("name", "display_name", "notes", "language", "profile_pic_url", "about")
_ORED = ("is_blocked", "human_takeover", "is_vip", "approval_mode")


async def _merge_others(
    keep: dict[str, Any], rows: list[dict[str, Any]], changes: dict[Any, Any]
) -> None:
    """Fold the other identities' rows into `keep`: fill its blanks, keep any block/takeover."""
    for other in rows:
        if other["id"] == keep["id"]:
            continue
        for field in _CARRIED:
            if not keep[field] and other[field]:
                changes[getattr(Contact, field)] = keep[field] = other[field]
        for field in _ORED:
            if other[field] and not keep[field]:
                changes[getattr(Contact, field)] = keep[field] = True
        await _merge_into(keep["id"], other["id"])


async def _merge_into(keep_id: str, other_id: str) -> None:
    """The LID-only contact and the phone contact are one person: keep one, move history."""
    await Conversation.update({Conversation.contact_id: keep_id}).where(
        Conversation.contact_id == other_id
    )
    await Contact.delete().where(Contact.id == other_id)


async def ensure_contact(
    workspace_id: str, session_id: str | None, jid: str, now: datetime
) -> tuple[dict[str, Any], bool]:
    """The contact with this phone JID, created when new (sending first); True if created.
    Safe against a concurrent creation of the same contact (the unique (workspace, jid))."""
    find = "SELECT * FROM contacts WHERE workspace_id = {} AND jid = {}"
    rows = await fast.execute(Contact, find, workspace_id, jid)
    if rows:
        return rows[0], False
    row = _new_contact(workspace_id, session_id, jid, None, None, now)
    row["last_message_at"] = None  # they have not written; our message sets the conversation's
    if await fast.insert(Contact, row, on_conflict="workspace_id, jid"):
        return row, True
    return (await fast.execute(Contact, find, workspace_id, jid))[0], False
