"""Live updates for one page: a per-browser subscription to the workspace's event bus.

Each call starts a task that lives as long as the page's client: it is cancelled (and the
subscription dropped) when the tab goes away, so closed tabs never pile up on the bus.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from nicegui import background_tasks, context

from app.events.bus import Event
from ui.state import container

log = logging.getLogger(__name__)


def listen(workspace_id: str, names: set[str], handler: Callable[[Event], Awaitable[None]]) -> None:
    """Call `handler(event)` (inside the page's client context) for each event named in
    `names`; a failing handler is logged and the page keeps listening."""
    client = context.client
    bus = container().events

    async def loop() -> None:
        with bus.subscribe(workspace_id) as subscription:
            async for event in subscription.events():
                if event.name not in names or client.is_deleted:
                    continue
                try:
                    with client:
                        await handler(event)
                except Exception:  # one bad event must not stop live updates
                    log.exception("live handler for %s failed", event.name)

    task = background_tasks.create(loop(), name=f"live:{','.join(sorted(names))}")
    client.on_delete(task.cancel)
