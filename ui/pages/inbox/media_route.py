"""`/dashboard/media/{conversation}/{message}`: the bytes behind an inbox bubble's image,
player or download link, for the browser that is signed in to the dashboard.

The dashboard has no API token, so this route (same origin, inside NiceGUI's app) asks the
session who is signed in, finds the message's workspace and requires the user to be a member
there with read access to conversations; the media service then does the same checks as the
API route (workspace, conversation, the file inside the workspace's folder). Nothing in the
URL is trusted beyond naming the message. Every refusal is the same 404.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from nicegui import app

from app.domain import Actor, DomainError
from ui import session
from ui.components.media_view import PREFIX
from ui.state import container


async def _serve(request: Request, conversation_id: str, message_id: str) -> Response:
    missing = PlainTextResponse("media not available", status_code=404)
    found = await session.account()
    if found is None:
        return PlainTextResponse("sign in first", status_code=401)
    family, user, workspaces = found
    services = container().services
    workspace_id = await services.media.workspace_of(message_id)
    membership = next((w for w in workspaces if w.id == workspace_id), None)
    if membership is None or membership.role is None:
        return missing
    actor = Actor(user.id, session_family=family).in_workspace(membership.id, membership.role)
    try:
        info = await services.media.open(actor, conversation_id, message_id)
    except DomainError:
        return missing
    # the same answer as the API's route: range requests, wherever the file is stored
    answer = services.media.serve(info, request.headers)
    if answer.body is None:
        return Response(status_code=answer.status, headers=answer.headers)
    return StreamingResponse(
        answer.body, status_code=answer.status, media_type=info.mime, headers=answer.headers
    )


def create() -> None:
    app.add_api_route(f"{PREFIX}/{{conversation_id}}/{{message_id}}", _serve, methods=["GET"])
