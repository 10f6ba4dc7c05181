"""Live pages: one bus subscription per live widget of an open browser tab, dropped when the
tab goes away — or when the viewer's access ends.

A page calls `follow(actor, handler)` while it is being built; events of the actor's workspace
(seed §12 room) that the actor's role may read are handed to `handler` one at a time on the
server loop, inside the page's client context, so the handler may add or change elements.
The events come through `LiveAccess.stream` (app/services/live_access.py), as the API's
WebSocket does: when the member is removed, their role changes or the sign-in is revoked, the
subscription ends at once and the tab reloads — to the sign-in page, or to what the member may
still see. The subscription also ends when NiceGUI deletes the client (the tab closed and did
not reconnect), so a closed tab costs nothing. A handler that raises is logged and skipped:
one bad event must not end the live view. Every event marks the workspace's shared reads stale
(ui/components/redraw.py), so a widget's redraw after it never reuses an older read.

A tab has one subscription, however many live widgets it shows (the bell's two, the connection
badge, the KPI cards, the inbox): their handlers share it and are called in the order they
followed. With one subscription per widget, 20 open tabs meant ~80 streams each waking for every
event of the workspace, ~15 % of the loop's time in the soak (issue 19, session 10).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
from nicegui import Client, background_tasks, context, ui

from app.domain import Actor
from app.domain import conversations as c
from app.domain.agent_tools import Note
from app.events import Event
from app.services.live_access import AccessEnded, Grant
from ui.components.redraw import shared_reads
from ui.state import container

log = logging.getLogger(__name__)
RELOAD_GRACE_S = 1.0  # time for the reload to reach the browser before the old tab is dropped
Handler = Callable[[Event], Awaitable[None]]
ListenHandler = Callable[[Event], Awaitable[Any] | Any]


@dataclass(slots=True)
class _Tab:
    """One open tab's subscription for one actor, and the handlers that share it."""

    actor: Actor
    handlers: list[Handler]
    task: asyncio.Task[Any]


# open tabs by client id; an entry goes when NiceGUI deletes the client (its handlers hold the
# tab's elements: a registry that outlived the tab would keep every closed tab's page alive)
_TABS: dict[str, list[_Tab]] = {}


def follow(actor: Actor, handler: Handler) -> asyncio.Task[Any]:
    """Feed the actor's workspace events (those their role may read) to `handler` until this
    page's client is deleted or the actor's access ends."""
    client = context.client
    tabs = _TABS.get(client.id)
    if tabs is None:
        tabs = _TABS[client.id] = []
        client.on_delete(lambda: _TABS.pop(client.id, None))
    tab = next((t for t in tabs if t.actor == actor and not t.task.done()), None)
    if tab is None:
        handlers: list[Handler] = []
        tab = _Tab(actor, handlers, _subscribe(client, actor, handlers))
        tabs.append(tab)
    tab.handlers.append(handler)
    return tab.task


def _subscribe(client: Client, actor: Actor, handlers: list[Handler]) -> asyncio.Task[Any]:
    bus, live = container().events, container().services.live_access
    workspace = actor.workspace_id or ""

    async def pump() -> None:
        try:
            with bus.subscribe(workspace) as sub:
                async for event in live.stream(Grant(actor), sub):
                    shared_reads().changed(workspace)  # no tab reuses a read from before it
                    with client:  # once per event, not per handler (a slot stack each time)
                        for handler in list(handlers):
                            try:
                                await handler(event)
                            except asyncio.CancelledError:
                                raise
                            except Exception:
                                log.exception("live view: %s handler failed", event.name)
        except AccessEnded as ended:
            log.info("live view of %s ended: %s", actor.label, ended.reason)
            _end_view(client)

    task = background_tasks.create(pump(), name=f"live-{client.id}")

    def stop() -> None:
        task.cancel()

    client.on_delete(stop)
    return task


def _end_view(client: Client) -> None:
    """The tab's access is over: reload it (the page decides again: the sign-in page, or what
    is still allowed), and drop it on our side a moment later — its handlers hold the old actor,
    so a tab that ignored the reload must not be able to receive or act any more."""
    if client.is_deleted:
        return
    with contextlib.suppress(Exception), client:
        ui.navigate.reload()

    def drop() -> None:
        if not client.is_deleted:
            with contextlib.suppress(KeyError):  # NiceGUI removed it first
                client.delete()

    asyncio.get_running_loop().call_later(RELOAD_GRACE_S, drop)


def message_of(event: Event) -> c.Message | None:
    """The message a message:new / message:updated event carries, or None if it has none."""
    raw = event.data.get("message")
    if not isinstance(raw, dict):
        return None
    with contextlib.suppress(msgspec.ValidationError):
        return msgspec.convert(raw, c.Message, strict=False)
    return None


def note_of(event: Event) -> Note | None:
    """The private note a note:new event carries, or None if it has none."""
    raw = event.data.get("note")
    if not isinstance(raw, dict):
        return None
    with contextlib.suppress(msgspec.ValidationError):
        return msgspec.convert(raw, Note, strict=False)
    return None


def listen(actor: Actor, names: Iterable[str], handler: ListenHandler) -> None:
    """`follow`, narrowed to the events named in `names`; `handler` may be sync or async."""
    wanted = set(names)

    async def on(event: Event) -> None:
        if event.name in wanted:
            result = handler(event)
            if isinstance(result, Awaitable):
                await result

    follow(actor, on)
