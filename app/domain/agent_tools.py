"""Records of the agent's everyday tools (issue 17 item 4): canned replies, private notes and
CSAT ratings, camelCase on the wire."""

from __future__ import annotations

import re
from datetime import datetime

from app.domain.actor import Actor
from app.domain.enums import Role
from app.domain.records import Model

SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,31}$")  # typed after "/" in the reply bar
# names a canned reply may use besides the contact's (`templating.contact_values`)
REPLY_NAMES = ("agent.name", "workspace.name")


class CannedReply(Model, kw_only=True):
    id: str
    shortcut: str
    title: str
    text: str
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime


class RenderedReply(Model, kw_only=True):
    """A canned reply filled for one conversation's contact and the agent asking.
    `missing`: variables this contact has no value for (rendered as "")."""

    id: str
    shortcut: str
    text: str
    missing: list[str] = []


class Note(Model, kw_only=True):
    """A private note in a thread: seen by the team, never sent to the customer."""

    id: str
    conversation_id: str
    author_user_id: str | None = None
    author_name: str | None = None
    text: str
    created_at: datetime
    edited_at: datetime | None = None


def may_change_note(actor: Actor, note: Note, *, deleting: bool) -> bool:
    """Its author edits or deletes a note; an admin or owner may delete anyone's but not put
    words in a colleague's mouth (the service enforces it, the thread shows the controls)."""
    if note.author_user_id == actor.user_id:
        return True
    return deleting and actor.role in (Role.OWNER, Role.ADMIN)


class Csat(Model, kw_only=True):
    """A conversation's satisfaction ask and, once answered, its 1-5 rating."""

    conversation_id: str
    rating: int | None = None
    asked_at: datetime
    answered_at: datetime | None = None


def shortcut_of(text: str) -> str:
    """The normal form of a shortcut as typed: no leading "/", lower case, trimmed."""
    return text.strip().lstrip("/").strip().lower()
