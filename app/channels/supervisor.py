"""Keeps one session's worker process alive — or deliberately dead.

Restarts a worker that exits on its own with the seed's backoff (2/5/15/30/60 s, then 60 s;
a warning alert from attempt 5 on). The attempt count resets once a worker reached CONNECTED.
A *terminal* status (logged out, banned, temporary ban, client outdated, session replaced) stops
reconnecting — retrying would at best fail and at worst deepen a ban — and raises a critical
alert. `stop()` asks the worker to stop and SIGKILLs it after `stop_grace` seconds. Credentials
are unsealed before each start and sealed after each exit (see `vault`), and checkpointed
while the worker runs: on each connection (a fresh pairing is stored at once) and every
`checkpoint_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from app.aio import wait_set
from app.channels.backoff import Restart, SupervisorConfig, backoff_delay
from app.channels.events import AlertLevel, ChannelAlert
from app.channels.vault import CredentialVault, VaultError
from app.channels.worker_process import EventHandler, WorkerError, WorkerProcess
from app.domain import Clock, SessionStatus, SystemClock

_log = logging.getLogger(__name__)

_CRITICAL_REASONS = {"logged_out", "temporary_ban", "banned", "client_outdated", "stream_replaced"}

StatusHandler = Callable[[SessionStatus, str | None], Awaitable[None]]
AlertHandler = Callable[[ChannelAlert], Awaitable[None]]


class Supervisor:
    def __init__(
        self,
        argv: Sequence[str],
        vault: CredentialVault,
        *,
        env: Mapping[str, str] | None = None,
        on_event: EventHandler,
        on_status: StatusHandler,
        on_alert: AlertHandler,
        config: SupervisorConfig | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Clock | None = None,
    ) -> None:
        self.argv = list(argv)
        self.env = env
        self.vault = vault
        self.config = config or SupervisorConfig()
        self.restarts: list[Restart] = []
        self.worker: WorkerProcess | None = None
        self.terminal_reason: str | None = None
        self.last_error: str | None = None  # the worker's last warning, shown with its exit
        self._on_event, self._on_status, self._on_alert = on_event, on_status, on_alert
        self._sleep = sleep
        self._clock = clock or SystemClock()
        self._stopping = asyncio.Event()
        self._terminal = asyncio.Event()
        self._recycle = asyncio.Event()
        self._connected = False
        self._stop_command = "stop"
        self.killed_on_stop = False
        self.backing_off = False  # waiting before the next start: no worker to ask
        self._worker_up = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._checkpoints: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self.running:
            return
        self._stopping.clear()
        self._terminal.clear()
        self._recycle.clear()
        self.killed_on_stop = False
        self.terminal_reason = None
        self._task = asyncio.create_task(self._run())

    async def stop(self, *, command: str = "stop") -> bool:
        """Stop supervising and the worker; True if the worker had to be SIGKILLed.

        `command` is what the worker is asked to do first: "stop", or "logout" to unlink.
        """
        self._stop_command = command
        self._stopping.set()
        if self._task is not None:
            await self._task
        return self.killed_on_stop

    def recycle(self) -> None:
        """Replace the running worker with a fresh one (e.g. its login QR codes ran out)."""
        if self.worker is not None:
            self._recycle.set()

    async def running_worker(self, wait_s: float) -> WorkerProcess | None:
        """The live worker, waiting up to `wait_s` for one that is starting; None at once
        while backing off between attempts (or when not supervising)."""
        deadline = asyncio.get_running_loop().time() + wait_s
        while self.running and not self.backing_off:
            worker = self.worker
            if worker is not None and worker.alive:
                return worker
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return None
            await wait_set(self._worker_up, min(left, 0.1))
        return None

    async def request(self, cmd: str, args: dict[str, Any] | None = None) -> Any:
        worker = self.worker
        if worker is None or not worker.alive:
            raise WorkerError("the session's worker is not running")
        return await worker.request(cmd, args, wait_s=self.config.request_timeout)

    async def _run(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            self._connected = False
            self.last_error = None
            try:
                code = await self._run_once()
            except VaultError as exc:  # wrong key or damaged blob: retrying cannot help
                self.terminal_reason = "credentials_unreadable"
                await self._notify_status(SessionStatus.ERROR, self.terminal_reason)
                await self._notify_alert(
                    ChannelAlert(AlertLevel.CRITICAL, self.terminal_reason, str(exc))
                )
                return
            if self._stopping.is_set() or self._terminal.is_set():
                return
            if self._recycle.is_set():  # asked for a fresh worker: no failure, no backoff
                self._recycle.clear()
                continue
            attempt = 1 if self._connected else attempt + 1
            delay = backoff_delay(self.config.backoff, attempt)
            self.restarts.append(Restart(attempt, delay, code, self._clock.now()))
            why = f"worker exited ({code})" + (f": {self.last_error}" if self.last_error else "")
            await self._notify_status(
                SessionStatus.DISCONNECTED, f"{why[:300]}; retry {attempt} in {delay:g}s"
            )
            if attempt >= self.config.alert_from_attempt:
                detail = f"reconnect attempt {attempt}; next try in {delay:g}s"
                await self._notify_alert(
                    ChannelAlert(AlertLevel.WARNING, "reconnecting", detail, attempt)
                )
            self.backing_off = True
            try:
                await self._stopping_or(self._sleep(delay))
            finally:
                self.backing_off = False

    async def _stopping_or(self, sleeping: Awaitable[Any]) -> None:
        sleep_task = asyncio.ensure_future(sleeping)
        stop_task = asyncio.create_task(self._stopping.wait())
        await asyncio.wait({sleep_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        for task in (sleep_task, stop_task):
            task.cancel()

    async def _checkpoint(self) -> None:
        try:
            await self.vault.checkpoint()
        except Exception:  # the database is away: the next checkpoint or the exit seals
            _log.exception("credentials checkpoint failed")

    def _checkpoint_soon(self) -> None:
        task = asyncio.create_task(self._checkpoint())
        self._checkpoints.add(task)
        task.add_done_callback(self._checkpoints.discard)

    async def _checkpoint_every(self) -> None:
        while True:
            await asyncio.sleep(self.config.checkpoint_s)  # wall time, not the backoff clock
            await self._checkpoint()

    async def _run_once(self) -> int | None:
        runtime = await self.vault.open()
        worker: WorkerProcess | None = None
        ticker = asyncio.create_task(self._checkpoint_every())
        try:
            argv = [*self.argv, "--data-dir", str(runtime)]
            worker = self.worker = await WorkerProcess.spawn(argv, self._handle_event, self.env)
            self._worker_up.set()
            await self._notify_status(SessionStatus.CONNECTING, None)
            with contextlib.suppress(WorkerError):
                await worker.request("connect", wait_s=self.config.request_timeout)
            exited = asyncio.create_task(worker.wait())
            ending = asyncio.create_task(self._terminal.wait())
            stopping = asyncio.create_task(self._stopping.wait())
            recycle = asyncio.create_task(self._recycle.wait())
            waiters = {exited, ending, stopping, recycle}
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in (ending, stopping, recycle):
                waiter.cancel()
            if self._terminal.is_set() and not exited.done() and not self._stopping.is_set():
                # terminal status: the worker leaves by itself; give it the grace period
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(exited), self.config.stop_grace)
            if not exited.done():
                self.killed_on_stop = await worker.terminate(
                    self.config.stop_grace, command=self._stop_command
                )
            return await exited
        except OSError:
            return None
        finally:
            ticker.cancel()  # a checkpoint under way finishes first (the vault's lock)
            await asyncio.gather(ticker, *self._checkpoints, return_exceptions=True)
            self._worker_up.clear()
            if worker is not None:
                await worker.close()
            self.worker = None
            try:
                await self.vault.seal()
            except Exception:  # database away: the plaintext stays for the next open()
                _log.exception("sealing the credentials failed; kept for the next start")

    async def _handle_event(self, name: str, data: dict[str, Any]) -> None:
        if name == "log" and data.get("level") in ("warning", "error"):
            self.last_error = str(data.get("text"))
        if name == "status":
            status = SessionStatus(data["status"])
            reason = data.get("reason")
            if status is SessionStatus.CONNECTED:
                self._connected = True
                self._checkpoint_soon()  # e.g. just paired: the new device keys, stored now
            if data.get("terminal"):
                self.terminal_reason = reason
                self._terminal.set()
                await self._notify_status(status, reason)
                detail = data.get("detail") or reason or "session ended"
                code = reason if reason in _CRITICAL_REASONS else "terminal"
                await self._notify_alert(ChannelAlert(AlertLevel.CRITICAL, code, str(detail)))
                return
        await self._on_event(name, data)

    # A failing callback (the pipeline's problem) must never stop supervision.
    async def _notify_status(self, status: SessionStatus, reason: str | None) -> None:
        try:
            await self._on_status(status, reason)
        except Exception:
            _log.exception("status callback failed")

    async def _notify_alert(self, alert: ChannelAlert) -> None:
        try:
            await self._on_alert(alert)
        except Exception:
            _log.exception("alert callback failed")
