"""`/api/v1/settings/models`: the local GGUF models the `llamacpp` provider runs."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource
from app.domain.records import DownloadView
from app.schemas.local_models import DownloadModelBody, ImportModelBody
from app.services.local_models import CatalogModelView, LocalModelView

SETTINGS = {"resource": Resource.SETTINGS}


class LocalModelController(Controller):
    path = "/v1/settings/models"
    tags = ["settings"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=SETTINGS)
    async def list_models(self, services: ServicesDep) -> list[LocalModelView]:
        """GGUF files in the data dir's `models/` folder (set one as `aiModel` with llamacpp)."""
        return services.local_models.list()

    @get("/downloads", opt=SETTINGS)
    async def list_downloads(self, services: ServicesDep, actor: ActorDep) -> list[DownloadView]:
        """Downloads this workspace started since the app started, with their progress (URLs
        without credentials or query values)."""
        return services.local_models.downloads(actor.workspace_id or "")

    @get("/catalog", opt=SETTINGS)
    async def model_catalog(self, services: ServicesDep, actor: ActorDep) -> list[CatalogModelView]:
        """Recommended chat models: size, RAM, licence, checksum (and where it comes from), an
        estimated reply time, whether it is installed and whether this workspace uses it."""
        return await services.local_models.catalog(actor)

    @post("/catalog/{key:str}/install", opt=SETTINGS, status_code=HTTP_202_ACCEPTED)
    async def install_model(
        self, key: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> DownloadView:
        """One click: download a catalog model from its pinned commit, verify its sha256 and
        size, then switch this workspace to it (provider `llamacpp`). Progress arrives as
        `model:progress` WebSocket events; an installed model is switched to at once."""
        return await services.local_models.install(actor, key)

    @post("/import", opt=SETTINGS)
    async def import_model(
        self, data: JSONBody[ImportModelBody], services: ServicesDep, actor: ActorDep
    ) -> LocalModelView:
        """Copy a GGUF file from this computer into the models folder (desktop only)."""
        return await services.local_models.import_file(actor, data.path, data.name)

    @post("/download", opt=SETTINGS, status_code=HTTP_202_ACCEPTED)
    async def download_model(
        self, data: JSONBody[DownloadModelBody], services: ServicesDep, actor: ActorDep
    ) -> DownloadView:
        """Start downloading a GGUF file; progress arrives as `model:progress` WebSocket events.
        Nothing is ever downloaded without this explicit request."""
        return await services.local_models.start_download(actor, data.url, data.name, data.sha256)

    @delete("/{name:str}", opt=SETTINGS, status_code=HTTP_204_NO_CONTENT)
    async def delete_model(
        self, name: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Delete a model file; 409 while another workspace answers with it."""
        await services.local_models.delete(actor, name)
