"""Live sessions: opens each session's channel with its events wired to the pipeline, keeps
the session row's status current, restores enabled sessions on start.

Status changes become `whatsapp:status` events (with the QR code when one is waiting);
alerts (reconnect attempt 5+, ban, logout) and unexpected disconnects become notifications.
"""

from __future__ import annotations

import base64
import logging
import secrets
from pathlib import Path
from typing import Any

import msgspec

from app.channels import ChannelAlert, ChannelEvents, ChannelManager, ChannelSpec
from app.channels.base import Channel
from app.db.repos import messages, sessions
from app.domain import Clock, Receipt, SessionStatus
from app.events import EventBus, names
from app.pipeline.inbound import Pipeline, SessionRef
from app.secrets import SecretStore
from app.services.notifications import NotificationService

log = logging.getLogger(__name__)
QUIET_REASONS = {"stopped", "logged_out", None}


class SessionHub:
    def __init__(
        self,
        channels: ChannelManager,
        pipeline: Pipeline,
        events: EventBus,
        notifications: NotificationService,
        secrets_store: SecretStore,
        clock: Clock,
        sessions_dir: Path,
    ) -> None:
        self.channels = channels
        self.pipeline = pipeline
        self.events = events
        self.notifications = notifications
        self.secrets = secrets_store
        self.clock = clock
        self.sessions_dir = sessions_dir

    def session_dir(self, session_id: str) -> Path:
        return self.sessions_dir / session_id

    def credentials_key(self, session_id: str, *, create: bool = True) -> bytes | None:
        """A random 32-byte key per session, kept in the secret store (never in the data dir
        in clear): the sealed credentials in the data dir are useless without it."""
        name = f"wa_session_key:{session_id}"
        stored = self.secrets.get(name)
        if stored is None and create:
            stored = base64.b64encode(secrets.token_bytes(32)).decode()
            self.secrets.set(name, stored)
        return base64.b64decode(stored) if stored else None

    def forget_key(self, session_id: str) -> None:
        self.secrets.delete(f"wa_session_key:{session_id}")

    def spec(self, row: dict[str, Any]) -> ChannelSpec:
        kind = "simulator" if row["channel"] == "simulator" else "neonize"
        if kind == "simulator":
            return ChannelSpec(row["id"], kind)
        return ChannelSpec(
            row["id"],
            kind,
            session_dir=self.session_dir(row["id"]),
            credentials_key=self.credentials_key(row["id"]),
        )

    async def open(self, row: dict[str, Any]) -> Channel:
        ref = SessionRef(row["id"], row["workspace_id"])
        return await self.channels.open(self.spec(row), self._events(ref))

    async def close(self, session_id: str, *, logout: bool = False) -> None:
        await self.channels.close(session_id, logout=logout)

    async def restore(self) -> int:
        """Open a channel for every enabled session (start-up)."""
        opened = 0
        for row in await messages.enabled_sessions():
            try:
                await self.open(row)
                opened += 1
            except Exception:
                log.exception("session %s could not be restored", row["id"])
        return opened

    def _events(self, ref: SessionRef) -> ChannelEvents:
        async def on_message(msg):  # type: ignore[no-untyped-def]
            await self.pipeline.handle(ref, msg)

        async def on_receipt(receipt):  # type: ignore[no-untyped-def]
            await self._receipt(ref, receipt)

        async def on_status(status: SessionStatus, reason: str | None) -> None:
            await sessions.set_status(ref.session_id, status, self.clock.now())
            self._publish_status(ref, status, None)
            if status is SessionStatus.CONNECTED:  # replies that waited for the number
                await self.pipeline.dispatcher.resume(ref.session_id)
            if status is SessionStatus.DISCONNECTED and reason not in QUIET_REASONS:
                await self.notifications.notify(
                    ref.workspace_id,
                    names.WA_DISCONNECTED,
                    {"sessionId": ref.session_id, "reason": reason},
                )

        async def on_qr(data_url: str) -> None:
            self._publish_status(ref, SessionStatus.QR_READY, data_url)

        async def on_alert(alert: ChannelAlert) -> None:
            await self.notifications.notify(
                ref.workspace_id,
                names.WA_DISCONNECTED,
                {
                    "sessionId": ref.session_id,
                    "level": alert.level,
                    "code": alert.code,
                    "detail": alert.detail,
                    "attempt": alert.attempt,
                },
            )

        return ChannelEvents(on_message, on_receipt, on_status, on_qr, on_alert)

    async def _receipt(self, ref: SessionRef, receipt: Receipt) -> None:
        """Delivered / read: waits until the dispatcher has stored the id it refers to."""
        async with self.pipeline.dispatcher.recording[ref.session_id]:
            changed = await messages.apply_receipt(
                ref.session_id, receipt.wa_message_ids, receipt.kind, receipt.timestamp
            )
        for message in changed:
            self.events.publish(
                names.MESSAGE_UPDATED,
                ref.workspace_id,
                {"message": msgspec.to_builtins(message)},
                conversation_id=message.conversation_id,
            )

    def _publish_status(self, ref: SessionRef, status: SessionStatus, qr: str | None) -> None:
        data: dict[str, Any] = {"sessionId": ref.session_id, "status": status}
        if qr:
            data["qrCode"] = qr
        self.events.publish(names.WHATSAPP_STATUS, ref.workspace_id, data)
