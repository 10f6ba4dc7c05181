"""`/api/v1/settings/webhooks` (seed §6, issue 16): outbound webhooks, a test send, the
delivery log and redelivery. What each event's body looks like is in the OpenAPI document
(`webhooks`, and the `WebhookEvent_*` components) and in the README."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_202_ACCEPTED,
    HTTP_204_NO_CONTENT,
)

from app.api.controllers.deps import (
    ActorDep,
    PageNumber,
    PageSize,
    ServicesDep,
    provide_actor,
    provide_services,
)
from app.auth import Resource
from app.domain import DeliveryStatus, Page
from app.domain import webhooks as w
from app.schemas.webhooks import WebhookCreateBody, WebhookPatchBody

SETTINGS = {"resource": Resource.SETTINGS}


class WebhookController(Controller):
    path = "/v1/settings/webhooks"
    tags = ["webhooks"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=SETTINGS)
    async def list_webhooks(self, services: ServicesDep, actor: ActorDep) -> list[w.Webhook]:
        """The workspace's webhooks (never their secrets)."""
        return await services.webhooks.list(actor)

    @post("/", opt=SETTINGS, status_code=HTTP_201_CREATED)
    async def create_webhook(
        self, data: JSONBody[WebhookCreateBody], services: ServicesDep, actor: ActorDep
    ) -> w.Webhook:
        """Subscribe `url` to `events` (see `GET /settings/webhooks/event-types`; `*` = all).
        The URL must reach a public address (the operator may allow private ones with
        `AIMY_SSRF_ALLOW`). `secret` is generated when absent; the response carries it —
        the only time it is shown. Each delivery is a POST of `{id, type, version, createdAt,
        workspaceId, data}` with `X-Aimy-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret,
        "<t>.<body>")>`, `X-Aimy-Event` and `X-Aimy-Delivery`."""
        return await services.webhooks.create(actor, data)

    @get("/event-types", opt=SETTINGS)
    async def event_types(self, services: ServicesDep, actor: ActorDep) -> list[w.WebhookEventType]:
        """The event types a webhook can subscribe to, with what each means."""
        return await services.webhooks.event_types(actor)

    @get("/{webhook_id:str}", opt=SETTINGS)
    async def get_webhook(
        self, webhook_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> w.Webhook:
        return await services.webhooks.get(actor, webhook_id)

    @patch("/{webhook_id:str}", opt=SETTINGS)
    async def update_webhook(
        self,
        webhook_id: FromPath[str],
        data: JSONBody[WebhookPatchBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> w.Webhook:
        """Change some fields. A new `secret` (or `rotateSecret: true`) is returned once, in
        this response. `isActive: true` switches a disabled webhook back on and forgets its
        failures; `isActive: false` also fails what is still waiting (redeliver it later)."""
        return await services.webhooks.update(actor, webhook_id, data)

    @delete("/{webhook_id:str}", opt=SETTINGS, status_code=HTTP_204_NO_CONTENT)
    async def delete_webhook(
        self, webhook_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Delete the webhook and its delivery log."""
        await services.webhooks.delete(actor, webhook_id)

    @post("/{webhook_id:str}/test", opt=SETTINGS, status_code=HTTP_200_OK)
    async def test_webhook(
        self, webhook_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> w.WebhookTestResult:
        """Send a `webhook.test` event now and return the receiver's status code and the time
        it took (`ok` for a 2xx). Not retried; logged with the deliveries."""
        return await services.webhooks.test(actor, webhook_id)

    @get("/{webhook_id:str}/deliveries", opt=SETTINGS)
    async def deliveries(
        self,
        webhook_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        status: Annotated[DeliveryStatus | None, QueryParameter()] = None,
    ) -> Page[w.WebhookDelivery]:
        """The last deliveries, newest first: event, status (PENDING, SENDING, DELIVERED,
        FAILED), the last attempt's status code, duration and error, attempts, the next try.
        Kept 7 days (at most the last 1,000)."""
        return await services.webhooks.deliveries(
            actor, webhook_id, page=page, page_size=page_size, status=status
        )

    @post(
        "/{webhook_id:str}/deliveries/{delivery_id:str}/redeliver",
        opt=SETTINGS,
        status_code=HTTP_202_ACCEPTED,
    )
    async def redeliver(
        self,
        webhook_id: FromPath[str],
        delivery_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
    ) -> w.WebhookDelivery:
        """Send a past delivery's event again: a new delivery (new `X-Aimy-Delivery`, same
        body and event `id`), queued now and retried like any other."""
        return await services.webhooks.redeliver(actor, webhook_id, delivery_id)
