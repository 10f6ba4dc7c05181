"""Live pages: one bus subscription per open browser tab, dropped when the tab goes away.

A page calls `follow(workspace_id, handler)` while it is being built; events of that workspace
(seed §12 room) are handed to `handler` one at a time on the server loop, inside the page's
client context, so the handler may add or change elements. The subscription ends when NiceGUI
deletes the client (the tab closed and did not reconnect), so a closed tab costs nothing.
A handler that raises is logged and skipped: one bad event must not end the live view.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import msgspec
from nicegui import background_tasks, context

from app.domain import conversations as c
from app.events import Event
from ui.state import container

log = logging.getLogger(__name__)
Handler = Callable[[Event], Awaitable[None]]
ListenHandler = Callable[[Event], Awaitable[Any] | Any]


def follow(workspace_id: str, handler: Handler) -> asyncio.Task[Any]:
    """Feed `workspace_id`'s events to `handler` until this page's client is deleted."""
    client = context.client
    bus = container().events

    async def pump() -> None:
        with bus.subscribe(workspace_id) as sub:
            async for event in sub.events():
                try:
                    with client:
                        await handler(event)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("live view: %s handler failed", event.name)

    task = background_tasks.create(pump(), name=f"live-{client.id}")

    def stop() -> None:
        task.cancel()

    client.on_delete(stop)
    return task


def message_of(event: Event) -> c.Message | None:
    """The message a message:new / message:updated event carries, or None if it has none."""
    raw = event.data.get("message")
    if not isinstance(raw, dict):
        return None
    with contextlib.suppress(msgspec.ValidationError):
        return msgspec.convert(raw, c.Message, strict=False)
    return None


def listen(workspace_id: str, names: Iterable[str], handler: ListenHandler) -> None:
    """`follow`, narrowed to the events named in `names`; `handler` may be sync or async."""
    wanted = set(names)

    async def on(event: Event) -> None:
        if event.name in wanted:
            result = handler(event)
            if isinstance(result, Awaitable):
                await result

    follow(workspace_id, on)
