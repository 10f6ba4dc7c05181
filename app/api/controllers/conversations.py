"""`/api/v1/conversations` (seed §6 Conversations & Messages)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.api.controllers.deps import (
    ActorDep,
    LongPageSize,
    PageNumber,
    PageSize,
    ServicesDep,
    provide_actor,
    provide_services,
)
from app.auth import Resource
from app.domain import ConversationStatus, Invalid, Page
from app.domain import agent_tools as t
from app.domain import conversations as c
from app.schemas.agent_tools import NoteBody
from app.schemas.conversations import ApproveBody, ConversationUpdateBody, ResolveBody, SendBody
from app.services.attachments import Attachment
from app.services.export_pdf import conversation_pdf

CONVERSATIONS = {"resource": Resource.CONVERSATIONS}
MSG = "/{conversation_id:str}/messages/{msg_id:str}/approve"
MAX_TEXT = 4096


class ConversationController(Controller):
    path = "/v1/conversations"
    tags = ["conversations"]
    dependencies = {"services": Provide(provide_services), "actor": Provide(provide_actor)}

    @get("/", opt=CONVERSATIONS)
    async def list_conversations(
        self,
        services: ServicesDep,
        actor: ActorDep,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        status: Annotated[ConversationStatus | None, QueryParameter()] = None,
        assignee: Annotated[str | None, QueryParameter(max_length=36)] = None,
        label: Annotated[str | None, QueryParameter(max_length=36)] = None,
        unread: Annotated[bool | None, QueryParameter()] = None,
        search: Annotated[str | None, QueryParameter(max_length=100)] = None,
        session_id: Annotated[str | None, QueryParameter(name="sessionId", max_length=36)] = None,
    ) -> Page[c.Conversation]:
        """Newest activity first. `assignee` is a user id, `me` or `none`; `label` a label id;
        `search` matches the contact's name, phone or JID."""
        return await services.conversation_queries.list(
            actor,
            page=page,
            page_size=page_size,
            status=status,
            assignee=assignee,
            label=label,
            unread=unread,
            search=search,
            session_id=session_id,
        )

    @get("/{conversation_id:str}", opt=CONVERSATIONS)
    async def get_conversation(
        self,
        conversation_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        page: PageNumber = 1,
        page_size: LongPageSize = 50,
    ) -> c.ConversationDetail:
        """The conversation with a page of messages: page 1 holds the most recent ones,
        each page in chronological order."""
        return await services.conversation_queries.get(
            actor, conversation_id, page=page, page_size=page_size
        )

    @patch("/{conversation_id:str}", opt=CONVERSATIONS)
    async def update_conversation(
        self,
        conversation_id: FromPath[str],
        data: JSONBody[ConversationUpdateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.Conversation:
        """Change status, assign (`assignedUserId`) or unassign (`unassign: true`), or mark
        read (`read: true`). Setting `RESOLVED` resolves as `POST …/resolve` does, with the
        same `keepTakeover` choice."""
        return await services.conversations.update(
            actor,
            conversation_id,
            status=data.status,
            assigned_user_id=data.assigned_user_id,
            unassign=data.unassign,
            read=data.read,
            keep_takeover=data.keep_takeover,
        )

    @post("/{conversation_id:str}/resolve", opt=CONVERSATIONS)
    async def resolve(
        self,
        conversation_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        data: JSONBody[ResolveBody | None] = None,
    ) -> c.Conversation:
        """Mark resolved; the contact's next message opens a new conversation. Resolving hands
        the contact back to the bot (human takeover off), so that conversation is answered;
        send `{"keepTakeover": true}` to leave the contact with the humans instead."""
        keep = data.keep_takeover if data is not None else False
        return await services.conversations.update(
            actor, conversation_id, status=ConversationStatus.RESOLVED, keep_takeover=keep
        )

    @post("/{conversation_id:str}/reopen", opt=CONVERSATIONS)
    async def reopen(
        self, conversation_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.Conversation:
        return await services.conversations.update(
            actor, conversation_id, status=ConversationStatus.OPEN
        )

    @get("/{conversation_id:str}/notes", opt=CONVERSATIONS)
    async def list_notes(
        self, conversation_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> list[t.Note]:
        """The conversation's private notes, oldest first (the thread endpoint carries those
        of the page of messages it returns)."""
        return await services.notes.list(actor, conversation_id)

    @post("/{conversation_id:str}/notes", opt=CONVERSATIONS, status_code=HTTP_201_CREATED)
    async def add_note(
        self,
        conversation_id: FromPath[str],
        data: JSONBody[NoteBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> t.Note:
        """A private note for the team: shown in the thread, never sent to the customer, not
        a message (no unread count, preview, analytics or AI history sees it)."""
        return await services.notes.add(actor, conversation_id, data.text)

    @patch("/{conversation_id:str}/notes/{note_id:str}", opt=CONVERSATIONS)
    async def edit_note(
        self,
        conversation_id: FromPath[str],
        note_id: FromPath[str],
        data: JSONBody[NoteBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> t.Note:
        """The author changes their note's text (it shows as edited)."""
        return await services.notes.edit(actor, conversation_id, note_id, data.text)

    @delete("/{conversation_id:str}/notes/{note_id:str}", opt=CONVERSATIONS)
    async def delete_note(
        self,
        conversation_id: FromPath[str],
        note_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
    ) -> None:
        """Its author, or an admin or owner, deletes a note."""
        await services.notes.delete(actor, conversation_id, note_id)

    @post("/{conversation_id:str}/messages", opt=CONVERSATIONS)
    async def send_message(
        self,
        conversation_id: FromPath[str],
        request: Request[Any, Any, Any],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.Message:
        """Send a message as a human agent (queued, then paced like every reply): JSON
        `{text}`, or multipart `file` (image, video, audio, PDF/Office document; type sniffed
        from the bytes, 16 MB max) with an optional `text` caption. By default this pauses the
        bot for the contact (human takeover)."""
        await services.conversation_queries.row(actor, conversation_id)  # 404 before any parsing
        if request.content_type[0] != RequestEncodingType.MULTI_PART:
            try:
                body = msgspec.json.decode(await request.body(), type=SendBody)
            except msgspec.DecodeError as exc:
                raise Invalid(f"invalid message body: {exc}") from None
            return await services.conversations.send(actor, conversation_id, body.text)
        form = await request.form()
        upload, text = form.get("file"), form.get("text") or ""
        if not isinstance(upload, UploadFile):
            raise Invalid("send the attachment as a multipart field named 'file'")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise Invalid(f"text: the caption is at most {MAX_TEXT} characters")
        file = Attachment(upload.filename, await upload.read())
        return await services.conversations.send(actor, conversation_id, text, file)

    @post(MSG, opt=CONVERSATIONS)
    async def approve(
        self,
        conversation_id: FromPath[str],
        msg_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        data: JSONBody[ApproveBody | None] = None,
    ) -> c.Message:
        """Approve a pending bot reply and send it; `text` replaces its content first."""
        text = data.text if data is not None else None
        return await services.approvals.approve(actor, conversation_id, msg_id, text)

    @delete(MSG, opt=CONVERSATIONS, status_code=HTTP_204_NO_CONTENT)
    async def reject(
        self,
        conversation_id: FromPath[str],
        msg_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
    ) -> None:
        """Reject a pending bot reply: it is never sent and stays on record as REJECTED."""
        await services.approvals.reject(actor, conversation_id, msg_id)

    @get(
        "/{conversation_id:str}/export",
        opt={**CONVERSATIONS, "produces": ["application/json", "application/pdf"]},
    )
    async def export(
        self,
        conversation_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
        format: Annotated[Literal["json", "pdf"], QueryParameter()] = "json",
    ) -> Response[Any]:
        """The whole thread as JSON (default) or PDF (`?format=pdf`)."""
        data = await services.conversation_queries.export(actor, conversation_id)
        name = f"conversation-{conversation_id}"
        if format == "pdf":
            return Response(
                conversation_pdf(data),
                media_type="application/pdf",
                headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
            )
        return Response(
            data, headers={"Content-Disposition": f'attachment; filename="{name}.json"'}
        )
