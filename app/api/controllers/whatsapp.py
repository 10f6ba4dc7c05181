"""`/api/v1/whatsapp/sessions` (seed §6 WhatsApp; simulate: DESIGN §6)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.api.forward import forward, forwarded
from app.auth import Resource
from app.domain import Invalid
from app.domain import conversations as c
from app.domain.sending import SendBudgetView
from app.schemas.sending import BudgetPatchBody, PauseBody, SendFirstBody
from app.schemas.whatsapp import PairBody, SessionCreateBody, SimulateBody
from app.services.send_first import MediaInput

WHATSAPP = {"resource": Resource.WHATSAPP}
# Injecting a test message is talking to the bot, not reconfiguring the number: whoever may
# write conversations may use the simulator.
SIMULATE = {"resource": Resource.CONVERSATIONS}
# Writing first to a contact is conversation work too: agents start conversations as they reply.
SEND = {"resource": Resource.CONVERSATIONS}


async def at_owner(
    request: Request, services: ServicesDep, actor: ActorDep, session_id: str
) -> None:
    """A live-channel request for a session another node runs goes to that node: its answer
    is raised as `Forwarded` (app/api/forward.py) and relayed as is."""
    if forwarded(request):
        return  # came from another node: answered here whatever happens
    owner = await services.sessions.elsewhere(actor, session_id)
    if owner is not None:
        raise await forward(request, owner, request.app.state.container.node_signature)


class WhatsappController(Controller):
    path = "/v1/whatsapp/sessions"
    tags = ["whatsapp"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=WHATSAPP)
    async def list_sessions(
        self, services: ServicesDep, actor: ActorDep
    ) -> list[c.WhatsappSession]:
        """The workspace's linked numbers (and simulators)."""
        return await services.sessions.list(actor)

    @post("/", opt=WHATSAPP)
    async def create_session(
        self, data: JSONBody[SessionCreateBody], services: ServicesDep, actor: ActorDep
    ) -> c.WhatsappSession:
        """Create and start a session. `channel: "simulator"` is CONNECTED at once; a real
        number (`"whatsapp"`) waits for a QR scan (`GET …/qr`) or a pairing code (`POST …/pair`)."""
        return await services.sessions.create(actor, data.account_id, data.channel)

    @get("/{session_id:str}/status", opt=WHATSAPP)
    async def session_status(
        self, request: Request, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.SessionState:
        await at_owner(request, services, actor, session_id)
        return await services.sessions.state(actor, session_id)

    @get("/{session_id:str}/qr", opt=WHATSAPP)
    async def session_qr(
        self, request: Request, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.QrCode:
        """The login QR code as a PNG data URL (`qrCode` is null when none is waiting)."""
        await at_owner(request, services, actor, session_id)
        return await services.sessions.qr(actor, session_id)

    @post("/{session_id:str}/pair", opt=WHATSAPP)
    async def pair(
        self,
        request: Request,
        session_id: FromPath[str],
        data: JSONBody[PairBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.PairingCode:
        """Phone-number login: returns the code to type on the phone."""
        await at_owner(request, services, actor, session_id)
        return await services.sessions.pair(actor, session_id, data.phone_number)

    @post("/{session_id:str}/connect", opt=WHATSAPP)
    async def connect(
        self, request: Request, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.WhatsappSession:
        """Start a disconnected session again (beyond the seed)."""
        await at_owner(request, services, actor, session_id)
        return await services.sessions.connect(actor, session_id)

    @post("/{session_id:str}/disconnect", opt=WHATSAPP)
    async def disconnect(
        self, request: Request, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.WhatsappSession:
        """Stop the session; credentials are kept and it stays offline across restarts."""
        await at_owner(request, services, actor, session_id)
        return await services.sessions.disconnect(actor, session_id)

    @delete("/{session_id:str}", opt=WHATSAPP, status_code=HTTP_204_NO_CONTENT)
    async def delete_session(
        self, request: Request, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Unlink the number and delete its credentials; contacts and chats are kept."""
        await at_owner(request, services, actor, session_id)
        await services.sessions.delete(actor, session_id)

    @post("/{session_id:str}/simulate", opt=SIMULATE, status_code=HTTP_202_ACCEPTED)
    async def simulate(
        self,
        request: Request,
        session_id: FromPath[str],
        data: JSONBody[SimulateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.Simulated:
        """Play an inbound message on a simulator session through the full pipeline; the
        bot's reply appears in `/conversations` like any other."""
        await at_owner(request, services, actor, session_id)
        media = None
        if data.media is not None:
            media = {
                "base64": data.media.base64,
                "mimeType": data.media.mime_type,
                "fileName": data.media.file_name or "",
                "type": data.media.type or "",
            }
        return await services.sessions.simulate(
            actor,
            session_id,
            from_=data.from_,
            name=data.name,
            text=data.text,
            media=media,
            wa_message_id=data.wa_message_id,
        )

    @get("/{session_id:str}/budget", opt=WHATSAPP)
    async def get_budget(
        self, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> SendBudgetView:
        """The number's send budget: limits in force (its own or the server's defaults),
        today's use (`sentToday` of `limitToday`, lower while `warmup` ramps up), sends in
        the last minute, quiet hours now, and whether it is paused (and why)."""
        return await services.send_budgets.get(actor, session_id)

    @patch("/{session_id:str}/budget", opt=WHATSAPP)
    async def update_budget(
        self,
        session_id: FromPath[str],
        data: JSONBody[BudgetPatchBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> SendBudgetView:
        """Change the number's limits: `perMinute` (1–1000, every message), `perDay` (what
        we start: flows, send-first, broadcasts; replies always go), `coldPerDay` (messages
        to contacts who never wrote), `warmupEnabled`, `warmupStartPerDay`, `warmupDays`.
        `null` returns a field to the server's default."""
        return await services.send_budgets.update(actor, session_id, data)

    @post("/{session_id:str}/pause", opt=WHATSAPP)
    async def pause(
        self,
        session_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        data: JSONBody[PauseBody | None] = None,
    ) -> SendBudgetView:
        """Stop the number's outbound traffic; queued messages wait until it is resumed."""
        return await services.send_budgets.pause(actor, session_id, data.reason if data else None)

    @post("/{session_id:str}/resume", opt=WHATSAPP)
    async def resume(
        self, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> SendBudgetView:
        """Let a paused number send again — after a ban or rate-limit signal from WhatsApp or a
        spike of failures paused it (only a person resumes), or a pause by hand."""
        return await services.send_budgets.resume(actor, session_id)

    @post("/{session_id:str}/send", opt=SEND, status_code=HTTP_202_ACCEPTED)
    async def send_first(
        self,
        session_id: FromPath[str],
        data: JSONBody[SendFirstBody],
        services: ServicesDep,
        actor: ActorDep,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=255)
        ] = None,
    ) -> c.SentFirst:
        """Send a message to any number — the first one, or a follow-up: `{"to": "+49…",
        "text"?, "media"?: {"mimeType", "fileName"?, "base64"} | {"url"}}`. The number is
        normalised to E.164; the contact and conversation are created when new. The message
        is queued (202) and goes out within the number's send budget — after replies, held
        by quiet hours, the daily budget and the cap on messages to people who never wrote.
        Retrying with the same `Idempotency-Key` header (or `clientMessageId`) returns the
        first call's message (`duplicate: true`) instead of sending twice."""
        key = idempotency_key or data.client_message_id
        if idempotency_key and data.client_message_id and idempotency_key != data.client_message_id:
            raise Invalid("Idempotency-Key and clientMessageId differ; send one of them")
        media = None
        if data.media is not None:
            media = MediaInput(data.media.base64, data.media.url, data.media.file_name)
        return await services.send_first.send(
            actor, session_id, to=data.to, text=data.text, media=media, idempotency_key=key
        )
