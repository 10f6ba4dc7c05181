"""Sealed WhatsApp credentials in the database (m0029): one row per session.

A write is fenced: it lands only while the writer's node holds the session's lease under the
token it was given (`Fence`). The guard is in the statement itself — an INSERT … SELECT from
the lease row, so no lease row (the session is gone) or another holder or a newer token
writes nothing, and the caller hears it (`False`). On Postgres the lease row is share-locked
for the statement, so a takeover (an UPDATE of that row) waits for a write already under way
and the new holder's unseal then reads it. A write without a fence is for a process that runs
every session itself (tools, tests, the standalone channel). The vault's port over these is
`app/pipeline/credentials.DbSealedStore`.
"""

from __future__ import annotations

import base64
from datetime import datetime

from app.db import fast
from app.db.repos.leases import Fence
from app.db.tables import SessionCredentials

# `%s`: the lease row's lock on Postgres
_FENCED = (
    "INSERT INTO session_credentials (id, session_id, workspace_id, blob, token, sealed_at) "
    "SELECT {}, {}, {}, {}, l.token, {} FROM session_leases l "
    "WHERE l.session_id = {} AND l.node_id = {} AND l.token = {}%s "
    "ON CONFLICT (id) DO UPDATE SET blob = excluded.blob, token = excluded.token, "
    "sealed_at = excluded.sealed_at RETURNING id"
)
_UNFENCED = (
    "INSERT INTO session_credentials (id, session_id, workspace_id, blob, token, sealed_at) "
    "VALUES ({}, {}, {}, {}, 0, {}) "
    "ON CONFLICT (id) DO UPDATE SET blob = excluded.blob, token = excluded.token, "
    "sealed_at = excluded.sealed_at"
)
_LOAD = "SELECT blob, token FROM session_credentials WHERE id = {}"
_DELETE = "DELETE FROM session_credentials WHERE id = {}"


def _postgres() -> bool:
    return SessionCredentials._meta.db.engine_type != "sqlite"


async def load(session_id: str) -> tuple[bytes, int] | None:
    """The sealed blob and the lease token it was written under (None: never sealed)."""
    rows = await fast.execute(SessionCredentials, _LOAD, session_id)
    if not rows:
        return None
    return base64.b64decode(rows[0]["blob"]), int(rows[0]["token"])


async def save(
    session_id: str, workspace_id: str, blob: bytes, now: datetime, fence: Fence | None
) -> bool:
    """Store the sealed blob; False when `fence` no longer holds the session's lease."""
    text = base64.b64encode(blob).decode()
    if fence is None:
        await fast.execute(
            SessionCredentials, _UNFENCED, session_id, session_id, workspace_id, text, now
        )
        return True
    lock = " FOR SHARE OF l" if _postgres() else ""
    # RETURNING tells whether a row was written (the SELECT found our lease, or not)
    rows = await fast.execute(
        SessionCredentials,
        _FENCED % lock,
        session_id,
        session_id,
        workspace_id,
        text,
        now,
        session_id,
        fence.node_id,
        fence.token,
    )
    return bool(rows)


async def delete(session_id: str) -> None:
    await fast.execute(SessionCredentials, _DELETE, session_id)
