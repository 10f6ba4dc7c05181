"""The dashboard's way to a session's live channel wherever the session runs (issue 18).

Behind a sticky proxy, a user's browser stays on one node; the WhatsApp session they pair or
the simulator they type into may run on another. The REST API forwards such requests to the
owner node (app/api/forward.py); the dashboard's pages call services in process, so this
service does the same for them: here when the session runs here (the plain service call),
else one signed request to the owner's own API (`app.cluster.forwarding.call_owner`) with a
short-lived access token for the signed-in user — the owner checks that user's membership
and role as for any API call (and the guards here check them first, as the local services
do), so the dashboard gains no right it did not have. An owner's
refusal comes back as the same domain error (its problem `detail`), shown by the page as
usual; an owner that does not answer is a 503 that says which node it is.
"""

from __future__ import annotations

import json
from typing import Any

from app.auth import Resource, TokenSigner, guarded
from app.cluster.forwarding import Answer, Owner, call_owner
from app.cluster.signing import NodeSignature
from app.domain import (
    Actor,
    BadGateway,
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    Unavailable,
)
from app.domain import conversations as c
from app.services.sessions import SessionService

SESSIONS = "/api/v1/whatsapp/sessions"
_ERRORS: dict[int, type[DomainError]] = {
    401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 422: Invalid,
    502: BadGateway, 503: Unavailable,
}  # fmt: skip


class LiveSessionService:
    def __init__(self, sessions: SessionService, signer: TokenSigner, nodes: NodeSignature) -> None:
        self._sessions = sessions
        self._signer = signer
        self._nodes = nodes

    @guarded(Resource.WHATSAPP, write=True)
    async def pair(self, actor: Actor, session_id: str, phone: str) -> c.PairingCode:
        """`SessionService.pair` on the node that runs the session."""
        owner = await self._sessions.elsewhere(actor, session_id)
        if owner is None:
            return await self._sessions.pair(actor, session_id, phone)
        body = {"phoneNumber": phone}
        got = await self._call(actor, owner, "POST", f"{SESSIONS}/{session_id}/pair", body)
        return c.PairingCode(session_id=session_id, code=str(got["code"]))

    @guarded(Resource.CONVERSATIONS, write=True)
    async def simulate(
        self,
        actor: Actor,
        session_id: str,
        *,
        from_: str,
        name: str | None,
        text: str | None,
        media: dict[str, str] | None,
    ) -> c.Simulated:
        """`SessionService.simulate` on the node that runs the simulator session."""
        owner = await self._sessions.elsewhere(actor, session_id)
        if owner is None:
            return await self._sessions.simulate(
                actor,
                session_id,
                from_=from_,
                name=name,
                text=text,
                media=media,
                wa_message_id=None,
            )
        body: dict[str, Any] = {"from": from_, "name": name, "text": text, "media": media}
        body = {k: v for k, v in body.items() if v is not None}
        got = await self._call(actor, owner, "POST", f"{SESSIONS}/{session_id}/simulate", body)
        return c.Simulated(wa_message_id=str(got["waMessageId"]))

    async def _call(
        self, actor: Actor, owner: Owner, method: str, path: str, body: dict[str, Any]
    ) -> Any:
        if actor.user_id is None or actor.session_family is None or actor.workspace_id is None:
            raise Conflict(f"the session runs on node {owner.node_id}; open the dashboard there")
        token = self._signer.issue(actor.user_id, actor.session_family)
        headers = {
            "Authorization": f"Bearer {token}",
            "X-Workspace-Id": actor.workspace_id,
            "Content-Type": "application/json",
        }
        answer = await call_owner(
            owner, self._nodes, method, path, content=json.dumps(body).encode(), headers=headers
        )
        if answer.status >= 400:
            raise _refusal(answer, owner)
        return answer.json()


def _refusal(answer: Answer, owner: Owner) -> DomainError:
    """The owner's problem JSON as the domain error it came from."""
    try:
        detail = str(answer.json().get("detail") or "")
    except ValueError:
        detail = ""
    detail = detail or f"node {owner.node_id} answered {answer.status}"
    return _ERRORS.get(answer.status, BadGateway)(detail, extra={"node": owner.node_id})
