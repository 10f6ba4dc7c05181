"""Nodes and session leases (issue 18): which app node runs which WhatsApp session.

Every statement is atomic on its own or inside one transaction, so two nodes can never both
claim a lease: on Postgres the candidates are locked (`FOR UPDATE SKIP LOCKED`: a node skips
rows another node is claiming instead of waiting for them) and the UPDATE repeats the "free or
expired" test; SQLite has one writer (`BEGIN IMMEDIATE`) and one node. A claim raises the
lease's fencing `token`; `holds()` is what a send checks, in the transaction that claims its
outbox rows, and on Postgres it share-locks the lease row, so a takeover waits until that
claim has committed — and the new holder's recovery then sees the claimed rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.db import fast
from app.db.tables import Node, SessionLease

FREE = ""

_BEAT = (
    "INSERT INTO nodes (id, started_at, heartbeat_at, url) VALUES ({}, {}, {}, {}) "
    "ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, url = excluded.url"
)
_LIVE = "SELECT COUNT(*) AS n FROM nodes WHERE heartbeat_at > {}"
_ENABLED = "SELECT COUNT(*) AS n FROM whatsapp_sessions WHERE enabled = {}"
_MISSING = (
    "INSERT INTO session_leases (id, session_id, node_id, token, expires_at) "
    "SELECT s.id, s.id, '', 0, {} FROM whatsapp_sessions s "
    "WHERE s.enabled = {} AND NOT EXISTS "
    "(SELECT 1 FROM session_leases l WHERE l.session_id = s.id) "
    "ON CONFLICT DO NOTHING"
)
_DROP_DISABLED = (
    "UPDATE session_leases SET node_id = '', expires_at = {} WHERE node_id = {} AND session_id IN "
    "(SELECT id FROM whatsapp_sessions WHERE enabled = {}) RETURNING session_id"
)
_RENEW = (
    "UPDATE session_leases SET heartbeat_at = {}, expires_at = {} WHERE node_id = {} "
    "RETURNING session_id, token"
)
# candidates: free or expired leases of enabled sessions, never our own; `%s`: one session or all
_CANDIDATES = (
    "SELECT l.id, l.session_id, l.node_id FROM session_leases l "
    "JOIN whatsapp_sessions s ON s.id = l.session_id "
    "WHERE s.enabled = {} AND l.node_id <> {} AND (l.node_id = '' OR l.expires_at < {})%s "
    "ORDER BY l.expires_at LIMIT {}%s"
)
_TAKE = (
    "UPDATE session_leases SET node_id = {}, token = token + 1, heartbeat_at = {}, "
    "expires_at = {} WHERE id = {} AND node_id <> {} AND (node_id = '' OR expires_at < {}) "
    "RETURNING session_id, token"
)
_RELEASE = (
    "UPDATE session_leases SET node_id = '', expires_at = {} WHERE node_id = {}%s "
    "RETURNING session_id"
)
_HOLDS = (
    "SELECT 1 AS ok FROM session_leases WHERE session_id = {} AND node_id = {} AND token = {} "
    "AND expires_at > {}%s"
)
_EXISTS = "SELECT 1 AS ok FROM whatsapp_sessions WHERE id = {}"
_WHO = (
    "SELECT l.session_id, l.node_id, l.token, l.expires_at, COALESCE(n.url, '') AS url "
    "FROM session_leases l LEFT JOIN nodes n ON n.id = l.node_id WHERE l.session_id = {}"
)


@dataclass(frozen=True, slots=True)
class Fence:
    """What a send must still hold: the session's lease, on this node, under this token."""

    node_id: str
    token: int


@dataclass(frozen=True, slots=True)
class Taken:
    session_id: str
    token: int
    was: str  # the node that held it before ('' when free)


def _postgres() -> bool:
    return SessionLease._meta.db.engine_type != "sqlite"


async def beat(node_id: str, now: datetime, url: str = "") -> None:
    """This node is alive (its row is made on the first beat), reachable at `url`."""
    await fast.execute(Node, _BEAT, node_id, now, now, url)


async def forget_node(node_id: str) -> None:
    """A graceful stop: the others count one node less at once."""
    await Node.delete().where(Node.id == node_id)


async def live_nodes(since: datetime) -> int:
    rows = await fast.execute(Node, _LIVE, since)
    return int(rows[0]["n"]) if rows else 0


async def enabled_sessions() -> int:
    rows = await fast.execute(SessionLease, _ENABLED, True)
    return int(rows[0]["n"]) if rows else 0


async def ensure_rows(now: datetime) -> None:
    """Every enabled session has a lease row (free at first)."""
    await fast.execute(SessionLease, _MISSING, now, True)


async def drop_disabled(node_id: str, now: datetime) -> list[str]:
    """Give up the leases of sessions a person switched off."""
    rows = await fast.execute(SessionLease, _DROP_DISABLED, now, node_id, False)
    return [r["session_id"] for r in rows]


async def renew(node_id: str, now: datetime, until: datetime) -> dict[str, int]:
    """Push on every lease this node still holds; {session: token}. A lease another node took
    (ours had expired) is not among them: the caller must stop running that session."""
    rows = await fast.execute(SessionLease, _RENEW, now, until, node_id)
    return {r["session_id"]: int(r["token"]) for r in rows}


async def claim(
    node_id: str, now: datetime, until: datetime, limit: int, session_id: str | None = None
) -> list[Taken]:
    """Take up to `limit` free or expired leases (or just `session_id`'s), each with a new
    token. Rows another node is claiming this instant are skipped, not waited for."""
    if limit <= 0:
        return []
    one = " AND l.session_id = {}" if session_id else ""
    lock = " FOR UPDATE OF l SKIP LOCKED" if _postgres() else ""
    args: list[object] = [True, node_id, now, *([session_id] if session_id else []), limit]
    taken: list[Taken] = []
    async with SessionLease._meta.db.transaction():
        for row in await fast.execute(SessionLease, _CANDIDATES % (one, lock), *args):
            got = await fast.execute(
                SessionLease, _TAKE, node_id, now, until, row["id"], node_id, now
            )
            if got:
                taken.append(Taken(got[0]["session_id"], int(got[0]["token"]), row["node_id"]))
    return taken


async def release(node_id: str, now: datetime, session_ids: list[str] | None = None) -> list[str]:
    """Free this node's leases (all, or `session_ids`): another node may take them at once."""
    if session_ids is not None and not session_ids:
        return []
    only = ""
    args: list[object] = [now, node_id]
    if session_ids is not None:
        only = " AND session_id IN ({})".format(", ".join("{}" for _ in session_ids))
        args.extend(session_ids)
    rows = await fast.execute(SessionLease, _RELEASE % only, *args)
    return [r["session_id"] for r in rows]


async def holds(session_id: str, node_id: str, token: int, now: datetime) -> bool:
    """The fencing check: this node still holds the session's lease under `token`. Call it in
    the transaction that claims the session's outbox rows (on Postgres it share-locks the row
    until that transaction ends)."""
    lock = " FOR SHARE" if _postgres() else ""
    rows = await fast.execute(SessionLease, _HOLDS % lock, session_id, node_id, token, now)
    return bool(rows)


async def session_exists(session_id: str) -> bool:
    """False once the session was deleted (its lease row went with it)."""
    return bool(await fast.execute(SessionLease, _EXISTS, session_id))


async def holder(session_id: str) -> dict[str, object] | None:
    """Who runs the session, with which token, until when, and the node's address (`url`,
    '' when unknown) — None: no lease row yet."""
    rows = await fast.execute(SessionLease, _WHO, session_id)
    return rows[0] if rows else None
