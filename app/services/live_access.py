"""Live connections end when access ends (issue 13.1).

Auth used to be checked once, at the handshake: a member removed from the workspace (and signed
out) kept receiving new messages and phone numbers on an open WebSocket or dashboard tab, and a
socket outlived its 15-minute access token. Now every live stream — the API's `/api/v1/ws` and
each dashboard subscription — reads events through `LiveAccess.stream`, which

- re-reads the access from the database when a hint names the user or key (`AccessSignals`,
  published by the services that change access), every `recheck_s` seconds regardless (so a
  change made on another app node ends access too), and when the token or sign-in expires;
- holds back an event that arrives while a hint is pending until the re-check has passed;
- forwards only the events the caller's role may read (the seed §14 matrix, per event room: a
  VIEWER gets conversations and contacts, never WhatsApp session status or settings progress);
- ends by raising `AccessEnded` with a WebSocket close code that says what the client should do.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.auth import Resource, can
from app.db.tables import ApiKey, UserSession, WorkspaceUser
from app.domain import Actor, Clock, Role
from app.events import AccessSignals, Event, Subscription, names

# WebSocket close codes (4000–4999 are the application's)
TOKEN_EXPIRED = 4001  # refresh the access token, then reconnect
ACCESS_REVOKED = 4003  # signed out, removed from the workspace, key revoked: don't retry as is
ROLE_CHANGED = 4004  # reconnect: the stream follows the new role

# which resource an event belongs to: a role receives it only if it may read that resource
EVENT_RESOURCE: dict[str, Resource] = {
    names.MESSAGE_NEW: Resource.CONVERSATIONS,
    names.MESSAGE_UPDATED: Resource.CONVERSATIONS,
    names.MESSAGE_DELETED: Resource.CONVERSATIONS,
    names.CONVERSATION_UPDATED: Resource.CONVERSATIONS,
    names.TYPING_START: Resource.CONVERSATIONS,
    names.TYPING_STOP: Resource.CONVERSATIONS,
    names.CONTACT_UPDATED: Resource.CONTACTS,
    names.NOTIFICATION_NEW: Resource.NOTIFICATIONS,
    names.NOTIFICATION_UPDATED: Resource.NOTIFICATIONS,
    names.WHATSAPP_STATUS: Resource.WHATSAPP,
    names.KB_PROGRESS: Resource.KNOWLEDGE,
    names.SPEECH_MODEL_PROGRESS: Resource.SETTINGS,
    names.MODEL_PROGRESS: Resource.SETTINGS,
    names.BROADCAST_PROGRESS: Resource.BROADCASTS,
    names.NOTE_NEW: Resource.CONVERSATIONS,
    names.NOTE_UPDATED: Resource.CONVERSATIONS,
    names.NOTE_DELETED: Resource.CONVERSATIONS,
    names.FLOW_RUN: Resource.FLOWS,
    names.FLOW_COMPLETED: Resource.FLOWS,
    names.CONVERSATION_CREATED: Resource.CONVERSATIONS,
    names.CONVERSATION_ESCALATED: Resource.CONVERSATIONS,
    names.CONTACT_CREATED: Resource.CONTACTS,
    names.CONTACT_LABELED: Resource.CONTACTS,
    names.DOCUMENT_INDEXED: Resource.KNOWLEDGE,
    names.BROADCAST_COMPLETED: Resource.BROADCASTS,
}


class AccessEnded(Exception):
    """The stream's access is over; `code` is the WebSocket close code to send."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Grant:
    """What a live connection was admitted with: the actor (user + sign-in, or API key; the
    workspace and role) and, for a bearer token, when that token expires."""

    actor: Actor
    token_expires_at: datetime | None = None

    def in_workspace(self, workspace_id: str, role: Role) -> Grant:
        return replace(self, actor=self.actor.in_workspace(workspace_id, role))


def may_receive(role: Role | None, event_name: str) -> bool:
    """True when `role` may read the resource `event_name` belongs to (unknown: no)."""
    resource = EVENT_RESOURCE.get(event_name)
    return role is not None and resource is not None and can(role, resource, write=False)


