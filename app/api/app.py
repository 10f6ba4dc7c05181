"""`create_api(container)`: the Litestar app serving `/api` (pure: no I/O, no globals)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request, Router, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from app import __version__
from app.api.controllers import ROUTE_HANDLERS
from app.api.errors import EXCEPTION_HANDLERS
from app.api.limits import rate_limit_middleware
from app.api.openapi import add_webhook_events
from app.api.problems import DocsJson, DocsPage, api_document, document_problems
from app.api.requests import ApiRequest
from app.api.security import AuthMiddleware, permission_guard

if TYPE_CHECKING:
    from app.container import Container


# Swagger UI ships with the app (packaging/vendor_swagger_ui.sh), so /api/docs works offline
SWAGGER_UI = Path(__file__).resolve().parent.parent / "assets" / "swagger-ui"
DOCS_ASSETS = "/api/docs/assets"


def _docs_ui() -> SwaggerRenderPlugin:
    """Swagger UI from our own assets: no CDN script, stylesheet or icon."""
    return DocsPage(
        path="/",
        js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{DOCS_ASSETS}/favicon-32x32.png'>",
    )


@get("/openapi.json", opt={"public": True}, include_in_schema=False, cache=False)
async def openapi_json(request: Request) -> dict[str, Any]:
    """The OpenAPI document (also under /api/docs/openapi.json)."""
    return api_document(request.app)


def create_api(container: Container, extra_handlers: list[Any] | None = None) -> Litestar:
    settings = container.settings
    docs_assets = create_static_files_router(
        path=DOCS_ASSETS.removeprefix("/api"),
        directories=[SWAGGER_UI],
        opt={"public": True},
        include_in_schema=False,
        cache_control=None,
    )
    api = Router(
        path="/api",
        route_handlers=[*ROUTE_HANDLERS, openapi_json, docs_assets, *(extra_handlers or [])],
    )
    app = Litestar(
        route_handlers=[api],
        middleware=[
            AuthMiddleware(container.services, settings, container.node_signature),
            *rate_limit_middleware(settings, container.shared_counts),
        ],
        guards=[permission_guard],
        request_class=ApiRequest,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]  # handlers by subclass
        request_max_body_size=settings.max_body_bytes,
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Workspace-Id"],
            allow_credentials=False,
        )
        if settings.cors_origins
        else None,
        openapi_config=OpenAPIConfig(
            title="Aimywhatsapp API",
            version=__version__,
            description="REST API of Aimywhatsapp. Authenticate with `Authorization: Bearer "
            "<accessToken>` or `X-API-Key`; choose the workspace with `X-Workspace-Id`.",
            path="/api/docs",
            openapi_router=Router(  # the docs' own routes are not part of the API
                "/api/docs", route_handlers=[], opt={"public": True}, include_in_schema=False
            ),
            render_plugins=[_docs_ui(), DocsJson()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                    "apiKey": SecurityScheme(
                        type="apiKey", name="X-API-Key", security_scheme_in="header"
                    ),
                }
            ),
            security=[{"bearer": []}, {"apiKey": []}],
        ),
        state=State({"container": container}),
        debug=False,
        logging_config=None,  # the process configures logging once (app/logging_setup.py)
    )
    add_webhook_events(app)
    document_problems(app)
    return app
