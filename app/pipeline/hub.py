"""Live sessions: opens each session's channel with its events wired to the pipeline, keeps
the session row's status current; a session runs only while this node holds its lease
(`app/cluster/leases.py` decides which sessions run here and opens them via `run_leased`).

Status changes become `whatsapp:status` events (with the QR code when one is waiting);
unexpected disconnects and alerts (reconnect attempt 5+, ban, logout) become one
notification per outage (`Outages`), and the end of an outage one more. A ban (status
BANNED, or a ban alert) pauses the number's outbound traffic in the send budget; the first
connection starts its warm-up ramp.
Webhooks hear of a stored status change (`session.status`) and of receipts (`message.status`)
in the transaction that stores them.
"""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.channels import ChannelAlert, ChannelEvents, ChannelManager, ChannelSpec
from app.channels.base import Channel
from app.cluster.heard import HeardStatus
from app.db.repos import leases as leases_repo
from app.db.repos import messages, sessions
from app.db.tx import transaction
from app.domain import Clock, NormalizedMessage, Receipt, SessionStatus
from app.events import Event, EventBus, catalog
from app.pipeline.batches import Batches
from app.pipeline.budget import BAN_CODES, SendBudget
from app.pipeline.credentials import DbSealedStore
from app.pipeline.dispatcher import Dispatcher
from app.pipeline.inbound import Pipeline, SessionRef
from app.pipeline.outages import Outages
from app.pipeline.send_locks import SendLocks
from app.records import Notifier, WebhookOutbox
from app.secrets import SecretStore

if TYPE_CHECKING:
    from app.cluster.leases import SessionLeases

log = logging.getLogger(__name__)
QUIET_REASONS = {"stopped", "logged_out", None}


@dataclass(frozen=True, slots=True)
class Owner:
    """The node that runs a session, and where the other nodes reach it (`AIMY_NODE_URL`)."""

    node_id: str
    url: str