class LiveAccess:
    def __init__(self, clock: Clock, signals: AccessSignals, recheck_s: float = 30.0) -> None:
        self._clock = clock
        self._signals = signals
        self.recheck_s = recheck_s

    async def check(self, grant: Grant) -> datetime | None:
        """Raise `AccessEnded` unless the grant still holds; return when it lapses by itself
        (token, key or sign-in expiry), or None."""
        actor, now = grant.actor, self._clock.now()
        if grant.token_expires_at is not None and grant.token_expires_at <= now:
            raise AccessEnded(TOKEN_EXPIRED, "access token expired; refresh it and reconnect")
        if actor.api_key_id is not None:
            key = (
                await ApiKey.select(ApiKey.revoked_at, ApiKey.expires_at)
                .where(ApiKey.id == actor.api_key_id)
                .first()
            )
            if key is None or key["revoked_at"] is not None:
                raise AccessEnded(ACCESS_REVOKED, "this API key was revoked")
            if key["expires_at"] is not None and key["expires_at"] <= now:
                raise AccessEnded(ACCESS_REVOKED, "this API key expired")
            return key["expires_at"]
        signed_in = (
            await UserSession.select(UserSession.expires_at)
            .where(
                (UserSession.family_id == (actor.session_family or ""))
                & (UserSession.user_id == (actor.user_id or ""))
                & UserSession.revoked_at.is_null()
                & (UserSession.expires_at > now)
            )
            .order_by(UserSession.expires_at, ascending=False)
            .first()
        )
        if signed_in is None:
            raise AccessEnded(ACCESS_REVOKED, "signed out; sign in again")
        if actor.workspace_id is not None:
            member = (
                await WorkspaceUser.select(WorkspaceUser.role)
                .where(
                    (WorkspaceUser.user_id == actor.user_id)
                    & (WorkspaceUser.workspace_id == actor.workspace_id)
                )
                .first()
            )
            if member is None:
                raise AccessEnded(ACCESS_REVOKED, "you are no longer a member of this workspace")
            if Role(member["role"]) != actor.role:
                raise AccessEnded(ROLE_CHANGED, "your role changed; reconnect")
        ends = [t for t in (grant.token_expires_at, signed_in["expires_at"]) if t is not None]
        return min(ends)

    async def stream(self, grant: Grant, sub: Subscription) -> AsyncIterator[Event]:
        """The subscription's events this grant may read, until access ends (`AccessEnded`)."""
        loop = asyncio.get_running_loop()
        lapses = await self.check(grant)
        next_check = loop.time() + self.recheck_s
        actor = grant.actor
        with self._signals.listen(actor.user_id, actor.api_key_id) as poke:
            getter: asyncio.Future[Event] | None = None
            woken: asyncio.Future[Any] | None = None
            try:
                while True:
                    if poke.is_set() or loop.time() >= next_check or self._lapsed(lapses):
                        poke.clear()
                        lapses = await self.check(grant)
                        next_check = loop.time() + self.recheck_s
                    if getter is None and not sub.queue.empty():
                        # a burst (one message brings several events): no hint is pending and
                        # no re-check is due (both looked at just above), so take the next
                        # event without the two futures and the wait below
                        event = sub.queue.get_nowait()
                        if may_receive(actor.role, event.name):
                            yield event
                        continue
                    if getter is None:
                        getter = asyncio.ensure_future(sub.queue.get())
                    woken = asyncio.ensure_future(poke.wait())
                    timeout = max(0.0, min(next_check - loop.time(), self._until(lapses)))
                    waiting: set[asyncio.Future[Any]] = {getter, woken}
                    done, _ = await asyncio.wait(
                        waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                    )
                    woken.cancel()
                    if getter not in done:
                        continue
                    event, getter = getter.result(), None
                    if poke.is_set() or self._lapsed(lapses):  # a change is pending: check first
                        poke.clear()
                        lapses = await self.check(grant)
                    if may_receive(actor.role, event.name):
                        yield event
            finally:  # a stream closed mid-wait (the tab went) leaves no task pending
                for pending in (getter, woken):
                    if pending is not None:
                        pending.cancel()

    def _until(self, lapses: datetime | None) -> float:
        if lapses is None:
            return self.recheck_s
        return (lapses - self._clock.now()).total_seconds()

    def _lapsed(self, lapses: datetime | None) -> bool:
        return lapses is not None and lapses <= self._clock.now()
