"""Build the FastAPI shell NiceGUI needs and register every page on it."""

from __future__ import annotations

import secrets as _secrets
from typing import TYPE_CHECKING

from fastapi import FastAPI

from ui import state

if TYPE_CHECKING:
    from app.container import Container

_STORAGE_SECRET = "ui_storage_secret"
# How long a tab whose socket dropped may take to come back before NiceGUI drops it (the tab
# then reloads: a full page build). NiceGUI derives its socket pings from it (every 0.8×, a
# pong due within 0.4×): at 10 s a server or browser busy for 4 s cost every open tab a reload,
# which made the server busier still — with 20 tabs on a loaded machine, page builds were ~half
# of the loop's time (issue 19, session 10). A closed tab's elements now stay up to 30 s.
RECONNECT_S = 30.0


def mount_ui(container: Container) -> FastAPI:
    """Register pages and attach NiceGUI to a bare FastAPI app (once per process)."""
    from nicegui import ui
    from nicegui.storage import Storage

    from ui.pages import register_pages

    state.set_container(container)
    Storage.path = container.settings.data_dir / "ui-storage"
    secret = container.secrets.get(_STORAGE_SECRET)
    if secret is None:  # nodes sharing the secret store agree on one
        secret = container.secrets.setdefault(_STORAGE_SECRET, _secrets.token_urlsafe(32))
    shell = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    register_pages()
    ui.run_with(
        shell,
        title="Aimywhatsapp",
        favicon="💬",
        storage_secret=secret,
        show_welcome_message=False,
        reconnect_timeout=RECONNECT_S,
    )
    return shell