class SessionHub:
    """Inbound messages go to `pipeline`; a reconnect resumes the `dispatcher`'s waiting rows;
    a receipt waits on `send_locks` until the message it refers to has its WhatsApp id."""

    def __init__(
        self,
        channels: ChannelManager,
        pipeline: Pipeline,
        dispatcher: Dispatcher,
        send_locks: SendLocks,
        budget: SendBudget,
        events: EventBus,
        notifier: Notifier,
        secrets_store: SecretStore,
        clock: Clock,
        sessions_dir: Path,
        webhooks: WebhookOutbox,
        leases: SessionLeases | None = None,
        heard: HeardStatus | None = None,
    ) -> None:
        self._channels = channels
        self.heard = heard or HeardStatus()  # what the other nodes said about their sessions
        self._leases = leases  # None: every session may run here (tests, tools)
        self._webhooks = webhooks
        self._pipeline = pipeline
        self._dispatcher = dispatcher
        self._send_locks = send_locks
        self._budget = budget
        self._events = events
        self._notifier = notifier
        self._secrets = secrets_store
        self._clock = clock
        self.sessions_dir = sessions_dir
        self._outages = Outages(notifier, clock)
        self._receipts: Batches[tuple[SessionRef, Receipt]] = Batches(self._apply_receipts)

    def session_dir(self, session_id: str) -> Path:
        return self.sessions_dir / session_id

    def credentials_key(self, session_id: str, *, create: bool = True) -> bytes | None:
        """A random 32-byte key per session, kept in the secret store (never in the data dir
        in clear): the sealed credentials in the database are useless without it."""
        name = f"wa_session_key:{session_id}"
        stored = self._secrets.get(name)
        if stored is None and create:
            stored = self._secrets.setdefault(
                name, base64.b64encode(secrets.token_bytes(32)).decode()
            )
        return base64.b64decode(stored) if stored else None

    def forget_key(self, session_id: str) -> None:
        self._secrets.delete(f"wa_session_key:{session_id}")

    def spec(self, row: dict[str, Any]) -> ChannelSpec:
        kind = "simulator" if row["channel"] == "simulator" else "neonize"
        if kind == "simulator":
            return ChannelSpec(row["id"], kind)
        session_id = row["id"]
        leases = self._leases
        store = DbSealedStore(
            session_id,
            row["workspace_id"],
            self._clock.now,
            None if leases is None else lambda: leases.fence(session_id),
        )
        return ChannelSpec(
            session_id,
            kind,
            session_dir=self.session_dir(session_id),
            credentials_key=self.credentials_key(session_id),
            store=store,
        )

    async def open(self, row: dict[str, Any]) -> Channel | None:
        """Start the session's channel here — once this node holds its lease; None when
        another node runs it (that node's channel is the one)."""
        if self._leases is not None and not await self._leases.acquire(row["id"]):
            log.info("session %s runs on another node; not opened here", row["id"])
            return None
        return await self._start(row)

    async def runs_elsewhere(self, session_id: str) -> Owner | None:
        """The node that runs this session when it is not this one (None: this one, or no
        node does)."""
        if self._leases is None or session_id in self._channels:
            return None
        lease = await leases_repo.holder(session_id)
        if lease is None or lease["node_id"] in ("", self._leases.node_id):
            return None
        expires_at = lease["expires_at"]
        if not isinstance(expires_at, datetime) or expires_at <= self._clock.now():
            return None
        return Owner(str(lease["node_id"]), str(lease["url"]))

    async def run_leased(self, session_id: str) -> bool:
        """The lease keeper took this session over: open it (False: gone or switched off)."""
        row = await sessions.row_of(session_id)
        if row is None or not row["enabled"]:
            return False
        await self._start(row)
        return True

    async def _start(self, row: dict[str, Any]) -> Channel:
        ref = SessionRef(row["id"], row["workspace_id"])
        return await self._channels.open(self.spec(row), self._callbacks(ref))

    async def close(self, session_id: str, *, logout: bool = False) -> None:
        await self._channels.close(session_id, logout=logout)

    def _callbacks(self, ref: SessionRef) -> ChannelEvents:
        async def on_message(msg: NormalizedMessage) -> None:
            await self._pipeline.handle(ref, msg)

        async def on_receipt(receipt: Receipt) -> None:
            await self._receipt(ref, receipt)

        async def on_status(status: SessionStatus, reason: str | None) -> None:
            if self._leases is not None and not self._leases.holds(ref.session_id):
                return  # a lost lease's channel stopping: the new holder owns the status
            event = catalog.whatsapp_status(ref.workspace_id, ref.session_id, status)
            async with transaction():
                if await sessions.set_status(ref.session_id, status, self._clock.now(), reason):
                    await self._webhooks.record(event)
            self._events.publish(event)
            if status is SessionStatus.CONNECTED:  # replies that waited for the number
                await self._budget.linked(ref.session_id)
                await self._dispatcher.resume(ref.session_id)
                await self._outages.up(ref.workspace_id, ref.session_id)
            if status is SessionStatus.BANNED:
                detail = reason or "the session reported BANNED"
                await self._budget.banned(ref.workspace_id, ref.session_id, detail)
            if status is SessionStatus.DISCONNECTED and reason not in QUIET_REASONS:
                await self._outages.down(ref.workspace_id, ref.session_id, reason)

        async def on_qr(data_url: str) -> None:
            self._publish_status(ref, SessionStatus.QR_READY, data_url)

        async def on_alert(alert: ChannelAlert) -> None:
            await self._outages.alert(ref.workspace_id, ref.session_id, alert)
            if alert.code in BAN_CODES:
                detail = f"{alert.code}: {alert.detail}"
                await self._budget.banned(ref.workspace_id, ref.session_id, detail)

        return ChannelEvents(on_message, on_receipt, on_status, on_qr, on_alert)

    async def _receipt(self, ref: SessionRef, receipt: Receipt) -> None:
        """Delivered / read: applied once the dispatcher has stored the id it refers to;
        receipts that arrive while the session's last batch is written go together
        (`Batches`: on Postgres two statements per batch of up to 16 ids, not two per sent
        message)."""
        await self._receipts.submit(ref.session_id, (ref, receipt))

    async def _apply_receipts(
        self, session_id: str, batch: list[tuple[SessionRef, Receipt]]
    ) -> None:
        ref = batch[0][0]
        receipts = [receipt for _, receipt in batch]
        async with self._send_locks(session_id):
            async with await self._webhooks.joined(ref.workspace_id):
                told = await self._receipt_events(ref, receipts)
                await self._webhooks.record(*told)
        for event in told:
            self._events.publish(event)

    async def _receipt_events(self, ref: SessionRef, receipts: list[Receipt]) -> list[Event]:
        changed = await messages.apply_receipts(ref.session_id, receipts)
        return [catalog.message_updated(ref.workspace_id, m) for m in changed]

    def _publish_status(self, ref: SessionRef, status: SessionStatus, qr: str | None) -> None:
        event = catalog.whatsapp_status(ref.workspace_id, ref.session_id, status, qr)
        self._events.publish(event)
