"""`/api/v1/broadcasts` (seed §6 Broadcasts, issue 15.2): the seed's eight endpoints, and
pause / resume / cancel, the recipients, the composer's audience count and preview."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import (
    ActorDep,
    PageNumber,
    PageSize,
    ServicesDep,
    provide_actor,
    provide_services,
)
from app.auth import Resource
from app.domain import Page
from app.domain import broadcasts as b
from app.schemas.broadcasts import (
    AudienceBody,
    BroadcastCreateBody,
    BroadcastPatchBody,
    PreviewBody,
    ScheduleBody,
)

BROADCASTS = {"resource": Resource.BROADCASTS}
# the composer's live count and preview write nothing: whoever may read broadcasts may ask
LOOK = {"resource": Resource.BROADCASTS, "write": False}


class BroadcastController(Controller):
    path = "/v1/broadcasts"
    tags = ["broadcasts"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=BROADCASTS)
    async def list_broadcasts(self, services: ServicesDep, actor: ActorDep) -> list[b.Broadcast]:
        """Newest first, each with its counts once it started."""
        return await services.broadcasts.list(actor)

    @post("/", opt=BROADCASTS)
    async def create_broadcast(
        self, data: JSONBody[BroadcastCreateBody], services: ServicesDep, actor: ActorDep
    ) -> b.Broadcast:
        """A draft. `message` may use {{contact.name}}, {{contact.first_name}},
        {{contact.phone}}, {{contact.fields.<key>}} and {{name|fallback}}."""
        return await services.broadcasts.create(actor, data)

    @post("/audience", opt=LOOK, status_code=HTTP_200_OK)
    async def audience(
        self, data: JSONBody[AudienceBody], services: ServicesDep, actor: ActorDep
    ) -> b.Audience:
        """How many an audience reaches now (opted-out skipped, blocked never included) and
        how long sending takes at the number's send budget (beyond the seed)."""
        return await services.broadcasts.audience(
            actor, data.target_type, data.label_ids, data.contact_ids, data.session_id
        )

    @post("/preview", opt=LOOK, status_code=HTTP_200_OK)
    async def preview(
        self, data: JSONBody[PreviewBody], services: ServicesDep, actor: ActorDep
    ) -> b.Preview:
        """The message filled in for a contact (beyond the seed)."""
        return await services.broadcasts.preview(actor, data.message, data.contact_id)

    @get("/{broadcast_id:str}", opt=BROADCASTS)
    async def get_broadcast(
        self, broadcast_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> b.Broadcast:
        return await services.broadcasts.get(actor, broadcast_id)

    @patch("/{broadcast_id:str}", opt=BROADCASTS)
    async def update_broadcast(
        self,
        broadcast_id: FromPath[str],
        data: JSONBody[BroadcastPatchBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> b.Broadcast:
        """Change a draft (409 once it was scheduled or sent)."""
        return await services.broadcasts.update(actor, broadcast_id, data)

    @delete("/{broadcast_id:str}", opt=BROADCASTS, status_code=HTTP_204_NO_CONTENT)
    async def delete_broadcast(
        self, broadcast_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Delete a draft (409 otherwise)."""
        await services.broadcasts.delete(actor, broadcast_id)

    @post("/{broadcast_id:str}/send", opt=BROADCASTS, status_code=HTTP_202_ACCEPTED)
    async def send(
        self, broadcast_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> b.Broadcast:
        """Start now: 202, SENDING; messages go out within the number's send budget."""
        return await services.broadcasts.send(actor, broadcast_id)

    @post("/{broadcast_id:str}/schedule", opt=BROADCASTS, status_code=HTTP_200_OK)
    async def schedule(
        self,
        broadcast_id: FromPath[str],
        data: JSONBody[ScheduleBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> b.Broadcast:
        """`{"scheduledAt": "2026-05-01T09:00:00+02:00"}`: SCHEDULED until then."""
        return await services.broadcasts.schedule(actor, broadcast_id, data.scheduled_at)

    @post("/{broadcast_id:str}/pause", opt=BROADCASTS, status_code=HTTP_200_OK)
    async def pause(
        self, broadcast_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> b.Broadcast:
        return await services.broadcasts.pause(actor, broadcast_id)

    @post("/{broadcast_id:str}/resume", opt=BROADCASTS, status_code=HTTP_200_OK)
    async def resume(
        self, broadcast_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> b.Broadcast:
        return await services.broadcasts.resume(actor, broadcast_id)

    @post("/{broadcast_id:str}/cancel", opt=BROADCASTS, status_code=HTTP_200_OK)
    async def cancel(
        self, broadcast_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> b.Broadcast:
        return await services.broadcasts.cancel(actor, broadcast_id)

    @get("/{broadcast_id:str}/stats", opt=BROADCASTS)
    async def stats(
        self, broadcast_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> b.BroadcastStats:
        """`{total, pending, sent, delivered, read, replied, failed, optedOut}`."""
        return await services.broadcasts.stats(actor, broadcast_id)

    @get("/{broadcast_id:str}/recipients", opt=BROADCASTS)
    async def recipients(
        self,
        broadcast_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        status: Annotated[str | None, QueryParameter(max_length=16)] = None,
    ) -> Page[b.BroadcastRecipient]:
        """Per recipient: PENDING, QUEUED, SENT, DELIVERED, READ, REPLIED, FAILED (with
        `error`) or OPTED_OUT."""
        return await services.broadcasts.recipients(
            actor, broadcast_id, page=page, page_size=page_size, status=status
        )
