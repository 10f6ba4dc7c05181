"""The OpenAPI document says what the API really answers: errors as RFC 9457 problem JSON,
and every content type a handler sends.

`app/api/errors.py` answers every error as `application/problem+json` `{type, status, title,
detail, …}`; Litestar documented only a 400 per handler, as `application/json` with its own
`{status_code, detail, extra}` body — so the OpenAPI document contradicted every error the API
sent (schemathesis: 39 content-type and schema mismatches in one minute, issue 13). Each
operation now documents 400 and every other 4xx/5xx (`4XX`, `5XX`) with the one schema below.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin

PROBLEM_JSON = "application/problem+json"


class Problem(msgspec.Struct, kw_only=True):
    """An error (RFC 9457). More members may follow, e.g. `errors` (what was invalid),
    `retryAfter`, `lastError`."""

    type: str = "about:blank"
    status: int
    title: str
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=PROBLEM_JSON,
        generate_examples=False,
    )


PROBLEMS: dict[Any, ResponseSpec] = {
    400: _spec("The request is not valid (problem JSON says what)"),
    "4XX": _spec("Not allowed, not found, a conflict or too many requests (problem JSON)"),
    "5XX": _spec("Our side failed, or a service we depend on could not be reached"),
}


def document_problems(app: Litestar) -> None:
    """Give every handler in the schema the problem responses (before the document is built:
    Litestar builds it on first use)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and handler.include_in_schema:
                handler.responses = {**PROBLEMS, **(handler.responses or {})}


def api_document(app: Litestar) -> dict[str, Any]:
    """The OpenAPI document as served (built once per app, on first request): Litestar's,
    plus the content types a handler declares beyond JSON in `opt["produces"]` (the
    conversation export answers JSON or, with `?format=pdf`, a PDF)."""
    cached: dict[str, Any] | None = app.state.get(_DOCUMENT)
    if cached is None:
        cached = app.openapi_schema.to_schema()
        for route in app.routes:
            for handler in getattr(route, "route_handlers", ()):
                opt: dict[str, Any] = getattr(handler, "opt", None) or {}
                produces = opt.get("produces")
                if not produces or not isinstance(handler, HTTPRouteHandler):
                    continue
                for method in handler.http_methods:
                    op = cached["paths"].get(route.path_format, {}).get(method.lower())
                    ok = (op or {}).get("responses", {}).get(str(handler.status_code))
                    if ok is not None:
                        content: dict[str, Any] = ok.get("content") or {}
                        first: dict[str, Any] = next(iter(content.values()), {})
                        schema = first.get("schema")
                        ok["content"] = {
                            kind: {"schema": schema if kind == "application/json" else _BINARY}
                            for kind in produces
                        }
        app.state[_DOCUMENT] = cached
    return cached


_DOCUMENT = "openapi_document"
_BINARY = {"type": "string", "format": "binary"}


class DocsPage(SwaggerRenderPlugin):
    """Swagger UI showing `api_document`."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, api_document(request.app))


class DocsJson(JsonRenderPlugin):
    """`/api/docs/openapi.json`: `api_document`."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, api_document(request.app))
