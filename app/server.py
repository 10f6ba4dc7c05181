"""The one process: an ASGI front that sends `/api` to Litestar and the rest to NiceGUI.

DESIGN §1 mounts Litestar inside the FastAPI shell NiceGUI needs. We dispatch by prefix in
front of both instead: Litestar then sees the same `/api/v1/...` paths in tests (where it runs
alone) as in the process, its OpenAPI paths are right without root_path rewriting, and the one
lifespan below is still the only place anything starts or stops.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from app.api.app import create_api
from app.container import lifespan

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

    from app.container import Container

log = logging.getLogger(__name__)

_CSP_UI = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self' ws: wss:; media-src 'self' blob: data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_CSP_API = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI is served from our own assets (app/api/app.py); its page has one inline script.
_CSP_DOCS = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)


class Front:
    """Prefix dispatch + security headers + the single lifespan."""

    def __init__(self, container: Container, api: ASGIApp, ui: Any) -> None:
        self.container = container
        self.api = api
        self.ui = ui
        hsts = [(b"strict-transport-security", b"max-age=31536000; includeSubDomains")]
        self._common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"permissions-policy", b"camera=(), geolocation=(), microphone=(self)"),
            *(hsts if container.settings.hsts else []),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        is_api = path == "/api" or path.startswith("/api/")
        target = self.api if is_api or self.ui is None else self.ui
        if scope["type"] != "http":
            await target(scope, receive, send)
            return
        csp = _CSP_DOCS if path.startswith("/api/docs") else _CSP_API if is_api else _CSP_UI
        extra = [*self._common, (b"content-security-policy", csp.encode())]

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in extra if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await target(scope, receive, send_with_headers)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        stack = AsyncExitStack()
        message = await receive()
        assert message["type"] == "lifespan.startup"
        try:
            await stack.enter_async_context(lifespan(self.container))
            await stack.enter_async_context(self.api.lifespan())
            if self.ui is not None:
                await stack.enter_async_context(self.ui.router.lifespan_context(self.ui))
        except BaseException as exc:
            log.exception("startup failed")
            await stack.aclose()
            await send({"type": "lifespan.startup.failed", "message": repr(exc)})
            # and raise: granian stops either way, but a host that waits for the app to return
            # (Litestar's test client) would otherwise serve a half-started app, then wait for a
            # shutdown answer for ever
            raise
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        try:
            await stack.aclose()
        except Exception as exc:
            log.exception("shutdown failed")
            await send({"type": "lifespan.shutdown.failed", "message": repr(exc)})
            return
        await send({"type": "lifespan.shutdown.complete"})


def create_asgi(container: Container, *, with_ui: bool = True) -> Front:
    """The process's ASGI app. `with_ui=False` serves the API alone (benchmarks, API tests)."""
    api = create_api(container)
    shell = None
    if with_ui:
        from ui import mount_ui

        shell = mount_ui(container)
    return Front(container, api, shell)
