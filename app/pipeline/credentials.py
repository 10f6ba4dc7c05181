"""The credential vault's store in the database: `app/channels/vault.SealedStore` over
`app/db/repos/credentials.py`, written under the session's lease — what the session hub gives
each neonize channel, so any node that takes a session over unseals the same credentials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.channels.vault import Sealed
from app.db.repos import credentials
from app.db.repos.leases import Fence


class DbSealedStore:
    """One session's sealed blob in `session_credentials`. `fence()` gives the lease this node
    holds now (None: lost — nothing is written, the credentials are the new holder's);
    `fence` itself None means this process runs every session (no leases)."""

    def __init__(
        self,
        session_id: str,
        workspace_id: str,
        now: Callable[[], datetime],
        fence: Callable[[], Fence | None] | None = None,
    ) -> None:
        self.session_id = session_id
        self.workspace_id = workspace_id
        self._now = now
        self._fence = fence

    def token(self) -> int:
        held = self._fence() if self._fence is not None else None
        return held.token if held is not None else 0

    async def load(self) -> Sealed | None:
        stored = await credentials.load(self.session_id)
        return None if stored is None else Sealed(*stored)

    async def save(self, blob: bytes) -> bool:
        fence = None
        if self._fence is not None and (fence := self._fence()) is None:
            return False
        return await credentials.save(self.session_id, self.workspace_id, blob, self._now(), fence)

    async def delete(self) -> None:
        await credentials.delete(self.session_id)
