"""WhatsApp sessions (seed §6): several linked numbers per workspace, each by `accountId`."""

from __future__ import annotations

import base64
import binascii
import re
import shutil
from typing import Any

import msgspec

from app.auth import Resource, guarded
from app.channels import (
    ChannelError,
    ChannelManager,
    ChannelRejected,
    ChannelUnavailable,
    SimulatorChannel,
)
from app.channels.reasons import explain
from app.db.errors import is_unique_violation
from app.db.repos import mapping
from app.db.repos import sessions as repo
from app.db.tables import WhatsappSession
from app.domain import (
    Actor,
    BadGateway,
    Clock,
    Conflict,
    Invalid,
    MediaType,
    SessionStatus,
    Unavailable,
    new_id,
)
from app.domain import conversations as c
from app.pipeline.hub import Owner, SessionHub
from app.records import AuditTrail

ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def phone_digits(phone: str) -> str:
    """The digits of a pairing phone number, or Invalid (checked before any session starts)."""
    digits = re.sub(r"[\s()+-]", "", phone)
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        raise Invalid("phoneNumber: the number in international format, e.g. +4917612345678")
    return digits


def _because(exc: ChannelError) -> str:
    """The failure, and why the session cannot reach WhatsApp, as a user reads it."""
    why = explain(exc.last_error)
    return f"{exc.detail}: {why}" if why else exc.detail


def _last_error(exc: ChannelError) -> dict[str, object]:
    return {"lastError": exc.last_error} if exc.last_error else {}


def _explained(session: c.WhatsappSession) -> c.WhatsappSession:
    """With its last error as a sentence (`lastErrorMessage`) next to the raw one."""
    return msgspec.structs.replace(session, last_error_message=explain(session.last_error))


