"""`GET /api/v1/conversations/{id}/messages/{messageId}/media`: a message's stored file.

Read access to conversations (the matrix's `conversations` R) in the caller's workspace is the
whole check; the service finds the file from the message row and refuses a path outside the
workspace's media folder. The response carries its own CSP (`sandbox`, no script) and
`nosniff`, and anything but a raster image, audio or video is sent as an attachment, so an
uploaded HTML page or SVG never runs on our origin.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import FromPath
from litestar.response import Response, Stream

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
        request: Request,
        conversation_id: FromPath[str],
        msg_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
    ) -> Stream | Response[bytes]:
        """The file of an image, video, audio or document message, with its MIME type:
        inline for images, audio and video, as a download otherwise. 404 when the message
        has no media or the file was cleaned up. Range requests work wherever the file is
        stored (a local folder or S3): one `Range: bytes=…` span is a 206, a span past the
        end a 416."""
        info = await services.media.open(actor, conversation_id, msg_id)
        answer = services.media.serve(info, request.headers)
        if answer.body is None:
            return Response(b"", status_code=answer.status, headers=answer.headers)
        return Stream(
            answer.body, status_code=answer.status, media_type=info.mime, headers=answer.headers
        )
