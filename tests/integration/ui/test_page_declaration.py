"""Every dashboard page is declared once with `@dashboard_page` (sign-in → redirect → frame →
permission), and the declaration holds: strangers go to /login, a role the seed §14 matrix
keeps out gets the forbidden note instead of the page."""

from __future__ import annotations

import re

from nicegui import Client

from app.domain import Actor, Role
from tests.integration.ui.conftest import Dashboard
from ui import session
from ui.page import declared_pages

# pages that are not dashboard pages, each with its reason
UNDECLARED = {
    "/": "redirects to /dashboard, /login or (no account yet) /register",
    "/login": "signing in is for strangers",
    "/register": "creating an account is for strangers",
    "/forgot-password": "for strangers",
    "/reset-password": "for strangers (the emailed token is the proof)",
    "/accept-invite": "keeps the invitation through sign-in, then needs only an account",
    "/dashboard/settings": "redirects to the first settings tab",
}


def _url(path: str) -> str:
    return re.sub(r"\{\w+\}", "c0000000000000000000nothere", path)


async def test_every_page_is_declared_and_strangers_go_to_sign_in(dashboard: Dashboard) -> None:
    pages = declared_pages()
    routes = set(Client.page_routes.values())
    assert routes - set(UNDECLARED) == {d.path for d in pages}
    stranger = dashboard.new_user()
    for page in pages:
        r = await stranger.http_client.get(_url(page.path))
        assert (r.status_code, r.headers.get("location")) == (307, "/login"), page.path


async def test_a_viewer_gets_the_forbidden_note_exactly_where_the_matrix_says(
    dashboard: Dashboard,
) -> None:
    owner = await dashboard.register("owner@example.com")
    assert owner.workspace is not None
    await dashboard.member(owner, "viewer@example.com", Role.VIEWER)
    viewer = Actor("v").in_workspace(owner.workspace.id, Role.VIEWER)
    user = await dashboard.signed_in("viewer@example.com")
    await user.open("/dashboard")
    with user:
        session.choose_workspace(owner.workspace.id)
    refused = 0
    for page in declared_pages():
        await user.open(_url(page.path))
        if page.resource is not None and not viewer.may(page.resource, write=page.write):
            await user.should_see(marker="forbidden")
            refused += 1
        else:
            await user.should_not_see(marker="forbidden")
    assert refused >= 9  # simulator, onboarding, every settings tab
