"""Says when something blocks the event loop, and what.

Everything the process serves — API, dashboard, WebSocket, the message pipeline — shares one
event loop: a synchronous model load or a long loop of queries on it stops all of them (a
health probe took 20 s after a restart, issue 13). A coroutine ticks a heartbeat; a watchdog
thread that sees no tick for `threshold_s` logs a warning with the loop thread's stack at that
moment — the code that blocks — and, once the loop runs again, how long it was stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time
import traceback

log = logging.getLogger(__name__)


class LoopWatch:
    def __init__(self, threshold_s: float = 1.0, tick_s: float = 0.1) -> None:
        self.threshold_s = threshold_s
        self.tick_s = tick_s
        self.stalls: list[float] = []  # seconds, one per stall seen (tests, benchmarks)
        self._beat = time.monotonic()
        self._loop_thread = 0
        self._stop = threading.Event()
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Call on the loop to watch."""
        self._loop_thread = threading.get_ident()
        self._beat = time.monotonic()
        self._task = asyncio.get_running_loop().create_task(self._tick(), name="loop-watch")
        self._thread = threading.Thread(target=self._watch, name="loop-watch", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _tick(self) -> None:
        while True:
            self._beat = time.monotonic()
            await asyncio.sleep(self.tick_s)

    def _watch(self) -> None:
        stuck_since: float | None = None
        while not self._stop.wait(self.tick_s):
            beat = self._beat
            lag = time.monotonic() - beat - self.tick_s
            if stuck_since is None and lag > self.threshold_s:
                stuck_since = beat
                log.warning("event loop blocked for %.1f s so far:\n%s", lag, self._stacks())
            elif stuck_since is not None and beat > stuck_since:
                self.stalls.append(beat - stuck_since)
                log.warning("event loop ran again after %.1f s", beat - stuck_since)
                stuck_since = None

    def _stacks(self) -> str:
        """The loop thread's stack, then the busy threads' (a thread holding the GIL in a
        C call stalls the loop as surely as the loop's own code: the loop then shows as
        waiting in `select`)."""
        names = {t.ident: t.name for t in threading.enumerate()}
        out = []
        frames = sys._current_frames()
        for ident, frame in sorted(frames.items(), key=lambda kv: kv[0] != self._loop_thread):
            if ident == threading.get_ident():
                continue
            stack = traceback.extract_stack(frame)
            if ident != self._loop_thread and stack and stack[-1].name in _IDLE:
                continue
            lines = "".join(traceback.format_list(stack[-8:]))
            out.append(f"thread {names.get(ident, ident)}:\n{lines}")
        return "\n".join(out)


# where idle threads wait: not the ones holding anything up
_IDLE = frozenset({"wait", "select", "poll", "_wait_for_tstate_lock", "get", "accept", "recv"})
