"""`/api/v1/settings/speech-models`: the whisper models that transcribe voice notes.

Choosing one for a workspace is `PATCH /settings {"speechModel": name}`; these routes list
what is installed and downloadable, start a download (never automatic) and delete.
"""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource
from app.domain.records import DownloadView
from app.services.speech_models import SpeechModelView

SETTINGS = {"resource": Resource.SETTINGS}


class SpeechModelController(Controller):
    path = "/v1/settings/speech-models"
    tags = ["settings"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=SETTINGS)
    async def list_speech_models(
        self, services: ServicesDep, actor: ActorDep
    ) -> list[SpeechModelView]:
        """Installed models (the built-in English tiny.en first) and the downloadable catalog,
        each with the progress of the latest download this workspace started."""
        return services.speech_models.list(actor.workspace_id or "")

    @post("/{name:str}/download", opt=SETTINGS, status_code=HTTP_202_ACCEPTED)
    async def download_speech_model(
        self, name: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> DownloadView:
        """Start downloading a catalog model; progress arrives as `speech-model:progress`
        WebSocket events. Nothing is downloaded without this explicit request."""
        return await services.speech_models.start_download(actor, name)

    @delete("/{name:str}", opt=SETTINGS, status_code=HTTP_204_NO_CONTENT)
    async def delete_speech_model(
        self, name: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Remove a downloaded model (refused while another workspace uses it)."""
        await services.speech_models.delete(actor, name)
