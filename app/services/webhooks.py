"""Webhooks (seed §6 `/settings/webhooks`, issue 16): subscriptions, a test send, the delivery
log and redelivery. Settings permission (OWNER/ADMIN read and change; API keys act as ADMIN).

The signing secret is generated unless given, returned once (in the response that creates or
changes it) and stored sealed with the install's master key, bound to the webhook's id: the
sender needs it in clear to sign, so it cannot be a hash like an API key. Every URL passes the
SSRF guard when it is saved (and again on each delivery, in the sender). Every change drops the
workspace's cached subscriptions, so the next event already sees it.
"""

from __future__ import annotations

import secrets
from typing import Any

from app.auth import Resource, guarded
from app.db.repos import webhooks as repo
from app.db.repos.mapping import json_value
from app.db.tables import Webhook, WebhookDelivery
from app.domain import Actor, Clock, Conflict, DeliveryStatus, Invalid, NotFound, Page, new_id
from app.domain import webhooks as w
from app.events import catalog
from app.events.public import ALL, SUBSCRIBABLE, TYPES
from app.jobs.webhook_sender import WebhookSender
from app.net import Egress
from app.records import AuditTrail, Subscriptions, WebhookOutbox
from app.schemas.webhooks import WebhookCreateBody, WebhookPatchBody
from app.secrets import Cipher, seal
from app.services._rows import page_bounds, to_model

MAX_WEBHOOKS = 20  # per workspace
SECRET_PREFIX = "whsec_"


