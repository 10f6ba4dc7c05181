"""`/api/v1/canned-replies` (issue 17): saved answers agents insert with `/shortcut`, and their
text filled for one conversation (`…/{id}/render?conversationId=`), as the inbox does."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import ActorDep, ServicesDep, provide_actor, provide_services
from app.auth import Resource
from app.domain import agent_tools as t
from app.schemas.agent_tools import CannedReplyBody, CannedReplyPatchBody

CANNED = {"resource": Resource.CANNED_REPLIES}


def _given(value: str | msgspec.UnsetType) -> str | None:
    return None if isinstance(value, msgspec.UnsetType) else value


class CannedReplyController(Controller):
    path = "/v1/canned-replies"
    tags = ["canned-replies"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=CANNED)
    async def list_canned_replies(
        self,
        services: ServicesDep,
        actor: ActorDep,
        search: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> list[t.CannedReply]:
        """By shortcut; `search` keeps those whose shortcut or title contains it."""
        return await services.canned_replies.list(actor, search)

    @post("/", opt=CANNED, status_code=HTTP_201_CREATED)
    async def create_canned_reply(
        self, data: JSONBody[CannedReplyBody], services: ServicesDep, actor: ActorDep
    ) -> t.CannedReply:
        """A shortcut already in use in the workspace is a 409; an unknown variable a 400."""
        return await services.canned_replies.create(actor, data.shortcut, data.title, data.text)

    @get("/{reply_id:str}", opt=CANNED)
    async def get_canned_reply(
        self, reply_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> t.CannedReply:
        return await services.canned_replies.get(actor, reply_id)

    @get("/{reply_id:str}/render", opt=CANNED)
    async def render_canned_reply(
        self,
        reply_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        conversation_id: Annotated[str, QueryParameter(name="conversationId", max_length=36)],
    ) -> t.RenderedReply:
        """The text filled for the conversation's contact and you (`{{agent.name}}`);
        `missing` names the variables this contact has no value for."""
        return await services.canned_replies.render(actor, reply_id, conversation_id)

    @patch("/{reply_id:str}", opt=CANNED)
    async def update_canned_reply(
        self,
        reply_id: FromPath[str],
        data: JSONBody[CannedReplyPatchBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> t.CannedReply:
        return await services.canned_replies.update(
            actor,
            reply_id,
            shortcut=_given(data.shortcut),
            title=_given(data.title),
            text=_given(data.text),
        )

    @delete("/{reply_id:str}", opt=CANNED, status_code=HTTP_204_NO_CONTENT)
    async def delete_canned_reply(
        self, reply_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        await services.canned_replies.delete(actor, reply_id)
