"""The settings area (seed §7 `/dashboard/settings/*`): one module per tab."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from ui.pages.settings import (
    api,
    audit,
    bot,
    canned_replies,
    later,
    team,
    webhooks,
    whatsapp,
    workspace,
)


def create() -> None:
    @ui.page("/dashboard/settings", title="Settings · Aimywhatsapp")
    def index() -> RedirectResponse:
        return RedirectResponse("/dashboard/settings/workspace")

    workspace.create()
    team.create()
    api.create()
    audit.create()
    bot.create()
    whatsapp.create()
    webhooks.create()
    canned_replies.create()
    later.create()