class SessionService:
    def __init__(
        self,
        hub: SessionHub,
        channels: ChannelManager,
        audit: AuditTrail,
        clock: Clock,
        default_channel: str,
    ) -> None:
        self._hub = hub  # opens and closes a session's channel, keeps its credentials key
        self._channels = channels  # the running ones
        self._audit = audit
        self._clock = clock
        self._default = "simulator" if default_channel == "simulator" else "whatsapp"

    async def _not_here(self, session_id: str, otherwise: str) -> Conflict:
        """Why the live channel is not here: another node runs the session (the API forwards
        such requests there — this is what a request already forwarded once, or the
        dashboard, hears), or nobody does."""
        owner = await self._hub.runs_elsewhere(session_id)
        if owner is None:
            return Conflict(otherwise)
        return Conflict(f"the session runs on node {owner.node_id}; send this request there")

    @guarded(Resource.CONVERSATIONS, write=False)
    async def elsewhere(self, actor: Actor, session_id: str) -> Owner | None:
        """The node that runs the workspace's session when it is not this one: the API
        forwards a live-channel request there (None: here, or nowhere — answered here).
        Guarded as loosely as the loosest request it serves (`simulate`, any member): the
        request itself is checked where it runs, with the caller's credentials."""
        if session_id in self._channels:
            return None
        await repo.get(actor.workspace_id or "", session_id)  # 404 here, not on the owner
        return await self._hub.runs_elsewhere(session_id)

    @guarded(Resource.CONVERSATIONS, write=True)
    async def simulators(self, actor: Actor) -> list[c.WhatsappSession]:
        """The workspace's simulator sessions: whoever may talk to the bot through one
        (`simulate`) may find it, without the right to see the linked numbers."""
        listed = await repo.list_for(actor.workspace_id or "")
        return [s for s in listed if s.channel == "simulator"]

    @guarded(Resource.WHATSAPP, write=False)
    async def list(self, actor: Actor) -> list[c.WhatsappSession]:
        return [_explained(s) for s in await repo.list_for(actor.workspace_id or "")]

    @guarded(Resource.WHATSAPP, write=True)
    async def create(self, actor: Actor, account_id: str, channel: str | None) -> c.WhatsappSession:
        """Create and start a session; a simulator is CONNECTED at once, a real number waits
        for a QR scan or a pairing code."""
        if not ACCOUNT_ID.match(account_id):
            raise Invalid("accountId: 1-64 letters, digits, '.', '_' or '-'")
        kind = channel or self._default
        session_id = new_id()
        now = self._clock.now()
        row: dict[str, Any] = {
            "id": session_id,
            "workspace_id": actor.workspace_id,
            "account_id": account_id,
            "channel": kind,
            "status": SessionStatus.DISCONNECTED,
            "creds_path": "" if kind == "simulator" else str(self._hub.session_dir(session_id)),
            "enabled": True,
            "created_at": now,
            "updated_at": now,
        }
        try:
            await WhatsappSession.insert(WhatsappSession(**row))
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict(f"a session with accountId {account_id!r} exists") from None
            raise
        await self._audit.record(
            actor, "whatsapp.create", "whatsapp_session", session_id, {"channel": kind}
        )
        await self._hub.open(row)
        return await self.get(actor, session_id)

    @guarded(Resource.WHATSAPP, write=False)
    async def get(self, actor: Actor, session_id: str) -> c.WhatsappSession:
        return _explained(mapping.session(await repo.get(actor.workspace_id or "", session_id)))

    @guarded(Resource.WHATSAPP, write=False)
    async def state(self, actor: Actor, session_id: str) -> c.SessionState:
        row = await repo.get(actor.workspace_id or "", session_id)
        why = {"last_error": row["last_error"], "last_error_message": explain(row["last_error"])}
        running = session_id in self._channels
        if running:
            channel = self._channels.get(session_id)
            return c.SessionState(
                session_id=session_id,
                status=channel.status,
                running=True,
                has_qr=channel.qr() is not None,
                **why,
            )
        return c.SessionState(session_id=session_id, status=row["status"], running=False, **why)

    @guarded(Resource.WHATSAPP, write=False)
    async def qr(self, actor: Actor, session_id: str) -> c.QrCode:
        """The live channel's QR code; on a node that does not run the session, the code its
        node last published (the dashboard's dialog works on any node)."""
        row = await repo.get(actor.workspace_id or "", session_id)
        if session_id not in self._channels:
            if await self._hub.runs_elsewhere(session_id) is not None:
                status, code = self._hub.heard.last(session_id) or (row["status"], None)
                return c.QrCode(session_id=session_id, status=status, qr_code=code)
            raise await self._not_here(session_id, "the session is not running; connect it first")
        channel = self._channels.get(session_id)
        return c.QrCode(session_id=session_id, status=channel.status, qr_code=channel.qr())

    @guarded(Resource.WHATSAPP, write=True)
    async def pair(self, actor: Actor, session_id: str, phone: str) -> c.PairingCode:
        digits = phone_digits(phone)
        row = await repo.get(actor.workspace_id or "", session_id)
        if session_id not in self._channels and await self._hub.open(row) is None:
            raise await self._not_here(session_id, "the session could not be started here")
        try:
            code = await self._channels.get(session_id).pair(digits)
        except ChannelUnavailable as exc:
            raise Unavailable(_because(exc), extra=_last_error(exc)) from None
        except ChannelRejected as exc:
            raise BadGateway(_because(exc), extra=_last_error(exc)) from None
        await self._audit.record(actor, "whatsapp.pair", "whatsapp_session", session_id)
        return c.PairingCode(session_id=session_id, code=code)

    @guarded(Resource.WHATSAPP, write=True)
    async def connect(self, actor: Actor, session_id: str) -> c.WhatsappSession:
        row = await repo.get(actor.workspace_id or "", session_id)
        await repo.update(session_id, self._clock.now(), enabled=True)
        if session_id not in self._channels:
            await self._hub.open(row)
        await self._audit.record(actor, "whatsapp.connect", "whatsapp_session", session_id)
        return await self.get(actor, session_id)

    @guarded(Resource.WHATSAPP, write=True)
    async def disconnect(self, actor: Actor, session_id: str) -> c.WhatsappSession:
        """Stop the session (credentials kept); it stays offline across restarts."""
        await repo.get(actor.workspace_id or "", session_id)
        await repo.update(session_id, self._clock.now(), enabled=False)
        await self._hub.close(session_id)
        now = self._clock.now()
        await repo.set_status(session_id, SessionStatus.DISCONNECTED, now, "stopped")
        await self._audit.record(actor, "whatsapp.disconnect", "whatsapp_session", session_id)
        return await self.get(actor, session_id)

    @guarded(Resource.WHATSAPP, write=True)
    async def delete(self, actor: Actor, session_id: str) -> None:
        """Unlink the number, delete its sealed credentials and its key; the CRM history
        (contacts, conversations) stays, detached from the session."""
        await repo.get(actor.workspace_id or "", session_id)
        await self._hub.close(session_id, logout=True)
        shutil.rmtree(self._hub.session_dir(session_id), ignore_errors=True)
        self._hub.forget_key(session_id)
        await WhatsappSession.delete().where(
            (WhatsappSession.id == session_id)
            & (WhatsappSession.workspace_id == actor.workspace_id)
        )
        await self._audit.record(actor, "whatsapp.delete", "whatsapp_session", session_id)

    @guarded(Resource.CONVERSATIONS, write=True)
    async def simulate(
        self,
        actor: Actor,
        session_id: str,
        *,
        from_: str,
        name: str | None,
        text: str | None,
        media: dict[str, str] | None,
        wa_message_id: str | None,
    ) -> c.Simulated:
        """Play an inbound message on a simulator session through the whole pipeline."""
        row = await repo.get(actor.workspace_id or "", session_id)
        if row["channel"] != "simulator":
            raise Conflict("only simulator sessions accept simulated messages")
        if session_id not in self._channels:
            raise await self._not_here(session_id, "the session is disconnected; connect it first")
        channel = self._channels.get(session_id)
        assert isinstance(channel, SimulatorChannel)
        digits = re.sub(r"[\s()+-]", "", from_)
        jid = from_ if "@" in from_ else f"{digits}@s.whatsapp.net"
        if "@" not in from_ and not digits.isdigit():
            raise Invalid("from: a phone number (digits) or a JID")
        if text is None and media is None:
            raise Invalid("give text, media or both")
        data = mime = filename = kind = None
        if media is not None:
            try:
                data = base64.b64decode(media["base64"], validate=True)
            except (binascii.Error, ValueError):
                raise Invalid("media.base64 is not valid base64") from None
            mime, filename = media.get("mimeType"), media.get("fileName") or None
            kind = MediaType(media["type"]) if media.get("type") else None
        msg = await channel.inject(
            jid,
            text,
            name=name,
            wa_message_id=wa_message_id,
            media_bytes=data,
            mime=mime,
            filename=filename,
            media_type=kind,
        )
        return c.Simulated(wa_message_id=msg.wa_message_id)
