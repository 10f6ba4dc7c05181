"""Events across nodes (issue 18 item 3): what one node publishes reaches the WebSocket and
dashboard clients of every node, through Postgres LISTEN/NOTIFY.

Each event the local bus publishes is queued (never awaited by the publisher) and sent by one
task as `pg_notify(channel, json)` on a dedicated asyncpg connection that also LISTENs; what
queued up meanwhile goes packed several events to a payload, so a busy node makes one round
trip per batch, not per event. A node that is alone (no other live node) sends nothing. The
JSON carries the sender's node id: a node drops its own echo (its subscribers had the event
at once). NOTIFY payloads must stay under 8,000 bytes: a larger event is written to
`event_spill` and only its id travels; listeners read the row (rows older than a minute are
pruned). The channel name carries the database schema (`search_path`), so apps on separate
schemas of one database do not hear each other.

Besides events, a node can `signal()` the others ("leases": it freed session leases, so
they look at once instead of at their next heartbeat); and a remote event wakes the local
dispatcher through `on_event` (a reply queued on another node may be for a session that
runs here).

A lost connection is reconnected (backoff up to 5 s); events published meanwhile reach this
node's clients only — the other nodes' clients catch up on their next read, as after any
WebSocket reconnect. Delivery is at most once, in publish order per node (a spilled event
may arrive after the smaller ones published just after it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.aio import wait_set
from app.db import fast
from app.db.tables import EventSpill
from app.domain import new_id
from app.events.bus import Event, EventBus

log = logging.getLogger(__name__)

MAX_PAYLOAD = 7_500  # bytes; Postgres refuses NOTIFY payloads of 8,000 and more
SPILL_KEEP_S = 60.0
QUEUE_MAX = 10_000
BATCH = 200  # events taken from the queue for one round of NOTIFYs


def channel_for(database_url: str) -> str:
    """`aimy_events`, or `aimy_events_<schema>` when the URL selects a schema."""
    query = parse_qs(urlsplit(database_url).query)
    schema = (query.get("search_path") or [""])[0].split(",")[0].strip()
    cleaned = "".join(ch for ch in schema if ch.isalnum() or ch == "_")[:40]
    return f"aimy_events_{cleaned}" if cleaned else "aimy_events"


def body(event: Event) -> str:
    """One event as JSON (an array: name, workspace, data, conversation)."""
    fields = [event.name, event.workspace_id, event.data, event.conversation_id]
    return json.dumps(fields, separators=(",", ":"), default=str)


def pack(node_id: str, bodies: list[str]) -> str:
    """Several events in one payload: `{"n": node, "e": [event, …]}`."""
    return '{"n":' + json.dumps(node_id) + ',"e":[' + ",".join(bodies) + "]}"


def decode(message: dict[str, Any]) -> list[Event]:
    return [Event(name, ws, data, conv) for name, ws, data, conv in message["e"]]


def batches(node_id: str, bodies: list[str]) -> tuple[list[str], list[str]]:
    """Pack `bodies` in order into payloads under MAX_PAYLOAD; (payloads, too large alone)."""
    payloads: list[str] = []
    alone: list[str] = []
    current: list[str] = []
    size = len(pack(node_id, []).encode())
    for one in bodies:
        length = len(one.encode()) + 1
        if size + length > MAX_PAYLOAD:
            if current:
                payloads.append(pack(node_id, current))
                current, size = [], len(pack(node_id, []).encode())
            if size + length > MAX_PAYLOAD:
                alone.append(pack(node_id, [one]))
                continue
        current.append(one)
        size += length
    if current:
        payloads.append(pack(node_id, current))
    return payloads, alone


def _setter(flag: asyncio.Event) -> Any:
    return lambda _connection: flag.set()


class EventBridge:
    def __init__(self, database_url: str, node_id: str, bus: EventBus) -> None:
        self._dsn = database_url
        self.node_id = node_id
        self.channel = channel_for(database_url)
        self._bus = bus
        self._queue: asyncio.Queue[Event | str] = asyncio.Queue(maxsize=QUEUE_MAX)
        # another node's event, after this node's subscribers got it (the dispatcher wakes:
        # that node may have queued a reply for a session that runs here)
        self.on_event: Callable[[Event], None] | None = None
        # another node's signal (`signal()`): "leases" — it freed leases, look now
        self.on_signal: Callable[[str], None] | None = None
        # whether any other node is live (None: assume so); alone, events are not sent at all
        self.peers: Callable[[], bool] | None = None
        self._task: asyncio.Task[None] | None = None
        self._fetches: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()
        self.dropped = 0  # events not forwarded (queue full)
        self.server_pid: int | None = None  # the listening connection's backend (tests, logs)
        self._pruned_at = 0.0

    async def start(self, *, wait_s: float = 5.0) -> None:
        """Connect (waiting up to `wait_s` for the first connection) and forward from now on."""
        self._bus.forward = self._forward
        self._task = asyncio.create_task(self._run(), name="event-bridge")
        await wait_set(self.connected, wait_s)

    def signal(self, kind: str) -> None:
        """Tell the other nodes something that is not an event (e.g. "leases" were freed)."""
        if not self._queue.full():
            self._queue.put_nowait(kind)

    async def stop(self, flush_s: float = 1.0) -> None:
        """Stop forwarding; what is queued goes out first (for up to `flush_s`)."""
        self._bus.forward = None
        deadline = time.monotonic() + flush_s
        while not self._queue.empty() and self.connected.is_set():
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.02)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for fetch in list(self._fetches):
            fetch.cancel()

    def _forward(self, event: Event) -> None:
        if self.peers is not None and not self.peers():
            return  # nobody else to tell: a single node pays nothing for the bridge
        if self._queue.full():
            self.dropped += 1
            return
        self._queue.put_nowait(event)

    async def _run(self) -> None:
        import asyncpg

        backoff = 0.2
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self._dsn)
                lost = asyncio.Event()
                connection.add_termination_listener(_setter(lost))
                await connection.add_listener(self.channel, self._heard)
                self.server_pid = connection.get_server_pid()
                self.connected.set()
                backoff = 0.2
                log.info("event bridge listening on %s as node %s", self.channel, self.node_id)
                await self._send_until(connection, lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event bridge: connection lost (%s); reconnecting", exc)
            finally:
                self.connected.clear()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(connection.close(), 2)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _send_until(self, connection: Any, lost: asyncio.Event) -> None:
        while not lost.is_set():
            try:
                async with asyncio.timeout(1.0):  # not wait_for: see app/aio.py
                    first = await self._queue.get()
            except TimeoutError:
                await self._prune()
                continue
            for payload in await self._payloads(first):
                await connection.execute("SELECT pg_notify($1, $2)", self.channel, payload)
        raise ConnectionError("the listening connection closed")

    async def _payloads(self, first: Event | str) -> list[str]:
        """`first` and whatever else is queued (up to BATCH items), in order: signals one by
        one, events packed several to a payload; one too large alone goes to the spill."""
        items = [first]
        while len(items) < BATCH and not self._queue.empty():
            items.append(self._queue.get_nowait())
        out: list[str] = []
        bodies: list[str] = []
        for item in items:
            if isinstance(item, Event):
                bodies.append(body(item))
                continue
            out += await self._packed(bodies)
            bodies = []
            out.append(json.dumps({"n": self.node_id, "c": item}))
        return out + await self._packed(bodies)

    async def _packed(self, bodies: list[str]) -> list[str]:
        payloads, alone = batches(self.node_id, bodies)
        return payloads + [await self._spill(payload) for payload in alone]

    async def _spill(self, payload: str) -> str:
        spill_id = new_id()
        await fast.execute(
            EventSpill,
            "INSERT INTO event_spill (id, payload, created_at) VALUES ({}, {}, now())",
            spill_id,
            payload,
        )
        return json.dumps({"n": self.node_id, "s": spill_id})

    async def _prune(self) -> None:
        if time.monotonic() - self._pruned_at < SPILL_KEEP_S:
            return
        self._pruned_at = time.monotonic()
        with contextlib.suppress(Exception):
            await fast.execute(
                EventSpill,
                "DELETE FROM event_spill WHERE created_at < now() - make_interval(secs => {})",
                SPILL_KEEP_S,
            )

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            message = json.loads(payload)
            if message.get("n") == self.node_id:
                return  # our own echo: our subscribers had it already
            if "c" in message:
                if self.on_signal is not None:
                    self.on_signal(str(message["c"]))
                return
            if "s" in message:
                task = asyncio.get_running_loop().create_task(self._unspill(message["s"]))
                self._fetches.add(task)
                task.add_done_callback(self._fetches.discard)
                return
            for event in decode(message):
                self._arrived(event)
        except Exception:
            log.exception("event bridge: unreadable notification dropped")

    async def _unspill(self, spill_id: str) -> None:
        rows = await fast.execute(
            EventSpill, "SELECT payload FROM event_spill WHERE id = {}", spill_id
        )
        for event in decode(json.loads(rows[0]["payload"])) if rows else []:
            self._arrived(event)

    def _arrived(self, event: Event) -> None:
        self._bus.deliver(event)
        if self.on_event is not None:
            self.on_event(event)
