"""`/api/v1/settings/api-keys` and `/api/v1/settings/audit-log` (seed §6 Settings)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.api.schemas import ApiKeyCreateBody
from app.auth import Resource
from app.domain import Page
from app.domain import models as m

SETTINGS = {"resource": Resource.SETTINGS}


class ApiKeyController(Controller):
    path = "/v1/settings/api-keys"
    tags = ["settings"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=SETTINGS)
    async def list_keys(self, services: ServicesDep, actor: ActorDep) -> list[m.ApiKey]:
        """Active keys with their 8-character preview (never the key itself)."""
        return await services.api_keys.list(actor)

    @post("/", opt=SETTINGS)
    async def create_key(
        self,
        data: JSONBody[ApiKeyCreateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> m.ApiKey:
        """Create a key for this workspace. The full key is in this response only."""
        return await services.api_keys.create(actor, data.name, data.expires_at)

    @delete("/{key_id:str}", opt=SETTINGS, status_code=HTTP_204_NO_CONTENT)
    async def revoke_key(
        self, key_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Revoke a key; requests using it fail from now on."""
        await services.api_keys.revoke(actor, key_id)


class AuditLogController(Controller):
    path = "/v1/settings/audit-log"
    tags = ["settings"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=SETTINGS)
    async def audit_log(
        self,
        services: ServicesDep,
        actor: ActorDep,
        page: Annotated[int, QueryParameter(ge=1)] = 1,
        page_size: Annotated[int, QueryParameter(name="pageSize", ge=1, le=200)] = 50,
        action: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Page[m.AuditEntry]:
        """Who changed what, newest first; `action` filters by prefix (e.g. `api_key.`)."""
        return await services.audit.list(actor, page=page, page_size=page_size, action=action)
