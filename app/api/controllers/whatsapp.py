"""`/api/v1/whatsapp/sessions` (seed §6 WhatsApp; simulate: DESIGN §6)."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource
from app.domain import conversations as c
from app.schemas.whatsapp import PairBody, SessionCreateBody, SimulateBody

WHATSAPP = {"resource": Resource.WHATSAPP}
# Injecting a test message is talking to the bot, not reconfiguring the number: whoever may
# write conversations may use the simulator.
SIMULATE = {"resource": Resource.CONVERSATIONS}


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
        self, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.SessionState:
        return await services.sessions.state(actor, session_id)

    @get("/{session_id:str}/qr", opt=WHATSAPP)
    async def session_qr(
        self, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.QrCode:
        """The login QR code as a PNG data URL (`qrCode` is null when none is waiting)."""
        return await services.sessions.qr(actor, session_id)

    @post("/{session_id:str}/pair", opt=WHATSAPP)
    async def pair(
        self,
        session_id: FromPath[str],
        data: JSONBody[PairBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.PairingCode:
        """Phone-number login: returns the code to type on the phone."""
        return await services.sessions.pair(actor, session_id, data.phone_number)

    @post("/{session_id:str}/connect", opt=WHATSAPP)
    async def connect(
        self, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.WhatsappSession:
        """Start a disconnected session again (beyond the seed)."""
        return await services.sessions.connect(actor, session_id)

    @post("/{session_id:str}/disconnect", opt=WHATSAPP)
    async def disconnect(
        self, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.WhatsappSession:
        """Stop the session; credentials are kept and it stays offline across restarts."""
        return await services.sessions.disconnect(actor, session_id)

    @delete("/{session_id:str}", opt=WHATSAPP, status_code=HTTP_204_NO_CONTENT)
    async def delete_session(
        self, session_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Unlink the number and delete its credentials; contacts and chats are kept."""
        await services.sessions.delete(actor, session_id)

    @post("/{session_id:str}/simulate", opt=SIMULATE, status_code=HTTP_202_ACCEPTED)
    async def simulate(
        self,
        session_id: FromPath[str],
        data: JSONBody[SimulateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.Simulated:
        """Play an inbound message on a simulator session through the full pipeline; the
        bot's reply appears in `/conversations` like any other."""
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
