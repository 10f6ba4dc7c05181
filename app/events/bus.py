"""A small async pub/sub keyed by workspace (seed §12 rooms: workspace, conversation).

Subscribers get their own bounded queue, so a slow browser tab can never block the pipeline:
when its queue is full the oldest event is dropped and the subscriber is told it lagged.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    name: str  # seed §6 names (app.events.names); built by app.events.catalog
    workspace_id: str
    data: dict[str, Any]
    conversation_id: str | None = None


@dataclass(eq=False)
class Subscription:
    workspace_id: str
    conversation_ids: set[str] | None = None  # None = every conversation of the workspace
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))
    lagged: int = 0

    def wants(self, event: Event) -> bool:
        if event.workspace_id != self.workspace_id:
            return False
        if self.conversation_ids is None or event.conversation_id is None:
            return True
        return event.conversation_id in self.conversation_ids

    async def events(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()


class EventBus:
    def __init__(self) -> None:
        self._subs: set[Subscription] = set()
        # several nodes: also hands each event to the other nodes (app/cluster/bridge.py)
        self.forward: Callable[[Event], None] | None = None

    def publish(self, event: Event) -> None:
        """Deliver without awaiting; safe to call from any coroutine on the loop. Events are
        made by the constructors of `app.events.catalog`."""
        self.deliver(event)
        if self.forward is not None:
            self.forward(event)

    def deliver(self, event: Event) -> None:
        """To this node's subscribers only (an event another node published arrives here)."""
        for sub in list(self._subs):
            if not sub.wants(event):
                continue
            if sub.queue.full():
                sub.queue.get_nowait()
                sub.lagged += 1
            sub.queue.put_nowait(event)

    @contextlib.contextmanager
    def subscribe(
        self, workspace_id: str, conversation_ids: set[str] | None = None
    ) -> Iterator[Subscription]:
        sub = Subscription(workspace_id, conversation_ids)
        self._subs.add(sub)
        try:
            yield sub
        finally:
            self._subs.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def subscribers_of(self, workspace_id: str) -> int:
        """How many subscriptions follow this workspace (tests, health figures)."""
        return sum(1 for sub in self._subs if sub.workspace_id == workspace_id)
