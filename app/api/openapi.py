"""What the OpenAPI document says beyond the routes: the events webhooks deliver.

OpenAPI 3.1 has a place for calls the API makes to its users, `webhooks`: one entry per event
type, a POST whose body is that type's envelope (`WebhookEvent_<type>` in the components,
with the records they refer to), with the signature headers. Litestar builds the document
lazily and sets `components.schemas` to what its routes use when it does, so the events are
added right after that build.
"""

from __future__ import annotations

from typing import Any, cast

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.spec import OpenAPI

from app.events.public import DATA, TYPES, component_name, schema_components

_HEADERS = {
    "X-Aimy-Signature": '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`',
    "X-Aimy-Event": "The event type (the body's `type`).",
    "X-Aimy-Delivery": "The delivery's id: the same on its retries — ignore one seen before.",
}


class _WithWebhookEvents(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, adding the events to each document it builds."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        openapi = super()._build_openapi()
        openapi.components.schemas.update(schema_components())  # type: ignore[arg-type]  # plain JSON Schema dicts, which Litestar serialises as they are
        openapi.webhooks = {t: cast(Any, _path_item(t)) for t in DATA}
        return openapi


def add_webhook_events(app: Litestar) -> None:
    """Document every webhook event type in `app`'s OpenAPI document (built lazily, on the
    first request for it). Litestar makes its plugin itself, so ours takes its class."""
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = _WithWebhookEvents


def _path_item(event_type: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{component_name(event_type)}"}
    return {
        "post": {
            "summary": event_type,
            "description": TYPES.get(event_type, "What `POST /settings/webhooks/{id}/test` sends."),
            "parameters": [
                {"name": n, "in": "header", "required": True, "description": d}
                | {"schema": {"type": "string"}}
                for n, d in _HEADERS.items()
            ],
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref}}},
            "responses": {
                "2XX": {"description": "Received. Anything else is retried (410: stop)."}
            },
        }
    }
