"""`/api/v1/notifications` (seed §12 notification center; every member reads their own
workspace's)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

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
from app.domain import conversations as c

NOTIFICATIONS = {"resource": Resource.NOTIFICATIONS}


class NotificationController(Controller):
    path = "/v1/notifications"
    tags = ["notifications"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=NOTIFICATIONS)
    async def list_notifications(
        self,
        services: ServicesDep,
        actor: ActorDep,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        unread: Annotated[bool | None, QueryParameter()] = None,
    ) -> Page[c.Notification]:
        """The last 7 days, newest first."""
        return await services.notifications.list(
            actor, page=page, page_size=page_size, unread=unread
        )

    @post("/read-all", opt=NOTIFICATIONS, status_code=HTTP_204_NO_CONTENT)
    async def read_all(self, services: ServicesDep, actor: ActorDep) -> None:
        await services.notifications.mark_all_read(actor)

    @post("/{notification_id:str}/read", opt=NOTIFICATIONS, status_code=HTTP_204_NO_CONTENT)
    async def read_one(
        self, notification_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        await services.notifications.mark_read(actor, notification_id)
