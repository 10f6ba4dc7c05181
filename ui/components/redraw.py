"""Cheap live tabs (issue 19): a burst of events costs each widget one redraw, and the reads
behind that redraw are done once for all the tabs of a workspace.

One customer message brings several events (the message, the bot's draft, a status change, a
read mark), and every open tab hears each of them. Redrawing on every event meant, with 20 tabs,
dozens of list rebuilds and hundreds of queries per message on the one event loop — the server
answered 0.6–1.6 msg/s instead of 13.

- `Coalesced(redraw)`: `soon()` asks for a redraw; it happens `window_s` later, and every
  `soon()` until then rides along. A `soon()` that arrives while a redraw runs schedules one
  more after it (no lost update: the last event is always followed by a redraw that starts
  after it).
- `shared_read(key, workspace_id, load)`: the tabs of a workspace that redraw after the same
  events share one `load()`. A result is reused only if its read *started* after the last live
  event any tab of that workspace received (`changed()`, called by `follow` for every event),
  and for at most `MAX_AGE_S`; so a redraw never shows data older than the event that caused it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nicegui import background_tasks
from nicegui.element import Element

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R", bound=Element)
WINDOW_S = 0.3  # one redraw per widget per this long, at most
MAX_AGE_S = 2.0  # a shared read is never older than this, events or not


class Coalesced:
    """At most one `redraw()` per `window_s`, and always one after the last `soon()`."""

    def __init__(
        self,
        redraw: Callable[[], Awaitable[None]],
        *,
        alive: Callable[[], bool] = lambda: True,
        window_s: float = WINDOW_S,
        name: str = "redraw",
    ) -> None:
        self._redraw = redraw
        self._alive = alive
        self.window_s = window_s
        self.name = name
        self.count = 0  # redraws done (tests, benchmarks)
        self._dirty = False
        self._task: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        """A redraw is asked for or running."""
        return self._task is not None and not self._task.done()

    def soon(self) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = background_tasks.create(self._run(), name=self.name)

    async def _run(self) -> None:
        while self._dirty:
            await asyncio.sleep(self.window_s)
            if not self._alive():
                return
            self._dirty = False  # a soon() from here on asks for another round
            self.count += 1
            try:
                await self._redraw()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live redraw %s failed", self.name)


@dataclass(slots=True)
class _Entry:
    started: float
    result: asyncio.Future[Any]


class SharedReads:
    """Per event loop (one app): recent reads by key, and when each workspace last changed."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, _Entry] = {}
        self._changed: dict[str, float] = {}
        self.loads = 0  # reads actually done (tests, benchmarks)

    def changed(self, workspace_id: str) -> None:
        self._changed[workspace_id] = asyncio.get_running_loop().time()

    async def read(self, key: Hashable, workspace_id: str, load: Callable[[], Awaitable[T]]) -> T:
        now = asyncio.get_running_loop().time()
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.started > self._changed.get(workspace_id, float("-inf"))
            and now - entry.started < MAX_AGE_S
        ):
            return await asyncio.shield(entry.result)
        self._prune(now)
        self.loads += 1
        future: asyncio.Future[T] = asyncio.ensure_future(load())
        entry = self._entries[key] = _Entry(now, future)

        def forget_failed(done: asyncio.Future[T]) -> None:  # a failed read is not shared
            if (done.cancelled() or done.exception()) and self._entries.get(key) is entry:
                del self._entries[key]

        future.add_done_callback(forget_failed)
        return await asyncio.shield(future)

    def _prune(self, now: float) -> None:
        old = [k for k, e in self._entries.items() if now - e.started >= MAX_AGE_S]
        for key in old:
            del self._entries[key]


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SharedReads] = (
    weakref.WeakKeyDictionary()
)


def shared_reads() -> SharedReads:
    loop = asyncio.get_running_loop()
    reads = _BY_LOOP.get(loop)
    if reads is None:
        reads = _BY_LOOP[loop] = SharedReads()
    return reads


async def shared_read(key: Hashable, workspace_id: str, load: Callable[[], Awaitable[T]]) -> T:
    """`load()`'s result, shared with the other tabs of the workspace that ask for `key` before
    the workspace's next live event (see the module doc)."""
    return await shared_reads().read((workspace_id, key), workspace_id, load)


class KeyedRows(Generic[R]):
    """The rows of a list, one element per key, updated in place only when what it shows changed.

    `show([(key, look, fill), ...])` makes `container` hold one row per key in that order: a
    known key whose `look` (everything the row shows) changed gets `fill(row)`; an unchanged
    row is left alone, at most moved. A new key takes over the row of a key no longer listed
    (or a new row from `make()`), so a list whose page scrolls by one conversation changes one
    row's texts instead of building and deleting elements; rows left over are deleted.
    `fill(row)` sets what the row shows (texts, visibility, its key) on elements made once:
    building ~10 NiceGUI elements per row per open tab was most of the loop's time with 20
    tabs open (issue 19, session 10)."""

    def __init__(self, container: Element, make: Callable[[], R]) -> None:
        self.container = container
        self._make = make
        self.rows: dict[str, tuple[R, Hashable]] = {}
        self.filled = 0  # rows drawn or updated (tests, benchmarks)
        self.made = 0  # row elements built (tests, benchmarks)

    def show(self, items: list[tuple[str, Hashable, Callable[[R], None]]]) -> None:
        wanted = {key for key, _, _ in items}
        spare = [self.rows.pop(key)[0] for key in [k for k in self.rows if k not in wanted]]
        children = self.container.default_slot.children
        for index, (key, look, fill) in enumerate(items):
            known = self.rows.get(key)
            if known is not None:
                row = known[0]
            elif spare:
                row = spare.pop(0)
            else:
                with self.container:
                    row = self._make()
                self.made += 1
            if known is None or known[1] != look:
                fill(row)
                self.rows[key] = (row, look)
                self.filled += 1
            if children.index(row) != index:
                row.move(self.container, index)
        for row in spare:
            row.delete()
