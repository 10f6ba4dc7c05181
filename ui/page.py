"""One declaration per dashboard page: `@dashboard_page(path, title, resource)`.

Every signed-in page used to open with the same lines: find the current user, redirect to the
sign-in page without one, draw the frame, refuse a role the seed §14 matrix keeps out. The
decorator does that once, in that order, and calls the page body with a `Viewer` (who is
looking, and the frame's content column) plus the route's own path and query parameters.
The services check the matrix again on every call; here it only decides what is drawn.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import Client, ui

from app.domain import Actor, Resource
from app.domain import records as m
from ui import session, theme

Body = Callable[..., Awaitable[None]]
NO_ACCESS = "Your role does not give access to this page."


@dataclass(frozen=True, slots=True)
class Declared:
    """What a page declared: where it is and what a role must be allowed to see it."""

    path: str
    resource: Resource | None
    write: bool


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in visitor of a dashboard page, and the column the page draws into."""

    actor: Actor
    user: m.User
    workspaces: list[m.Workspace]
    content: ui.column

    @property
    def workspace(self) -> m.Workspace | None:
        """The workspace the actor is in (None when they are in none)."""
        return next((w for w in self.workspaces if w.id == self.actor.workspace_id), None)


def dashboard_page(
    path: str,
    title: str,
    resource: Resource | None = None,
    *,
    write: bool = False,
    heading: str | None = None,
    refusal: str | Callable[[], None] = NO_ACCESS,
    no_workspace: str | None = None,
) -> Callable[[Body], Body]:
    """Register `async def body(viewer, **route_params)` as the page at `path`.

    `title` names the browser tab (" · Aimywhatsapp" is added); `heading` the frame (default:
    `title`). Without read access to `resource` (with `write=True`: write access) the body is
    not called and the frame shows `refusal` instead — a sentence, or a function that draws
    it. `no_workspace`, when given, is where a visitor in no workspace is sent instead.
    """

    def register(body: Body) -> Body:
        async def page(**params: Any) -> RedirectResponse | None:
            current = await session.current()
            if current is None:
                return RedirectResponse("/login")
            actor, user, workspaces = current
            if no_workspace is not None and actor.workspace_id is None:
                return RedirectResponse(no_workspace)
            with theme.frame(heading or title, actor, user, workspaces) as content:
                if resource is not None and not actor.may(resource, write=write):
                    forbidden(refusal)
                else:
                    await body(Viewer(actor, user, workspaces, content), **params)
            return None

        # NiceGUI (and FastAPI below it) read the route's parameters from the signature
        params = list(inspect.signature(body).parameters.values())[1:]
        page.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]  # read by FastAPI
        page.__name__ = body.__name__
        page.declared = Declared(path, resource, write)  # type: ignore[attr-defined]  # for the tests
        ui.page(path, title=f"{title} · Aimywhatsapp")(page)
        return body

    return register


def declared_pages() -> list[Declared]:
    """Every page registered through `dashboard_page` (NiceGUI keeps the page routes)."""
    return [d for page in Client.page_routes if (d := getattr(page, "declared", None))]


def forbidden(refusal: str | Callable[[], None] = NO_ACCESS) -> None:
    """What a role that may not see a page gets in its place."""
    if callable(refusal):
        refusal()
    else:
        ui.label(refusal).classes("text-grey-8").mark("forbidden")
