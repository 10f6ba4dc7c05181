"""The neonize (whatsmeow) Channel: a supervised worker process per session (DESIGN §3).

This module runs in the app process and never imports neonize; messages arrive already
normalized by the worker. Wiring: build one per WhatsApp session with the session's data dir,
its 32-byte credentials key (from `app/secrets.py`) and where its sealed credentials are kept
(`store`: the app passes the database's; without one they are a file in the session's dir),
then `start()` it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from app.channels.errors import ChannelRejected, ChannelUnavailable
from app.channels.events import ChannelEvents
from app.channels.qr import qr_data_url
from app.channels.supervisor import Supervisor, SupervisorConfig
from app.channels.vault import CredentialVault, SealedStore, default_runtime_base
from app.channels.wire import (
    bytes_from_wire,
    message_from_wire,
    receipt_from_wire,
    to_wire,
)
from app.channels.worker_process import WorkerError
from app.domain import Clock, OutboundMessage, SessionStatus

_log = logging.getLogger(__name__)

SEALED_NAME = "credentials.sealed"


def worker_command(session_id: str, *, fake_script: str | None = None) -> list[str]:
    """How to start a worker: `python -m …` from source, `<binary> channel-worker` when frozen."""
    if getattr(sys, "frozen", False):
        base = [sys.executable, "channel-worker"]
    else:
        base = [sys.executable, "-m", "app.channels.neonize_worker"]
    argv = [*base, "--session-id", session_id]
    return argv if fake_script is None else [*argv, "--fake", fake_script]


def worker_env() -> dict[str, str] | None:
    """From source, make sure the child can import `app` whatever its working directory."""
    if getattr(sys, "frozen", False):
        return None
    root = str(Path(__file__).resolve().parents[2])
    paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


class NeonizeChannel:
    """A linked number served by a neonize worker process."""

    def __init__(
        self,
        session_id: str,
        session_dir: Path,
        credentials_key: bytes,
        events: ChannelEvents,
        *,
        runtime_base: Path | None = None,
        config: SupervisorConfig | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Clock | None = None,
        fake_script: str | None = None,
        qr_ttl: float = 90.0,
        store: SealedStore | None = None,
    ) -> None:
        self.session_id = session_id
        self.events = events
        self.status = SessionStatus.DISCONNECTED
        self.last_error: str | None = None  # why it is not connected (cleared when it is)
        self.start_wait_s = 15.0  # how long a request waits for a worker that is starting
        self._qr: str | None = None
        self._qr_ttl = qr_ttl
        self._qr_timer: asyncio.Task[None] | None = None
        runtime = (runtime_base or default_runtime_base()) / f"aimy-wa-{session_id}"
        sealed_file = session_dir / SEALED_NAME  # the blob itself, or an old install's
        self.vault = CredentialVault(
            store or sealed_file,
            runtime,
            credentials_key,
            session_id=session_id,
            legacy=sealed_file if store is not None else None,
        )
        self.supervisor = Supervisor(
            worker_command(session_id, fake_script=fake_script),
            self.vault,
            env=worker_env(),
            on_event=self._on_worker_event,
            on_status=self._set_status,
            on_alert=events.on_alert,
            config=config,
            sleep=sleep,
            clock=clock,
        )

    async def start(self) -> None:
        await self.supervisor.start()

    async def stop(self) -> None:
        await self.supervisor.stop()
        self._qr = None
        if self.status is not SessionStatus.BANNED:  # a ban outlives a restart of the app
            await self._set_status(SessionStatus.DISCONNECTED, "stopped")

    async def logout(self) -> None:
        """Unlink the device (when a worker is running) and delete the sealed credentials."""
        await self.supervisor.stop(command="logout")
        await self.vault.destroy()
        self._qr = None
        await self._set_status(SessionStatus.DISCONNECTED, "logged_out")

    def qr(self) -> str | None:
        return self._qr

    async def pair(self, phone: str) -> str:
        """A pairing code. `ChannelUnavailable` when WhatsApp cannot be reached now (between
        reconnect attempts, no internet: the worker could not get through), at once when no
        worker is running; `ChannelRejected` when WhatsApp refuses."""
        if await self.supervisor.running_worker(self.start_wait_s) is None:
            raise ChannelUnavailable(
                "the session is not connected to WhatsApp now (it keeps retrying)",
                self.last_error,
            )
        try:
            return str(await self.supervisor.request("pair", {"phone": phone}))
        except WorkerError as exc:
            text = str(exc)
            if text.startswith("TimeoutError") or "worker" in text:  # no link, or it exited
                raise ChannelUnavailable(
                    "WhatsApp could not be reached to ask for a pairing code",
                    self.last_error or text,
                ) from None
            raise ChannelRejected(f"WhatsApp refused the pairing request: {text}") from None
        except TimeoutError:
            raise ChannelUnavailable(
                "WhatsApp did not answer the pairing request in time", self.last_error
            ) from None

    async def send(self, message: OutboundMessage) -> str:
        return str(await self.supervisor.request("send", {"message": to_wire(message)}))

    async def download(self, media_ref: str) -> bytes:
        return bytes_from_wire(await self.supervisor.request("download", {"media_ref": media_ref}))

    async def set_typing(self, jid: str, on: bool) -> None:
        await self.supervisor.request("typing", {"jid": jid, "on": on})

    async def _on_worker_event(self, name: str, data: dict[str, Any]) -> None:
        match name:
            case "message":
                await self.events.on_message(message_from_wire(data))
            case "receipt":
                await self.events.on_receipt(receipt_from_wire(data))
            case "qr":
                self._qr = qr_data_url(str(data["code"]))  # a new code replaces the old one
                self._arm_qr_timer()
                await self._set_status(SessionStatus.QR_READY, None)
                await self.events.on_qr(self._qr)
            case "status":
                await self._set_status(SessionStatus(data["status"]), data.get("reason"))
            case "log":
                level = logging.getLevelName(str(data.get("level", "info")).upper())
                _log.log(level if isinstance(level, int) else logging.INFO,
                         "session %s: %s", self.session_id, data.get("text"))  # fmt: skip

    def _arm_qr_timer(self) -> None:
        """whatsmeow rotates codes every ~20 s; if none came for `qr_ttl`, start a fresh login."""
        self._cancel_qr_timer()

        async def expire() -> None:
            await asyncio.sleep(self._qr_ttl)
            self._qr = None
            self.supervisor.recycle()

        self._qr_timer = asyncio.create_task(expire())

    def _cancel_qr_timer(self) -> None:
        if self._qr_timer is not None:
            self._qr_timer.cancel()
            self._qr_timer = None

    async def _set_status(self, status: SessionStatus, reason: str | None) -> None:
        if status is not SessionStatus.QR_READY:
            self._cancel_qr_timer()
        if status is SessionStatus.CONNECTED or reason == "stopped":
            self.last_error = None
        elif reason:
            self.last_error = reason
        if status is SessionStatus.CONNECTED:
            self._qr = None
        if status is not self.status or reason:
            self.status = status
            await self.events.on_status(status, reason)
