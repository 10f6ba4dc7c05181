"""`/dashboard/contacts/{contact}/export`: the "Export data" button's zip, for the browser that
is signed in to the dashboard (it has no API token; same origin, inside NiceGUI's app).

The signed-in user's chosen workspace and role make the actor (as `session.current()` does,
without a page), and `ContactExportService`
does every check the API route does (owner or admin, the contact in that workspace) before
the first byte; the zip is then streamed as it is written. Nothing in the URL is trusted
beyond naming the contact.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from nicegui import app

from app.domain import Actor, Forbidden, NotFound
from ui import session
from ui.state import container

PREFIX = "/dashboard/contacts"


def export_url(contact_id: str) -> str:
    return f"{PREFIX}/{quote(contact_id, safe='')}/export"


async def _serve(request: Request, contact_id: str) -> Response:
    found = await session.account()
    if found is None:
        return PlainTextResponse("sign in first", status_code=401)
    family, user, workspaces = found
    wanted = app.storage.user.get("workspace_id")  # the workspace the dashboard shows
    chosen = next((w for w in workspaces if w.id == wanted), workspaces[0] if workspaces else None)
    if chosen is None or chosen.role is None:
        return PlainTextResponse("contact not found", status_code=404)
    ip = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and container().settings.trust_forwarded_for:
        ip = forwarded.split(",")[0].strip()  # as `session.client_ip` reads it on a page
    actor = Actor(user.id, ip=ip, session_family=family).in_workspace(chosen.id, chosen.role)
    try:
        export = await container().services.contact_export.open(actor, contact_id[:64])
    except Forbidden as exc:
        return PlainTextResponse(str(exc), status_code=403)
    except NotFound:
        return PlainTextResponse("contact not found", status_code=404)
    return StreamingResponse(
        export.chunks,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


def create() -> None:
    app.add_api_route(f"{PREFIX}/{{contact_id}}/export", _serve, methods=["GET"])
