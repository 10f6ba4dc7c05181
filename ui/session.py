"""Who is looking at the dashboard: kept in NiceGUI's per-browser storage as (user, sign-in).

No token is stored: the page resumes the sign-in family through the auth service, so signing
out anywhere (or a password reset) signs the dashboard out too.
"""

from __future__ import annotations

from nicegui import app, context

from app.domain import Actor, DomainError
from app.domain import records as m
from ui.state import container


def client_ip() -> str | None:
    request = context.client.request
    if request is None:
        return None
    if container().settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else None


def remember(session: m.Session) -> None:
    claims = container().signer.verify(session.access_token)
    app.storage.user.update(
        user_id=session.user.id,
        family=claims.session_family,
        workspace_id=session.workspace.id if session.workspace else None,
    )


async def account() -> tuple[str, m.User, list[m.Workspace]] | None:
    """The signed-in user (sign-in family, user, memberships) from this browser's storage,
    checked against the auth service; also usable from a plain route, outside a page."""
    user_id = app.storage.user.get("user_id")
    family = app.storage.user.get("family")
    if not user_id or not family:
        return None
    services = container().services
    try:
        await services.sign_ins.resume(user_id, family)
        user, workspaces = await services.sign_ins.me(user_id)
    except DomainError:
        app.storage.user.clear()
        return None
    return family, user, workspaces


async def current() -> tuple[Actor, m.User, list[m.Workspace]] | None:
    """The signed-in actor in their chosen workspace, or None (then the page redirects)."""
    found = await account()
    if found is None:
        return None
    family, user, workspaces = found
    user_id = user.id
    wanted = app.storage.user.get("workspace_id")
    chosen = next((w for w in workspaces if w.id == wanted), workspaces[0] if workspaces else None)
    actor = Actor(user_id, ip=client_ip(), session_family=family)
    if chosen is not None and chosen.role is not None:
        actor = actor.in_workspace(chosen.id, chosen.role)
        app.storage.user["workspace_id"] = chosen.id
    return actor, user, workspaces


def choose_workspace(workspace_id: str) -> None:
    app.storage.user["workspace_id"] = workspace_id


async def sign_out() -> None:
    family = app.storage.user.get("family")
    if family:
        await container().services.sign_ins.revoke_family(family)
    app.storage.user.clear()
