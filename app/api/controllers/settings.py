"""`/api/v1/settings`, `/settings/test-model`, `/settings/api-keys` and `/settings/audit-log`
(seed §6 Settings)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

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
from app.domain import records as m
from app.schemas.api_keys import ApiKeyCreateBody
from app.schemas.settings import SettingsPatchBody

SETTINGS = {"resource": Resource.SETTINGS}


class SettingsController(Controller):
    path = "/v1/settings"
    tags = ["settings"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=SETTINGS)
    async def get_settings(self, services: ServicesDep, actor: ActorDep) -> m.WorkspaceSettingsView:
        """Bot and AI settings; the model API key appears masked (`sk-…abcd`) or null."""
        return await services.settings.get(actor)

    @patch("/", opt=SETTINGS)
    async def update_settings(
        self, data: JSONBody[SettingsPatchBody], services: ServicesDep, actor: ActorDep
    ) -> m.WorkspaceSettingsView:
        """Change some settings. `aiApiKey` is write-only; `businessHoursConfig` is
        `{timezone, days: {mon: [["09:00", "17:00"]], …}}` (an end before its start runs past
        midnight). Takes effect on the next message."""
        return await services.settings.update(actor, data)

    @post("/test-model", opt=SETTINGS, status_code=HTTP_200_OK)
    async def test_model(self, services: ServicesDep, actor: ActorDep) -> m.ModelTest:
        """Send one short question to the configured model: `{ok, latencyMs, sample, error?}`."""
        return await services.settings.test_model(actor)


class ApiKeyController(Controller):
    path = "/v1/settings/api-keys"
    tags = ["settings"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=SETTINGS)
    async def list_keys(self, services: ServicesDep, actor: ActorDep) -> list[m.ApiKey]:
        """Active keys with their 8-character preview (never the key itself). Signed-in users
        only: an API key cannot manage API keys (403)."""
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
        page: PageNumber = 1,
        page_size: PageSize = 50,
        action: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Page[m.AuditEntry]:
        """Who changed what, newest first; `action` filters by prefix (e.g. `api_key.`)."""
        return await services.audit.list(actor, page=page, page_size=page_size, action=action)
