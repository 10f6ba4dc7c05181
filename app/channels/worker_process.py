"""The parent's handle on one running channel worker: the child process and its socket.

Replies are matched to requests by id as soon as they are read; events are queued and delivered
by a separate task, in order. The split matters: an event handler (the pipeline) may itself send
through this worker and await the reply — delivering events inline would deadlock.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from app.channels.wire import encode_frame, read_frame

_log = logging.getLogger(__name__)

EventHandler = Callable[[str, dict[str, Any]], Awaitable[None]]


class WorkerError(Exception):
    """A command failed inside the worker, or the worker went away before replying."""


class WorkerProcess:
    def __init__(
        self,
        process: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        on_event: EventHandler,
    ) -> None:
        self.process = process
        self._reader, self._writer = reader, writer
        self._on_event = on_event
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._events: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        self._read_task = asyncio.create_task(self._read_loop())
        self._event_task = asyncio.create_task(self._event_loop())

    @classmethod
    async def spawn(
        cls, argv: Sequence[str], on_event: EventHandler, env: Mapping[str, str] | None = None
    ) -> WorkerProcess:
        """Start `argv + ["--fd", N]` with N the child's end of a fresh socketpair."""
        parent_sock, child_sock = socket.socketpair()
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                "--fd",
                str(child_sock.fileno()),
                pass_fds=(child_sock.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
                env=dict(env) if env is not None else None,
            )
        finally:
            child_sock.close()
        reader, writer = await asyncio.open_connection(sock=parent_sock)
        return cls(process, reader, writer, on_event)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def request(
        self, cmd: str, args: dict[str, Any] | None = None, *, wait_s: float | None = None
    ) -> Any:
        """Send a command and await its reply (`wait_s`: give up after that many seconds)."""
        command_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[command_id] = future
        try:
            self._writer.write(encode_frame({"id": command_id, "cmd": cmd, "args": args or {}}))
            await self._writer.drain()
            return await asyncio.wait_for(future, wait_s)
        except (ConnectionError, OSError) as exc:
            raise WorkerError(f"worker unreachable: {exc}") from exc
        finally:
            self._pending.pop(command_id, None)

    async def wait(self) -> int:
        return await self.process.wait()

    async def terminate(self, grace: float, *, command: str = "stop") -> bool:
        """Ask the worker to stop (or log out); SIGKILL it if still alive after `grace` seconds.

        Returns True when it had to be killed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        if self.alive:
            with contextlib.suppress(WorkerError, TimeoutError):
                await self.request(command, wait_s=grace)
        try:
            async with asyncio.timeout(max(0.0, deadline - loop.time())):  # see app/aio.py
                await self.process.wait()
            killed = False
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()  # SIGKILL: whatsmeow can hang in disconnect for good
            await self.process.wait()
            killed = True
        await self.close()
        return killed

    async def close(self) -> None:
        """Drop the link (after the process has exited); queued events are still delivered."""
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()
        await self._read_task
        await self._event_task

    async def _read_loop(self) -> None:
        try:
            while (frame := await read_frame(self._reader)) is not None:
                if "event" in frame:
                    self._events.put_nowait((str(frame["event"]), frame.get("data") or {}))
                    continue
                future = self._pending.get(int(frame.get("id", -1)))
                if future is None or future.done():
                    continue
                if frame.get("ok"):
                    future.set_result(frame.get("result"))
                else:
                    future.set_exception(WorkerError(str(frame.get("error"))))
        except (ConnectionError, OSError, ValueError):
            pass
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(WorkerError("worker exited"))
            self._events.put_nowait(None)

    async def _event_loop(self) -> None:
        while (item := await self._events.get()) is not None:
            try:
                await self._on_event(*item)
            except Exception:  # a failing handler must not stop event delivery
                _log.exception("channel event handler failed for %s", item[0])
