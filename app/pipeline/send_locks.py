"""One lock per WhatsApp session, shared by the dispatcher and the session hub.

The dispatcher holds it from `channel.send` until the returned WhatsApp id is stored; a
receipt ("delivered", "read") for that session waits for it, so a receipt that arrives faster
than the database write still finds the row it refers to.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict


class SendLocks:
    def __init__(self) -> None:
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def __call__(self, session_id: str) -> asyncio.Lock:
        return self._locks[session_id]
