"""Claims on indexing jobs (the `kb_documents` rows are the queue): one node indexes a
document, and a dead node's documents go back to the queue when its lease runs out.

Every step is one conditional statement, so it is atomic across processes on SQLite and
Postgres alike — no in-process lock is what keeps two nodes apart:
- `claim`: PENDING → PROCESSING with the owner and a lease, only if still PENDING;
- `renew`: the owner extends its lease while indexing;
- `recover`: PROCESSING rows whose lease ran out (or, at a start, the node's own rows from
  before a crash) → PENDING again.
"""

from __future__ import annotations

from datetime import datetime

from app.db import fast
from app.db.tables import KBDocument

_CLAIM = (
    "UPDATE kb_documents SET status = 'PROCESSING', error_message = NULL, claimed_by = {}, "
    "lease_until = {}, updated_at = {} WHERE id = {} AND status = 'PENDING' RETURNING id"
)
_RENEW = (
    "UPDATE kb_documents SET lease_until = {} "
    "WHERE id = {} AND claimed_by = {} AND status = 'PROCESSING' RETURNING id"
)
_RECOVER = (
    "UPDATE kb_documents SET status = 'PENDING', claimed_by = NULL, lease_until = NULL "
    "WHERE status = 'PROCESSING' AND (lease_until IS NULL OR lease_until < {}%s) RETURNING id"
)
_DUE = "SELECT id FROM kb_documents WHERE status = 'PENDING' ORDER BY created_at, id"


async def claim(doc_id: str, owner: str, now: datetime, until: datetime) -> bool:
    """Take the document for `owner` until `until`; False when another has it (or it is done)."""
    return bool(await fast.execute(KBDocument, _CLAIM, owner, until, now, doc_id))


async def renew(doc_id: str, owner: str, until: datetime) -> bool:
    """Extend `owner`'s claim; False when it lost it (recovered by another node meanwhile)."""
    return bool(await fast.execute(KBDocument, _RENEW, until, doc_id, owner))


async def recover(now: datetime, own: str | None = None) -> list[str]:
    """Back to PENDING: claims that expired before `now`, and every claim of `own` (a node
    starting up: what it held before it stopped is not being indexed by anyone)."""
    if own is None:
        return [r["id"] for r in await fast.execute(KBDocument, _RECOVER % "", now)]
    sql = _RECOVER % " OR claimed_by = {}"
    return [r["id"] for r in await fast.execute(KBDocument, sql, now, own)]


async def due() -> list[str]:
    """PENDING documents, oldest first."""
    return [r["id"] for r in await fast.execute(KBDocument, _DUE)]
