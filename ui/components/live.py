"""Live updates for a page: EventBus events of the page's workspace, handled in the page's
client context.

A subscription lives as long as the browser tab: a `ui.timer` drains its queue (so the handler
runs with the page's elements as context), and the subscription is dropped when the client is
deleted (a tab closed for longer than the reconnect grace), so no queue fills up on the bus.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from nicegui import context, ui

from app.events.bus import Event
from ui.state import container

Handler = Callable[[Event], Awaitable[Any] | Any]


def listen(workspace_id: str, names: Iterable[str], handler: Handler, every: float = 0.25) -> None:
    """Call `handler(event)` for each event named in `names` published to `workspace_id`."""
    wanted = set(names)
    scope = container().events.subscribe(workspace_id)
    sub = scope.__enter__()
    client = context.client

    def stop() -> None:
        with contextlib.suppress(Exception):
            scope.__exit__(None, None, None)

    async def drain() -> None:
        while not sub.queue.empty():
            event = sub.queue.get_nowait()
            if event.name in wanted:
                result = handler(event)
                if isinstance(result, Awaitable):
                    await result

    ui.timer(every, drain)
    client.on_delete(stop)
