"""`GET /api/v1/conversations/{id}/messages/{messageId}/media`: a message's stored file.

Read access to conversations (the matrix's `conversations` R) in the caller's workspace is the
whole check; the service finds the file from the message row and refuses a path outside the
workspace's media folder. The response carries its own CSP (`sandbox`, no script) and
`nosniff`, and anything but a raster image, audio or video is sent as an attachment, so an
uploaded HTML page or SVG never runs on our origin.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import File, Stream

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource


class MediaController(Controller):
    path = "/v1/conversations"
    tags = ["conversations"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get(
        "/{conversation_id:str}/messages/{msg_id:str}/media",
        opt={"resource": Resource.CONVERSATIONS},
    )
    async def message_media(
        self,
        conversation_id: FromPath[str],
        msg_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
    ) -> File | Stream:
        """The file of an image, video, audio or document message, with its MIME type:
        inline for images, audio and video, as a download otherwise. 404 when the message
        has no media or the file was cleaned up. A file in S3 is streamed through (no
        range requests); a local one is sent as a file."""
        info = await services.media.open(actor, conversation_id, msg_id)
        if info.path is None:
            return Stream(
                services.media.stream(info),
                media_type=info.mime,
                headers={**info.headers(), "Content-Length": str(info.size)},
            )
        return File(
            info.path,
            media_type=info.mime,
            headers=info.headers(),
            content_disposition_type="inline" if info.inline else "attachment",
            filename=info.filename,
        )
