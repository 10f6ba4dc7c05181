"""Canned replies (issue 17): saved answers an agent inserts with `/shortcut` in the reply bar,
filled for the conversation's contact by the shared renderer (`domain/templating.py`).

Agents read them (they insert them); owners and admins manage them (Settings). A shortcut is
unique per workspace — the database says so, a clash is a 409.
"""

from __future__ import annotations

from typing import Any

from app.auth import Resource, guarded
from app.db.errors import is_unique_violation
from app.db.repos.mapping import to_model
from app.db.tables import CannedReply, Contact, ContactCustomField, User, Workspace
from app.domain import Actor, Clock, Conflict, Invalid, NotFound
from app.domain import agent_tools as t
from app.domain.templating import contact_values, render, unknown
from app.records import AuditTrail
from app.services.conversation_queries import ConversationQueries


class CannedReplyService:
    def __init__(self, queries: ConversationQueries, audit: AuditTrail, clock: Clock) -> None:
        self._queries = queries  # render: the conversation, found within the workspace
        self._audit = audit
        self._clock = clock

    @guarded(Resource.CANNED_REPLIES, write=False)
    async def list(self, actor: Actor, search: str | None = None) -> list[t.CannedReply]:
        """By shortcut; `search` keeps those whose shortcut or title contains it."""
        rows = (
            await CannedReply.select()
            .where(CannedReply.workspace_id == actor.workspace_id)
            .order_by(CannedReply.shortcut)
        )
        replies = [to_model(t.CannedReply, r) for r in rows]
        needle = t.shortcut_of(search or "")
        if needle:
            replies = [r for r in replies if needle in r.shortcut or needle in r.title.lower()]
        return replies

    @guarded(Resource.CANNED_REPLIES, write=False)
    async def get(self, actor: Actor, reply_id: str) -> t.CannedReply:
        row = (
            await CannedReply.select()
            .where((CannedReply.id == reply_id) & (CannedReply.workspace_id == actor.workspace_id))
            .first()
        )
        if row is None:
            raise NotFound("canned reply not found")
        return to_model(t.CannedReply, row)

    @guarded(Resource.CANNED_REPLIES, write=True)
    async def create(self, actor: Actor, shortcut: str, title: str, text: str) -> t.CannedReply:
        row = CannedReply(
            workspace_id=actor.workspace_id,
            shortcut=_shortcut(shortcut),
            title=_required("title", title),
            text=_text(text),
            created_by=actor.user_id,
        )
        await self._write(row.shortcut, CannedReply.insert(row))
        await self._audit.record(
            actor, "canned_reply.create", "canned_reply", row.id, {"shortcut": row.shortcut}
        )
        return await self.get(actor, row.id)

    @guarded(Resource.CANNED_REPLIES, write=True)
    async def update(
        self,
        actor: Actor,
        reply_id: str,
        *,
        shortcut: str | None = None,
        title: str | None = None,
        text: str | None = None,
    ) -> t.CannedReply:
        await self.get(actor, reply_id)
        changes: dict[Any, Any] = {CannedReply.updated_at: self._clock.now()}
        if shortcut is not None:
            changes[CannedReply.shortcut] = _shortcut(shortcut)
        if title is not None:
            changes[CannedReply.title] = _required("title", title)
        if text is not None:
            changes[CannedReply.text] = _text(text)
        query = CannedReply.update(changes).where(CannedReply.id == reply_id)
        await self._write(changes.get(CannedReply.shortcut, ""), query)
        await self._audit.record(actor, "canned_reply.update", "canned_reply", reply_id)
        return await self.get(actor, reply_id)

    @guarded(Resource.CANNED_REPLIES, write=True)
    async def delete(self, actor: Actor, reply_id: str) -> None:
        await self.get(actor, reply_id)
        await CannedReply.delete().where(CannedReply.id == reply_id)
        await self._audit.record(actor, "canned_reply.delete", "canned_reply", reply_id)

    @guarded(Resource.CANNED_REPLIES, write=False)
    async def render(self, actor: Actor, reply_id: str, conversation_id: str) -> t.RenderedReply:
        """The reply's text for this conversation's contact, signed by `actor`."""
        reply = await self.get(actor, reply_id)
        conversation = await self._queries.row(actor, conversation_id)
        rendered = render(reply.text, await _values(actor, conversation["contact_id"]))
        return t.RenderedReply(
            id=reply.id, shortcut=reply.shortcut, text=rendered.text, missing=list(rendered.missing)
        )

    @staticmethod
    async def _write(shortcut: str, query: Any) -> None:
        try:
            await query
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict(f"the shortcut /{shortcut} is taken in this workspace") from None
            raise


async def _values(actor: Actor, contact_id: str) -> dict[str, str | None]:
    contact = await Contact.select().where(Contact.id == contact_id).first()
    assert contact is not None  # the conversation's own contact (cascade)
    rows = await ContactCustomField.select().where(ContactCustomField.contact_id == contact_id)
    values = contact_values(
        name=contact["display_name"] or contact["name"],
        phone=contact["phone_number"],
        language=contact["language"],
        fields={r["key"]: r["value"] for r in rows},
    )
    agent = await User.select(User.name).where(User.id == actor.user_id).first()
    workspace = (
        await Workspace.select(Workspace.name).where(Workspace.id == actor.workspace_id).first()
    )
    values["agent.name"] = agent["name"] if agent else None
    values["workspace.name"] = workspace["name"] if workspace else None
    return values


def _shortcut(text: str) -> str:
    shortcut = t.shortcut_of(text)
    if not t.SHORTCUT.match(shortcut):
        raise Invalid("shortcut: 1-32 letters, digits, '-' or '_' (typed after '/')")
    return shortcut


def _required(name: str, text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid(f"{name}: must not be blank")
    return text


def _text(text: str) -> str:
    text = _required("text", text)
    bad = unknown(text, also=t.REPLY_NAMES)
    if bad:
        raise Invalid(f"text: unknown variable {{{{{bad[0]}}}}}")
    return text
