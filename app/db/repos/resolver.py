"""Who wrote an inbound message: find the contact by phone JID or LID, learn the other
identity, and merge the two rows when WhatsApp reveals they are one person (LID ↔ phone).
Runs inside the persist transaction of `inbound.persist_inbound`; a known contact's plain
message needs none of that, and its lookup and update (`find_statement`, `touch_statement`)
go into the one statement that stores it (`inbound.store_statement`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db import fast
from app.db.tables import Contact, Conversation
from app.domain import NormalizedMessage, new_id

_FIND_CONTACT = "SELECT * FROM contacts WHERE workspace_id = {} AND jid = {}"
_FIND_BY_LID = (  # rows the first lookup did not find
    "SELECT * FROM contacts WHERE workspace_id = {} AND lid = {} AND jid NOT IN (%s)"
)


def _marks(values: list[str]) -> str:
    return ", ".join("{}" for _ in values)


def phone_of(jid: str | None) -> str:
    """E.164 from a phone JID (`4917…@s.whatsapp.net` → `+4917…`); "" for LIDs/groups."""
    if not jid or not jid.endswith("@s.whatsapp.net"):
        return ""
    return "+" + jid.split("@", 1)[0].split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote a message, as WhatsApp names them: the phone JID, the LID, the push name."""

    phone_jid: str | None
    lid: str | None
    name: str | None
    jid: str  # the message's own JID, for a contact known by neither


def sender_of(msg: NormalizedMessage) -> Sender:
    if msg.is_group:
        return Sender(msg.chat_jid, None, None, msg.jid)
    phone_jid = msg.sender_phone_jid or (msg.jid if "@s.whatsapp.net" in msg.jid else None)
    lid = msg.sender_lid or (msg.jid if msg.jid.endswith("@lid") else None)
    return Sender(phone_jid, lid, None if msg.is_from_me else msg.push_name, msg.jid)


def find_statement(workspace_id: str, sender: Sender) -> fast.Write:
    """The SELECT of every contact row the sender may be (`find_contacts`): by each JID, then
    by learnt LID — lookups glued by UNION ALL, each an equality on its index's columns. As
    one `jid IN (…) OR lid = …`, a generic plan (asyncpg's statement cache) scanned the
    contacts table once it had a few hundred rows (tests/integration/db/test_generic_plans.py)."""
    # a JID that is neither (an old `@c.us` one) names the contact by itself, as
    # `resolve_contact` creates it — without it there was nothing to look up by, and a
    # second message from it was lost (the empty lookup failed, or found no one again)
    keys = [k for k in (sender.phone_jid, sender.lid) if k] or [sender.jid]
    lookups = [_FIND_CONTACT for _ in keys]
    args: list[Any] = [v for key in keys for v in (workspace_id, key)]
    if sender.lid:
        lookups.append(_FIND_BY_LID.replace("%s", _marks(keys)))
        args += [workspace_id, sender.lid, *keys]
    return " UNION ALL ".join(lookups), tuple(args)


async def find_contacts(workspace_id: str, sender: Sender) -> list[dict[str, Any]]:
    """Every contact row the sender may be: by phone JID, or by LID (as JID or as learnt)."""
    sql, args = find_statement(workspace_id, sender)
    return await fast.execute(Contact, sql, *args)


def touch_statement(sender: Sender, now: datetime, contact: str) -> fast.Write:
    """`known_contact`'s update as SQL that needs no read first: the contact (`contact`, an
    SQL expression for its id) gets the same values `_changes` gives a single row — a column
    it would leave alone is set to the value it has (the phone number only where the JID
    changes: it may be written by hand)."""
    sets = ["last_message_at = {}", "updated_at = {}"]
    values: list[Any] = [now, now]
    if sender.lid:
        sets.append("lid = {}")
        values.append(sender.lid)
    if sender.phone_jid:
        sets += ["phone_number = CASE WHEN jid <> {} THEN {} ELSE phone_number END", "jid = {}"]
        values += [sender.phone_jid, phone_of(sender.phone_jid), sender.phone_jid]
    if sender.name:
        sets.append("name = {}")
        values.append(sender.name)
    sql = f"UPDATE contacts SET {', '.join(sets)} WHERE id = {contact}"  # noqa: S608 (ours)
    return sql, tuple(values)


def known_contact(
    rows: list[dict[str, Any]], sender: Sender, now: datetime
) -> tuple[dict[str, Any], fast.Write] | None:
    """The sender is exactly one known contact (`rows` from `find_contacts`): its row as it
    will be and its update — nothing else to write (no new contact, no merge). `rows` is
    left as it was. None when more than that is needed (`resolve_contact`)."""
    if len(rows) != 1:
        return None
    keep = dict(rows[0])
    changes = _changes(keep, [keep], sender, now)
    return keep, _update(changes, keep["id"])


async def resolve_contact(
    workspace_id: str,
    session_id: str,
    msg: NormalizedMessage,
    now: datetime,
    rows: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], bool, fast.Write | None]:
    """Find the sender by phone JID or LID; learn the other identity; merge duplicates.
    Returns the contact's row as it will be, whether it was created, and the update of a
    known contact (last message, learnt identity), which the caller must run. `rows`: what
    `find_contacts` returned just before, if the caller read it already."""
    sender = sender_of(msg)
    if rows is None:
        rows = await find_contacts(workspace_id, sender)
    by_phone = next((r for r in rows if sender.phone_jid and r["jid"] == sender.phone_jid), None)
    keep = by_phone or (rows[0] if rows else None)
    if keep is None:
        first = sender.phone_jid or sender.lid or sender.jid
        row = _new_contact(workspace_id, session_id, first, sender.lid, sender.name, now)
        await fast.insert(Contact, row)
        return row, True, None
    changes = _changes(keep, rows, sender, now)
    for other in rows if sender.phone_jid else []:  # LID-only news merges nobody
        if other["id"] != keep["id"]:
            await _merge_into(keep["id"], other["id"])
    return keep, False, _update(changes, keep["id"])


def _changes(
    keep: dict[str, Any], rows: list[dict[str, Any]], sender: Sender, now: datetime
) -> dict[Any, Any]:
    """What `keep` learns from this message and from the other rows it absorbs (updated in
    `keep` too) — only when the message names a phone JID, the identity rows merge into.
    The other rows' merge (`_merge_into`) is the caller's to run."""
    phone_jid, lid, name = sender.phone_jid, sender.lid, sender.name
    changes: dict[Any, Any] = {Contact.last_message_at: now, Contact.updated_at: now}
    if lid and keep["lid"] != lid:
        changes[Contact.lid] = keep["lid"] = lid
    if phone_jid:
        _carry_others(keep, rows, changes)
    if phone_jid and keep["jid"] != phone_jid:  # known by LID so far; now we see the phone
        changes[Contact.jid] = keep["jid"] = phone_jid
        changes[Contact.phone_number] = keep["phone_number"] = phone_of(phone_jid)
    if name and keep["name"] != name:
        changes[Contact.name] = keep["name"] = name
    keep.update(last_message_at=now, updated_at=now)
    return changes


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


def _carry_others(
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