class WebhookService:
    def __init__(
        self,
        clock: Clock,
        cipher: Cipher,
        egress: Egress,
        subscriptions: Subscriptions,
        outbox: WebhookOutbox,
        sender: WebhookSender,
        audit: AuditTrail,
    ) -> None:
        self._clock = clock
        self._cipher = cipher  # seals the signing secrets
        self._egress = egress  # checks URLs when they are saved
        self._subscriptions = subscriptions
        self._outbox = outbox  # test sends and redeliveries are deliveries too
        self._sender = sender
        self._audit = audit

    @guarded(Resource.SETTINGS, write=False)
    async def event_types(self, actor: Actor) -> list[w.WebhookEventType]:
        """What a webhook can subscribe to (and `*`: everything)."""
        return [w.WebhookEventType(type=t, description=d) for t, d in TYPES.items()]

    @guarded(Resource.SETTINGS, write=False)
    async def list(self, actor: Actor) -> list[w.Webhook]:
        rows = (
            await Webhook.select()
            .where(Webhook.workspace_id == actor.workspace_id)
            .order_by(Webhook.created_at)
        )
        return [_view(r) for r in rows]

    @guarded(Resource.SETTINGS, write=False)
    async def get(self, actor: Actor, webhook_id: str) -> w.Webhook:
        return _view(await self._row(actor, webhook_id))

    @guarded(Resource.SETTINGS, write=True)
    async def create(self, actor: Actor, body: WebhookCreateBody) -> w.Webhook:
        """A new webhook; the response carries its signing secret, this once."""
        events = _events(body.events)
        await self._egress.check_url(body.url)
        count = await Webhook.count().where(Webhook.workspace_id == actor.workspace_id)
        if count >= MAX_WEBHOOKS:
            raise Conflict(f"a workspace can have at most {MAX_WEBHOOKS} webhooks")
        webhook_id, secret = new_id(), body.secret or _new_secret()
        now = self._clock.now()
        await Webhook.insert(
            Webhook(
                id=webhook_id,
                workspace_id=actor.workspace_id,
                name=body.name.strip(),
                url=body.url,
                secret=seal(self._cipher, secret, webhook_id),
                events=events,
                is_active=body.is_active,
                created_at=now,
                updated_at=now,
            )
        )
        meta = {"name": body.name, "url": body.url, "events": events}
        await self._audit.record(actor, "webhook.create", "webhook", webhook_id, meta)
        self._subscriptions.invalidate(actor.workspace_id or "")
        return _view(await self._row(actor, webhook_id), secret=secret)

    @guarded(Resource.SETTINGS, write=True)
    async def update(self, actor: Actor, webhook_id: str, body: WebhookPatchBody) -> w.Webhook:
        """Change some fields; a new secret (given, or `rotateSecret`) is returned this once."""
        row = await self._row(actor, webhook_id)
        changes: dict[Any, Any] = {}
        if isinstance(body.name, str):
            changes[Webhook.name] = body.name.strip()
        if isinstance(body.url, str):
            await self._egress.check_url(body.url)
            changes[Webhook.url] = body.url
        if isinstance(body.events, list):
            changes[Webhook.events] = _events(body.events)
        secret = body.secret if isinstance(body.secret, str) else None
        if body.rotate_secret:
            secret = _new_secret()
        if secret is not None:
            changes[Webhook.secret] = seal(self._cipher, secret, webhook_id)
        switched = isinstance(body.is_active, bool) and body.is_active != row["is_active"]
        if isinstance(body.is_active, bool):
            changes[Webhook.is_active] = body.is_active
            if body.is_active:  # a fresh start: past failures are forgotten
                changes |= {Webhook.failure_count: 0, Webhook.failing_since: None}
                changes[Webhook.disabled_reason] = None
        if changes:
            changes[Webhook.updated_at] = self._clock.now()
            await Webhook.update(changes).where(Webhook.id == webhook_id)
            if switched and body.is_active is False:
                await repo.fail_waiting(webhook_id, repo.DISABLED)
            fields = sorted(c._meta.name for c in changes if c is not Webhook.updated_at)
            meta = {"fields": fields, "secretChanged": secret is not None}
            await self._audit.record(actor, "webhook.update", "webhook", webhook_id, meta)
            self._subscriptions.invalidate(actor.workspace_id or "")
        return _view(await self._row(actor, webhook_id), secret=secret)

    @guarded(Resource.SETTINGS, write=True)
    async def delete(self, actor: Actor, webhook_id: str) -> None:
        """Remove a webhook with its delivery log; nothing more is sent to it."""
        row = await self._row(actor, webhook_id)
        await Webhook.delete().where(Webhook.id == webhook_id)
        meta = {"name": row["name"], "url": row["url"]}
        await self._audit.record(actor, "webhook.delete", "webhook", webhook_id, meta)
        self._subscriptions.invalidate(actor.workspace_id or "")

    @guarded(Resource.SETTINGS, write=True)
    async def test(self, actor: Actor, webhook_id: str) -> w.WebhookTestResult:
        """Send `webhook.test` now (also to a webhook that is off) and say what came back.
        It is logged like any delivery, but never retried and never counted as a failure."""
        row = await self._row(actor, webhook_id)
        now = self._clock.now()
        event = catalog.webhook_test(row["workspace_id"], webhook_id, row["name"])
        claimed = await self._outbox.claimed(webhook_id, event, now + self._sender.policy.lease)
        target = (await repo.targets({webhook_id}))[webhook_id]
        attempt = await self._sender.attempt(claimed, target)
        status = DeliveryStatus.DELIVERED if attempt.ok else DeliveryStatus.FAILED
        done = self._clock.now()
        await repo.settle(
            claimed,
            status,
            done,
            status_code=attempt.status_code,
            duration_ms=attempt.duration_ms,
            error=attempt.error,
        )
        await Webhook.update({Webhook.last_called_at: done}).where(Webhook.id == webhook_id)
        meta = {"statusCode": attempt.status_code, "ok": attempt.ok}
        await self._audit.record(actor, "webhook.test", "webhook", webhook_id, meta)
        return w.WebhookTestResult(
            delivery_id=claimed.id,
            ok=attempt.ok,
            status_code=attempt.status_code,
            duration_ms=attempt.duration_ms,
            error=attempt.error,
        )

    @guarded(Resource.SETTINGS, write=False)
    async def deliveries(
        self,
        actor: Actor,
        webhook_id: str,
        *,
        page: int = 1,
        page_size: int = 50,
        status: DeliveryStatus | None = None,
    ) -> Page[w.WebhookDelivery]:
        """The webhook's deliveries, newest first (kept 7 days, at most 1,000)."""
        await self._row(actor, webhook_id)
        limit, offset = page_bounds(page, page_size)
        where = (WebhookDelivery.webhook_id == webhook_id) & (
            WebhookDelivery.workspace_id == actor.workspace_id
        )
        if status is not None:
            where &= WebhookDelivery.status == status
        rows = (
            await WebhookDelivery.select()
            .where(where)
            .order_by(WebhookDelivery.seq, ascending=False)
            .limit(limit)
            .offset(offset)
        )
        total = await WebhookDelivery.count().where(where)
        items = [_delivery(r) for r in rows]
        return Page(items=items, total=total, page=max(page, 1), page_size=limit)

    @guarded(Resource.SETTINGS, write=True)
    async def redeliver(self, actor: Actor, webhook_id: str, delivery_id: str) -> w.WebhookDelivery:
        """Send a past delivery's event again, as a new delivery (retried like any other)."""
        row = await self._row(actor, webhook_id)
        if not row["is_active"]:
            raise Conflict("this webhook is switched off; switch it on to redeliver")
        original = await self._delivery_row(actor, webhook_id, delivery_id)
        if original["status"] in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
            raise Conflict("this delivery is still being sent")
        new = await self._outbox.redeliver(original)
        meta = {"deliveryId": delivery_id, "eventType": original["event_type"]}
        await self._audit.record(actor, "webhook.redeliver", "webhook", webhook_id, meta)
        return _delivery(await self._delivery_row(actor, webhook_id, new))

    async def _row(self, actor: Actor, webhook_id: str) -> dict[str, Any]:
        row = (
            await Webhook.select()
            .where((Webhook.id == webhook_id) & (Webhook.workspace_id == actor.workspace_id))
            .first()
        )
        if row is None:
            raise NotFound("webhook not found")
        return row

    async def _delivery_row(
        self, actor: Actor, webhook_id: str, delivery_id: str
    ) -> dict[str, Any]:
        row = (
            await WebhookDelivery.select()
            .where(
                (WebhookDelivery.id == delivery_id)
                & (WebhookDelivery.webhook_id == webhook_id)
                & (WebhookDelivery.workspace_id == actor.workspace_id)
            )
            .first()
        )
        if row is None:
            raise NotFound("delivery not found")
        return row


def _events(requested: list[str]) -> list[str]:
    """Known types only (or `*`), each once, in the catalogue's order."""
    if not requested:
        raise Invalid("events: choose at least one event type (or * for all)")
    unknown = sorted(set(requested) - SUBSCRIBABLE)
    if unknown:
        known = ", ".join([*TYPES, ALL])
        raise Invalid(f"events: unknown event type {', '.join(unknown)}; known: {known}")
    if ALL in requested:
        return [ALL]
    return [t for t in TYPES if t in requested]


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _view(row: dict[str, Any], *, secret: str | None = None) -> w.Webhook:
    return to_model(w.Webhook, row, events=json_value(row["events"], []), secret=secret)


def _delivery(row: dict[str, Any]) -> w.WebhookDelivery:
    waiting = row["status"] == DeliveryStatus.PENDING
    return to_model(
        w.WebhookDelivery,
        row,
        payload=json_value(row["body"], {}),
        next_attempt_at=row["next_attempt_at"] if waiting else None,
    )
