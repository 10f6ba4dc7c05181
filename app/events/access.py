"""Access hints: "this user's / key's access may just have changed — check it now".

Services publish a hint right after a change is committed (a member removed or given another
role, a sign-in revoked, a password reset, an API key revoked). Live connections — API
WebSockets and dashboard tabs (`app/services/live_access.py`) — wake on a hint that names them
and re-read their access from the database. The database is the truth, not the hint: every
connection also re-checks on a timer, so a change made on another app node (which cannot reach
this process's hints) still ends access within the re-check interval. A cross-node hint
(Postgres LISTEN/NOTIFY) would only make that faster.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(eq=False)
class Listener:
    user_id: str | None
    api_key_id: str | None
    poke: asyncio.Event = field(default_factory=asyncio.Event)


class AccessSignals:
    def __init__(self) -> None:
        self._listeners: set[Listener] = set()

    def changed(self, *, user_id: str | None = None, api_key_id: str | None = None) -> None:
        """Wake every connection of this user (all their workspaces) or this key."""
        for listener in list(self._listeners):
            if (user_id is not None and listener.user_id == user_id) or (
                api_key_id is not None and listener.api_key_id == api_key_id
            ):
                listener.poke.set()

    @contextlib.contextmanager
    def listen(self, user_id: str | None, api_key_id: str | None) -> Iterator[asyncio.Event]:
        """An event that is set when a hint names this user or key (clear it after checking)."""
        listener = Listener(user_id, api_key_id)
        self._listeners.add(listener)
        try:
            yield listener.poke
        finally:
            self._listeners.discard(listener)
